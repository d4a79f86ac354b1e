/**
 * The engine's `ClientRegistry`: the tag of `@effect-dcr/client` (re-exported here with its
 * models) provided on the engine's `ClientStore` and, when enabled, client metadata documents (an
 * `https://` client id resolved from its URL). Client secrets are kept as hashes, so
 * `client_secret_jwt` cannot be verified; a successful authentication records the client's last
 * use. No HTTP server here.
 *
 * @since 0.1.0
 */
import * as ClientRegistryModule from "@effect-dcr/client/ClientRegistry"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ClientIdMetadataDocument from "./ClientIdMetadataDocument.js"
import { InvalidClient, ServerError } from "./ClientRegistryError.js"
import { type ClientRecord, ClientStore, ClientStoreError } from "./ClientStore.js"
import * as Metadata from "./internal/metadata.js"
import * as MetadataDocument from "./internal/metadataDocument.js"
import * as Metrics from "./Metrics.js"

export {
  /**
   * The registry's tag, from `@effect-dcr/client` (the same tag the Authlete-backed registry provides).
   *
   * @since 0.1.0
   * @category tags
   */
  ClientRegistry,
  /**
   * The service built on a backend's lookup (see `@effect-dcr/client`'s `ClientRegistry.fromLookup`).
   *
   * @since 0.1.0
   * @category constructors
   */
  fromLookup
} from "@effect-dcr/client/ClientRegistry"

export type {
  /**
   * @since 0.1.0
   * @category models
   */
  AuthenticatedClient,
  /**
   * @since 0.1.0
   * @category models
   */
  AuthenticationMethod,
  /**
   * @since 0.1.0
   * @category models
   */
  ClientCredentials,
  /**
   * @since 0.1.0
   * @category models
   */
  FormParameters,
  /**
   * @since 0.1.0
   * @category models
   */
  Lookup,
  /**
   * @since 0.1.0
   * @category models
   */
  RegisteredSecret,
  /**
   * @since 0.1.0
   * @category models
   */
  Registration,
  /**
   * @since 0.1.0
   * @category models
   */
  Service
} from "@effect-dcr/client/ClientRegistry"

/**
 * The registry's settings: the client assertion settings every backend has, plus the engine's own.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends ClientRegistryModule.Options {
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

/** A store failure as the registry's `ServerError`, the `ClientStoreError` kept as its cause. */
const storeFailed = (clientId: string) => (cause: ClientStoreError) =>
  new ServerError({
    reason: "ClientStoreFailed",
    clientId,
    description: "the client registry is unavailable",
    cause
  })

/**
 * Builds the registry on the `ClientStore` in context: `ClientRegistry.fromLookup` on a lookup of
 * the store (a stored client that does not decode is a `ServerError` whose cause is a
 * `ClientStoreError` with `operation: "find"`) and, when enabled, of client metadata documents.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.fnUntraced(function*(options: Options) {
  const store = Metrics.instrument(yield* ClientStore)
  const documents = options.clientIdMetadataDocuments
  const resolver = documents?.enabled === true ? yield* MetadataDocument.make(documents) : undefined

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

  const lookup: ClientRegistryModule.Lookup = (clientId) => {
    if (resolver !== undefined && ClientIdMetadataDocument.isDocumentUrl(clientId)) {
      // a metadata document's client has no secret and is not stored: no last use to record
      return resolver.resolve(clientId).pipe(
        Effect.map((client) => Option.some({ clientId, client })),
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
    return store.find(clientId).pipe(
      Effect.flatMap((found): Effect.Effect<Option.Option<ClientRegistryModule.Registration>, ClientStoreError> => {
        if (Option.isNone(found)) return Effect.succeed(Option.none())
        const record = found.value
        const client = Metadata.decodeStoredClient(record.client)
        if (Either.isLeft(client)) return Effect.fail(new ClientStoreError({ operation: "find", cause: client.left }))
        return Effect.succeed(Option.some({
          clientId: record.clientId,
          client: client.right,
          // the stored hash is the secret's SHA-256 (base64url)
          secret: record.clientSecretHash === undefined ? undefined : {
            sha256: Buffer.from(record.clientSecretHash, "base64url"),
            expiresAt: record.clientSecretExpiresAt
          },
          onAuthenticated: recordUse(record)
        }))
      }),
      Effect.mapError(storeFailed(clientId))
    )
  }

  return ClientRegistryModule.fromLookup(lookup, options)
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
export const layer = (options: Options): Layer.Layer<ClientRegistryModule.ClientRegistry, never, ClientStore> =>
  Layer.effect(ClientRegistryModule.ClientRegistry, make(options))
