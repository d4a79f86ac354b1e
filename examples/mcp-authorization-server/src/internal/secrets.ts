/**
 * Random opaque credentials (authorization codes, access tokens), their stored form (SHA-256,
 * base64url) and constant-time comparison.
 *
 * @internal
 */
import * as Redacted from "effect/Redacted"
import { createHash, randomBytes, timingSafeEqual } from "node:crypto"

/** A fresh random credential: 32 bytes, base64url. */
export const generate = (): Redacted.Redacted<string> => Redacted.make(randomBytes(32).toString("base64url"))

/** SHA-256 of a credential, base64url: the only form in which codes and tokens are stored. */
export const hash = (secret: Redacted.Redacted<string>): string =>
  createHash("sha256").update(Redacted.value(secret)).digest("base64url")

/** SHA-256 of `text`, base64url without padding (the PKCE S256 transform, RFC 7636 §4.2). */
export const sha256Base64Url = (text: string): string => createHash("sha256").update(text, "ascii").digest("base64url")

/** Compares two strings in constant time (hashing both first, so different lengths leak nothing). */
export const equals = (a: string, b: string): boolean =>
  timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest())
