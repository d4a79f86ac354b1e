/**
 * `DCR_DATABASE_URL`: where the engine keeps its clients, read once into a tagged value — a SQLite
 * file (`SqliteClientStore`) or a PostgreSQL database (`PgClientStore`).
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import { fileURLToPath } from "node:url"

/**
 * A SQLite database: a file path, or `":memory:"` for a private in-memory database.
 *
 * @since 0.1.0
 * @category models
 */
export interface Sqlite {
  readonly _tag: "Sqlite"
  readonly filename: string
}

/**
 * A PostgreSQL database: the `postgres://` / `postgresql://` connection URL as given (it may hold a
 * password, hence `Redacted`), for `PgClientStore`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Postgres {
  readonly _tag: "Postgres"
  readonly url: Redacted.Redacted<string>
}

/**
 * A parsed database URL.
 *
 * @since 0.1.0
 * @category models
 */
export type DatabaseUrl = Sqlite | Postgres

const memory: Sqlite = { _tag: "Sqlite", filename: ":memory:" }

const sqlite = (filename: string): Either.Either<DatabaseUrl, string> =>
  filename === ""
    ? Either.left("The database URL names no file (e.g. sqlite:.data/effect-dcr.sqlite)")
    : Either.right({ _tag: "Sqlite", filename })

const scheme = /^([A-Za-z][A-Za-z0-9+.-]+):/

const expected = "expected postgres://…, sqlite:<path>, sqlite::memory:, a file:/// URL or a path"

const postgres = (url: string, schemeName: string): Either.Either<DatabaseUrl, string> => {
  const invalid = "Invalid PostgreSQL URL (expected postgres://[user[:password]@]host[:port]/database)"
  if (!url.startsWith("//", schemeName.length + 1)) return Either.left(invalid)
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return Either.left(invalid)
  }
  if (parsed.hash !== "") return Either.left("A PostgreSQL URL takes no fragment")
  return Either.right({ _tag: "Postgres", url: Redacted.make(url) })
}

/**
 * Reads a database URL. Accepted forms:
 *
 * - `sqlite:<path>` (`sqlite:.data/dcr.sqlite`, `sqlite:/var/lib/dcr.sqlite`), `sqlite://<path>`
 *   (`sqlite:///var/lib/dcr.sqlite` is absolute, `sqlite://dcr.sqlite` relative);
 * - `sqlite::memory:`, `sqlite://:memory:` or `:memory:`: a private in-memory database;
 * - a `file:` URL of an absolute path (`file:///var/lib/dcr.sqlite`, percent-decoded), without a
 *   query or fragment;
 * - a path without a scheme (`data/dcr.sqlite`, `/var/lib/dcr.sqlite`);
 * - `postgres://…` or `postgresql://…`: a PostgreSQL database, kept whole (`Redacted`) for the
 *   driver, which reads its host, port, user, password, database and query parameters (`sslmode`,
 *   `application_name`, `options`, …).
 *
 * Anything else is `Either.left` with a message that never repeats the URL (it may hold a password):
 * a relative `file:` URL, an empty path, a PostgreSQL URL that does not parse, another scheme.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (url: string): Either.Either<DatabaseUrl, string> => {
  if (url === ":memory:" || url === "sqlite::memory:" || url === "sqlite://:memory:") return Either.right(memory)
  if (url.startsWith("sqlite://")) return sqlite(url.slice("sqlite://".length))
  if (url.startsWith("sqlite:")) return sqlite(url.slice("sqlite:".length))
  if (url.startsWith("file:")) return fileUrl(url)
  const other = scheme.exec(url)
  if (other !== null) {
    const name = other[1]!.toLowerCase()
    return name === "postgres" || name === "postgresql"
      ? postgres(url, name)
      : Either.left(`Unsupported database URL scheme ${name}: (${expected})`)
  }
  return sqlite(url)
}

const fileUrl = (url: string): Either.Either<DatabaseUrl, string> => {
  if (!url.startsWith("file:/")) {
    return Either.left(`A file: URL must name an absolute path (file:///…); use sqlite:<path> for a relative one`)
  }
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return Either.left("Invalid file: URL")
  }
  if (parsed.search !== "" || parsed.hash !== "") return Either.left("A file: URL takes no query or fragment")
  try {
    return sqlite(fileURLToPath(parsed))
  } catch (error) {
    return Either.left(`Invalid file: URL (${error instanceof Error ? error.message : String(error)})`)
  }
}

/**
 * The database URL in the environment variable `name` (default `DCR_DATABASE_URL`), read with
 * `parse`; an invalid value is a `ConfigError` at that name. Give a default with
 * `Config.withDefault`.
 *
 * @example
 * ```ts
 * import { DatabaseUrl } from "@effect-dcr/engine"
 * import { Config } from "effect"
 *
 * const database = DatabaseUrl.config().pipe(
 *   Config.withDefault({ _tag: "Sqlite", filename: ".data/effect-dcr.sqlite" })
 * )
 * ```
 *
 * @since 0.1.0
 * @category config
 */
export const config = (name: string = "DCR_DATABASE_URL"): Config.Config<DatabaseUrl> =>
  Config.string(name).pipe(
    Config.mapOrFail((url) => Either.mapLeft(parse(url), (message) => ConfigError.InvalidData([name], message)))
  )
