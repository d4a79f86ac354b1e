/**
 * Reading a request body with a size limit, for an authorization server's own endpoints (a token
 * endpoint's form body, RFC 6749 §4.1.3): the reader every endpoint of this package uses. A declared
 * `Content-Length` over the limit fails at once, before a byte is read; otherwise reading stops at
 * the first byte past the limit and the rest drains, so the answer reaches the client before the
 * connection closes.
 *
 * @since 0.1.0
 */
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Effect from "effect/Effect"
import * as Internal from "./internal/requestBody.js"
import type { BodyReadError, PayloadTooLarge } from "./RequestError.js"

const checked = (maxBytes: number): Effect.Effect<void> =>
  Number.isSafeInteger(maxBytes) && maxBytes >= 0
    ? Effect.void
    : Effect.dieMessage(`RequestBody: maxBytes must be a non-negative integer, got ${maxBytes}`)

/**
 * The body as UTF-8 text, at most `maxBytes` bytes (a non-negative integer; anything else is a
 * defect). Fails with `PayloadTooLarge` past the limit and `BodyReadError` when the body cannot be
 * read (the client went away). Both are `HttpServerRespondable`: left unhandled they answer 413
 * `invalid_request` with `Connection: close`, and 400 `invalid_request`.
 *
 * @example
 * ```ts
 * import { RequestBody } from "@effect-dcr/http-server"
 * import { HttpServerRequest, HttpServerResponse } from "@effect/platform"
 * import { Effect } from "effect"
 *
 * // POST /notes: a text body of at most 4 KiB (413 past it)
 * export const handler = Effect.gen(function*() {
 *   const request = yield* HttpServerRequest.HttpServerRequest
 *   const text = yield* RequestBody.readText(request, 4 * 1024)
 *   return HttpServerResponse.text(`${text.length} characters`)
 * })
 * ```
 *
 * @since 0.1.0
 * @category reading
 */
export const readText = (
  request: HttpServerRequest.HttpServerRequest,
  maxBytes: number
): Effect.Effect<string, PayloadTooLarge | BodyReadError> =>
  Effect.zipRight(checked(maxBytes), Effect.suspend(() => Internal.readText(request, maxBytes)))

/**
 * An `application/x-www-form-urlencoded` body (a token request, RFC 6749 §4.1.3) as
 * `URLSearchParams`, at most `maxBytes` bytes; fails as `readText` does. The `Content-Type` is not
 * checked: refuse another type in the error format of your endpoint before reading.
 *
 * @example
 * ```ts
 * import { RequestBody } from "@effect-dcr/http-server"
 * import { HttpServerRequest, HttpServerResponse } from "@effect/platform"
 * import { Effect } from "effect"
 *
 * const noStore = { "cache-control": "no-store" }
 *
 * // POST /token: the form, at most 16 KiB; past it a 413 in RFC 6749 §5.2 form
 * export const token = Effect.gen(function*() {
 *   const request = yield* HttpServerRequest.HttpServerRequest
 *   const form = yield* RequestBody.readForm(request, 16 * 1024)
 *   return HttpServerResponse.unsafeJson({ grant_type: form.get("grant_type") }, { headers: noStore })
 * }).pipe(
 *   Effect.catchTags({
 *     PayloadTooLarge: (error) =>
 *       Effect.succeed(HttpServerResponse.unsafeJson(
 *         { error: "invalid_request", error_description: error.message },
 *         { status: 413, headers: { ...noStore, connection: "close" } }
 *       )),
 *     BodyReadError: () =>
 *       Effect.succeed(HttpServerResponse.unsafeJson({ error: "invalid_request" }, { status: 400, headers: noStore }))
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category reading
 */
export const readForm = (
  request: HttpServerRequest.HttpServerRequest,
  maxBytes: number
): Effect.Effect<URLSearchParams, PayloadTooLarge | BodyReadError> =>
  Effect.map(readText(request, maxBytes), (text) => new URLSearchParams(text))
