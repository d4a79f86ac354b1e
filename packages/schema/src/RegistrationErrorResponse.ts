/**
 * The error body of a registration or management endpoint (RFC 7591 §3.2.2, RFC 7592 §2, RFC 6750
 * §3.1): `{"error": "...", "error_description": "...", "error_uri": "..."}`.
 *
 * `error` is typed with the codes a DCR endpoint uses, but decoding stays **open**: another server
 * (or a newer Authlete) may answer a code we do not list, and a client must still be able to read
 * the description. Encoding writes whatever string is there.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import type { OpenEnum } from "./ClientEnums.js"

/**
 * The error codes of RFC 7591 §3.2.2 plus `invalid_request` (malformed request), RFC 6750's
 * `invalid_token` (a missing/wrong initial or registration access token) and `server_error`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RegistrationErrorCode = Schema.Literal(
  "invalid_redirect_uri",
  "invalid_client_metadata",
  "invalid_software_statement",
  "unapproved_software_statement",
  "invalid_request",
  "invalid_token",
  "server_error"
).annotations({ identifier: "RegistrationErrorCode" })

/**
 * @since 0.1.0
 * @category models
 */
export type RegistrationErrorCode = typeof RegistrationErrorCode.Type

/**
 * @since 0.1.0
 * @category schemas
 */
export const RegistrationErrorResponse = Schema.Struct({
  error: Schema.Union(RegistrationErrorCode, Schema.String) as unknown as Schema.Schema<
    OpenEnum<RegistrationErrorCode>
  >,
  error_description: Schema.optionalWith(Schema.String, { exact: true }),
  error_uri: Schema.optionalWith(Schema.String, { exact: true })
}).annotations({ identifier: "RegistrationErrorResponse" })

/**
 * @since 0.1.0
 * @category models
 */
export interface RegistrationErrorResponse extends Schema.Schema.Type<typeof RegistrationErrorResponse> {}

/**
 * Builds an error body; `description` and `uri` are omitted when not given.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeRegistrationError = (
  error: OpenEnum<RegistrationErrorCode>,
  description?: string | undefined,
  uri?: string | undefined
): RegistrationErrorResponse => {
  const out: { error: string; error_description?: string; error_uri?: string } = { error }
  if (description !== undefined) out.error_description = description
  if (uri !== undefined) out.error_uri = uri
  return out
}

/**
 * `invalid_redirect_uri`: one or more redirection URIs are invalid (RFC 7591 §3.2.2).
 *
 * @since 0.1.0
 * @category constructors
 */
export const invalidRedirectUri = (description?: string): RegistrationErrorResponse =>
  makeRegistrationError("invalid_redirect_uri", description)

/**
 * `invalid_client_metadata`: a metadata field is invalid (RFC 7591 §3.2.2).
 *
 * @since 0.1.0
 * @category constructors
 */
export const invalidClientMetadata = (description?: string): RegistrationErrorResponse =>
  makeRegistrationError("invalid_client_metadata", description)

/**
 * `invalid_software_statement`: the software statement is invalid (RFC 7591 §3.2.2).
 *
 * @since 0.1.0
 * @category constructors
 */
export const invalidSoftwareStatement = (description?: string): RegistrationErrorResponse =>
  makeRegistrationError("invalid_software_statement", description)

/**
 * `unapproved_software_statement`: the software statement is not approved (RFC 7591 §3.2.2).
 *
 * @since 0.1.0
 * @category constructors
 */
export const unapprovedSoftwareStatement = (description?: string): RegistrationErrorResponse =>
  makeRegistrationError("unapproved_software_statement", description)

/**
 * `invalid_request`: the request itself is malformed.
 *
 * @since 0.1.0
 * @category constructors
 */
export const invalidRequest = (description?: string): RegistrationErrorResponse =>
  makeRegistrationError("invalid_request", description)

/**
 * `invalid_token` (RFC 6750 §3.1): the initial or registration access token is missing, wrong, or
 * belongs to another client.
 *
 * @since 0.1.0
 * @category constructors
 */
export const invalidToken = (description?: string): RegistrationErrorResponse =>
  makeRegistrationError("invalid_token", description)

/**
 * `server_error`: the server failed unexpectedly.
 *
 * @since 0.1.0
 * @category constructors
 */
export const serverError = (description?: string): RegistrationErrorResponse =>
  makeRegistrationError("server_error", description)
