/**
 * Bearer tokens in the `Authorization` header (RFC 6750 §2.1): the initial access token of a
 * registration request, the registration access token of a client configuration request.
 *
 * @since 0.1.0
 */
import type * as Headers from "@effect/platform/Headers"

const isSpace = (code: number): boolean => code === 32 || code === 9

/**
 * The token of an `Authorization: Bearer <token>` header value, or `undefined` when the header is
 * absent, uses another scheme, or carries no token. The scheme is matched case-insensitively
 * (`bearer`, `BEARER`, …); surrounding whitespace is ignored.
 *
 * @example
 * ```ts
 * import { BearerToken } from "@effect-dcr/http-server"
 *
 * BearerToken.parse("bearer abc") // "abc"
 * BearerToken.parse("Basic Zm9vOmJhcg==") // undefined
 * ```
 *
 * @since 0.1.0
 * @category parsers
 */
export const parse = (authorization: string | undefined): string | undefined => {
  if (authorization === undefined) return undefined
  let start = 0
  const length = authorization.length
  while (start < length && isSpace(authorization.charCodeAt(start))) start++
  if (length - start < 8 || !isSpace(authorization.charCodeAt(start + 6))) return undefined
  if (authorization.slice(start, start + 6).toLowerCase() !== "bearer") return undefined
  let from = start + 7
  let to = length
  while (from < to && isSpace(authorization.charCodeAt(from))) from++
  while (to > from && isSpace(authorization.charCodeAt(to - 1))) to--
  return from === to ? undefined : authorization.slice(from, to)
}

/**
 * The bearer token of a request's headers (see `parse`).
 *
 * @since 0.1.0
 * @category parsers
 */
export const fromHeaders = (headers: Headers.Headers): string | undefined => parse(headers["authorization"])
