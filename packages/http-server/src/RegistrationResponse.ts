/**
 * Turns what a `DynamicClientRegistration` backend answered into the HTTP response the
 * authorization server sends (Authlete's action → status table, RFC 7591 §3.2, RFC 7592 §2,
 * RFC 6750 §3).
 *
 * @since 0.1.0
 */
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"

/**
 * The media type of every JSON body this package writes.
 *
 * @since 0.1.0
 * @category constants
 */
export const contentType = "application/json"

/**
 * `Cache-Control: no-store` and `Pragma: no-cache`, on every response (RFC 7591 §3.2, RFC 6749 §5.1).
 *
 * @since 0.1.0
 * @category constants
 */
export const noStoreHeaders: Readonly<Record<string, string>> = Object.freeze({
  "cache-control": "no-store",
  "pragma": "no-cache"
})

/**
 * How a response is answered with respect to RFC 6750: whether the request presented a bearer
 * token, and the `realm` to advertise in `WWW-Authenticate`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** `true` when the request carried an `Authorization: Bearer …` token. */
  readonly tokenPresented?: boolean | undefined
  /** The protection realm advertised in `WWW-Authenticate` (omitted when unset). */
  readonly realm?: string | undefined
}

/**
 * The part of a `ClientRegistrationResponse` that decides the HTTP response. Structural, so every
 * operation's narrowed response (and an action the schema does not know) is accepted.
 *
 * @since 0.1.0
 * @category models
 */
export interface ActionResponse {
  readonly action?: string | undefined
  readonly responseContent?: string | undefined
}

/**
 * An RFC 6749 §5.2 / RFC 7591 §3.2.2 error object.
 *
 * @since 0.1.0
 * @category models
 */
export interface ErrorBody {
  readonly error: string
  readonly error_description?: string | undefined
}

const quote = (value: string): string => `"${value.replace(/["\\]/g, "\\$&")}"`

/**
 * The `WWW-Authenticate` challenge of a 401 (RFC 6750 §3): `Bearer error="invalid_token"` when a
 * token was presented and rejected; plain `Bearer` (no error code, §3.1) when none was presented.
 * A realm, when configured, comes first.
 *
 * @since 0.1.0
 * @category constructors
 */
export const bearerChallenge = (options?: Options | undefined): string => {
  const params: Array<string> = []
  if (options?.realm !== undefined) params.push(`realm=${quote(options.realm)}`)
  if (options?.tokenPresented === true) params.push(`error="invalid_token"`)
  return params.length === 0 ? "Bearer" : `Bearer ${params.join(", ")}`
}

/**
 * A JSON response whose body is `body`, written byte for byte, with the no-store headers.
 *
 * @since 0.1.0
 * @category constructors
 */
export const json = (
  status: number,
  body: string,
  headers?: Readonly<Record<string, string>> | undefined
): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.text(body, {
    status,
    contentType,
    headers: headers === undefined ? noStoreHeaders : { ...noStoreHeaders, ...headers }
  })

/**
 * A JSON error response: `{"error": …, "error_description": …}` with the no-store headers. A 401
 * also carries its RFC 6750 `WWW-Authenticate` challenge.
 *
 * @since 0.1.0
 * @category constructors
 */
export const error = (
  status: number,
  body: ErrorBody,
  options?: (Options & { readonly headers?: Readonly<Record<string, string>> | undefined }) | undefined
): HttpServerResponse.HttpServerResponse => {
  let headers = options?.headers
  if (status === 401) headers = { ...headers, "www-authenticate": bearerChallenge(options) }
  return json(status, JSON.stringify(body), headers)
}

const serverErrorBody = JSON.stringify({ error: "server_error" } satisfies ErrorBody)

/**
 * The 500 answered for any backend failure or unusable answer: `{"error":"server_error"}` and
 * nothing else, so no internal detail reaches the client.
 *
 * @since 0.1.0
 * @category constructors
 */
export const serverError: HttpServerResponse.HttpServerResponse = json(500, serverErrorBody)

const deleted = HttpServerResponse.empty({ status: 204, headers: noStoreHeaders })

/**
 * Whether `toHttpServerResponse` would answer 500 `server_error` for this response because it is
 * unusable: an unknown or missing action, or a success action without the body it needs.
 *
 * @since 0.1.0
 * @category guards
 */
export const isUnusable = (response: ActionResponse): boolean => {
  switch (response.action) {
    case "CREATED":
    case "OK":
    case "UPDATED":
      return response.responseContent === undefined
    case "DELETED":
    case "BAD_REQUEST":
    case "UNAUTHORIZED":
    case "INTERNAL_SERVER_ERROR":
      return false
    default:
      return true
  }
}

/**
 * An HTTP response as plain data: status, a flat header list `[name, value, …]` (lower-case names,
 * `content-type` included when there is a body) and the body text. It is what `toRawResponse`
 * computes; `fromRawResponse` turns it into a platform `HttpServerResponse`, and a server adapter
 * such as `NodeRegistrationServer` can write it as is (`writeHead(status, headers)` plus the body)
 * without building one.
 *
 * @since 0.1.0
 * @category models
 */
export interface RawResponse {
  readonly status: number
  readonly headers: ReadonlyArray<string>
  readonly body: string | undefined
}

const jsonHeaderList: ReadonlyArray<string> = Object.freeze([
  "content-type",
  contentType,
  "cache-control",
  "no-store",
  "pragma",
  "no-cache"
])

const emptyHeaderList: ReadonlyArray<string> = Object.freeze(["cache-control", "no-store", "pragma", "no-cache"])

const raw = (status: number, body: string): RawResponse => ({ status, headers: jsonHeaderList, body })

/**
 * The raw form of `serverError`: 500 `{"error":"server_error"}`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const rawServerError: RawResponse = Object.freeze(raw(500, serverErrorBody))

const rawDeleted: RawResponse = Object.freeze({ status: 204, headers: emptyHeaderList, body: undefined })

const rawWithBody = (
  status: number,
  response: ActionResponse,
  fallback: ErrorBody,
  options: Options | undefined
): RawResponse => {
  const body = response.responseContent ?? JSON.stringify(fallback)
  return status === 401
    ? { status, headers: [...jsonHeaderList, "www-authenticate", bearerChallenge(options)], body }
    : raw(status, body)
}

/**
 * Maps a `ClientRegistrationResponse` to the HTTP response the authorization server must send, as
 * plain data (see `RawResponse`; `toHttpServerResponse` is the same mapping as a platform
 * response):
 *
 * | action | status | body |
 * |---|---|---|
 * | CREATED | 201 | `responseContent` |
 * | OK, UPDATED | 200 | `responseContent` |
 * | DELETED | 204 | none (no `Content-Type`) |
 * | BAD_REQUEST | 400 | `responseContent` |
 * | UNAUTHORIZED | 401 | `responseContent`, plus `WWW-Authenticate: Bearer …` |
 * | INTERNAL_SERVER_ERROR | 500 | `responseContent` |
 *
 * `responseContent` is written verbatim (never re-serialised) as `application/json`; every response
 * carries `Cache-Control: no-store` and `Pragma: no-cache`. An error action without
 * `responseContent` gets a standard error body (`invalid_request`, `invalid_token`,
 * `server_error`); a success action without it, or a missing or unknown action, becomes a 500
 * `{"error":"server_error"}` (see `isUnusable`, and log it: this function does not).
 *
 * @since 0.1.0
 * @category constructors
 */
export const toRawResponse = (response: ActionResponse, options?: Options | undefined): RawResponse => {
  switch (response.action) {
    case "CREATED":
      return response.responseContent === undefined ? rawServerError : raw(201, response.responseContent)
    case "OK":
    case "UPDATED":
      return response.responseContent === undefined ? rawServerError : raw(200, response.responseContent)
    case "DELETED":
      return rawDeleted
    case "BAD_REQUEST":
      return rawWithBody(400, response, { error: "invalid_request" }, options)
    case "UNAUTHORIZED":
      return rawWithBody(401, response, { error: "invalid_token" }, options)
    case "INTERNAL_SERVER_ERROR":
      return rawWithBody(500, response, { error: "server_error" }, options)
    default:
      return rawServerError
  }
}

/**
 * A `RawResponse` as a platform `HttpServerResponse`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromRawResponse = (response: RawResponse): HttpServerResponse.HttpServerResponse => {
  const headers: Record<string, string> = {}
  let type: string | undefined
  for (let i = 0; i + 1 < response.headers.length; i += 2) {
    const name = response.headers[i]!
    if (name === "content-type") type = response.headers[i + 1]!
    else headers[name] = response.headers[i + 1]!
  }
  return response.body === undefined
    ? HttpServerResponse.empty({ status: response.status, headers })
    : HttpServerResponse.text(response.body, { status: response.status, contentType: type ?? contentType, headers })
}

/**
 * Maps a `ClientRegistrationResponse` to the HTTP response the authorization server must send
 * (the mapping table is on `toRawResponse`).
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
  switch (response.action) {
    case "CREATED":
    case "OK":
    case "UPDATED":
      return response.responseContent === undefined ? serverError : fromRawResponse(toRawResponse(response, options))
    case "DELETED":
      return deleted
    default: {
      const mapped = toRawResponse(response, options)
      return mapped === rawServerError ? serverError : fromRawResponse(mapped)
    }
  }
}
