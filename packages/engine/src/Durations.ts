/**
 * Durations as an operator types them: `7d`, `12h`, `30m`, `45s`, `2w` (one number and a unit
 * letter), or effect's `7 days` / `90 minutes`; `0` is zero. Read by `DCR_CLIENT_SECRET_LIFETIME` and
 * `effect-dcr iat create --expires`.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Option from "effect/Option"

const units: Record<string, Duration.Unit> = { s: "seconds", m: "minutes", h: "hours", d: "days", w: "weeks" }

const compact = /^(\d+(?:\.\d+)?)\s*([smhdw])$/

/**
 * Parses a duration; `None` for anything else (negative, empty, an unknown unit, infinite).
 *
 * @example
 * ```ts
 * import { Durations } from "@effect-dcr/engine"
 * import { Duration, Option } from "effect"
 *
 * Option.map(Durations.parse("7d"), Duration.toHours) // Option.some(168)
 * ```
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (text: string): Option.Option<Duration.Duration> => {
  const trimmed = text.trim()
  if (trimmed === "0") return Option.some(Duration.zero)
  const short = compact.exec(trimmed)
  const duration = short !== null
    ? Option.some(Duration.decode(`${Number(short[1])} ${units[short[2]!]!}`))
    : Duration.decodeUnknown(trimmed)
  return Option.filter(duration, Duration.isFinite)
}

/**
 * A `Config` of a duration in the forms of `parse`.
 *
 * @since 0.1.0
 * @category config
 */
export const config = (name: string): Config.Config<Duration.Duration> =>
  Config.string(name).pipe(Config.mapOrFail((text) =>
    Option.match(parse(text), {
      onNone: () =>
        Either.left(
          ConfigError.InvalidData([], "Expected a duration such as 0, 45s, 30m, 12h, 7d, 2w or 90 days")
        ),
      onSome: Either.right
    })
  ))
