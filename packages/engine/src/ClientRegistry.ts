/**
 * The registered clients as an authorization server needs them at its authorization and token
 * endpoints: find a client, authenticate it (RFC 6749 §2.3, RFC 7523), and check a request's
 * redirect URI, grant type, response type and scope against its registration. `ClientRegistry.layer`
 * reads the engine's `ClientStore` and, when enabled, client metadata documents (an `https://`
 * client id resolved from its URL); no HTTP server here.
 *
 * @since 0.1.0
 */
import { type Client, ClientAuthMethod, JwsAlg } from "@effect-dcr/schema"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ClientIdMetadataDocument from "./ClientIdMetadataDocument.js"
import {
  InvalidClient,
  type InvalidRequest,
  type InvalidScope,
  type UnauthorizedClient,
  type UnsupportedResponseType
} from "./ClientRegistryError.js"
import { type ClientRecord, ClientStore, ClientStoreError } from "./ClientStore.js"
import * as ClientAssertion from "./internal/clientAssertion.js"
import * as Credentials from "./internal/credentials.js"
import * as Metadata from "./internal/metadata.js"
import * as MetadataDocument from "./internal/metadataDocument.js"
import * as Presented from "./internal/presentedCredentials.js"
import * as Checks from "./internal/registrationChecks.js"
import * as Metrics from "./Metrics.js"

/**
 * The registry's settings.
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
  /**
   * Client ID Metadata Documents: with `enabled`, an `https://` client id is resolved from the
   * document at that URL instead of the store (default: off; see `ClientIdMetadataDocument.Options`).
   */
  readonly clientIdMetadataDocuments?: ClientIdMetadataDocument.Options | undefined
  /**
   * How stale a client's recorded last use may get (default `defaultLastUseGranularity`, an hour):
   * a successful `authenticate` writes the time only when the stored one is absent or older, so a
   * busy client costs one write per this period, not one per token request.
   */
  readonly lastUseGranularity?: Duration.DurationInput | undefined
}

/**
 * The default `lastUseGranularity`: one hour.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultLastUseGranularity: Duration.Duration = Duration.hours(1)

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
export type AuthenticationMethod = "none" | "client_secret_basic" | "client_secret_post" | "private_key_jwt"

/**
 * An authenticated client.
 *
 * @since 0.1.0
 * @category models
 */
export interface AuthenticatedClient {
  readonly clientId: string
  /** The registered client (Authlete's `Client` model, without its secret). */
  readonly client: Client
  readonly method: AuthenticationMethod
  /**
   * For `private_key_jwt`: the assertion's `jti` and `exp` (epoch milliseconds), for a replay cache
   * (RFC 7523 §3 item 7), which the registry does not keep.
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
   * The registered client with this id; `None` when there is none. With client metadata documents
   * enabled, an `https://` client id is the client its document describes (cached), or
   * `InvalidClient` (`MetadataDocumentRefused`) saying why the document was refused.
   */
  readonly find: (clientId: string) => Effect.Effect<Option.Option<Client>, InvalidClient | ClientStoreError>
  /**
   * RFC 6749 §2.3 client authentication with the client's registered `token_endpoint_auth_method`:
   * `client_secret_basic`, `client_secret_post` (secret compared with the stored hash in constant
   * time, `client_secret_expires_at` honoured), `none` (public clients) or `private_key_jwt`
   * (against the registered inline `jwks`). `client_secret_jwt` cannot be checked: only a hash of
   * the secret is stored. A success records the client's last use (`ClientStore.recordUse`, see
   * `Options.lastUseGranularity`); `find` does not, since anyone can name a client id.
   */
  readonly authenticate: (
    credentials: ClientCredentials
  ) => Effect.Effect<AuthenticatedClient, InvalidClient | InvalidRequest | ClientStoreError>
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
export class ClientRegistry extends Context.Tag("@effect-dcr/engine/ClientRegistry")<ClientRegistry, Service>() {}

/** A registered `token_endpoint_auth_method` as its metadata string (RFC 7591 default: `client_secret_basic`). */
const registeredMethod = (client: Client): string =>
  Option.getOrElse(
    ClientAuthMethod.toMetadata(client.tokenAuthMethod ?? "CLIENT_SECRET_BASIC"),
    () => client.tokenAuthMethod ?? ""
  )

/** A client found by id: from the store (with its secret's hash and expiry) or from its metadata document. */
interface Found {
  readonly clientId: string
  readonly client: Client
  readonly secretHash: string | undefined
  readonly secretExpiresAt: number | undefined
  /** The stored row, for a registered client (a metadata document's client has none). */
  readonly record: ClientRecord | undefined
}

const supportedMethods: ReadonlySet<string> = new Set<AuthenticationMethod>([
  "none",
  "client_secret_basic",
  "client_secret_post",
  "private_key_jwt"
])

/**
 * Builds the registry on the `ClientStore` in context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.fnUntraced(function*(options: Options) {
  const store = Metrics.instrument(yield* ClientStore)
  const audience = options.issuer === undefined ? [options.tokenEndpoint] : [options.tokenEndpoint, options.issuer]
  const clockTolerance = Duration.toSeconds(Duration.decode(options.clockTolerance ?? 0))
  const dummyHash = Credentials.hash(Credentials.generateClientSecret())

  const documents = options.clientIdMetadataDocuments
  const resolver = documents?.enabled === true ? yield* MetadataDocument.make(documents) : undefined

  /** The client, and its secret's hash and expiry when it has one. */
  const findRecord = (clientId: string): Effect.Effect<Option.Option<Found>, InvalidClient | ClientStoreError> => {
    if (resolver !== undefined && ClientIdMetadataDocument.isDocumentUrl(clientId)) {
      return resolver.resolve(clientId).pipe(
        Effect.map((client) =>
          Option.some<Found>({ clientId, client, secretHash: undefined, secretExpiresAt: undefined, record: undefined })
        ),
        Effect.mapError((error) =>
          new InvalidClient({
            reason: "MetadataDocumentRefused",
            documentReason: error.reason,
            clientId,
            description: `client metadata document refused: ${error.description}`
          })
        )
      )
    }
    return Effect.flatMap(store.find(clientId), (found) => {
      if (Option.isNone(found)) return Effect.succeed(Option.none())
      const client = Metadata.decodeStoredClient(found.value.client)
      return Either.isLeft(client)
        ? Effect.fail(new ClientStoreError({ operation: "find", cause: client.left }))
        : Effect.succeed(Option.some({
          clientId: found.value.clientId,
          client: client.right,
          secretHash: found.value.clientSecretHash,
          secretExpiresAt: found.value.clientSecretExpiresAt,
          record: found.value
        }))
    })
  }

  // The client's last use, for pruning never-used clients: written only when the stored one is older
  // than the granularity (conditionally, so racing requests write once). A failed write is logged,
  // never the client's failure: the authentication itself succeeded.
  const lastUseMillis = Duration.toMillis(Duration.decode(options.lastUseGranularity ?? defaultLastUseGranularity))
  const recordUse = (record: ClientRecord) =>
    Effect.flatMap(
      Clock.currentTimeMillis,
      (now) =>
        record.lastUsedAt !== undefined && record.lastUsedAt >= now - lastUseMillis
          ? Effect.void
          : store.recordUse(record.clientId, now, now - lastUseMillis).pipe(
            Effect.asVoid,
            Effect.catchAll((error) =>
              Effect.logWarning(`ClientRegistry: could not record the last use of client ${record.clientId}`, error)
            )
          )
    )

  const find = Effect.fn("ClientRegistry.find")(function*(clientId: string) {
    return Option.map(yield* findRecord(clientId), ({ client }) => client)
  })

  const authenticate = Effect.fn("ClientRegistry.authenticate")(function*(credentials: ClientCredentials) {
    const presented = yield* Presented.read(credentials.authorization, credentials.parameters)
    const tried: AuthenticationMethod = presented.method === "client_assertion" ? "private_key_jwt" : presented.method
    const clientId = presented.clientId ?? (presented.method === "client_assertion"
      ? yield* ClientAssertion.unverifiedSubject(presented.assertion)
      : undefined)
    yield* Effect.annotateCurrentSpan({ "dcr.client_id": clientId, "dcr.auth_method": tried })
    const failure = (reason: InvalidClient["reason"], description: string) =>
      new InvalidClient({ reason, clientId, method: tried, description })
    const found = yield* findRecord(clientId ?? "")
    if (Option.isNone(found)) {
      // The same hash comparison as for a wrong secret: response times do not tell which ids exist.
      if ("secret" in presented) Credentials.matches(presented.secret, dummyHash)
      return yield* failure("UnknownClient", "client authentication failed")
    }
    const { client, record, secretExpiresAt, secretHash } = found.value
    const registered = registeredMethod(client)
    const authenticated = (assertion?: AuthenticatedClient["assertion"]): Effect.Effect<AuthenticatedClient> => {
      const answer: AuthenticatedClient = {
        clientId: found.value.clientId,
        client,
        method: tried,
        ...(assertion === undefined ? {} : { assertion })
      }
      // a registered client's last use is recorded; a metadata document's client is not stored
      return record === undefined ? Effect.succeed(answer) : Effect.as(recordUse(record), answer)
    }
    if (registered === "client_secret_jwt" && presented.method === "client_assertion") {
      return yield* failure(
        "ClientSecretJwtUnsupported",
        "client_secret_jwt cannot be verified here: only a hash of the client secret is stored"
      )
    }
    if (!supportedMethods.has(registered) && registered !== "client_secret_jwt") {
      return yield* failure("AuthMethodUnsupported", `the client's ${registered} authentication is not supported here`)
    }
    if (tried !== registered) return yield* failure("AuthMethodMismatch", `the client is registered for ${registered}`)
    if (presented.method === "client_assertion") {
      if (client.jwks === undefined) {
        return yield* client.jwksUri === undefined
          ? failure("UnusableKeys", "the client registered no jwks")
          : failure("JwksUriUnsupported", "the client's jwks_uri is not fetched here: register the keys as jwks")
      }
      const signingAlg = client.tokenAuthSignAlg === undefined
        ? undefined
        : Option.getOrElse(JwsAlg.toMetadata(client.tokenAuthSignAlg), () => client.tokenAuthSignAlg)
      const verified = yield* ClientAssertion.verify(presented.assertion, {
        clientId: found.value.clientId,
        jwks: client.jwks,
        signingAlg,
        audience,
        now: yield* Clock.currentTimeMillis,
        clockTolerance
      })
      return yield* authenticated(verified)
    }
    if (presented.method === "none") return yield* authenticated()
    if (!Credentials.matches(presented.secret, secretHash ?? dummyHash)) {
      return yield* failure("WrongSecret", "client authentication failed")
    }
    const expiresAt = secretExpiresAt
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
})

/**
 * The registry on the engine's `ClientStore` in context (SQLite, PostgreSQL or your own).
 *
 * @example
 * ```ts
 * import { ClientRegistry } from "@effect-dcr/engine"
 * import * as SqliteClientStore from "@effect-dcr/engine/SqliteClientStore"
 * import { Effect, Layer } from "effect"
 *
 * const RegistryLive = ClientRegistry.layer({ tokenEndpoint: "https://as.example.com/token" }).pipe(
 *   Layer.provide(SqliteClientStore.layer({ filename: "./dcr.sqlite" }))
 * )
 *
 * const client = Effect.gen(function*() {
 *   const registry = yield* ClientRegistry.ClientRegistry
 *   return yield* registry.authenticate({
 *     authorization: "Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW",
 *     parameters: new URLSearchParams("grant_type=authorization_code&code=xyz")
 *   })
 * })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<ClientRegistry, never, ClientStore> =>
  Layer.effect(ClientRegistry, make(options))
