/**
 * The closed union of ways a Dynamic Client Registration operation can fail, as opposed to an
 * *action* (BAD_REQUEST, UNAUTHORIZED, …), which is a successful answer. Every member is a
 * `Schema.TaggedError`: recover with `Effect.catchTag`, or use the classes as HttpApi / RPC error
 * schemas. No member carries a secret (bodies are truncated, tokens never copied).
 *
 * @since 0.1.0
 */
import { AuthleteClientGetEndpoint, AuthleteOperation } from "@effect-dcr/schema"
import { ClientRegistrationAction } from "@effect-dcr/schema"
import * as Schema from "effect/Schema"

/**
 * The Authlete calls, as named in errors, spans and retry policies: the four Dynamic Client
 * Registration operations, and `clientGet`, the client read of `AuthleteClientRegistry`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Operation: Schema.Schema<Operation> = Schema.Union(
  AuthleteOperation,
  Schema.Literal(AuthleteClientGetEndpoint.operation)
)

/**
 * @since 0.1.0
 * @category models
 */
export type Operation = AuthleteOperation | typeof AuthleteClientGetEndpoint.operation

/**
 * Authlete rejected the API call itself: HTTP 400, 401, 403 or 500 with a JSON
 * `{resultCode, resultMessage}` body (e.g. a wrong service access token).
 *
 * @since 0.1.0
 * @category errors
 */
export class ResultError extends Schema.TaggedError<ResultError>()("ResultError", {
  operation: Operation,
  status: Schema.Number,
  resultCode: Schema.optional(Schema.String),
  resultMessage: Schema.optional(Schema.String),
  /** The delay Authlete asked for in a `Retry-After` header, if any (already relative to now). */
  retryAfter: Schema.optional(Schema.DurationFromMillis)
}) {
  override get message(): string {
    return `Authlete ${this.operation} failed with HTTP ${this.status}: ${
      this.resultMessage ?? this.resultCode ?? "no result message"
    }`
  }
}

/**
 * Any other unexpected answer: a status or content type that matches nothing in the contract
 * (HTTP 404, 502, a 200 in `text/html`, …). `body` is truncated.
 *
 * @since 0.1.0
 * @category errors
 */
export class AuthleteDefaultError extends Schema.TaggedError<AuthleteDefaultError>()("AuthleteDefaultError", {
  operation: Operation,
  status: Schema.Number,
  contentType: Schema.optional(Schema.String),
  body: Schema.String,
  /** The delay the server asked for in a `Retry-After` header, if any (already relative to now). */
  retryAfter: Schema.optional(Schema.DurationFromMillis)
}) {
  override get message(): string {
    return `Authlete ${this.operation} answered an unexpected HTTP ${this.status} (${
      this.contentType ?? "no content type"
    })`
  }
}

/**
 * The request could not be delivered or its response could not be read (DNS, refused or reset
 * connection, TLS). `requestSent` is `false` only when the request provably never left this process
 * (a failed connection), which is what makes re-sending a `register` safe.
 *
 * @since 0.1.0
 * @category errors
 */
export class TransportError extends Schema.TaggedError<TransportError>()("TransportError", {
  operation: Operation,
  requestSent: Schema.Boolean,
  /** The socket or DNS error underneath (never the platform error, which holds the request). */
  cause: Schema.optional(Schema.Defect),
  description: Schema.String
}) {
  override get message(): string {
    return `Authlete ${this.operation}: ${this.description}`
  }
}

/**
 * An attempt took longer than the configured per-attempt timeout and was aborted.
 *
 * @since 0.1.0
 * @category errors
 */
export class TimeoutError extends Schema.TaggedError<TimeoutError>()("TimeoutError", {
  operation: Operation,
  timeout: Schema.DurationFromMillis
}) {
  override get message(): string {
    return `Authlete ${this.operation} timed out`
  }
}

/**
 * Authlete answered HTTP 200 with a body that does not match `ClientRegistrationResponse` (or an
 * action that the operation cannot produce). The description names paths, never values.
 *
 * @since 0.1.0
 * @category errors
 */
export class ResponseDecodeError extends Schema.TaggedError<ResponseDecodeError>()("ResponseDecodeError", {
  operation: Operation,
  description: Schema.String
}) {
  override get message(): string {
    return `Authlete ${this.operation} returned a response that could not be decoded: ${this.description}`
  }
}

/**
 * Everything an operation can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type DynamicClientRegistrationError =
  | ResultError
  | AuthleteDefaultError
  | TransportError
  | TimeoutError
  | ResponseDecodeError

/**
 * The schema of {@link DynamicClientRegistrationError}, e.g. for an RPC's error channel.
 *
 * @since 0.1.0
 * @category schemas
 */
export const DynamicClientRegistrationError: Schema.Union<
  [
    typeof ResultError,
    typeof AuthleteDefaultError,
    typeof TransportError,
    typeof TimeoutError,
    typeof ResponseDecodeError
  ]
> = Schema.Union(ResultError, AuthleteDefaultError, TransportError, TimeoutError, ResponseDecodeError)

/**
 * A response's `responseContent` does not decode as the body its action announces (see
 * `DynamicClientRegistration.decodeResponseContent`). The description names paths, never values:
 * the content carries the client secret and the registration access token.
 *
 * @since 0.1.0
 * @category errors
 */
export class ResponseContentError extends Schema.TaggedError<ResponseContentError>()("ResponseContentError", {
  action: Schema.optional(ClientRegistrationAction),
  description: Schema.String
}) {
  override get message(): string {
    return `The responseContent of ${
      this.action ?? "a response without an action"
    } could not be decoded: ${this.description}`
  }
}
