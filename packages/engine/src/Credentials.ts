/**
 * Opaque credentials on the engine's terms, for an authorization server's own (authorization codes,
 * access and refresh tokens): 256 random bits, kept only as their SHA-256 (base64url) and checked in
 * constant time, as the engine mints and keeps registration access tokens and client secrets.
 *
 * @since 0.1.0
 */
import type * as Redacted from "effect/Redacted"
import * as Internal from "./internal/credentials.js"

/**
 * A new opaque token: 256 random bits from the operating system's CSPRNG, base64url (43
 * characters), `Redacted` so it is never logged by accident.
 *
 * @example
 * ```ts
 * import { Credentials } from "@effect-dcr/engine"
 * import { Redacted } from "effect"
 *
 * const code = Credentials.generateToken()
 * // hand Redacted.value(code) to the client once; keep only the hash
 * const stored = Credentials.hash(code)
 * console.log(Redacted.value(code).length, stored.length) // 43 43
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const generateToken = (): Redacted.Redacted<string> =>
  // the engine's 256-bit token: the generator of its initial access tokens
  Internal.generateInitialAccessToken()

/**
 * The stored form of a secret: its SHA-256, base64url (43 characters), the form in which the engine
 * stores registration access tokens and client secrets. Deterministic, so it can key a lookup.
 *
 * @example
 * ```ts
 * import { Credentials } from "@effect-dcr/engine"
 * import { Redacted } from "effect"
 *
 * const codes = new Map<string, { readonly clientId: string }>()
 * const code = Credentials.generateToken()
 * codes.set(Credentials.hash(code), { clientId: "s6BhdRkqt3" })
 * // later, the code the client presents:
 * const grant = codes.get(Credentials.hash(Redacted.make(Redacted.value(code))))
 * ```
 *
 * @since 0.1.0
 * @category hashing
 */
export const hash = (secret: Redacted.Redacted<string>): string => Internal.hash(secret)

/**
 * Whether a presented secret is the one whose stored form (`hash`) is `storedHash`, compared in
 * constant time. A malformed stored hash never matches.
 *
 * @example
 * ```ts
 * import { Credentials } from "@effect-dcr/engine"
 * import { Redacted } from "effect"
 *
 * const token = Credentials.generateToken()
 * const stored = Credentials.hash(token)
 * Credentials.matches(token, stored) // true
 * Credentials.matches(Redacted.make("guess"), stored) // false
 * ```
 *
 * @since 0.1.0
 * @category comparing
 */
export const matches = (presented: Redacted.Redacted<string>, storedHash: string): boolean =>
  Internal.matches(presented, storedHash)

/**
 * Whether two secrets are equal, compared in constant time (both hashed first, so a length
 * difference leaks nothing either).
 *
 * @example
 * ```ts
 * import { Credentials } from "@effect-dcr/engine"
 * import { Redacted } from "effect"
 *
 * Credentials.equals(Redacted.make("a-presented-value"), Redacted.make("the-expected-value")) // false
 * ```
 *
 * @since 0.1.0
 * @category comparing
 */
export const equals = (a: Redacted.Redacted<string>, b: Redacted.Redacted<string>): boolean => Internal.equals(a, b)
