/**
 * When and how long an Authlete call is retried: one `Schedule` per operation, fed the failed
 * attempt's error. The default (`backoff()`) retries get/update/delete and the registry's
 * `clientGet` on transient failures and `register`, which is not idempotent, only when the request
 * provably was not processed.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as FiberRef from "effect/FiberRef"
import { identity } from "effect/Function"
import { globalValue } from "effect/GlobalValue"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import type { DynamicClientRegistrationError, Operation } from "./DynamicClientRegistrationError.js"

/**
 * @since 0.1.0
 * @category type id
 */
export const TypeId: unique symbol = Symbol.for("@effect-dcr/client/RetryPolicy")

/**
 * @since 0.1.0
 * @category type id
 */
export type TypeId = typeof TypeId

/**
 * A retry schedule per operation. The schedule's input is the error of the failed attempt; when
 * it stops, the last error is returned to the caller.
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryPolicy {
  readonly [TypeId]: TypeId
  readonly schedule: (operation: Operation) => Schedule.Schedule<unknown, DynamicClientRegistrationError>
}

/**
 * Builds a policy from one schedule per operation. The schedule is used as is: it decides alone
 * which errors are retried (see `retryable` and `fromSchedule` for the safe classification).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  schedule: (operation: Operation) => Schedule.Schedule<unknown, DynamicClientRegistrationError>
): RetryPolicy => {
  const schedules = {
    register: schedule("register"),
    get: schedule("get"),
    update: schedule("update"),
    delete: schedule("delete"),
    clientGet: schedule("clientGet")
  }
  return { [TypeId]: TypeId, schedule: (operation) => schedules[operation] }
}

/**
 * No retries at all: every failure is returned after the first attempt.
 *
 * @since 0.1.0
 * @category constructors
 */
export const none: RetryPolicy = make(() => Schedule.stop)

/**
 * HTTP statuses that count as transient for the idempotent operations.
 *
 * @since 0.1.0
 * @category classification
 */
export const transientStatuses: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504])

/**
 * `true` for failures that may well succeed on a second try: transport errors, timeouts, and HTTP
 * 408/429/500/502/503/504 (whether Authlete sent a JSON `ResultError` or something else).
 *
 * @since 0.1.0
 * @category classification
 */
export const isTransient = (error: DynamicClientRegistrationError): boolean => {
  switch (error._tag) {
    case "TransportError":
    case "TimeoutError":
      return true
    case "ResultError":
    case "AuthleteDefaultError":
      return transientStatuses.has(error.status)
    case "ResponseDecodeError":
      return false
  }
}

/**
 * `true` only when the failed request provably was not processed by Authlete, so re-sending a
 * non-idempotent `register` cannot create a duplicate client: the connection failed before the
 * request was sent (`TransportError` with `requestSent: false`), or the server answered 429 or 503
 * together with a `Retry-After` header.
 *
 * @since 0.1.0
 * @category classification
 */
export const isProvablyUnprocessed = (error: DynamicClientRegistrationError): boolean => {
  switch (error._tag) {
    case "TransportError":
      return !error.requestSent
    case "ResultError":
    case "AuthleteDefaultError":
      return (error.status === 429 || error.status === 503) && error.retryAfter !== undefined
    case "TimeoutError":
    case "ResponseDecodeError":
      return false
  }
}

/**
 * The default classification: `register` retries only `isProvablyUnprocessed` failures, the other
 * operations retry `isTransient` ones.
 *
 * @since 0.1.0
 * @category classification
 */
export const retryable = (operation: Operation, error: DynamicClientRegistrationError): boolean =>
  operation === "register" ? isProvablyUnprocessed(error) : isTransient(error)

/**
 * The delay a failure asked for with `Retry-After`, if any.
 *
 * @since 0.1.0
 * @category classification
 */
export const retryAfter = (error: DynamicClientRegistrationError): Option.Option<Duration.Duration> =>
  (error._tag === "ResultError" || error._tag === "AuthleteDefaultError") && error.retryAfter !== undefined
    ? Option.some(error.retryAfter)
    : Option.none()

/**
 * A schedule that delays by the failure's `Retry-After` (capped at `max`), or not at all.
 * Intersect it with a backoff schedule so that the longer of the two delays wins.
 *
 * @since 0.1.0
 * @category schedules
 */
export const retryAfterSchedule = (
  max: Duration.DurationInput
): Schedule.Schedule<DynamicClientRegistrationError, DynamicClientRegistrationError> => {
  const cap = Duration.decode(max)
  return Schedule.identity<DynamicClientRegistrationError>().pipe(
    Schedule.addDelay((error) =>
      Option.match(retryAfter(error), {
        onNone: () => Duration.zero,
        onSome: (delay) => Duration.min(delay, cap)
      })
    )
  )
}

/**
 * Options of `backoff`. Every field has a default, given with the field.
 *
 * @since 0.1.0
 * @category models
 */
export interface BackoffOptions {
  /** Delay before the first retry. Default 200 millis. */
  readonly initialDelay?: Duration.DurationInput | undefined
  /** Growth factor of the delay. Default 2. */
  readonly factor?: number | undefined
  /** Upper bound of one backoff delay (after jitter). Default 5 seconds. */
  readonly maxDelay?: Duration.DurationInput | undefined
  /** Maximum number of retries (attempts = retries + 1). Default 3. */
  readonly maxRetries?: number | undefined
  /** Upper bound of a delay requested by `Retry-After`. Default 20 seconds. */
  readonly maxRetryAfter?: Duration.DurationInput | undefined
  /** Randomise each backoff delay between 80 % and 120 %. Default true. */
  readonly jitter?: boolean | undefined
  /** Which failures are retried. Default `retryable` (the safe rule for register). */
  readonly retryable?: ((operation: Operation, error: DynamicClientRegistrationError) => boolean) | undefined
}

/**
 * Exponential backoff with jitter, a per-delay cap, a bounded number of retries and `Retry-After`
 * honoured, restricted to the failures `options.retryable` accepts.
 *
 * @since 0.1.0
 * @category constructors
 */
export const backoff = (options: BackoffOptions = {}): RetryPolicy => {
  const maxDelay = Duration.decode(options.maxDelay ?? "5 seconds")
  const isRetryable = options.retryable ?? retryable
  const delays = Schedule.exponential(options.initialDelay ?? "200 millis", options.factor ?? 2).pipe(
    options.jitter === false ? identity : Schedule.jittered,
    Schedule.modifyDelay((_, delay) => Duration.min(delay, maxDelay)),
    Schedule.intersect(Schedule.recurs(options.maxRetries ?? 3))
  )
  return make((operation) =>
    delays.pipe(
      Schedule.intersect(retryAfterSchedule(options.maxRetryAfter ?? "20 seconds")),
      Schedule.whileInput((error: DynamicClientRegistrationError) => isRetryable(operation, error))
    )
  )
}

/**
 * Wraps a schedule of your own (e.g. `Schedule.spaced("1 second").pipe(Schedule.upTo("30 seconds"))`).
 * The safe classification still applies (`register` is only retried when provably unprocessed)
 * unless you pass `retryable`, and `Retry-After` still sets a minimum delay.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromSchedule = <Out>(
  schedule: Schedule.Schedule<Out, DynamicClientRegistrationError>,
  options: {
    readonly retryable?: ((operation: Operation, error: DynamicClientRegistrationError) => boolean) | undefined
    readonly maxRetryAfter?: Duration.DurationInput | undefined
  } = {}
): RetryPolicy => {
  const isRetryable = options.retryable ?? retryable
  return make((operation) =>
    schedule.pipe(
      Schedule.intersect(retryAfterSchedule(options.maxRetryAfter ?? "20 seconds")),
      Schedule.whileInput((error: DynamicClientRegistrationError) => isRetryable(operation, error))
    )
  )
}

/**
 * The policy used when none is given: `backoff()`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaultPolicy: RetryPolicy = backoff()

/**
 * The per-fiber override read by every Authlete operation; `None` means "use the layer's policy".
 * Set it with `AuthleteClient.withRetryPolicy` (or `Effect.locally`).
 *
 * @since 0.1.0
 * @category fiber refs
 */
export const currentRetryPolicy: FiberRef.FiberRef<Option.Option<RetryPolicy>> = globalValue(
  Symbol.for("@effect-dcr/client/RetryPolicy/currentRetryPolicy"),
  () => FiberRef.unsafeMake<Option.Option<RetryPolicy>>(Option.none())
)
