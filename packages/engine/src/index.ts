/**
 * `@effect-dcr/engine`: an embedded, durable, Authlete-compatible Dynamic Client Registration backend.
 *
 * @since 0.1.0
 */

/**
 * The `ClientStore` service: where registered clients are kept (only hashes of secrets).
 *
 * @since 0.1.0
 */
export * as ClientStore from "./ClientStore.js"

/**
 * Opaque credentials on the engine's terms, for your own codes and tokens: 256-bit random tokens,
 * their stored form (SHA-256) and constant-time checks.
 *
 * @since 0.1.0
 */
export * as Credentials from "./Credentials.js"

/**
 * Durations as operators write them (`7d`, `12h`, `90 days`): `DCR_CLIENT_SECRET_LIFETIME`, `iat create --expires`.
 *
 * @since 0.1.0
 */
export * as Durations from "./Durations.js"

/**
 * The `InitialAccessTokenStore` service: managed RFC 7591 §3 initial access tokens (only hashes).
 *
 * @since 0.1.0
 */
export * as InitialAccessTokenStore from "./InitialAccessTokenStore.js"

/**
 * `DCR_DATABASE_URL`: the database URL forms the engine accepts, parsed once.
 *
 * @since 0.1.0
 */
export * as DatabaseUrl from "./DatabaseUrl.js"

/**
 * The registration policy the engine consults: URI rules, configured policies, custom rules.
 *
 * @since 0.1.0
 */
export * as RegistrationPolicy from "./RegistrationPolicy.js"

/**
 * `explain`: what the engine would register for a metadata document, step by step.
 *
 * @since 0.1.0
 */
export * as Explain from "./Explain.js"

/**
 * The engine's metric: `dcr.store.duration`, the client store's latency per operation.
 *
 * @since 0.1.0
 */
export * as Metrics from "./Metrics.js"

/**
 * The engine: `Engine.layer` provides `DynamicClientRegistration` in-process.
 *
 * @since 0.1.0
 */
export * as Engine from "./Engine.js"

/**
 * Settings that hold JSON: the text itself, or `@path` for a file holding it.
 *
 * @since 0.1.0
 */
export * as JsonSetting from "./JsonSetting.js"

/**
 * Operator operations on the store without a registration access token: list, show, delete,
 * rotate a client secret, reissue a registration access token.
 *
 * @since 0.1.0
 */
export * as Operator from "./Operator.js"

/**
 * The registered clients for an authorization server's endpoints: find, authenticate (RFC 6749
 * §2.3, RFC 7523 `private_key_jwt`), and check redirect URI, grant type, response type and scope.
 * `layer` provides `@effect-dcr/client`'s `ClientRegistry` tag (re-exported here) on the store.
 *
 * @since 0.1.0
 */
export * as ClientRegistry from "./ClientRegistry.js"

/**
 * The errors of `ClientRegistry`, one per RFC 6749 error code, and their error body.
 *
 * @since 0.1.0
 */
export * as ClientRegistryError from "./ClientRegistryError.js"

/**
 * Client ID Metadata Documents for `ClientRegistry`: the options (SSRF guards, limits, cache), the
 * client id URL rules and the error of a refused document.
 *
 * @since 0.1.0
 */
export * as ClientIdMetadataDocument from "./ClientIdMetadataDocument.js"

/**
 * Automatic pruning of clients registered long ago and never used, on a schedule.
 *
 * @since 0.1.0
 */
export * as Housekeeping from "./Housekeeping.js"
