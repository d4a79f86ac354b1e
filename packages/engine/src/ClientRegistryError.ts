/**
 * The errors of `ClientRegistry`, from `@effect-dcr/client` (re-exported here): one
 * `Schema.TaggedError` per RFC 6749 error code, the same whichever backend provides the registry.
 *
 * @since 0.1.0
 */
export * from "@effect-dcr/client/ClientRegistryError"
