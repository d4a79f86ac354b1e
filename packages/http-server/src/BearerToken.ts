/**
 * Bearer tokens in the `Authorization` header (RFC 6750 §2.1): the initial access token of a
 * registration request, the registration access token of a client configuration request.
 *
 * @since 0.1.0
 */
import type * as Headers from "@effect/platform/Headers"
import * as HttpApiMiddleware from "@effect/platform/HttpApiMiddleware"
import * as HttpApiSecurity from "@effect/platform/HttpApiSecurity"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

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

/**
 * The `Authorization` header of a request, as the `Bearer` middleware passed it on (`undefined`
 * when absent). Endpoints parse it with `parse`, and answer their own 401s (RFC 7592 and Authlete
 * challenge differently).
 *
 * @since 0.1.0
 * @category context
 */
export class Authorization extends Context.Tag("@effect-dcr/http-server/BearerToken/Authorization")<
  Authorization,
  string | undefined
>() {}

/**
 * The `Authorization: Bearer` security scheme of the endpoints that take a token (RFC 7592
 * management, the Authlete-compatible API). It declares the scheme for the OpenAPI document and
 * passes the header on as `Authorization`: the platform's own bearer decoder matches `Bearer `
 * case-sensitively and keeps surrounding whitespace, where RFC 6750 allows both.
 *
 * @since 0.1.0
 * @category security
 */
export class Bearer extends HttpApiMiddleware.Tag<Bearer>()("@effect-dcr/http-server/BearerToken/Bearer", {
  security: { bearer: HttpApiSecurity.bearer },
  provides: Authorization
}) {}

/**
 * The `Bearer` middleware's implementation.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Bearer> = Layer.succeed(
  Bearer,
  Bearer.of({
    bearer: () => Effect.map(HttpServerRequest.HttpServerRequest, (request) => request.headers["authorization"])
  })
)
