/**
 * One-time authorization codes (RFC 6749 §4.1.2), bound to the client, the redirect URI, the PKCE
 * challenge, the granted scope and resource, and expiring. In memory (a real server keeps them in
 * a shared store); only their SHA-256 is kept, the code itself is `Redacted`.
 *
 * @since 0.1.0
 */
import { Credentials } from "@effect-dcr/engine"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"

/**
 * What a code was issued for.
 *
 * @since 0.1.0
 * @category models
 */
export interface Grant {
  readonly clientId: string
  /** The redirect URI the code was sent to. */
  readonly redirectUri: string
  /** Whether the authorization request named `redirect_uri` (the token request must then repeat it). */
  readonly redirectUriGiven: boolean
  readonly codeChallenge: string
  readonly scope: ReadonlyArray<string>
  /** The RFC 8707 resource the client asked for, if any. */
  readonly resource: string | undefined
}

/**
 * A code as stored: the grant and when it expires (epoch ms).
 *
 * @since 0.1.0
 * @category models
 */
export interface StoredGrant extends Grant {
  readonly expiresAt: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** Issues a fresh code for the grant. */
  readonly issue: (grant: Grant) => Effect.Effect<Redacted.Redacted<string>>
  /**
   * The grant of a code, removing it (a code is good once, whatever happens next); `None` for an
   * unknown, used or expired code.
   */
  readonly consume: (code: Redacted.Redacted<string>) => Effect.Effect<Option.Option<StoredGrant>>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class AuthorizationCodes extends Context.Tag("example/AuthorizationCodes")<AuthorizationCodes, Service>() {}

/**
 * The default code lifetime: 60 seconds (RFC 6749 §4.1.2 recommends at most 10 minutes).
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultLifetime: Duration.Duration = Duration.seconds(60)

/**
 * An in-memory store.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options?: { readonly lifetime?: Duration.DurationInput | undefined }): Service => {
  const lifetime = Duration.toMillis(options?.lifetime ?? defaultLifetime)
  const codes = new Map<string, StoredGrant>()
  const prune = (now: number) => {
    for (const [key, grant] of codes) if (grant.expiresAt <= now) codes.delete(key)
  }
  return {
    issue: Effect.fn("AuthorizationCodes.issue")(function*(grant: Grant) {
      const now = yield* Clock.currentTimeMillis
      prune(now)
      const code = Credentials.generateToken()
      codes.set(Credentials.hash(code), { ...grant, expiresAt: now + lifetime })
      return code
    }),
    consume: Effect.fn("AuthorizationCodes.consume")(function*(code: Redacted.Redacted<string>) {
      const now = yield* Clock.currentTimeMillis
      const key = Credentials.hash(code)
      const grant = codes.get(key)
      codes.delete(key)
      return grant !== undefined && grant.expiresAt > now ? Option.some(grant) : Option.none()
    })
  }
}

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: { readonly lifetime?: Duration.DurationInput | undefined }) =>
  Layer.sync(AuthorizationCodes, () => make(options))
