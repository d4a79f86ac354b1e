/**
 * Why an incoming registration request was refused before it reached the backend. Every error is a
 * tagged class that knows its RFC-style HTTP response (`HttpServerRespondable`), so it can be
 * failed with, caught by tag, or returned to the platform as is.
 *
 * @since 0.1.0
 */
import * as HttpServerRespondable from "@effect/platform/HttpServerRespondable"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as RegistrationResponse from "./RegistrationResponse.js"

/**
 * The request body is not `application/json` (RFC 7591 §3.1). Answered 400 `invalid_client_metadata`.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnsupportedContentType extends Data.TaggedError("UnsupportedContentType")<{
  readonly contentType: string | undefined
}> implements HttpServerRespondable.Respondable {
  override get message(): string {
    return `Content-Type ${this.contentType === undefined ? "(none)" : JSON.stringify(this.contentType)} is not application/json`
  }
  get response(): HttpServerResponse.HttpServerResponse {
    return unsupportedContentTypeResponse
  }
  [HttpServerRespondable.symbol]() {
    return Effect.succeed(this.response)
  }
}

const unsupportedContentTypeResponse = RegistrationResponse.error(400, {
  error: "invalid_client_metadata",
  error_description: "The request body must be a JSON object sent as application/json."
})

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

const malformedResponses: Record<MalformedBodyReason, HttpServerResponse.HttpServerResponse> = {
  "empty": RegistrationResponse.error(400, {
    error: "invalid_client_metadata",
    error_description: malformedDescriptions.empty
  }),
  "syntax": RegistrationResponse.error(400, {
    error: "invalid_client_metadata",
    error_description: malformedDescriptions.syntax
  }),
  "not-object": RegistrationResponse.error(400, {
    error: "invalid_client_metadata",
    error_description: malformedDescriptions["not-object"]
  })
}

/**
 * The body is empty, not JSON, or JSON but not an object (RFC 7591 §3.1, §3.2.2). Answered 400
 * `invalid_client_metadata`.
 *
 * @since 0.1.0
 * @category errors
 */
export class MalformedBody extends Data.TaggedError("MalformedBody")<{
  readonly reason: MalformedBodyReason
}> implements HttpServerRespondable.Respondable {
  override get message(): string {
    return malformedDescriptions[this.reason]
  }
  get response(): HttpServerResponse.HttpServerResponse {
    return malformedResponses[this.reason]
  }
  [HttpServerRespondable.symbol]() {
    return Effect.succeed(this.response)
  }
}

/**
 * The body is larger than the configured limit; it was not read beyond the limit. Answered 413 with
 * `Connection: close`, so the rest of the body is not waited for.
 *
 * @since 0.1.0
 * @category errors
 */
export class PayloadTooLarge extends Data.TaggedError("PayloadTooLarge")<{
  readonly limit: number
}> implements HttpServerRespondable.Respondable {
  override get message(): string {
    return `The request body exceeds ${this.limit} bytes`
  }
  get response(): HttpServerResponse.HttpServerResponse {
    return RegistrationResponse.error(413, { error: "invalid_request", error_description: `${this.message}.` }, {
      headers: { connection: "close" }
    })
  }
  [HttpServerRespondable.symbol]() {
    return Effect.succeed(this.response)
  }
}

/**
 * The body could not be read (the client went away, or the stream failed). Answered 400
 * `invalid_request` when anyone is still listening.
 *
 * @since 0.1.0
 * @category errors
 */
export class BodyReadError extends Data.TaggedError("BodyReadError")<{
  readonly cause: unknown
}> implements HttpServerRespondable.Respondable {
  override get message(): string {
    return "The request body could not be read"
  }
  get response(): HttpServerResponse.HttpServerResponse {
    return bodyReadErrorResponse
  }
  [HttpServerRespondable.symbol]() {
    return Effect.succeed(this.response)
  }
}

const bodyReadErrorResponse = RegistrationResponse.error(400, {
  error: "invalid_request",
  error_description: "The request body could not be read."
})

/**
 * A client configuration request (RFC 7592 §2) without a bearer token. Answered 401
 * `invalid_token` with `WWW-Authenticate: Bearer` (no error code in the challenge: RFC 6750 §3.1).
 *
 * @since 0.1.0
 * @category errors
 */
export class MissingToken extends Data.TaggedError("MissingToken")<{
  readonly realm?: string | undefined
}> implements HttpServerRespondable.Respondable {
  override get message(): string {
    return "The request carries no registration access token"
  }
  get response(): HttpServerResponse.HttpServerResponse {
    return RegistrationResponse.error(401, {
      error: "invalid_token",
      error_description: "A registration access token is required (Authorization: Bearer)."
    }, { tokenPresented: false, realm: this.realm })
  }
  [HttpServerRespondable.symbol]() {
    return Effect.succeed(this.response)
  }
}

/**
 * The path exists but not with this method. Answered 405 with an `Allow` header.
 *
 * @since 0.1.0
 * @category errors
 */
export class MethodNotAllowed extends Data.TaggedError("MethodNotAllowed")<{
  readonly method: string
  readonly allow: ReadonlyArray<string>
}> implements HttpServerRespondable.Respondable {
  override get message(): string {
    return `Method ${this.method} is not allowed here; use ${this.allow.join(", ")}`
  }
  get response(): HttpServerResponse.HttpServerResponse {
    return RegistrationResponse.error(405, { error: "invalid_request", error_description: `${this.message}.` }, {
      headers: { allow: this.allow.join(", ") }
    })
  }
  [HttpServerRespondable.symbol]() {
    return Effect.succeed(this.response)
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
