/**
 * The client secret check of `ClientRegistry.authenticate`: the SHA-256 of the presented secret
 * against the registered secret's SHA-256, with `crypto.timingSafeEqual` (digests of equal length,
 * so neither the secret's length nor its content shows in the time taken).
 *
 * The engine's `internal/credentials.ts` has the same comparison for its registration access
 * tokens (and the `client_secret` an RFC 7592 update may echo): internal modules cannot be shared
 * across packages, and these few lines are not worth a public API. Client secrets at the token
 * endpoint are checked here only, for every backend.
 *
 * @internal
 */
import * as Redacted from "effect/Redacted"
import { createHash, randomBytes, timingSafeEqual } from "node:crypto"

/**
 * SHA-256 of a secret (32 bytes).
 *
 * @internal
 */
export const digest = (secret: Redacted.Redacted<string>): Uint8Array =>
  createHash("sha256").update(Redacted.value(secret), "utf8").digest()

/**
 * Does the presented secret have this SHA-256? A digest of another length never matches.
 *
 * @internal
 */
export const matches = (presented: Redacted.Redacted<string>, expected: Uint8Array): boolean => {
  const actual = digest(presented)
  return expected.length === actual.length && timingSafeEqual(actual, expected)
}

/**
 * A digest no secret has (random): compared against when the client is unknown, so that the answer
 * takes as long as for a wrong secret.
 *
 * @internal
 */
export const unknownClient: Uint8Array = randomBytes(32)
