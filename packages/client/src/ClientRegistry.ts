/**
 * The registered clients as an authorization server needs them at its authorization and token
 * endpoints: find a client, authenticate it (RFC 6749 §2.3, RFC 7523), and check a request's
 * redirect URI, grant type, response type and scope against its registration.
 *
 * This is the seam: `ClientRegistry.layer` of `@effect-dcr/engine` provides the tag on the engine's
 * store, `AuthleteClientRegistry.layer` over Authlete's API. Both build the service with
 * `fromLookup`, so the authentication rules and the checks are the same for every backend; a
 * backend only says how to look a client up.
 *
 * @since 0.1.0
 */
import { type Client, ClientAuthMethod, JwsAlg } from "@effect-dcr/schema"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import {
  InvalidClient,
  type InvalidRequest,
  type InvalidScope,
  type ServerError,
  type UnauthorizedClient,
  type UnsupportedResponseType
} from "./ClientRegistryError.js"
import * as ClientAssertion from "./internal/clientAssertion.js"
import * as ClientSecret from "./internal/clientSecret.js"
import * as Presented from "./internal/presentedCredentials.js"
import * as Checks from "./internal/registrationChecks.js"

/**
 * The form parameters of a token request: `URLSearchParams`, or a record as a body parser gives
 * it, with an array for a repeated parameter.
 *
 * @since 0.1.0
 * @category models
 */
export type FormParameters =
  | URLSearchParams
  | { readonly [name: string]: string | ReadonlyArray<string> | undefined }

/**
 * A token request's client credentials, as the HTTP layer received them.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientCredentials {
  /** The `Authorization` header, if any (`Basic base64(urlencode(client_id):urlencode(client_secret))`). */
  readonly authorization?: string | undefined
  /**
   * The form parameters of the request body (`client_id`, `client_secret`, `client_assertion_type`,
   * `client_assertion`; others are ignored). A repeated one is refused (RFC 6749 §3.1); an empty
   * one counts as absent.
   */
  readonly parameters: FormParameters
}

/**
 * The method a client authenticated with (`token_endpoint_auth_method`).
 *
 * @since 0.1.0
 * @category models
 */
export type AuthenticationMethod =
  | "none"
  | "client_secret_basic"
  | "client_secret_post"
  | "private_key_jwt"
  | "client_secret_jwt"

/**
 * An authenticated client.
 *
 * @since 0.1.0
 * @category models
 */
export interface AuthenticatedClient {
  /** The client id as the client presented it. */
  readonly clientId: string
  /** The registered client (Authlete's `Client` model, without its secret). */
  readonly client: Client
  readonly method: AuthenticationMethod
  /**
   * For a client assertion (`private_key_jwt`, `client_secret_jwt`): its `jti` and `exp` (epoch
   * milliseconds), for a replay cache (RFC 7523 §3 item 7), which the registry does not keep.
   */
  readonly assertion?: { readonly jti: string | undefined; readonly expiresAt: number } | undefined
}

/**
 * The registry's operations.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /**
   * The registered client with this id, without its secret; `None` when there is none. A backend
   * may resolve more than its own registrations (the engine: client metadata documents), or refuse
   * an id with `InvalidClient` saying why. `ServerError` when the backend failed.
   */
  readonly find: (clientId: string) => Effect.Effect<Option.Option<Client>, InvalidClient | ServerError>
  /**
   * RFC 6749 §2.3 client authentication with the client's registered `token_endpoint_auth_method`
   * and no other: `client_secret_basic`, `client_secret_post` (the secret compared in constant
   * time, `client_secret_expires_at` honoured), `none` (public clients), `private_key_jwt`
   * (against the registered inline `jwks`) or `client_secret_jwt` (HMAC with the secret, where the
   * backend keeps it). An unknown client costs the same secret comparison as a known one.
   */
  readonly authenticate: (
    credentials: ClientCredentials
  ) => Effect.Effect<AuthenticatedClient, InvalidClient | InvalidRequest | ServerError>
  /**
   * The redirect URI to use for a request: `uri` if it is registered (exact match; for `http` on
   * `127.0.0.1` or `[::1]` any port, RFC 8252 §7.3), or the only registered one when `uri` is
   * absent or empty. On failure the authorization endpoint must not redirect (RFC 6749 §4.1.2.1).
   */
  readonly checkRedirectUri: (client: Client, uri: string | undefined) => Effect.Effect<string, InvalidRequest>
  /** The grant type (e.g. `authorization_code`) is one the client registered. */
  readonly checkGrantType: (client: Client, grantType: string) => Effect.Effect<void, UnauthorizedClient>
  /** The response type (elements in any order) is one the client registered; unknown ones are unsupported. */
  readonly checkResponseType: (
    client: Client,
    responseType: string
  ) => Effect.Effect<void, UnauthorizedClient | UnsupportedResponseType>
  /**
   * The requested scope values (duplicates removed; empty when `scope` is absent), each of them
   * registered when the client has registered scopes (`extension.requestableScopes`).
   */
  readonly checkScope: (client: Client, scope: string | undefined) => Effect.Effect<ReadonlyArray<string>, InvalidScope>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class ClientRegistry extends Context.Tag("@effect-dcr/client/ClientRegistry")<ClientRegistry, Service>() {}

/**
 * The settings of client assertions (`private_key_jwt`, `client_secret_jwt`), the same for every
 * backend.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The token endpoint's URL: the `aud` a client assertion must contain (RFC 7523 §3). */
  readonly tokenEndpoint: string
  /** The authorization server's issuer identifier, also accepted as `aud` (RFC 7523 §3). */
  readonly issuer?: string | undefined
  /** Clock skew allowed on a client assertion's `exp` and `nbf` (default 0). */
  readonly clockTolerance?: Duration.DurationInput | undefined
}

/**
 * A registered client's secret, as a backend keeps it.
 *
 * @since 0.1.0
 * @category models
 */
export interface RegisteredSecret {
  /** SHA-256 of the secret's UTF-8 octets (32 bytes): what a presented secret is compared with. */
  readonly sha256: Uint8Array
  /**
   * The secret itself, when the backend keeps it (Authlete does, the engine does not): only then
   * can a `client_secret_jwt` assertion (an HMAC with the secret as key) be verified.
   */
  readonly value?: Redacted.Redacted<string> | undefined
  /** `client_secret_expires_at`, epoch milliseconds; `undefined`: never. */
  readonly expiresAt?: number | undefined
}

/**
 * What a backend knows of a client: what `fromLookup` needs to authenticate it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Registration {
  /** The client id as the client uses it (the `iss` and `sub` of its assertions). */
  readonly clientId: string
  /** The client as `find` answers it: never with its secret. */
  readonly client: Client
  /** `undefined` for a client without a secret (public, or keys only). */
  readonly secret?: RegisteredSecret | undefined
  /**
   * Run after a successful authentication (the engine records the client's last use). It cannot
   * fail: the authentication itself succeeded.
   */
  readonly onAuthenticated?: Effect.Effect<void> | undefined
}

/**
 * How a backend finds a client by id: `None` for an unknown id, `InvalidClient` for an id it
 * refuses (e.g. a refused metadata document), `ServerError` when it failed.
 *
 * @since 0.1.0
 * @category models
 */
export type Lookup = (clientId: string) => Effect.Effect<Option.Option<Registration>, InvalidClient | ServerError>

/** A registered `token_endpoint_auth_method` as its metadata string (RFC 7591 default: `client_secret_basic`). */
const registeredMethod = (client: Client): string =>
  Option.getOrElse(
    ClientAuthMethod.toMetadata(client.tokenAuthMethod ?? "CLIENT_SECRET_BASIC"),
    () => client.tokenAuthMethod ?? ""
  )

const supportedMethods: ReadonlySet<string> = new Set<AuthenticationMethod>([
  "none",
  "client_secret_basic",
  "client_secret_post",
  "private_key_jwt",
  "client_secret_jwt"
])

/**
 * The registry on a backend's `Lookup`: client authentication (the presented credentials read
 * once, the registered method enforced, secrets compared in constant time, assertions verified with
 * `jose`) and the redirect URI, grant type, response type and scope checks, each in a span
 * `ClientRegistry.<operation>`. Every backend builds the service with it.
 *
 * @example
 * ```ts
 * import { ClientRegistry } from "@effect-dcr/client"
 * import { Effect, Layer, Option } from "effect"
 *
 * // a backend that knows one public client
 * const lookup: ClientRegistry.Lookup = (clientId) =>
 *   Effect.succeed(
 *     clientId === "cli"
 *       ? Option.some({
 *         clientId,
 *         client: { clientId: 1, tokenAuthMethod: "NONE", redirectUris: ["http://127.0.0.1/cb"] }
 *       })
 *       : Option.none()
 *   )
 *
 * const RegistryLive = Layer.succeed(
 *   ClientRegistry.ClientRegistry,
 *   ClientRegistry.fromLookup(lookup, { tokenEndpoint: "https://as.example.com/token" })
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromLookup = (lookup: Lookup, options: Options): Service => {
  const audience = options.issuer === undefined ? [options.tokenEndpoint] : [options.tokenEndpoint, options.issuer]
  const clockTolerance = Duration.toSeconds(Duration.decode(options.clockTolerance ?? 0))

  const find = Effect.fn("ClientRegistry.find")(function*(clientId: string) {
    return Option.map(yield* lookup(clientId), ({ client }) => client)
  })

  const authenticate = Effect.fn("ClientRegistry.authenticate")(function*(credentials: ClientCredentials) {
    const presented = yield* Presented.read(credentials.authorization, credentials.parameters)
    const clientId = presented.clientId ?? (presented.method === "client_assertion"
      ? yield* ClientAssertion.unverifiedSubject(presented.assertion)
      : "")
    const found = yield* lookup(clientId)
    const registered = Option.map(found, ({ client }) => registeredMethod(client))
    // an assertion is tried as the JWT method the client registered
    const tried: AuthenticationMethod = presented.method !== "client_assertion"
      ? presented.method
      : Option.contains(registered, "client_secret_jwt")
      ? "client_secret_jwt"
      : "private_key_jwt"
    yield* Effect.annotateCurrentSpan({ "dcr.client_id": clientId, "dcr.auth_method": tried })
    const failure = (reason: InvalidClient["reason"], description: string) =>
      new InvalidClient({ reason, clientId, method: tried, description })
    if (Option.isNone(found) || Option.isNone(registered)) {
      // The same comparison as for a wrong secret: response times do not tell which ids exist.
      if ("secret" in presented) ClientSecret.matches(presented.secret, ClientSecret.unknownClient)
      return yield* failure("UnknownClient", "client authentication failed")
    }
    const registration = found.value
    const { client, secret } = registration
    const method = registered.value
    const authenticated = (assertion?: AuthenticatedClient["assertion"]) =>
      Effect.gen(function*() {
        if (client.locked === true) return yield* failure("ClientLocked", "the client is locked")
        if (registration.onAuthenticated !== undefined) yield* registration.onAuthenticated
        const answer: AuthenticatedClient = {
          clientId: registration.clientId,
          client,
          method: tried,
          ...(assertion === undefined ? {} : { assertion })
        }
        return answer
      })
    if (!supportedMethods.has(method)) {
      return yield* failure("AuthMethodUnsupported", `the client's ${method} authentication is not supported here`)
    }
    if (tried !== method) return yield* failure("AuthMethodMismatch", `the client is registered for ${method}`)
    if (presented.method === "client_assertion") {
      let key: ClientAssertion.VerificationKey
      if (tried === "client_secret_jwt") {
        if (secret?.value === undefined) {
          return yield* failure(
            "ClientSecretJwtUnsupported",
            "client_secret_jwt cannot be verified here: only a hash of the client secret is stored"
          )
        }
        key = { method: "client_secret_jwt", secret: secret.value }
      } else {
        if (client.jwks === undefined) {
          return yield* client.jwksUri === undefined
            ? failure("UnusableKeys", "the client registered no jwks")
            : failure("JwksUriUnsupported", "the client's jwks_uri is not fetched here: register the keys as jwks")
        }
        key = { method: "private_key_jwt", jwks: client.jwks }
      }
      const verified = yield* ClientAssertion.verify(presented.assertion, {
        clientId: registration.clientId,
        key,
        signingAlg: client.tokenAuthSignAlg === undefined
          ? undefined
          : Option.getOrElse(JwsAlg.toMetadata(client.tokenAuthSignAlg), () => client.tokenAuthSignAlg),
        audience,
        now: yield* Clock.currentTimeMillis,
        clockTolerance
      })
      return yield* authenticated(verified)
    }
    if (presented.method === "none") return yield* authenticated()
    if (!ClientSecret.matches(presented.secret, secret?.sha256 ?? ClientSecret.unknownClient)) {
      return yield* failure("WrongSecret", "client authentication failed")
    }
    const expiresAt = secret?.expiresAt
    if (expiresAt !== undefined && (yield* Clock.currentTimeMillis) >= expiresAt) {
      return yield* failure("SecretExpired", "the client secret has expired")
    }
    return yield* authenticated()
  })

  return ClientRegistry.of({
    find,
    authenticate,
    checkRedirectUri: Effect.fn("ClientRegistry.checkRedirectUri")((client: Client, uri: string | undefined) =>
      Checks.redirectUri(client, uri)
    ),
    checkGrantType: Effect.fn("ClientRegistry.checkGrantType")((client: Client, grantType: string) =>
      Checks.grantType(client, grantType)
    ),
    checkResponseType: Effect.fn("ClientRegistry.checkResponseType")((client: Client, responseType: string) =>
      Checks.responseType(client, responseType)
    ),
    checkScope: Effect.fn("ClientRegistry.checkScope")((client: Client, scope: string | undefined) =>
      Checks.scope(client, scope)
    )
  })
}
