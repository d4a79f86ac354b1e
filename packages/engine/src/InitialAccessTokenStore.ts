/**
 * Managed RFC 7591 §3 initial access tokens, as Keycloak has them: each stored only as a SHA-256
 * hash, with an expiry, a maximum number of registrations, an optional registration policy name and
 * revocation. `SqliteClientStore.layer` provides this service on the same database file as the
 * clients; the engine uses it when it is in context.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type { ClientStoreError } from "./ClientStore.js"
import * as Credentials from "./internal/credentials.js"

/**
 * A stored initial access token as the operator sees it (never the token, nor its hash).
 *
 * @since 0.1.0
 * @category models
 */
export interface InitialAccessToken {
  /** A short random id (16 hex digits) naming the token in `list` and `revoke`. */
  readonly id: string
  /** The registration policy attached to the token; `undefined` for none. */
  readonly policy: string | undefined
  /** Creation time, epoch milliseconds. */
  readonly createdAt: number
  /** The token is refused from this time on, epoch milliseconds. */
  readonly expiresAt: number
  /** How many registrations the token allows in all (at least 1). */
  readonly maxUses: number
  /** How many registrations it has been used for. */
  readonly uses: number
  /** When it was revoked, epoch milliseconds; `undefined` while it is not. */
  readonly revokedAt: number | undefined
}

/**
 * A new token for `create`: its id, the SHA-256 (base64url) of the token, and its limits.
 *
 * @since 0.1.0
 * @category models
 */
export interface NewInitialAccessToken {
  readonly id: string
  readonly tokenHash: string
  readonly policy: string | undefined
  readonly createdAt: number
  readonly expiresAt: number
  readonly maxUses: number
}

/**
 * One use taken by `consume`: the token's id (to `release` it) and its policy.
 *
 * @since 0.1.0
 * @category models
 */
export interface Use {
  readonly id: string
  readonly policy: string | undefined
}

/**
 * The store's operations.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** Stores a new token with no use taken. Fails with `ClientStoreError` if the id or hash exists. */
  readonly create: (token: NewInitialAccessToken) => Effect.Effect<void, ClientStoreError>
  /**
   * Takes one use of the token whose hash is `tokenHash`, in one atomic step, if at `now` (epoch
   * milliseconds) it is not revoked, `now < expiresAt` and `uses < maxUses`. `Some` with the use
   * when it was taken; `None` when there is no such token or it is revoked, expired or used up. Of
   * any number of concurrent calls (also from several processes) at most `maxUses - uses` succeed.
   */
  readonly consume: (tokenHash: string, now: number) => Effect.Effect<Option.Option<Use>, ClientStoreError>
  /**
   * Gives back one use taken by `consume` whose registration did not happen (atomic; `uses` never
   * goes below 0). Releasing a revoked or expired token's use changes nothing that matters: it stays
   * refused.
   */
  readonly release: (id: string) => Effect.Effect<void, ClientStoreError>
  /** Every token, oldest first, including expired, used-up and revoked ones. */
  readonly list: Effect.Effect<ReadonlyArray<InitialAccessToken>, ClientStoreError>
  /**
   * Revokes the token named `id` at `now`: `consume` refuses it from then on. `true` when it
   * existed and was not revoked yet; `false` otherwise (nothing changes).
   */
  readonly revoke: (id: string, now: number) => Effect.Effect<boolean, ClientStoreError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class InitialAccessTokenStore
  extends Context.Tag("@effect-dcr/engine/InitialAccessTokenStore")<InitialAccessTokenStore, Service>()
{}

/**
 * What `issue` mints.
 *
 * @since 0.1.0
 * @category models
 */
export interface IssueOptions {
  /** How long the token is accepted, from now (finite, more than zero). */
  readonly expiresIn: Duration.DurationInput
  /** How many registrations it allows in all (an integer, at least 1). */
  readonly maxUses: number
  /** The registration policy applied to the registrations made with it. */
  readonly policy?: string | undefined
}

/**
 * A newly issued token: the token itself (shown once: only its hash is stored) and its record.
 *
 * @since 0.1.0
 * @category models
 */
export interface Issued {
  readonly token: Redacted.Redacted<string>
  readonly details: InitialAccessToken
}

/**
 * `issue` was given an expiry or a use count it cannot honour.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidIssueOptions extends Schema.TaggedError<InvalidIssueOptions>()("InvalidIssueOptions", {
  message: Schema.String
}) {}

/**
 * Mints a managed initial access token (256 random bits), stores its SHA-256 hash with the limits,
 * and returns the token once.
 *
 * @example
 * ```ts
 * import { InitialAccessTokenStore } from "@effect-dcr/engine"
 * import * as SqliteClientStore from "@effect-dcr/engine/SqliteClientStore"
 * import { Effect, Redacted } from "effect"
 *
 * const program = InitialAccessTokenStore.issue({ expiresIn: "7 days", maxUses: 10 }).pipe(
 *   Effect.map(({ details, token }) => `${details.id}: ${Redacted.value(token)}`),
 *   Effect.provide(SqliteClientStore.layer({ filename: "./dcr.sqlite" }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const issue = Effect.fn("InitialAccessTokenStore.issue")(function*(options: IssueOptions) {
  const store = yield* InitialAccessTokenStore
  const lifetime = Duration.decode(options.expiresIn)
  if (!Duration.isFinite(lifetime) || Duration.toMillis(lifetime) <= 0) {
    return yield* new InvalidIssueOptions({ message: "The expiry must be a finite duration longer than zero" })
  }
  if (!Number.isSafeInteger(options.maxUses) || options.maxUses < 1) {
    return yield* new InvalidIssueOptions({ message: "The maximum number of uses must be an integer of at least 1" })
  }
  const now = yield* Clock.currentTimeMillis
  const token = Credentials.generateInitialAccessToken()
  const details: InitialAccessToken = {
    id: Credentials.generateTokenId(),
    policy: options.policy,
    createdAt: now,
    expiresAt: now + Math.ceil(Duration.toMillis(lifetime)),
    maxUses: options.maxUses,
    uses: 0,
    revokedAt: undefined
  }
  yield* store.create({
    id: details.id,
    tokenHash: Credentials.hash(token),
    policy: details.policy,
    createdAt: details.createdAt,
    expiresAt: details.expiresAt,
    maxUses: details.maxUses
  })
  return { token, details } satisfies Issued
})
