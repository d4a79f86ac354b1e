/**
 * Client assertions (RFC 7523 §2.2 and §3, OpenID Connect Core §9): a JWT with `iss` = `sub` = the
 * client id, an `aud` naming the token endpoint (or the issuer) and an `exp` in the future, signed
 * by one of the client's registered keys (inline `jwks`: `private_key_jwt`) or with the client
 * secret as HMAC key (its UTF-8 octets: `client_secret_jwt`). Verified with `jose`, loaded on first
 * use so that importing the package does not load it.
 *
 * @internal
 */
import { JwsAlg } from "@effect-dcr/schema"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Jose from "jose"
import { InvalidClient } from "../ClientRegistryError.js"

let loaded: Promise<typeof Jose> | undefined
const jose = (): Promise<typeof Jose> => (loaded ??= import("jose"))

/**
 * The signature algorithms a client assertion may use: every asymmetric JWS algorithm (never
 * `none`, never an HMAC: that would be `client_secret_jwt`).
 *
 * @internal
 */
export const asymmetricAlgorithms: ReadonlyArray<string> = JwsAlg.metadataValues.filter((alg) =>
  alg !== "none" && !alg.startsWith("HS")
)

/**
 * The HMAC algorithms of `client_secret_jwt`.
 *
 * @internal
 */
export const hmacAlgorithms: ReadonlyArray<string> = JwsAlg.metadataValues.filter((alg) => alg.startsWith("HS"))

/**
 * What verifies the signature: the client's registered `jwks` (JSON text) for `private_key_jwt`,
 * or its secret for `client_secret_jwt`.
 *
 * @internal
 */
export type VerificationKey =
  | { readonly method: "private_key_jwt"; readonly jwks: string }
  | { readonly method: "client_secret_jwt"; readonly secret: Redacted.Redacted<string> }

/** @internal */
export interface VerifyOptions {
  readonly clientId: string
  readonly key: VerificationKey
  /** The client's registered `token_endpoint_auth_signing_alg`, if any: then only that one is accepted. */
  readonly signingAlg: string | undefined
  /** Accepted `aud` values (one is enough). */
  readonly audience: ReadonlyArray<string>
  /** Now, epoch milliseconds. */
  readonly now: number
  /** Clock skew allowed on `exp` and `nbf`, seconds. */
  readonly clockTolerance: number
}

/**
 * What a verified assertion tells the authorization server, e.g. for a `jti` replay cache.
 *
 * @internal
 */
export interface VerifiedAssertion {
  readonly jti: string | undefined
  /** `exp`, epoch milliseconds. */
  readonly expiresAt: number
}

type Method = VerificationKey["method"]

const invalid = (clientId: string | undefined, description: string, method: Method = "private_key_jwt") =>
  new InvalidClient({ reason: "InvalidAssertion", clientId, method, description })

/**
 * The `sub` of an assertion, not verified: only to find the client whose keys verify it.
 *
 * @internal
 */
export const unverifiedSubject = (assertion: Redacted.Redacted<string>): Effect.Effect<string, InvalidClient> =>
  Effect.flatMap(Effect.promise(jose), (J) => {
    try {
      const sub = J.decodeJwt(Redacted.value(assertion)).sub
      return typeof sub === "string" && sub !== ""
        ? Effect.succeed(sub)
        : Effect.fail(invalid(undefined, "the client assertion has no sub claim and no client_id was sent"))
    } catch {
      return Effect.fail(invalid(undefined, "the client assertion is not a JWT"))
    }
  })

const describe = (J: typeof Jose, error: unknown, method: Method): string => {
  if (error instanceof J.errors.JWTExpired) return "the client assertion has expired"
  if (error instanceof J.errors.JWTClaimValidationFailed) {
    return `the client assertion's ${error.claim} claim is ${error.reason === "missing" ? "missing" : "not valid"}`
  }
  if (error instanceof J.errors.JWSSignatureVerificationFailed) {
    return method === "client_secret_jwt"
      ? "the client assertion's signature does not verify with the client secret"
      : "the client assertion's signature does not verify with the client's registered keys"
  }
  if (error instanceof J.errors.JWKSNoMatchingKey) return "no registered key of the client matches the client assertion"
  if (error instanceof J.errors.JOSEAlgNotAllowed || error instanceof J.errors.JOSENotSupported) {
    return "the client assertion's alg is not allowed"
  }
  return "the client assertion is not a valid signed JWT"
}

const utf8 = new TextEncoder()

/** `jwtVerify` against a JWK Set; when several registered keys fit the header (no `kid`), each one is tried. */
const verifyWithKeySet = (
  J: typeof Jose,
  jwt: string,
  keys: ReturnType<typeof Jose.createLocalJWKSet>,
  options: Jose.JWTVerifyOptions
): Promise<Jose.JWTVerifyResult> =>
  J.jwtVerify(jwt, keys, options).catch(async (error: unknown) => {
    if (!(error instanceof J.errors.JWKSMultipleMatchingKeys)) throw error
    for await (const key of error) {
      try {
        return await J.jwtVerify(jwt, key, options)
      } catch (inner) {
        if (!(inner instanceof J.errors.JWSSignatureVerificationFailed)) throw inner
      }
    }
    throw new J.errors.JWSSignatureVerificationFailed()
  })

/**
 * Verifies a client assertion against the client's inline `jwks` or its secret.
 *
 * @internal
 */
export const verify = (
  assertion: Redacted.Redacted<string>,
  options: VerifyOptions
): Effect.Effect<VerifiedAssertion, InvalidClient> =>
  Effect.flatMap(Effect.promise(jose), (J) => {
    const { clientId, key } = options
    const method = key.method
    const allowed = method === "client_secret_jwt" ? hmacAlgorithms : asymmetricAlgorithms
    const algorithms = options.signingAlg === undefined
      ? allowed
      : allowed.filter((alg) => alg === options.signingAlg)
    const verifyOptions: Jose.JWTVerifyOptions = {
      algorithms: [...algorithms],
      issuer: clientId,
      subject: clientId,
      audience: [...options.audience],
      requiredClaims: ["exp"],
      currentDate: new Date(options.now),
      clockTolerance: options.clockTolerance
    }
    const jwt = Redacted.value(assertion)
    let verified: () => Promise<Jose.JWTVerifyResult>
    if (key.method === "client_secret_jwt") {
      const secret = utf8.encode(Redacted.value(key.secret))
      verified = () => J.jwtVerify(jwt, secret, verifyOptions)
    } else {
      let keys: ReturnType<typeof J.createLocalJWKSet>
      try {
        keys = J.createLocalJWKSet(JSON.parse(key.jwks))
      } catch {
        return Effect.fail(
          new InvalidClient({
            reason: "UnusableKeys",
            clientId,
            method,
            description: "the client's registered jwks is not a usable JWK Set"
          })
        )
      }
      verified = () => verifyWithKeySet(J, jwt, keys, verifyOptions)
    }
    if (algorithms.length === 0) {
      return Effect.fail(
        invalid(
          clientId,
          method === "client_secret_jwt"
            ? "the client's token_endpoint_auth_signing_alg is not an HMAC algorithm"
            : "the client's token_endpoint_auth_signing_alg is not an asymmetric algorithm",
          method
        )
      )
    }
    return Effect.tryPromise({
      try: verified,
      catch: (error) => invalid(clientId, describe(J, error, method), method)
    }).pipe(
      Effect.map(({ payload }) => ({
        jti: typeof payload.jti === "string" ? payload.jti : undefined,
        expiresAt: (payload.exp ?? 0) * 1000
      }))
    )
  })
