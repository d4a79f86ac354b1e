/**
 * @since 0.1.0
 */

/**
 * `DynamicClientRegistration` backed by Authlete's HTTP API: `make`, `layer`, `layerConfig`,
 * `layerFromEnv` / `envConfig`, and the per-call overrides `withRetryPolicy` and `withTimeout`.
 *
 * @since 0.1.0
 */
export * as AuthleteClient from "./AuthleteClient.js"

/**
 * `ClientRegistry` backed by Authlete's client API: `make`, `layer`, `layerConfig`, `layerFromEnv`.
 *
 * @since 0.1.0
 */
export * as AuthleteClientRegistry from "./AuthleteClientRegistry.js"

/**
 * The `ClientRegistry` service tag (find a client, authenticate it, check its requests), its models,
 * and `fromLookup`, which builds the service on any backend's client lookup.
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
 * The `DynamicClientRegistration` service tag, its shape and `yield*`-able accessors, plus
 * `registerMetadata` / `updateMetadata` (typed metadata in) and `decodeResponseContent` (typed
 * `responseContent` out).
 *
 * @since 0.1.0
 */
export * as DynamicClientRegistration from "./DynamicClientRegistration.js"

/**
 * The closed union of operation failures and `ResponseContentError`, as `Schema.TaggedError`s.
 *
 * @since 0.1.0
 */
export * as DynamicClientRegistrationError from "./DynamicClientRegistrationError.js"

/**
 * Whether the backend can serve requests now: the `Readiness` service that backend layers provide
 * next to `DynamicClientRegistration`, and `NotReady`.
 *
 * @since 0.1.0
 */
export * as Readiness from "./Readiness.js"

/**
 * Retry schedules per operation, with the rule that keeps `register` from creating duplicates.
 *
 * @since 0.1.0
 */
export * as RetryPolicy from "./RetryPolicy.js"
