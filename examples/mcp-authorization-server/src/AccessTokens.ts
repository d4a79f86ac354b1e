/**
 * Opaque bearer access tokens: random, `Redacted` in memory, stored as their SHA-256 with the
 * client, scope, resource and expiry. In memory (a real server keeps them in a shared store or
 * issues signed tokens the resource server can check on its own).
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
 * What a token grants.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenInfo {
  readonly clientId: string
  readonly scope: ReadonlyArray<string>
  /** The RFC 8707 resource the token is for; `undefined`: not restricted. */
  readonly resource: string | undefined
  readonly expiresAt: number
}

/**
 * A freshly issued token.
 *
 * @since 0.1.0
 * @category models
 */
export interface Issued {
  readonly accessToken: Redacted.Redacted<string>
  /** Seconds until it expires (`expires_in`). */
  readonly expiresIn: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly issue: (grant: Omit<TokenInfo, "expiresAt">) => Effect.Effect<Issued>
  /** What the token grants; `None` for an unknown or expired token. */
  readonly verify: (token: Redacted.Redacted<string>) => Effect.Effect<Option.Option<TokenInfo>>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class AccessTokens extends Context.Tag("example/AccessTokens")<AccessTokens, Service>() {}

/**
 * The default access token lifetime: one hour.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultLifetime: Duration.Duration = Duration.hours(1)

/**
 * An in-memory store.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options?: { readonly lifetime?: Duration.DurationInput | undefined }): Service => {
  const lifetime = Duration.toMillis(options?.lifetime ?? defaultLifetime)
  const tokens = new Map<string, TokenInfo>()
  return {
    issue: Effect.fn("AccessTokens.issue")(function*(grant: Omit<TokenInfo, "expiresAt">) {
      const now = yield* Clock.currentTimeMillis
      for (const [key, info] of tokens) if (info.expiresAt <= now) tokens.delete(key)
      const accessToken = Credentials.generateToken()
      tokens.set(Credentials.hash(accessToken), { ...grant, expiresAt: now + lifetime })
      return { accessToken, expiresIn: Math.floor(lifetime / 1000) }
    }),
    verify: Effect.fn("AccessTokens.verify")(function*(token: Redacted.Redacted<string>) {
      const now = yield* Clock.currentTimeMillis
      const info = tokens.get(Credentials.hash(token))
      return info !== undefined && info.expiresAt > now ? Option.some(info) : Option.none()
    })
  }
}

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: { readonly lifetime?: Duration.DurationInput | undefined }) =>
  Layer.sync(AccessTokens, () => make(options))
