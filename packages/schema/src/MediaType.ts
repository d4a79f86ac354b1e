/**
 * The media type every body of the wire contract uses: `application/json` (RFC 7591 §3.1 for the
 * registration request, Authlete's API for everything else).
 *
 * @since 0.1.0
 */

/**
 * `application/json`.
 *
 * @since 0.1.0
 * @category constants
 */
export const jsonMediaType = "application/json"

/**
 * Whether a `Content-Type` value is `application/json`, with or without parameters
 * (`application/json; charset=utf-8`); the media type is compared case-insensitively and
 * surrounding whitespace is ignored (RFC 9110 §8.3.1).
 *
 * @example
 * ```ts
 * import { isJsonMediaType } from "@effect-dcr/schema"
 *
 * isJsonMediaType("Application/JSON; charset=utf-8") // true
 * isJsonMediaType("text/plain") // false
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isJsonMediaType = (value: string | undefined): boolean => {
  if (value === undefined) return false
  if (value === jsonMediaType) return true
  const semicolon = value.indexOf(";")
  return (semicolon === -1 ? value : value.slice(0, semicolon)).trim().toLowerCase() === jsonMediaType
}
