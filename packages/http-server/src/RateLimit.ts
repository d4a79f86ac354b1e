/**
 * Abuse limits for the endpoints: registrations per client, registrations in all, and failed
 * authentications per client address. Counters live in this process (bounded in size); over a
 * limit the endpoints answer `429` with `Retry-After`. The rules are described in the README.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Internal from "./internal/rateLimiter.js"

/**
 * At most a burst of `limit`, refilled at `limit` per `window`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Limit {
  readonly limit: number
  readonly window: Duration.DurationInput
}

/**
 * The limits; each is on with its default unless set to `false`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * Registrations per client: by initial access token when one is presented, else by address and
   * `software_id` when the metadata has one, else by address. Default 30 per minute.
   */
  readonly registrations?: Limit | false | undefined
  /** Registrations on this instance in all, whoever asks. Default 600 per minute. */
  readonly totalRegistrations?: Limit | false | undefined
  /**
   * Failed authentications (a 401: a wrong or missing registration access token, initial access
   * token or `/api` service token) per client address. Over it, the address's requests to these
   * endpoints are refused until it has refilled. Default 30 per minute.
   */
  readonly failedAuthentications?: Limit | false | undefined
  /**
   * The proxies whose forwarding header is believed: addresses, CIDR ranges, or `loopback`,
   * `linklocal`, `uniquelocal`. Default none: the client is the TCP peer.
   */
  readonly trustedProxies?: ReadonlyArray<string> | undefined
  /** The header the trusted proxies set: `x-forwarded-for` (default) or `forwarded` (RFC 7239). */
  readonly proxyHeader?: "x-forwarded-for" | "forwarded" | undefined
  /** The most keys each limit remembers (default 100,000); the least recently used go first. */
  readonly maxKeys?: number | undefined
}

/**
 * The default limits.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults = {
  registrations: { limit: 30, window: "1 minute" },
  totalRegistrations: { limit: 600, window: "1 minute" },
  failedAuthentications: { limit: 30, window: "1 minute" },
  maxKeys: 100_000
} as const satisfies Options

/**
 * Reads a limit written as `N/window` (`30/minute`, `600/1 hour`, `5/10 seconds`), or `off`
 * (`false`): the form of the `serve` settings. Answers the reason on a bad text.
 *
 * @example
 * ```ts
 * import { RateLimit } from "@effect-dcr/http-server"
 *
 * RateLimit.parseLimit("30/minute") // Either.right({ limit: 30, window: "1 minute" })
 * RateLimit.parseLimit("off") // Either.right(false)
 * ```
 *
 * @since 0.1.0
 * @category parsers
 */
export const parseLimit = (text: string): Either.Either<Limit | false, string> => {
  const trimmed = text.trim()
  if (trimmed.toLowerCase() === "off") return Either.right(false)
  const match = /^(\d+)\s*\/\s*(.+)$/.exec(trimmed)
  const limit = match === null ? NaN : Number(match[1])
  if (match === null || !Number.isSafeInteger(limit) || limit < 1) {
    return Either.left(`expected N/window (e.g. 30/minute, 600/1 hour) or off, got ${JSON.stringify(text)}`)
  }
  const unit = match[2]!.trim()
  const window = /^[a-z]+$/i.test(unit) ? `1 ${unit}` : unit
  const decoded = Duration.decodeUnknown(window)
  if (Option.isNone(decoded) || !(Duration.toMillis(decoded.value) > 0) || !Duration.isFinite(decoded.value)) {
    return Either.left(`the window of ${JSON.stringify(text)} is not a positive duration (e.g. minute, 10 seconds)`)
  }
  return Either.right({ limit, window: decoded.value })
}

/**
 * A rate limiter built by `make`: give the same one to `RegistrationApi.layerGroup` and
 * `AuthleteApi.layerGroup` (their `rateLimit` option) so they count together.
 *
 * @since 0.1.0
 * @category models
 */
export interface RateLimiter {
  /** @internal */
  readonly address: (peer: string | undefined, headers: Internal.Headers) => string
  /** @internal Milliseconds until a registration from this client may proceed (0: now); takes one if so. */
  readonly register: (address: string, token: string | undefined, softwareId: string | undefined) => number
  /** @internal Milliseconds while the address is over its failed-authentication limit (0: not). */
  readonly authenticationWait: (address: string) => number
  /** @internal Counts a failed authentication of the address. */
  readonly failedAuthentication: (address: string) => void
}

const millis = (limit: Limit): number => {
  const window = Duration.toMillis(Duration.decode(limit.window))
  if (!(Number.isInteger(limit.limit) && limit.limit > 0) || !(window > 0 && Number.isFinite(window))) {
    throw new RangeError(`RateLimit: a limit must be a positive integer per a positive window`)
  }
  return window
}

/**
 * The first problem with a list of trusted proxies (each an address, a CIDR range, or `loopback`,
 * `linklocal`, `uniquelocal`), or `undefined` when every entry is one.
 *
 * @since 0.1.0
 * @category validation
 */
export const checkTrustedProxies = (entries: ReadonlyArray<string>): string | undefined => {
  for (const entry of entries) {
    const problem = Internal.checkTrustedProxy(entry)
    if (problem !== undefined) return `trusted proxy ${JSON.stringify(entry)}: ${problem}`
  }
  return undefined
}

const validate = (options: Options) => {
  const problem = checkTrustedProxies(options.trustedProxies ?? [])
  if (problem !== undefined) throw new RangeError(`RateLimit: ${problem}`)
}

/**
 * A rate limiter with `options` (each limit on with its default unless `false`). It reads the
 * `Clock` of the context it is built in. Dies on an invalid limit or trusted-proxy entry.
 *
 * @example
 * ```ts
 * import { RateLimit, RegistrationApi } from "@effect-dcr/http-server"
 * import { Effect, Layer } from "effect"
 *
 * const issuer = "https://auth.example"
 * const Api = Layer.unwrapEffect(Effect.map(
 *   RateLimit.make({ registrations: { limit: 10, window: "1 minute" }, trustedProxies: ["loopback"] }),
 *   (rateLimit) => RegistrationApi.layer({ issuer, rateLimit })
 * ))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<RateLimiter> =>
  Effect.clockWith((clock) =>
    Effect.sync((): RateLimiter => {
      validate(options)
      const now = () => clock.unsafeCurrentTimeMillis()
      const maxKeys = options.maxKeys ?? defaults.maxKeys
      const keyed = (limit: Limit | false | undefined, fallback: Limit) =>
        limit === false
          ? undefined
          : new Internal.Buckets(limit?.limit ?? fallback.limit, millis(limit ?? fallback), maxKeys)
      const perClient = keyed(options.registrations, defaults.registrations)
      const total = options.totalRegistrations === false ? undefined : (() => {
        const limit = options.totalRegistrations ?? defaults.totalRegistrations
        return new Internal.Bucket(limit.limit, millis(limit))
      })()
      const failures = keyed(options.failedAuthentications, defaults.failedAuthentications)
      const clientAddress = Internal.makeClientAddress(
        options.trustedProxies ?? [],
        options.proxyHeader ?? "x-forwarded-for"
      )
      return {
        address: (peer, headers) => Internal.addressKey(clientAddress(peer, headers)),
        register: (address, token, softwareId) => {
          const at = now()
          if (total !== undefined) {
            const wait = total.wait(at)
            if (wait > 0) return wait
          }
          if (perClient !== undefined) {
            const key = token !== undefined
              ? `t ${Internal.tokenKey(token)}`
              : softwareId !== undefined
              ? `s ${address} ${Internal.bounded(softwareId)}`
              : address
            const wait = perClient.take(key, at)
            if (wait > 0) return wait
          }
          return total === undefined ? 0 : total.take(at)
        },
        authenticationWait: failures === undefined ? () => 0 : (address) => failures.wait(address, now()),
        failedAuthentication: failures === undefined ? () => {} : (address) => {
          failures.take(address, now())
        }
      }
    })
  )
