/**
 * The errors of `ClientRegistry`: one `Schema.TaggedError` per RFC 6749 error code, each carrying
 * that code (`error`), a short `description` for `error_description` (never a secret) and a
 * `reason` for logs and tests. Every backend of the `ClientRegistry` tag (the engine's store,
 * Authlete) fails with these, so an authorization server handles one set.
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
 * - `InvalidAssertion`: the client assertion (`private_key_jwt`, `client_secret_jwt`) is malformed,
 *   expired, for another audience or not signed by a registered key (or the client secret);
 * - `UnusableKeys`: the client's registered `jwks` is absent or malformed;
 * - `JwksUriUnsupported`: the client registered only a `jwks_uri`, which the registry does not fetch;
 * - `ClientSecretJwtUnsupported`: `client_secret_jwt` needs the secret as HMAC key and the backend
 *   keeps only its hash (the engine; Authlete keeps the secret and supports it);
 * - `AuthMethodUnsupported`: a registered method the registry does not implement (`tls_client_auth`, …);
 * - `ClientLocked`: the credentials are right but the client is locked (Authlete's `locked` flag);
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
    "ClientLocked",
    "MetadataDocumentRefused"
  ),
  clientId: Schema.optional(Schema.String),
  /** For `MetadataDocumentRefused`: the `ClientIdMetadataDocumentError` reason. */
  documentReason: Schema.optional(Schema.String),
  /**
   * The method the client tried (`client_secret_basic`, `client_secret_post`, `private_key_jwt`,
   * `client_secret_jwt`, `none`).
   */
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
 * `server_error` (RFC 6749 §4.1.2.1; at the token endpoint, answer HTTP 500): the registry's backend
 * failed, so the request can be neither accepted nor refused. `reason` names the backend
 * (`ClientStoreFailed`: the engine's `ClientStore`, its `ClientStoreError` as `cause`;
 * `AuthleteFailed`: Authlete's API after the retries, its `DynamicClientRegistrationError` as
 * `cause`). The `description` is generic: the `cause`, for logs, may say more than a client should
 * read.
 *
 * @since 0.1.0
 * @category errors
 */
export class ServerError extends Schema.TaggedError<ServerError>()("ServerError", {
  error: code("server_error"),
  reason: Schema.Literal("ClientStoreFailed", "AuthleteFailed"),
  clientId: Schema.optional(Schema.String),
  description: Schema.String,
  /** The backend's own error. */
  cause: Schema.optional(Schema.Defect)
}) {
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
  | ServerError

/**
 * The schema of {@link ClientRegistryError}, e.g. for an RPC's error channel.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ClientRegistryError: Schema.Union<
  [
    typeof InvalidClient,
    typeof InvalidRequest,
    typeof UnauthorizedClient,
    typeof InvalidScope,
    typeof UnsupportedResponseType,
    typeof ServerError
  ]
> = Schema.Union(InvalidClient, InvalidRequest, UnauthorizedClient, InvalidScope, UnsupportedResponseType, ServerError)

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
