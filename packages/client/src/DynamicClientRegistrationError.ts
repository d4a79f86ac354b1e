/**
 * The closed union of ways a Dynamic Client Registration operation can fail, as opposed to an
 * *action* (BAD_REQUEST, UNAUTHORIZED, …), which is a successful answer.
 *
 * Every member is a tagged class, so callers recover with `Effect.catchTag`. No member carries a
 * secret: bodies are truncated and the request's tokens are never copied into an error.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"

/**
 * Authlete rejected the API call itself: HTTP 400, 401, 403 or 500 with a JSON
 * `{resultCode, resultMessage}` body (e.g. a wrong service access token).
 *
 * @since 0.1.0
 * @category errors
 */
export class ResultError extends Data.TaggedError("ResultError")<{
  readonly operation: Operation
  readonly status: number
  readonly resultCode: string | undefined
  readonly resultMessage: string | undefined
  /** The delay Authlete asked for in a `Retry-After` header, if any (already relative to now). */
  readonly retryAfter?: Duration.Duration | undefined
}> {
  override get message(): string {
    return `Authlete ${this.operation} failed with HTTP ${this.status}: ${this.resultMessage ?? this.resultCode ?? "no result message"}`
  }
}

/**
 * Any other unexpected answer: a status or content type that matches nothing in the contract
 * (HTTP 404, 502, a 200 in `text/html`, …). `body` is truncated.
 *
 * @since 0.1.0
 * @category errors
 */
export class AuthleteDefaultError extends Data.TaggedError("AuthleteDefaultError")<{
  readonly operation: Operation
  readonly status: number
  readonly contentType: string | undefined
  readonly body: string
  /** The delay the server asked for in a `Retry-After` header, if any (already relative to now). */
  readonly retryAfter?: Duration.Duration | undefined
}> {
  override get message(): string {
    return `Authlete ${this.operation} answered an unexpected HTTP ${this.status} (${this.contentType ?? "no content type"})`
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
export class TransportError extends Data.TaggedError("TransportError")<{
  readonly operation: Operation
  readonly requestSent: boolean
  readonly cause: unknown
  readonly description: string
}> {
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
export class TimeoutError extends Data.TaggedError("TimeoutError")<{
  readonly operation: Operation
  readonly timeout: Duration.Duration
}> {
  override get message(): string {
    return `Authlete ${this.operation} timed out`
  }
}

/**
 * Authlete answered HTTP 200 with a body that does not match `ClientRegistrationResponse` (or an
 * action that the operation cannot produce).
 *
 * @since 0.1.0
 * @category errors
 */
export class ResponseDecodeError extends Data.TaggedError("ResponseDecodeError")<{
  readonly operation: Operation
  readonly description: string
}> {
  override get message(): string {
    return `Authlete ${this.operation} returned a response that could not be decoded: ${this.description}`
  }
}

/**
 * The four operations, as named in errors and spans.
 *
 * @since 0.1.0
 * @category models
 */
export type Operation = "register" | "get" | "update" | "delete"

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
