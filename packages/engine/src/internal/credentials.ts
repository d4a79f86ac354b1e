/**
 * The credentials the engine mints (15-digit random client ids, 512-bit client secrets, 256-bit
 * registration and initial access tokens, from a CSPRNG pool), their SHA-256 hashes and
 * constant-time checks.
 *
 * @internal
 */
import * as Redacted from "effect/Redacted"
import { hash as digest, randomFillSync, timingSafeEqual } from "node:crypto"

/**
 * Bytes of randomness in a client secret (512 bits).
 *
 * @internal
 */
export const clientSecretBytes = 64

/**
 * Bytes of randomness in a registration access token (256 bits).
 *
 * @internal
 */
export const registrationAccessTokenBytes = 32

const MIN_ID = 100_000_000_000_000 // 10^14
const ID_SPAN = 900_000_000_000_000 // 9 * 10^14, so ids have exactly 15 digits
const TWO_POW_32 = 4_294_967_296
const ID_MASK_HIGH = 0x3ffff // 18 high bits + 32 low bits = 50 bits ≥ ID_SPAN

const POOL_SIZE = 16 * 1024
const pool = Buffer.allocUnsafeSlow(POOL_SIZE)
let poolOffset = POOL_SIZE

/** Reserves `length` (≤ POOL_SIZE) fresh random bytes of the pool; returns their offset. */
const take = (length: number): number => {
  if (poolOffset + length > POOL_SIZE) {
    randomFillSync(pool)
    poolOffset = 0
  }
  const offset = poolOffset
  poolOffset += length
  return offset
}

/**
 * The credentials minted for one new client.
 *
 * @internal
 */
export interface IssuedCredentials {
  readonly clientId: string
  /** `undefined` for public clients (`token_endpoint_auth_method: "none"`). */
  readonly clientSecret: Redacted.Redacted<string> | undefined
  readonly clientSecretHash: string | undefined
  readonly registrationAccessToken: Redacted.Redacted<string>
  readonly registrationAccessTokenHash: string
}

/**
 * A new random client id: 15 decimal digits, uniformly distributed (rejection sampling over 50 random
 * bits), from the operating system's CSPRNG.
 *
 * @internal
 */
export const generateClientId = (): string => clientIdFrom(pool, take(8)) ?? generateClientId()

const clientIdFrom = (buffer: Buffer, offset: number): string | undefined => {
  const value = (buffer.readUInt32BE(offset) & ID_MASK_HIGH) * TWO_POW_32 + buffer.readUInt32BE(offset + 4)
  return value < ID_SPAN ? String(MIN_ID + value) : undefined
}

/**
 * A new client secret (512 bits, base64url, 86 characters).
 *
 * @internal
 */
export const generateClientSecret = (): Redacted.Redacted<string> => Redacted.make(randomString(clientSecretBytes))

/**
 * A new registration access token for a client: `{client_id}.{256 random bits, base64url}`. The
 * prefix names the client whose token it is (client ids are public), so a token presented for
 * another client can be revoked by primary key (RFC 7592 §2) without an index on token hashes,
 * which cost each insert more than the rest of the row (BENCHMARKS.md).
 *
 * @internal
 */
export const generateRegistrationAccessToken = (clientId: string): Redacted.Redacted<string> =>
  Redacted.make(registrationAccessTokenFor(clientId))

const registrationAccessTokenFor = (clientId: string): string =>
  `${clientId}.${randomString(registrationAccessTokenBytes)}`

const ownerPattern = /^([0-9]{1,20})\.[A-Za-z0-9_-]+$/

/**
 * The client a registration access token was issued to, from its `{client_id}.` prefix; `undefined`
 * for any other string (a token minted before the prefix, or not one of ours).
 *
 * @internal
 */
export const ownerOf = (token: Redacted.Redacted<string>): string | undefined =>
  ownerPattern.exec(Redacted.value(token))?.[1]

/**
 * Bytes of randomness in a managed initial access token (256 bits).
 *
 * @internal
 */
export const initialAccessTokenBytes = 32

/**
 * A new managed initial access token (256 bits, base64url, 43 characters).
 *
 * @internal
 */
export const generateInitialAccessToken = (): Redacted.Redacted<string> =>
  Redacted.make(randomString(initialAccessTokenBytes))

/**
 * A new id for a managed initial access token: 64 random bits as 16 hex digits (not a secret; safe
 * as a command-line argument, unlike base64url, which may start with `-`).
 *
 * @internal
 */
export const generateTokenId = (): string => {
  const offset = take(8)
  return pool.toString("hex", offset, offset + 8)
}

const randomString = (bytes: number): string => {
  const offset = take(bytes)
  return pool.toString("base64url", offset, offset + bytes)
}

/**
 * Mints every credential of a new client.
 *
 * @internal
 */
export const issue = (options: { readonly confidential: boolean }): IssuedCredentials => {
  const clientId = generateClientId()
  const token = registrationAccessTokenFor(clientId)
  const secret = options.confidential ? randomString(clientSecretBytes) : undefined
  return {
    clientId,
    clientSecret: secret === undefined ? undefined : Redacted.make(secret),
    clientSecretHash: secret === undefined ? undefined : hashString(secret),
    registrationAccessToken: Redacted.make(token),
    registrationAccessTokenHash: hashString(token)
  }
}

/**
 * SHA-256 of a secret, base64url (43 characters). The only form in which tokens and client secrets
 * are stored.
 *
 * @internal
 */
export const hash = (secret: Redacted.Redacted<string>): string => hashString(Redacted.value(secret))

const hashString = (secret: string): string => digest("sha256", secret, "base64url")

/**
 * Compares a presented secret with a stored hash in constant time (hash of the presented value
 * against the stored hash, with `crypto.timingSafeEqual`). A malformed stored hash never matches.
 *
 * @internal
 */
export const matches = (presented: Redacted.Redacted<string>, storedHash: string): boolean => {
  const expected = Buffer.from(storedHash, "base64url")
  const actual = digest("sha256", Redacted.value(presented), "buffer")
  return expected.length === actual.length && timingSafeEqual(expected, actual)
}

/**
 * Compares two secrets in constant time by hashing both (so different lengths leak nothing either).
 *
 * @internal
 */
export const equals = (a: Redacted.Redacted<string>, b: Redacted.Redacted<string>): boolean =>
  timingSafeEqual(
    digest("sha256", Redacted.value(a), "buffer"),
    digest("sha256", Redacted.value(b), "buffer")
  )

/**
 * When a client secret issued at `now` expires under a `clientSecretLifetime` (epoch ms);
 * `undefined`: never (a lifetime of 0, negative or infinite).
 *
 * @internal
 */
export const secretExpiry = (lifetimeMillis: number, now: number): number | undefined =>
  lifetimeMillis > 0 && Number.isFinite(lifetimeMillis) ? now + lifetimeMillis : undefined
