/**
 * `DynamicClientRegistration` over HTTP, backed by Authlete's API
 * (`POST {base}/api/{serviceId}/client/registration[/get|/update|/delete]`, from schema's
 * `AuthleteEndpoints`). The layer needs an `HttpClient.HttpClient`; every call maps Authlete's
 * answer to a typed response or error, retries by the `RetryPolicy` and runs in a span
 * `DynamicClientRegistration.<operation>`.
 *
 * @since 0.1.0
 */
import { authleteEndpointPath, AuthleteEndpoints } from "@effect-dcr/schema"
import type { AuthleteOperation } from "@effect-dcr/schema"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as FiberRef from "effect/FiberRef"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { DynamicClientRegistration } from "./DynamicClientRegistration.js"
import type { Service } from "./DynamicClientRegistration.js"
import type { DynamicClientRegistrationError } from "./DynamicClientRegistrationError.js"
import * as AuthleteHttp from "./internal/authleteHttp.js"
import { makeResponseHandler } from "./internal/response.js"
import * as Readiness from "./Readiness.js"
import * as RetryPolicy from "./RetryPolicy.js"

/**
 * Authlete's cloud regions; `region: "jp"` means `https://jp.authlete.com`.
 *
 * @since 0.1.0
 * @category models
 */
export type Region = "us" | "jp" | "eu" | "br"

/**
 * @since 0.1.0
 * @category constants
 */
export const regions: ReadonlyArray<Region> = AuthleteHttp.regions

/**
 * The API base URL of a region: `https://{region}.authlete.com`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const regionBaseUrl: (region: Region) => string = AuthleteHttp.regionBaseUrl

/**
 * The per-attempt timeout used when `timeout` is not set.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultTimeout: Duration.Duration = AuthleteHttp.defaultTimeout

/**
 * How to reach Authlete. Give `baseUrl` (any Authlete-compatible server, e.g. a proxy or the
 * embedded engine's HTTP API; a path prefix is kept) or `region`; `baseUrl` wins when both are set.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** e.g. `https://us.authlete.com` or `http://127.0.0.1:8080/authlete`. */
  readonly baseUrl?: string | URL | undefined
  /** Shorthand for `baseUrl: https://{region}.authlete.com`. */
  readonly region?: Region | undefined
  /** The Authlete service ID (percent-encoded into the path). */
  readonly serviceId: string
  /** The service access token, sent as `Authorization: Bearer …`. */
  readonly serviceAccessToken: Redacted.Redacted<string>
  /** Limit of one attempt (request + response body); default 10 seconds. */
  readonly timeout?: Duration.DurationInput | undefined
  /** Default `RetryPolicy.defaultPolicy`; `RetryPolicy.none` turns retries off. */
  readonly retryPolicy?: RetryPolicy.RetryPolicy | undefined
  /** Applied to the `HttpClient` once, e.g. to add headers or a proxy. */
  readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
}

const annotateClientId = (clientId: unknown) =>
  clientId === undefined ? Effect.void : Effect.annotateCurrentSpan("dcr.client_id", String(clientId))

const annotateAction = (action: string | undefined) =>
  action === undefined ? Effect.void : Effect.annotateCurrentSpan("dcr.action", action)

/**
 * Builds the service from options (validated: a missing or malformed base URL or an empty
 * service ID fail with a `ConfigError`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.fnUntraced(function*(options: Options) {
  const { call, serviceId } = yield* AuthleteHttp.connect(options)
  const operation = <Req, ReqI, Res, ResI>(endpoint: {
    readonly operation: AuthleteOperation
    readonly path: string
    readonly request: Schema.Schema<Req, ReqI>
    readonly response: Schema.Schema<Res, ResI>
  }) => {
    const name = endpoint.operation
    const encode = Schema.encode(endpoint.request)
    const handle = makeResponseHandler(name, endpoint.response)
    const path = authleteEndpointPath(serviceId, name)
    return (input: Req): Effect.Effect<Res, DynamicClientRegistrationError> =>
      Effect.flatMap(
        Effect.orDie(encode(input)),
        (body) => call({ operation: name, method: "POST", path, spanPath: endpoint.path, body, handle })
      )
  }

  const register = operation(AuthleteEndpoints.register)
  const get = operation(AuthleteEndpoints.get)
  const update = operation(AuthleteEndpoints.update)
  const delete_ = operation(AuthleteEndpoints.delete)

  return DynamicClientRegistration.of(
    {
      register: Effect.fn("DynamicClientRegistration.register")(function*(request) {
        yield* Effect.annotateCurrentSpan("authlete.service_id", serviceId)
        const response = yield* register(request)
        yield* annotateClientId(response.client?.clientId)
        yield* annotateAction(response.action)
        return response
      }),
      get: Effect.fn("DynamicClientRegistration.get")(function*(request) {
        yield* Effect.annotateCurrentSpan("authlete.service_id", serviceId)
        yield* annotateClientId(request.clientId)
        const response = yield* get(request)
        yield* annotateAction(response.action)
        return response
      }),
      update: Effect.fn("DynamicClientRegistration.update")(function*(request) {
        yield* Effect.annotateCurrentSpan("authlete.service_id", serviceId)
        yield* annotateClientId(request.clientId)
        const response = yield* update(request)
        yield* annotateAction(response.action)
        return response
      }),
      delete: Effect.fn("DynamicClientRegistration.delete")(function*(request) {
        yield* Effect.annotateCurrentSpan("authlete.service_id", serviceId)
        yield* annotateClientId(request.clientId)
        const response = yield* delete_(request)
        yield* annotateAction(response.action)
        return response
      })
    } satisfies Service
  )
})

/**
 * Authlete's readiness: a `HEAD` request to the base URL, without credentials; ready when Authlete
 * answers with a status below 500 (DNS, TLS and the server work). It spends no API call and sends
 * no token, so it does not prove that the service access token is valid.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeReadiness = Effect.fnUntraced(function*(
  options: Pick<Options, "baseUrl" | "region" | "transformClient">
) {
  const base = yield* AuthleteHttp.resolveBaseUrl(options)
  const client = yield* AuthleteHttp.httpClient(options)
  return Readiness.make(
    "authlete",
    Effect.flatMap(
      client.head(base.href),
      (response) => response.status < 500 ? Effect.void : Effect.fail(new Error(`Authlete answered ${response.status}`))
    )
  )
})

const layerFrom = (
  options: Effect.Effect<Options, ConfigError.ConfigError>
): Layer.Layer<DynamicClientRegistration | Readiness.Readiness, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effectContext(Effect.flatMap(options, (options) =>
    Effect.zipWith(
      make(options),
      makeReadiness(options),
      (service, readiness) =>
        Context.make(DynamicClientRegistration, service).pipe(Context.add(Readiness.Readiness, readiness))
    )))

/**
 * Provides `DynamicClientRegistration` backed by Authlete, and its `Readiness` (`makeReadiness`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options
): Layer.Layer<DynamicClientRegistration | Readiness.Readiness, ConfigError.ConfigError, HttpClient.HttpClient> =>
  layerFrom(Effect.succeed(options))

/**
 * Like `layer`, with every option read from `Config` (`Config.Wrap`: each field may be a
 * `Config`, or the whole object one `Config`).
 *
 * @example
 * ```ts
 * import { AuthleteClient } from "@effect-dcr/client"
 * import { Config } from "effect"
 *
 * const AuthleteLive = AuthleteClient.layerConfig({
 *   region: Config.literal("us", "jp", "eu", "br")("AUTHLETE_REGION"),
 *   serviceId: Config.string("AUTHLETE_SERVICE_ID"),
 *   serviceAccessToken: Config.redacted("AUTHLETE_SERVICE_ACCESS_TOKEN")
 * })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config.Wrap<Options>
): Layer.Layer<DynamicClientRegistration | Readiness.Readiness, ConfigError.ConfigError, HttpClient.HttpClient> =>
  layerFrom(Config.unwrap(config))

/**
 * The connection settings from the environment (or the current `ConfigProvider`):
 *
 * - `AUTHLETE_BASE_URL`, or else `AUTHLETE_REGION` (`us` | `jp` | `eu` | `br`) — one is required;
 * - `AUTHLETE_SERVICE_ID` (non-empty);
 * - `AUTHLETE_SERVICE_ACCESS_TOKEN` (read as `Redacted`);
 * - `AUTHLETE_TIMEOUT` (optional, e.g. `5 seconds`).
 *
 * A missing variable fails with a `ConfigError` that names it (all missing ones at once).
 *
 * @since 0.1.0
 * @category config
 */
export const envConfig: Config.Config<Options> = Config.all({
  baseUrl: Config.string("AUTHLETE_BASE_URL").pipe(
    Config.orElse(() => Config.map(Config.literal(...regions)("AUTHLETE_REGION"), regionBaseUrl))
  ),
  serviceId: Config.nonEmptyString("AUTHLETE_SERVICE_ID"),
  serviceAccessToken: Config.redacted("AUTHLETE_SERVICE_ACCESS_TOKEN"),
  timeout: Config.option(Config.duration("AUTHLETE_TIMEOUT"))
}).pipe(
  Config.map(({ timeout, ...rest }): Options => ({ ...rest, timeout: Option.getOrUndefined(timeout) }))
)

/**
 * `layerConfig(envConfig)`, plus the options that cannot come from the environment.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFromEnv = (
  options: Pick<Options, "retryPolicy" | "transformClient"> = {}
): Layer.Layer<DynamicClientRegistration | Readiness.Readiness, ConfigError.ConfigError, HttpClient.HttpClient> =>
  layerFrom(Effect.map(envConfig, (config) => ({ ...config, ...options })))

/**
 * Runs `self` with another retry policy for every Authlete operation it performs (the layer's
 * policy is the default). Implemented with `Effect.locally` on `RetryPolicy.currentRetryPolicy`.
 *
 * @example
 * ```ts
 * import { AuthleteClient, DynamicClientRegistration, RetryPolicy } from "@effect-dcr/client"
 *
 * const once = DynamicClientRegistration.register({ json: "{}" }).pipe(
 *   AuthleteClient.withRetryPolicy(RetryPolicy.none)
 * )
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const withRetryPolicy: {
  (policy: RetryPolicy.RetryPolicy): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, policy: RetryPolicy.RetryPolicy): Effect.Effect<A, E, R>
} = dual(
  2,
  <A, E, R>(self: Effect.Effect<A, E, R>, policy: RetryPolicy.RetryPolicy): Effect.Effect<A, E, R> =>
    Effect.locally(self, RetryPolicy.currentRetryPolicy, Option.some(policy))
)

/**
 * The per-attempt timeout that overrides the layer's for the Authlete operations run in its scope
 * (`none`: the layer's `timeout`). Set it with `withTimeout` (or `Effect.locally`).
 *
 * @since 0.1.0
 * @category references
 */
export const currentTimeout: FiberRef.FiberRef<Option.Option<Duration.Duration>> = AuthleteHttp.currentTimeout

/**
 * Runs `self` with another per-attempt timeout for every Authlete operation it performs (the
 * layer's `timeout` is the default). Each attempt gets the whole limit; retries follow the retry
 * policy as usual. Implemented with `Effect.locally` on `currentTimeout`.
 *
 * @example
 * ```ts
 * import { AuthleteClient, DynamicClientRegistration } from "@effect-dcr/client"
 * import { Redacted } from "effect"
 *
 * const quick = DynamicClientRegistration.get({ clientId: "42", token: Redacted.make("…") }).pipe(
 *   AuthleteClient.withTimeout("2 seconds")
 * )
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const withTimeout: {
  (timeout: Duration.DurationInput): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, timeout: Duration.DurationInput): Effect.Effect<A, E, R>
} = dual(
  2,
  <A, E, R>(self: Effect.Effect<A, E, R>, timeout: Duration.DurationInput): Effect.Effect<A, E, R> =>
    Effect.locally(self, currentTimeout, Option.some(Duration.decode(timeout)))
)
