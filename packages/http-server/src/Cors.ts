/**
 * CORS for the registration, management and discovery routes (`RegistrationApi.Options.cors`): which
 * browser origins may call them. Credentials are never allowed: the endpoints take bearer tokens,
 * not cookies, so any origin (`*`) is safe and the default. Responses expose `WWW-Authenticate` and
 * `Retry-After`.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import * as Either from "effect/Either"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** `"*"` (any origin, the default) or the allowed origins, e.g. `["https://app.example.com"]`. */
  readonly allowedOrigins?: "*" | ReadonlyArray<string> | undefined
  /** The request headers a preflight may ask for. Default: the ones it asks for. */
  readonly allowedHeaders?: ReadonlyArray<string> | undefined
  /** How long a browser may keep a preflight's answer. Default 10 minutes. */
  readonly maxAge?: Duration.DurationInput | undefined
}

/**
 * The response headers a cross-origin caller may read besides the safelisted ones.
 *
 * @since 0.1.0
 * @category constants
 */
export const exposedHeaders: ReadonlyArray<string> = ["WWW-Authenticate", "Retry-After"]

/**
 * An origin as browsers send it in `Origin`: `scheme://host[:port]`, lower-case, without a default
 * port, path, query, fragment or userinfo. Answers the serialized origin, or why `text` is not one.
 *
 * @example
 * ```ts
 * import { Cors } from "@effect-dcr/http-server"
 *
 * Cors.parseOrigin("https://App.example.com:443") // Either.right("https://app.example.com")
 * Cors.parseOrigin("https://app.example.com/cb") // Either.left(…)
 * ```
 *
 * @since 0.1.0
 * @category parsers
 */
export const parseOrigin = (text: string): Either.Either<string, string> => {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return Either.left(`${JSON.stringify(text)} is not an origin (scheme://host[:port])`)
  }
  if (url.origin === "null" || url.username !== "" || url.password !== "") {
    return Either.left(`${JSON.stringify(text)} is not an origin (scheme://host[:port])`)
  }
  if (url.pathname !== "/" || url.search !== "" || url.hash !== "" || text.replace(/\/$/, "").endsWith("?")) {
    return Either.left(`${JSON.stringify(text)} has more than an origin: give scheme://host[:port] only`)
  }
  return Either.right(url.origin)
}

/**
 * The allowed origins from a text, the form of the `serve` settings: `*`, origins separated by
 * commas (each checked by `parseOrigin`), or `off` (`false`: no CORS).
 *
 * @example
 * ```ts
 * import { Cors } from "@effect-dcr/http-server"
 *
 * Cors.parseOrigins("https://a.example, https://b.example") // Either.right(["https://a.example", "https://b.example"])
 * Cors.parseOrigins("off") // Either.right(false)
 * ```
 *
 * @since 0.1.0
 * @category parsers
 */
export const parseOrigins = (text: string): Either.Either<"*" | ReadonlyArray<string> | false, string> => {
  const items = text.split(",").map((item) => item.trim()).filter((item) => item !== "")
  if (items.length === 1 && items[0] === "*") return Either.right("*")
  if (items.length === 1 && items[0]!.toLowerCase() === "off") return Either.right(false)
  if (items.length === 0) return Either.left("no origin given")
  const origins: Array<string> = []
  for (const item of items) {
    if (item === "*") return Either.left("* allows every origin and cannot be combined with others")
    const origin = parseOrigin(item)
    if (Either.isLeft(origin)) return Either.left(origin.left)
    origins.push(origin.right)
  }
  return Either.right(origins)
}
