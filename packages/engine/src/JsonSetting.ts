/**
 * Settings that hold JSON: the text itself, or `@path` for a file holding it (`DCR_POLICY`,
 * `DCR_POLICIES`, `effect-dcr serve`'s `DCR_AUTHORIZATION_SERVER_METADATA`). A file that cannot be
 * read, text that is not JSON, or JSON the parser refuses is a `ConfigError` naming the variable.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Either from "effect/Either"
import { readFileSync } from "node:fs"

/**
 * Reads the variable `name` as JSON (inline, or `@path` to a file) and hands the value to `parse`,
 * whose refusal (a reason) becomes `InvalidData` with the message `{name}: {reason}`.
 *
 * @example
 * ```ts
 * import { JsonSetting } from "@effect-dcr/engine"
 * import { Either } from "effect"
 *
 * const limits = JsonSetting.config("LIMITS", (json) =>
 *   typeof json === "object" && json !== null ? Either.right(json) : Either.left("not a JSON object"))
 * ```
 *
 * @since 0.1.0
 * @category config
 */
export const config = <A>(
  name: string,
  parse: (json: unknown) => Either.Either<A, string>
): Config.Config<A> =>
  Config.string(name).pipe(Config.mapOrFail((text): Either.Either<A, ConfigError.ConfigError> => {
    const invalid = (why: string) => Either.left(ConfigError.InvalidData([], `${name}: ${why}`))
    let source = text
    if (text.startsWith("@")) {
      try {
        source = readFileSync(text.slice(1), "utf8")
      } catch (e) {
        return invalid(`cannot read the file ${text.slice(1)} (${(e as { code?: string }).code ?? String(e)})`)
      }
    }
    let json: unknown
    try {
      json = JSON.parse(source)
    } catch (e) {
      return invalid(`not valid JSON (${e instanceof Error ? e.message : String(e)})`)
    }
    return Either.match(parse(json), { onLeft: invalid, onRight: Either.right })
  }))
