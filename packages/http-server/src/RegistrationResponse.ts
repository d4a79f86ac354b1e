/**
 * What a `DynamicClientRegistration` backend answered, as the HTTP response the authorization
 * server sends (Authlete's action table, RFC 7591 §3.2, RFC 7592 §2, RFC 6750 §3).
 *
 * @since 0.1.0
 */
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Responses from "./internal/responses.js"

/**
 * How a 401 is challenged (RFC 6750 §3): whether the request presented a bearer token, and the
 * `realm` to advertise in `WWW-Authenticate`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends Responses.ChallengeOptions {}

/**
 * The part of a `ClientRegistrationResponse` that decides the HTTP response (structural, so every
 * operation's response is accepted).
 *
 * @since 0.1.0
 * @category models
 */
export interface ActionResponse extends Responses.ActionResponse {}

/**
 * The 500 answered for any backend failure: `{"error":"server_error"}` and nothing else.
 *
 * @since 0.1.0
 * @category constructors
 */
export const serverError: HttpServerResponse.HttpServerResponse = Responses.toServerResponse(Responses.serverError)

/**
 * The 404 for a path no route serves: `{"error":"not_found","error_description":"No such endpoint."}`
 * with `Cache-Control: no-store`, as the standalone server and `NodeRegistrationServer` answer it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const notFound: HttpServerResponse.HttpServerResponse = Responses.toServerResponse(Responses.notFound)

/**
 * Maps a `ClientRegistrationResponse` to the HTTP response the authorization server must send:
 *
 * | action | status | body |
 * |---|---|---|
 * | CREATED | 201 | `responseContent` |
 * | OK, UPDATED | 200 | `responseContent` |
 * | DELETED | 204 | none |
 * | BAD_REQUEST | 400 | `responseContent` |
 * | UNAUTHORIZED | 401 | `responseContent`, plus `WWW-Authenticate: Bearer …` |
 * | INTERNAL_SERVER_ERROR | 500 | `responseContent` |
 *
 * `responseContent` is written verbatim as `application/json`, with `Cache-Control: no-store` and
 * `Pragma: no-cache`. A success without `responseContent`, or an unknown action, becomes
 * `serverError`.
 *
 * @example
 * ```ts
 * import { RegistrationResponse } from "@effect-dcr/http-server"
 *
 * const response = RegistrationResponse.toHttpServerResponse({
 *   action: "CREATED",
 *   responseContent: "{\"client_id\":\"42\"}"
 * })
 * // response.status === 201
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const toHttpServerResponse = (
  response: ActionResponse,
  options?: Options | undefined
): HttpServerResponse.HttpServerResponse => {
  const raw = Responses.toRaw(response, options)
  return raw === Responses.serverError ? serverError : Responses.toServerResponse(raw)
}
