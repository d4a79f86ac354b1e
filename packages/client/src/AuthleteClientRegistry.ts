/**
 * `ClientRegistry` backed by Authlete: a client is read with Authlete's client API
 * (`GET {base}/api/{serviceId}/client/get/{clientId}`, schema's `AuthleteClientGetEndpoint`), over
 * the same connection as `AuthleteClient` (the same options: base URL or region, service ID,
 * service access token as Bearer, per-attempt timeout, `RetryPolicy`, `transformClient`), and
 * authenticated with the flow every registry shares (`ClientRegistry.fromLookup`).
 *
 * Authlete keeps the client secret itself, so next to `client_secret_basic`, `client_secret_post`,
 * `none` and `private_key_jwt`, a `client_secret_jwt` assertion (HMAC with the secret) is verified
 * too. The secret stays `Redacted` in memory, is compared in constant time (SHA-256 digests) and is
 * never logged; `find` and `authenticate` answer the `Client` without it.
 *
 * @since 0.1.0
 */
import { AuthleteClientGetEndpoint, authleteClientGetPath, type Client } from "@effect-dcr/schema"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as AuthleteClient from "./AuthleteClient.js"
import { envConfig } from "./AuthleteClient.js"
import * as ClientRegistry from "./ClientRegistry.js"
import { ServerError } from "./ClientRegistryError.js"
import * as AuthleteHttp from "./internal/authleteHttp.js"
import * as ClientSecret from "./internal/clientSecret.js"
import { makeResponseHandler, resultErrorStatuses } from "./internal/response.js"

/**
 * How to reach Authlete (`AuthleteClient.Options`) and the client assertion settings
 * (`ClientRegistry.Options`: `tokenEndpoint`, `issuer`, `clockTolerance`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends AuthleteClient.Options, ClientRegistry.Options {}

/** Authlete answers an unknown client id with 404 and its JSON result body: read as `ResultError`. */
const clientGetResultStatuses: ReadonlySet<number> = new Set([...resultErrorStatuses, 404])

/** Did Authlete answer the client this id names: its client ID, or its alias while the alias is enabled? */
const isNamedBy = (client: Client, clientId: string): boolean =>
  (client.clientId !== undefined && String(client.clientId) === clientId) ||
  (client.clientIdAliasEnabled === true && client.clientIdAlias === clientId)

/** The client without its secret, and the secret as the registry compares it. */
const toRegistration = (client: Client, clientId: string): ClientRegistry.Registration => {
  const { clientSecret, ...withoutSecret } = client
  return {
    clientId,
    client: withoutSecret,
    secret: clientSecret === undefined ? undefined : { sha256: ClientSecret.digest(clientSecret), value: clientSecret }
  }
}

/**
 * Builds the registry from options (validated as `AuthleteClient.make` validates them: a missing or
 * malformed base URL or an empty service ID fail with a `ConfigError`).
 *
 * - `find(clientId)`: the client, without its secret; `Option.none()` when Authlete answers 404
 *   with its JSON result body (an unknown client ID or alias), or answers a client that the id
 *   does not name (a disabled alias). An empty id is not sent. Any other failure (a 401 for a
 *   wrong service access token, a 5xx, a timeout, a connection failure, after the retries of the
 *   `RetryPolicy`, operation `clientGet`) is a `ServerError` with reason `AuthleteFailed` and the
 *   `DynamicClientRegistrationError` as `cause`; so is a 404 without Authlete's JSON body (a wrong
 *   base URL must not read as "no such client").
 * - `authenticate`: `ClientRegistry.fromLookup`'s flow, with the clear secret for
 *   `client_secret_jwt`; a client Authlete has `locked` does not authenticate (`ClientLocked`).
 *   A client that registered only a `jwks_uri` is refused (`JwksUriUnsupported`), as by the engine.
 * - the redirect URI, grant type, response type and scope checks: the shared ones.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.fnUntraced(function*(options: Options) {
  const { call, serviceId } = yield* AuthleteHttp.connect(options)
  const endpoint = AuthleteClientGetEndpoint
  const decode = makeResponseHandler(endpoint.operation, endpoint.response, clientGetResultStatuses)
  const read = (clientId: string) =>
    call({
      operation: endpoint.operation,
      method: endpoint.method,
      path: authleteClientGetPath(serviceId, clientId),
      spanPath: endpoint.path,
      handle: (response) =>
        decode(response).pipe(
          Effect.map(Option.some),
          Effect.catchIf(
            (error) => error._tag === "ResultError" && error.status === 404,
            () => Effect.succeedNone
          )
        )
    })

  const lookup: ClientRegistry.Lookup = (clientId) =>
    clientId === ""
      ? Effect.succeedNone
      : Effect.zipRight(
        Effect.annotateCurrentSpan("authlete.service_id", serviceId),
        read(clientId).pipe(
          Effect.map((found) =>
            Option.map(Option.filter(found, (client) => isNamedBy(client, clientId)), (client) =>
              toRegistration(client, clientId))
          ),
          Effect.mapError((cause) =>
            new ServerError({
              reason: "AuthleteFailed",
              clientId,
              description: "the client registry is unavailable",
              cause
            })
          )
        )
      )

  return ClientRegistry.fromLookup(lookup, options)
})

/**
 * Provides `ClientRegistry` backed by Authlete.
 *
 * @example
 * ```ts
 * import { AuthleteClientRegistry, ClientRegistry } from "@effect-dcr/client"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect, Layer, Redacted } from "effect"
 *
 * const RegistryLive = AuthleteClientRegistry.layer({
 *   region: "us",
 *   serviceId: "715948317",
 *   serviceAccessToken: Redacted.make("…"),
 *   tokenEndpoint: "https://as.example.com/token"
 * }).pipe(Layer.provide(FetchHttpClient.layer))
 *
 * const client = Effect.gen(function*() {
 *   const registry = yield* ClientRegistry.ClientRegistry
 *   return yield* registry.authenticate({
 *     authorization: "Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW",
 *     parameters: new URLSearchParams("grant_type=authorization_code&code=xyz")
 *   })
 * }).pipe(Effect.provide(RegistryLive))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options
): Layer.Layer<ClientRegistry.ClientRegistry, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(ClientRegistry.ClientRegistry, make(options))

/**
 * Like `layer`, with every option read from `Config` (`Config.Wrap`: each field may be a
 * `Config`, or the whole object one `Config`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config.Wrap<Options>
): Layer.Layer<ClientRegistry.ClientRegistry, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(ClientRegistry.ClientRegistry, Effect.flatMap(Config.unwrap(config), make))

/**
 * The connection settings from the environment (`AuthleteClient.envConfig`: `AUTHLETE_BASE_URL` or
 * `AUTHLETE_REGION`, `AUTHLETE_SERVICE_ID`, `AUTHLETE_SERVICE_ACCESS_TOKEN`, `AUTHLETE_TIMEOUT`),
 * plus the options that cannot come from it: the token endpoint, and optionally the issuer, the
 * clock tolerance, the retry policy and `transformClient`.
 *
 * @example
 * ```ts
 * import { AuthleteClientRegistry } from "@effect-dcr/client"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Layer } from "effect"
 *
 * const RegistryLive = AuthleteClientRegistry.layerFromEnv({
 *   tokenEndpoint: "https://as.example.com/token",
 *   issuer: "https://as.example.com"
 * }).pipe(Layer.provide(FetchHttpClient.layer))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFromEnv = (
  options: ClientRegistry.Options & Pick<AuthleteClient.Options, "retryPolicy" | "transformClient">
): Layer.Layer<ClientRegistry.ClientRegistry, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(ClientRegistry.ClientRegistry, Effect.flatMap(envConfig, (config) => make({ ...config, ...options })))
