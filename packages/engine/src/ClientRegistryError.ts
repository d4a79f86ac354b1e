/**
 * The errors of `ClientRegistry`: one `Schema.TaggedError` per RFC 6749 error code, each carrying
 * that code (`error`), a short `description` for `error_description` (never a secret) and a
 * `reason` for logs and tests.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

const code = <const C extends string>(value: C) =>
  Schema.Literal(value).pipe(Schema.propertySignature, Schema.withConstructorDefault(() => value))

/**
 * `invalid_client` (RFC 6749 §5.2): client authentication failed. At the token endpoint the answer
 * is 401 with `WWW-Authenticate: Basic` when the client tried the `Authorization` header, else 400
 * or 401. `reason`:
 *
 * - `UnknownClient`: no client with this id (the same description as `WrongSecret`);
 * - `MissingCredentials`: no `client_id` and no credentials at all;
 * - `AuthMethodMismatch`: another method than the registered `token_endpoint_auth_method`;
 * - `WrongSecret`; `SecretExpired`: the secret is right but past its `client_secret_expires_at`;
 * - `InvalidAssertion`: the `private_key_jwt` assertion is malformed, expired, for another
 *   audience or not signed by a registered key;
 * - `UnusableKeys`: the client's registered `jwks` is absent or malformed;
 * - `JwksUriUnsupported`: the client registered only a `jwks_uri`, which the registry does not fetch;
 * - `ClientSecretJwtUnsupported`: `client_secret_jwt` needs the secret as HMAC key and the engine
 *   stores only its hash;
 * - `AuthMethodUnsupported`: a registered method the registry does not implement (`tls_client_auth`, …);
 * - `MetadataDocumentRefused`: the client id is a client metadata document URL whose document was
 *   refused (`ClientIdMetadataDocumentError`, its reason in `documentReason`).
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidClient extends Schema.TaggedError<InvalidClient>()("InvalidClient", {
  error: code("invalid_client"),
  reason: Schema.Literal(
    "UnknownClient",
    "MissingCredentials",
    "AuthMethodMismatch",
    "WrongSecret",
    "SecretExpired",
    "InvalidAssertion",
    "UnusableKeys",
    "JwksUriUnsupported",
    "ClientSecretJwtUnsupported",
    "AuthMethodUnsupported",
    "MetadataDocumentRefused"
  ),
  clientId: Schema.optional(Schema.String),
  /** For `MetadataDocumentRefused`: the `ClientIdMetadataDocumentError` reason. */
  documentReason: Schema.optional(Schema.String),
  /** The method the client tried (`client_secret_basic`, `client_secret_post`, `private_key_jwt`, `none`). */
  method: Schema.optional(Schema.String),
  description: Schema.String
}) {
  override get message(): string {
    return `${this.error}: ${this.description}`
  }
}

/**
 * `invalid_request` (RFC 6749 §5.2, §4.1.2.1): a malformed `Authorization` header, a repeated
 * parameter, several authentication methods at once, or a redirect URI that is not registered
 * (which the authorization endpoint must not redirect to).
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidRequest extends Schema.TaggedError<InvalidRequest>()("InvalidRequest", {
  error: code("invalid_request"),
  reason: Schema.Literal(
    "MalformedAuthorizationHeader",
    "RepeatedParameter",
    "MalformedParameter",
    "MissingParameter",
    "MultipleAuthMethods",
    "ClientIdMismatch",
    "UnsupportedAssertionType",
    "RedirectUriMismatch",
    "RedirectUriRequired"
  ),
  clientId: Schema.optional(Schema.String),
  description: Schema.String
}) {
  override get message(): string {
    return `${this.error}: ${this.description}`
  }
}

/**
 * `unauthorized_client` (RFC 6749 §4.1.2.1, §5.2): the client did not register this grant type or
 * response type.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnauthorizedClient extends Schema.TaggedError<UnauthorizedClient>()("UnauthorizedClient", {
  error: code("unauthorized_client"),
  reason: Schema.Literal("GrantTypeNotRegistered", "ResponseTypeNotRegistered"),
  clientId: Schema.optional(Schema.String),
  description: Schema.String
}) {
  override get message(): string {
    return `${this.error}: ${this.description}`
  }
}

/**
 * `invalid_scope` (RFC 6749 §3.3, §5.2): the scope is malformed or asks for more than the client
 * registered.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidScope extends Schema.TaggedError<InvalidScope>()("InvalidScope", {
  error: code("invalid_scope"),
  reason: Schema.Literal("MalformedScope", "ScopeNotRegistered"),
  clientId: Schema.optional(Schema.String),
  description: Schema.String
}) {
  override get message(): string {
    return `${this.error}: ${this.description}`
  }
}

/**
 * `unsupported_response_type` (RFC 6749 §4.1.2.1): the `response_type` is not one OAuth 2.0 or
 * OpenID Connect defines.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnsupportedResponseType extends Schema.TaggedError<UnsupportedResponseType>()(
  "UnsupportedResponseType",
  {
    error: code("unsupported_response_type"),
    reason: Schema.Literal("UnknownResponseType"),
    clientId: Schema.optional(Schema.String),
    description: Schema.String
  }
) {
  override get message(): string {
    return `${this.error}: ${this.description}`
  }
}

/**
 * Any error of `ClientRegistry`.
 *
 * @since 0.1.0
 * @category errors
 */
export type ClientRegistryError =
  | InvalidClient
  | InvalidRequest
  | UnauthorizedClient
  | InvalidScope
  | UnsupportedResponseType

/**
 * The RFC 6749 §5.2 error body of an error: `{"error": "...", "error_description": "..."}`.
 *
 * @since 0.1.0
 * @category conversions
 */
export const toResponseBody = (
  error: ClientRegistryError
): { readonly error: ClientRegistryError["error"]; readonly error_description: string } => ({
  error: error.error,
  error_description: error.description
})
