/**
 * The one way this package calls Authlete's API: the base URL (or region) and service id checked,
 * the service access token as `Authorization: Bearer`, one span per attempt, the per-attempt
 * timeout, transport errors mapped once, and retries by the `RetryPolicy`. `AuthleteClient` (the
 * four registration operations) and `AuthleteClientRegistry` (the client read) both build on it.
 *
 * @internal
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberRef from "effect/FiberRef"
import { globalValue } from "effect/GlobalValue"
import * as Option from "effect/Option"
import type { Options, Region } from "../AuthleteClient.js"
import { TimeoutError } from "../DynamicClientRegistrationError.js"
import type { DynamicClientRegistrationError, Operation } from "../DynamicClientRegistrationError.js"
import * as RetryPolicy from "../RetryPolicy.js"
import { toTransportError } from "./platformError.js"

/** @internal */
export const regions: ReadonlyArray<Region> = ["us", "jp", "eu", "br"]

/** @internal */
export const regionBaseUrl = (region: Region): string => `https://${region}.authlete.com`

/** @internal */
export const defaultTimeout: Duration.Duration = Duration.seconds(10)

/** @internal */
export const currentTimeout: FiberRef.FiberRef<Option.Option<Duration.Duration>> = globalValue(
  Symbol.for("@effect-dcr/client/AuthleteClient/currentTimeout"),
  () => FiberRef.unsafeMake<Option.Option<Duration.Duration>>(Option.none())
)

/**
 * `baseUrl`, or else the region's URL; a `ConfigError` naming the option when neither is usable.
 *
 * @internal
 */
export const resolveBaseUrl = (
  options: Pick<Options, "baseUrl" | "region">
): Either.Either<URL, ConfigError.ConfigError> => {
  if (options.baseUrl !== undefined) {
    let url: URL
    try {
      url = new URL(options.baseUrl)
    } catch {
      return Either.left(
        ConfigError.InvalidData(["baseUrl"], `Expected an absolute URL, got ${String(options.baseUrl)}`)
      )
    }
    return url.protocol === "http:" || url.protocol === "https:"
      ? Either.right(url)
      : Either.left(ConfigError.InvalidData(["baseUrl"], `Expected an http(s) URL, got ${url.protocol}`))
  }
  if (options.region !== undefined) {
    return regions.includes(options.region)
      ? Either.right(new URL(regionBaseUrl(options.region)))
      : Either.left(
        ConfigError.InvalidData(["region"], `Expected one of ${regions.join(", ")}, got ${String(options.region)}`)
      )
  }
  return Either.left(ConfigError.MissingData([], "Expected baseUrl or region to be set"))
}

/**
 * The `HttpClient` in context, with `transformClient` applied once. The platform's own client span
 * ends with the platform's value (the request, whose body may hold a registration access token,
 * inside the response or RequestError): replaced by `call`'s span (this also keeps `traceparent`
 * from going to Authlete). A `transformClient` that calls `HttpClient.withTracerDisabledWhen` wins.
 *
 * @internal
 */
export const httpClient = (options: Pick<Options, "transformClient">) =>
  Effect.map(HttpClient.HttpClient, (client) =>
    HttpClient.withTracerDisabledWhen(
      options.transformClient ? options.transformClient(client) : client,
      () => true
    ))

/**
 * One Authlete call: what to send and how to read the answer.
 *
 * @internal
 */
export interface Call<A> {
  readonly operation: Operation
  readonly method: "GET" | "POST"
  /** The path under the base URL, e.g. `/api/{serviceId}/client/registration`. */
  readonly path: string
  /** The endpoint's path for the span name, without identifiers, e.g. `/client/get`. */
  readonly spanPath: string
  /** A JSON body (POST). */
  readonly body?: unknown
  readonly handle: (
    response: HttpClientResponse.HttpClientResponse
  ) => Effect.Effect<A, DynamicClientRegistrationError | HttpClientError.ResponseError>
}

/**
 * A connection to one Authlete service.
 *
 * @internal
 */
export interface Connection {
  readonly base: URL
  readonly serviceId: string
  /** Sends a call (again, per the retry policy) and reads its answer. */
  readonly call: <A>(call: Call<A>) => Effect.Effect<A, DynamicClientRegistrationError>
}

/**
 * Validates the options (a missing or malformed base URL or an empty service ID fail with a
 * `ConfigError`) and prepares the calls.
 *
 * @internal
 */
export const connect = Effect.fnUntraced(function*(options: Options) {
  const base = yield* resolveBaseUrl(options)
  if (options.serviceId.length === 0) {
    return yield* Effect.fail(ConfigError.InvalidData(["serviceId"], "Expected a non-empty service ID"))
  }
  const serviceId = options.serviceId
  const timeout = Duration.decode(options.timeout ?? defaultTimeout)
  const layerPolicy = options.retryPolicy ?? RetryPolicy.defaultPolicy
  const client = yield* httpClient(options)
  const prefix = `${base.origin}${base.pathname.replace(/\/+$/, "")}`

  const call = <A>(spec: Call<A>): Effect.Effect<A, DynamicClientRegistrationError> => {
    const name = spec.operation
    const url = `${prefix}${spec.path}`
    const request = HttpClientRequest.make(spec.method)(url).pipe(
      HttpClientRequest.bearerToken(options.serviceAccessToken),
      HttpClientRequest.acceptJson,
      spec.body === undefined ? (request) => request : HttpClientRequest.bodyUnsafeJson(spec.body)
    )
    const spanOptions = {
      kind: "client",
      captureStackTrace: false,
      attributes: { "http.request.method": spec.method, "url.full": url, "server.address": base.origin }
    } as const
    const attempt = (limit: Duration.Duration) =>
      client.execute(request).pipe(
        Effect.tap((response) => Effect.annotateCurrentSpan("http.response.status_code", response.status)),
        Effect.flatMap(spec.handle),
        Effect.catchTags({
          RequestError: (error) => Effect.fail(toTransportError(name, error)),
          ResponseError: (error) => Effect.fail(toTransportError(name, error))
        }),
        Effect.withSpan(`Authlete ${spec.method} ${spec.spanPath}`, spanOptions),
        Effect.timeoutFail({ duration: limit, onTimeout: () => new TimeoutError({ operation: name, timeout: limit }) }),
        Effect.tapError((error: DynamicClientRegistrationError) =>
          Effect.logDebug(`Authlete ${name} attempt failed: ${error.message}`).pipe(
            Effect.annotateLogs({ "dcr.operation": name, "dcr.error": error._tag })
          )
        )
      )
    return Effect.flatMap(
      Effect.zip(FiberRef.get(RetryPolicy.currentRetryPolicy), FiberRef.get(currentTimeout)),
      ([policy, limit]) =>
        Effect.retry(
          attempt(Option.getOrElse(limit, () => timeout)),
          Option.getOrElse(policy, () => layerPolicy).schedule(name)
        )
    )
  }

  return { base, serviceId, call } satisfies Connection
})
