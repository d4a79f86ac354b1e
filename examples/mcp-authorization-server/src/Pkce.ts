/**
 * PKCE (RFC 7636) with the `S256` method only: the syntax of a code challenge and of a code
 * verifier, and the check that a verifier belongs to a challenge (compared in constant time).
 *
 * @since 0.1.0
 */
import { Credentials } from "@effect-dcr/engine"
import * as Redacted from "effect/Redacted"
import { createHash } from "node:crypto"

/**
 * An `S256` code challenge: base64url of a SHA-256 digest, 43 characters (RFC 7636 §4.2).
 *
 * @since 0.1.0
 * @category validation
 */
export const isCodeChallenge = (text: string): boolean => /^[A-Za-z0-9_-]{43}$/.test(text)

/**
 * A code verifier: 43 to 128 unreserved characters (RFC 7636 §4.1).
 *
 * @since 0.1.0
 * @category validation
 */
export const isCodeVerifier = (text: string): boolean => /^[A-Za-z0-9._~-]{43,128}$/.test(text)

/**
 * The verifier's `S256` transform equals the challenge (RFC 7636 §4.6), compared in constant time.
 *
 * @since 0.1.0
 * @category validation
 */
export const verifyS256 = (verifier: Redacted.Redacted<string>, challenge: string): boolean => {
  const value = Redacted.value(verifier)
  return isCodeVerifier(value) && Credentials.equals(Redacted.make(s256(value)), Redacted.make(challenge))
}

// The S256 transform, BASE64URL(SHA256(ASCII(code_verifier))) (RFC 7636 §4.2). Computed here, not
// with `Credentials.hash`: it is PKCE's rule, fixed by the RFC, while `Credentials.hash` is the
// engine's stored form of a secret, which need not stay a bare SHA-256.
const s256 = (verifier: string): string => createHash("sha256").update(verifier, "ascii").digest("base64url")
