/**
 * Why a request was refused before it reached the backend. Each error is a `Schema.TaggedError`
 * that knows its RFC-style response (`HttpServerRespondable`).
 *
 * @since 0.1.0
 */
import { invalidClientMetadata, invalidRequest, invalidToken } from "@effect-dcr/schema"
import * as HttpServerRespondable from "@effect/platform/HttpServerRespondable"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Responses from "./internal/responses.js"

const unsupportedContentType = Responses.error(
  400,
  invalidClientMetadata("The request body must be a JSON object sent as application/json.")
)

/**
 * The request body is not `application/json` (RFC 7591 §3.1). Answered 400 `invalid_client_metadata`.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnsupportedContentType extends Schema.TaggedError<UnsupportedContentType>()("UnsupportedContentType", {
  contentType: Schema.optional(Schema.String)
}) implements HttpServerRespondable.Respondable {
  override get message(): string {
    return `Content-Type ${
      this.contentType === undefined ? "(none)" : JSON.stringify(this.contentType)
    } is not application/json`
  }
  /** @internal */
  get raw(): Responses.RawResponse {
    return unsupportedContentType
  }
  [HttpServerRespondable.symbol]() {
    return Effect.succeed(Responses.toServerResponse(this.raw))
  }
}

/**
 * Why a body is not a client metadata object.
 *
 * @since 0.1.0
 * @category models
 */
export type MalformedBodyReason = "empty" | "syntax" | "not-object"

const malformedDescriptions: Record<MalformedBodyReason, string> = {
  "empty": "The request body is empty; it must be a JSON object of client metadata.",
  "syntax": "The request body is not valid JSON.",
  "not-object": "The request body must be a JSON object of client metadata."
}

const malformed: Record<MalformedBodyReason, Responses.RawResponse> = {
  "empty": Responses.error(400, invalidClientMetadata(malformedDescriptions.empty)),
  "syntax": Responses.error(400, invalidClientMetadata(malformedDescriptions.syntax)),
  "not-object": Responses.error(400, invalidClientMetadata(malformedDescriptions["not-object"]))
}

/**
 * The body is empty, not JSON, or JSON but not an object (RFC 7591 §3.1, §3.2.2). Answered 400
 * `invalid_client_metadata`.
 *
 * @since 0.1.0
 * @category errors
 */
export class MalformedBody extends Schema.TaggedError<MalformedBody>()("MalformedBody", {
  reason: Schema.Literal("empty", "syntax", "not-object")
}) implements HttpServerRespondable.Respondable {
  override get message(): string {
    return malformedDescriptions[this.reason]
  }
  /** @internal */
  get raw(): Responses.RawResponse {
    return malformed[this.reason]
  }
  [HttpServerRespondable.symbol]() {
    return Effect.succeed(Responses.toServerResponse(this.raw))
  }
}

/**
 * The body is larger than the limit; it was not read beyond it. Answered 413 with
 * `Connection: close`, so the rest of the body is not waited for.
 *
 * @since 0.1.0
 * @category errors
 */
export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()("PayloadTooLarge", {
  limit: Schema.Number
}) implements HttpServerRespondable.Respondable {
  override get message(): string {
    return `The request body exceeds ${this.limit} bytes`
  }
  /** @internal */
  get raw(): Responses.RawResponse {
    return Responses.error(413, invalidRequest(`${this.message}.`), { headers: ["connection", "close"] })
  }
  [HttpServerRespondable.symbol]() {
    return Effect.succeed(Responses.toServerResponse(this.raw))
  }
}

const bodyReadError = Responses.error(400, invalidRequest("The request body could not be read."))

/**
 * The body could not be read (the client went away, or the stream failed). Answered 400
 * `invalid_request` when anyone is still listening.
 *
 * @since 0.1.0
 * @category errors
 */
export class BodyReadError extends Schema.TaggedError<BodyReadError>()("BodyReadError", {
  cause: Schema.Defect
}) implements HttpServerRespondable.Respondable {
  override get message(): string {
    return "The request body could not be read"
  }
  /** @internal */
  get raw(): Responses.RawResponse {
    return bodyReadError
  }
  [HttpServerRespondable.symbol]() {
    return Effect.succeed(Responses.toServerResponse(this.raw))
  }
}

/**
 * A client configuration request (RFC 7592 §2) without a bearer token. Answered 401
 * `invalid_token` with `WWW-Authenticate: Bearer` (no error code in the challenge: RFC 6750 §3.1).
 *
 * @since 0.1.0
 * @category errors
 */
export class MissingToken extends Schema.TaggedError<MissingToken>()("MissingToken", {
  realm: Schema.optional(Schema.String)
}) implements HttpServerRespondable.Respondable {
  override get message(): string {
    return "The request carries no registration access token"
  }
  /** @internal */
  get raw(): Responses.RawResponse {
    return Responses.error(
      401,
      invalidToken("A registration access token is required (Authorization: Bearer)."),
      { tokenPresented: false, realm: this.realm }
    )
  }
  [HttpServerRespondable.symbol]() {
    return Effect.succeed(Responses.toServerResponse(this.raw))
  }
}

/**
 * The path exists but not with this method. Answered 405 with an `Allow` header.
 *
 * @since 0.1.0
 * @category errors
 */
export class MethodNotAllowed extends Schema.TaggedError<MethodNotAllowed>()("MethodNotAllowed", {
  method: Schema.String,
  allow: Schema.Array(Schema.String)
}) implements HttpServerRespondable.Respondable {
  override get message(): string {
    return `Method ${this.method} is not allowed here; use ${this.allow.join(", ")}`
  }
  /** @internal */
  get raw(): Responses.RawResponse {
    return Responses.error(405, invalidRequest(`${this.message}.`), { headers: ["allow", this.allow.join(", ")] })
  }
  [HttpServerRespondable.symbol]() {
    return Effect.succeed(Responses.toServerResponse(this.raw))
  }
}

/**
 * Every way the endpoints refuse a request before calling the backend.
 *
 * @since 0.1.0
 * @category errors
 */
export type RequestError =
  | UnsupportedContentType
  | MalformedBody
  | PayloadTooLarge
  | BodyReadError
  | MissingToken
  | MethodNotAllowed
