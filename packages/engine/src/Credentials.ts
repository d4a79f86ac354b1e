/**
 * The credentials the engine mints for a registered client, and how it keeps them.
 *
 * - `client_id`: a random 15-digit decimal string (10^14 ≤ id < 10^15, below 2^53 so Authlete's
 *   integer `Client.clientId` stays exact in JavaScript). Random, not sequential: one id says
 *   nothing about the next. Uniqueness is enforced by the store's primary key (the engine retries on
 *   a collision).
 * - client secret: 512 random bits, base64url (86 characters), like Authlete's. Issued only to
 *   confidential clients (RFC 7591 §3.2.1: never to `token_endpoint_auth_method: "none"`).
 * - registration access token (RFC 7592): 256 random bits, base64url (43 characters).
 *
 * Random bytes come from the operating system's CSPRNG in 16 KiB refills of a private pool (one
 * `randomFillSync` per ~150 registrations instead of one per registration); each byte is handed out
 * once and the pool is never exposed.
 *
 * Secrets and tokens are kept only as SHA-256 hashes (base64url) and compared hash-to-hash with
 * `crypto.timingSafeEqual`. Both are high-entropy random values, so a fast hash is enough: there is
 * nothing to brute-force.
 *
 * @since 0.1.0
 */
import * as Redacted from "effect/Redacted"
import { createHash, randomFillSync, timingSafeEqual } from "node:crypto"

/**
 * Bytes of randomness in a client secret (512 bits).
 *
 * @since 0.1.0
 * @category constants
 */
export const clientSecretBytes = 64

/**
 * Bytes of randomness in a registration access token (256 bits).
 *
 * @since 0.1.0
 * @category constants
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
 * @since 0.1.0
 * @category models
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
 * @since 0.1.0
 * @category constructors
 */
export const generateClientId = (): string => clientIdFrom(pool, take(8)) ?? generateClientId()

const clientIdFrom = (buffer: Buffer, offset: number): string | undefined => {
  const value = (buffer.readUInt32BE(offset) & ID_MASK_HIGH) * TWO_POW_32 + buffer.readUInt32BE(offset + 4)
  return value < ID_SPAN ? String(MIN_ID + value) : undefined
}

/**
 * A new client secret (512 bits, base64url, 86 characters).
 *
 * @since 0.1.0
 * @category constructors
 */
export const generateClientSecret = (): Redacted.Redacted<string> => Redacted.make(randomString(clientSecretBytes))

/**
 * A new registration access token (256 bits, base64url, 43 characters).
 *
 * @since 0.1.0
 * @category constructors
 */
export const generateRegistrationAccessToken = (): Redacted.Redacted<string> =>
  Redacted.make(randomString(registrationAccessTokenBytes))

const randomString = (bytes: number): string => {
  const offset = take(bytes)
  return pool.toString("base64url", offset, offset + bytes)
}

/**
 * Mints every credential of a new client.
 *
 * @since 0.1.0
 * @category constructors
 */
export const issue = (options: { readonly confidential: boolean }): IssuedCredentials => {
  const clientId = generateClientId()
  const token = randomString(registrationAccessTokenBytes)
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
 * @since 0.1.0
 * @category hashing
 */
export const hash = (secret: Redacted.Redacted<string>): string => hashString(Redacted.value(secret))

const hashString = (secret: string): string => createHash("sha256").update(secret, "utf8").digest("base64url")

/**
 * Compares a presented secret with a stored hash in constant time (hash of the presented value
 * against the stored hash, with `crypto.timingSafeEqual`). A malformed stored hash never matches.
 *
 * @since 0.1.0
 * @category hashing
 */
export const matches = (presented: Redacted.Redacted<string>, storedHash: string): boolean => {
  const expected = Buffer.from(storedHash, "base64url")
  const actual = createHash("sha256").update(Redacted.value(presented), "utf8").digest()
  return expected.length === actual.length && timingSafeEqual(expected, actual)
}

/**
 * Compares two secrets in constant time by hashing both (so different lengths leak nothing either).
 *
 * @since 0.1.0
 * @category hashing
 */
export const equals = (a: Redacted.Redacted<string>, b: Redacted.Redacted<string>): boolean =>
  timingSafeEqual(
    createHash("sha256").update(Redacted.value(a), "utf8").digest(),
    createHash("sha256").update(Redacted.value(b), "utf8").digest()
  )
