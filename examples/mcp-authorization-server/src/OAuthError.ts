/**
 * The RFC 6749 errors the authorization and token endpoints raise themselves (the client registry
 * raises its own, `ClientRegistryError`), and the error body both kinds answer with (RFC 6749 §5.2).
 *
 * @since 0.1.0
 */
import { ClientRegistryError } from "@effect-dcr/engine"
import * as Schema from "effect/Schema"

/**
 * An RFC 6749 §4.1.2.1 / §5.2 error (RFC 8707 §2 for `invalid_target`) with its `error` code and a
 * short `description` for `error_description` (never a secret).
 *
 * @since 0.1.0
 * @category errors
 */
export class OAuthError extends Schema.TaggedError<OAuthError>()("OAuthError", {
  error: Schema.Literal(
    "invalid_request",
    "invalid_grant",
    "unsupported_grant_type",
    "unsupported_response_type",
    "invalid_target"
  ),
  description: Schema.String
}) {
  override get message(): string {
    return `${this.error}: ${this.description}`
  }
}

/**
 * Any error an OAuth endpoint of the example answers with.
 *
 * @since 0.1.0
 * @category errors
 */
export type EndpointError = OAuthError | ClientRegistryError.ClientRegistryError

/**
 * The RFC 6749 §5.2 body of an error: `{"error": "...", "error_description": "..."}`.
 *
 * @since 0.1.0
 * @category conversions
 */
export const toResponseBody = (
  error: EndpointError
): { readonly error: string; readonly error_description: string } =>
  error._tag === "OAuthError"
    ? { error: error.error, error_description: error.description }
    : ClientRegistryError.toResponseBody(error)
