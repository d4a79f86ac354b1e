/**
 * The one mapping from a backend answer (an Authlete action) to an HTTP response, as plain data
 * (`RawResponse`): the platform handlers turn it into an `HttpServerResponse` with `toServerResponse`,
 * and the Node.js fast path writes it as is. Error bodies are the schema's RFC 7591 / RFC 6750
 * error objects.
 *
 * @internal
 */
import {
  jsonMediaType,
  makeRegistrationError,
  type RegistrationErrorResponse,
  serverError as serverErrorBody
} from "@effect-dcr/schema"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"

/** An HTTP response as data: status, a flat header list `[name, value, …]`, the body text. @internal */
export interface RawResponse {
  readonly status: number
  readonly headers: ReadonlyArray<string>
  readonly body: string | undefined
}

/** How a 401 is challenged (RFC 6750 §3). @internal */
export interface ChallengeOptions {
  /** `true` when the request carried a bearer token (then `error="invalid_token"`). */
  readonly tokenPresented?: boolean | undefined
  /** The protection realm advertised in `WWW-Authenticate`. */
  readonly realm?: string | undefined
}

/** The part of a `ClientRegistrationResponse` that decides the HTTP response. @internal */
export interface ActionResponse {
  readonly action?: string | undefined
  readonly responseContent?: string | undefined
}

const noStore: ReadonlyArray<string> = Object.freeze(["cache-control", "no-store", "pragma", "no-cache"])
const jsonNoStore: ReadonlyArray<string> = Object.freeze(["content-type", jsonMediaType, ...noStore])

const quote = (value: string): string => `"${value.replace(/["\\]/g, "\\$&")}"`

/** The `WWW-Authenticate` challenge of a 401 (RFC 6750 §3). @internal */
export const bearerChallenge = (options?: ChallengeOptions | undefined): string => {
  const params: Array<string> = []
  if (options?.realm !== undefined) params.push(`realm=${quote(options.realm)}`)
  if (options?.tokenPresented === true) params.push(`error="invalid_token"`)
  return params.length === 0 ? "Bearer" : `Bearer ${params.join(", ")}`
}

/** A JSON body with the no-store headers (and a challenge on a 401). @internal */
export const json = (
  status: number,
  body: string,
  options?: (ChallengeOptions & { readonly headers?: ReadonlyArray<string> | undefined }) | undefined
): RawResponse => {
  let headers = jsonNoStore
  if (status === 401) headers = [...headers, "www-authenticate", bearerChallenge(options)]
  if (options?.headers !== undefined) headers = [...headers, ...options.headers]
  return { status, headers, body }
}

/** An RFC 7591 §3.2.2 / RFC 6750 §3.1 error response. @internal */
export const error = (
  status: number,
  body: RegistrationErrorResponse,
  options?: (ChallengeOptions & { readonly headers?: ReadonlyArray<string> | undefined }) | undefined
): RawResponse => json(status, JSON.stringify(body), options)

/** An empty response with the given headers. @internal */
export const empty = (status: number, headers: ReadonlyArray<string> = noStore): RawResponse => ({
  status,
  headers,
  body: undefined
})

/** 500 `{"error":"server_error"}`: any backend failure or unusable answer, with no detail. @internal */
export const serverError: RawResponse = Object.freeze(error(500, serverErrorBody()))

/** The `Retry-After` seconds for a wait in milliseconds: rounded up, at least 1. @internal */
export const retryAfterSeconds = (waitMillis: number): number => Math.max(1, Math.ceil(waitMillis / 1000))

const tooManyRequestsAnswers = new Map<number, RawResponse>()

/**
 * 429 `temporarily_unavailable` (RFC 6749 §4.1.2.1's code for a server that cannot take the request
 * now) with `Retry-After` (RFC 6585 §4, RFC 9110 §10.2.3), for a client over a rate limit.
 *
 * @internal
 */
export const tooManyRequests = (waitMillis: number): RawResponse => {
  const seconds = retryAfterSeconds(waitMillis)
  let answer = tooManyRequestsAnswers.get(seconds)
  if (answer === undefined) {
    answer = Object.freeze(error(
      429,
      makeRegistrationError(
        "temporarily_unavailable",
        `Too many requests from this client; retry after ${seconds} second${seconds === 1 ? "" : "s"}.`
      ),
      { headers: ["retry-after", String(seconds)] }
    ))
    if (tooManyRequestsAnswers.size < 3600) tooManyRequestsAnswers.set(seconds, answer)
  }
  return answer
}

/** 404 `not_found`: no route for the path (answered by `NodeRegistrationServer` for the router's misses). @internal */
export const notFound: RawResponse = Object.freeze(error(404, makeRegistrationError("not_found", "No such endpoint.")))

const deleted: RawResponse = Object.freeze(empty(204))

/**
 * Whether an answer is unusable (an unknown or missing action, or a success without its body):
 * `toRaw` answers 500 `server_error` for it, and the caller logs it.
 *
 * @internal
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

const withContent = (
  status: number,
  response: ActionResponse,
  fallback: RegistrationErrorResponse,
  options: ChallengeOptions | undefined
): RawResponse => json(status, response.responseContent ?? JSON.stringify(fallback), options)

/**
 * Action → response: CREATED 201, OK/UPDATED 200, DELETED 204 (no body), BAD_REQUEST 400,
 * UNAUTHORIZED 401 (+ `WWW-Authenticate`), INTERNAL_SERVER_ERROR 500; `responseContent` verbatim as
 * `application/json`, no-store headers on every response; anything unusable → 500 `server_error`.
 *
 * @internal
 */
export const toRaw = (response: ActionResponse, options?: ChallengeOptions | undefined): RawResponse => {
  switch (response.action) {
    case "CREATED":
      return response.responseContent === undefined ? serverError : json(201, response.responseContent)
    case "OK":
    case "UPDATED":
      return response.responseContent === undefined ? serverError : json(200, response.responseContent)
    case "DELETED":
      return deleted
    case "BAD_REQUEST":
      return withContent(400, response, { error: "invalid_request" }, options)
    case "UNAUTHORIZED":
      return withContent(401, response, { error: "invalid_token" }, options)
    case "INTERNAL_SERVER_ERROR":
      return withContent(500, response, { error: "server_error" }, options)
    default:
      return serverError
  }
}

/** A `RawResponse` as a platform `HttpServerResponse`. @internal */
export const toServerResponse = (response: RawResponse): HttpServerResponse.HttpServerResponse => {
  const headers: Record<string, string> = {}
  let type: string | undefined
  for (let i = 0; i + 1 < response.headers.length; i += 2) {
    const name = response.headers[i]!
    if (name === "content-type") type = response.headers[i + 1]!
    else headers[name] = response.headers[i + 1]!
  }
  return response.body === undefined
    ? HttpServerResponse.empty({ status: response.status, headers })
    : HttpServerResponse.text(response.body, { status: response.status, contentType: type ?? jsonMediaType, headers })
}
