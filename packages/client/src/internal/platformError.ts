/**
 * The one place where `@effect/platform` client errors become `TransportError`s.
 *
 * @internal
 */
import type * as HttpClientError from "@effect/platform/HttpClientError"
import { TransportError } from "../DynamicClientRegistrationError.js"
import type { Operation } from "../DynamicClientRegistrationError.js"

/**
 * Error codes that Node.js, undici and fetch report when the connection could not be
 * established (DNS lookup or TCP connect failed), i.e. before any byte of the request was written.
 */
const connectFailureCodes: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EAI_FAIL",
  "EAI_NONAME",
  "EAI_NODATA",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT"
])

/** System calls that only happen before a connection exists. */
const connectSyscalls: ReadonlySet<string> = new Set([
  "connect",
  "getaddrinfo",
  "getaddrinfo_all",
  "queryA",
  "queryAaaa"
])

const field = (u: object, key: string): unknown => (u as Record<string, unknown>)[key]

/**
 * `true` when the cause (or one it wraps: `fetch`'s `TypeError("fetch failed")` keeps the socket
 * error in `cause`; Happy Eyeballs reports an `AggregateError` with one error per address) proves
 * that the connection failed before the request was sent.
 *
 * @internal
 */
export const isConnectFailure = (cause: unknown, depth = 0): boolean => {
  if (depth > 4 || typeof cause !== "object" || cause === null) return false
  const code = field(cause, "code")
  if (typeof code === "string" && connectFailureCodes.has(code)) return true
  const syscall = field(cause, "syscall")
  if (typeof syscall === "string" && connectSyscalls.has(syscall)) return true
  const errors = field(cause, "errors")
  if (Array.isArray(errors) && errors.length > 0) {
    return errors.every((error) => isConnectFailure(error, depth + 1))
  }
  return isConnectFailure(field(cause, "cause"), depth + 1)
}

const describeCause = (cause: unknown, depth = 0): string => {
  if (depth > 3 || typeof cause !== "object" || cause === null) return ""
  const message = field(cause, "message")
  const code = field(cause, "code")
  const own = [typeof message === "string" ? message : "", typeof code === "string" ? `(${code})` : ""]
    .filter((s) => s !== "")
    .join(" ")
  const inner = describeCause(field(cause, "cause"), depth + 1)
  return inner === "" || own.includes(inner) ? own : own === "" ? inner : `${own}: ${inner}`
}

/**
 * Maps a platform error to `TransportError`. Only the underlying socket/DNS error is kept as
 * `cause`: the platform error itself holds the request, whose body carries the registration access
 * token.
 *
 * - `RequestError` "Transport": `requestSent` is `false` only for a provable connect failure.
 * - `RequestError` "Encode" / "InvalidUrl": nothing was sent.
 * - `ResponseError` (reading the response body failed): the request was sent.
 *
 * @internal
 */
export const toTransportError = (operation: Operation, error: HttpClientError.HttpClientError): TransportError => {
  const detail = describeCause(error.cause)
  if (error._tag === "RequestError") {
    const requestSent = error.reason === "Transport" ? !isConnectFailure(error.cause) : false
    const what = error.reason === "Transport"
      ? requestSent ? "the connection failed" : "could not connect"
      : error.reason === "Encode"
      ? "the request body could not be encoded"
      : "the request URL is invalid"
    return new TransportError({
      operation,
      requestSent,
      cause: error.cause,
      description: detail === "" ? what : `${what}: ${detail}`
    })
  }
  return new TransportError({
    operation,
    requestSent: true,
    cause: error.cause,
    description: detail === "" ? "reading the response failed" : `reading the response failed: ${detail}`
  })
}
