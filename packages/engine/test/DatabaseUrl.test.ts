import { DatabaseUrl } from "@effect-dcr/engine"
import { assert, describe, it } from "@effect/vitest"
import { Config, ConfigProvider, Effect, Either, Redacted } from "effect"

const sqlite = (filename: string): DatabaseUrl.DatabaseUrl => ({ _tag: "Sqlite", filename })

const left = (url: string): string => {
  const result = DatabaseUrl.parse(url)
  assert.isTrue(Either.isLeft(result), url)
  return Either.isLeft(result) ? result.left : ""
}

describe("DatabaseUrl.parse", () => {
  it("sqlite: URLs, relative or absolute", () => {
    for (
      const [url, filename] of [
        ["sqlite:.data/dcr.sqlite", ".data/dcr.sqlite"],
        ["sqlite:./dcr.sqlite", "./dcr.sqlite"],
        ["sqlite:/var/lib/dcr.sqlite", "/var/lib/dcr.sqlite"],
        ["sqlite:///var/lib/dcr.sqlite", "/var/lib/dcr.sqlite"],
        ["sqlite://dcr.sqlite", "dcr.sqlite"]
      ] as const
    ) {
      assert.deepStrictEqual(DatabaseUrl.parse(url), Either.right(sqlite(filename)), url)
    }
  })

  it("in-memory databases", () => {
    for (const url of ["sqlite::memory:", "sqlite://:memory:", ":memory:"]) {
      assert.deepStrictEqual(DatabaseUrl.parse(url), Either.right(sqlite(":memory:")), url)
    }
  })

  it("file: URLs of absolute paths, percent-decoded", () => {
    assert.deepStrictEqual(DatabaseUrl.parse("file:///var/lib/dcr.sqlite"), Either.right(sqlite("/var/lib/dcr.sqlite")))
    assert.deepStrictEqual(DatabaseUrl.parse("file:/var/lib/dcr.sqlite"), Either.right(sqlite("/var/lib/dcr.sqlite")))
    assert.deepStrictEqual(
      DatabaseUrl.parse("file://localhost/var/my%20dcr.sqlite"),
      Either.right(sqlite("/var/my dcr.sqlite"))
    )
  })

  it("bare paths", () => {
    assert.deepStrictEqual(DatabaseUrl.parse("data/dcr.sqlite"), Either.right(sqlite("data/dcr.sqlite")))
    assert.deepStrictEqual(DatabaseUrl.parse("/var/lib/dcr.sqlite"), Either.right(sqlite("/var/lib/dcr.sqlite")))
  })

  it("refuses empty paths, relative or odd file: URLs and other schemes", () => {
    assert.include(left(""), "names no file")
    assert.include(left("sqlite:"), "names no file")
    assert.include(left("sqlite://"), "names no file")
    assert.include(left("file:dcr.sqlite"), "absolute path")
    assert.include(left("file:///var/dcr.sqlite?mode=ro"), "no query")
    assert.include(left("file://db.example/var/dcr.sqlite"), "Invalid file: URL")
    assert.include(left("mysql://db/dcr"), "Unsupported database URL scheme mysql:")
  })

  it("postgres:// and postgresql:// URLs are kept whole, redacted", () => {
    for (
      const url of [
        "postgres://dcr:s3cret@db.example/dcr",
        "postgresql://dcr:s3cret@db.example:6432/dcr?sslmode=require&application_name=dcr",
        "POSTGRES://db.example/dcr",
        "postgres:///dcr?host=/var/run/postgresql"
      ]
    ) {
      const parsed = DatabaseUrl.parse(url)
      assert.isTrue(Either.isRight(parsed), url)
      if (Either.isRight(parsed) && parsed.right._tag === "Postgres") {
        assert.strictEqual(Redacted.value(parsed.right.url), url)
        assert.notInclude(String(parsed.right.url), "s3cret")
      } else assert.fail(`${url} is not a Postgres URL`)
    }
  })

  it("refuses a malformed PostgreSQL URL without repeating it (it may hold a password)", () => {
    for (
      const url of ["postgres:dcr:s3cret@db", "postgresql://dcr:s3cret@db:port/x", "postgres://dcr:s3cret@db/x#frag"]
    ) {
      const message = left(url)
      assert.include(message, "PostgreSQL URL", url)
      assert.notInclude(message, "s3cret")
    }
  })
})

describe("DatabaseUrl.config", () => {
  const read = <A>(config: Config.Config<A>, env: Record<string, string>) =>
    Effect.withConfigProvider(config, ConfigProvider.fromMap(new Map(Object.entries(env))))

  it.effect("reads DCR_DATABASE_URL (or another name); a bad value is a ConfigError naming it", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(
        yield* read(DatabaseUrl.config(), { DCR_DATABASE_URL: "sqlite:x.sqlite" }),
        sqlite("x.sqlite")
      )
      assert.deepStrictEqual(yield* read(DatabaseUrl.config("DB"), { DB: ":memory:" }), sqlite(":memory:"))
      const error = yield* Effect.flip(read(DatabaseUrl.config(), { DCR_DATABASE_URL: "postgres://u:pw@db:x/dcr" }))
      assert.include(String(error), "DCR_DATABASE_URL")
      assert.notInclude(String(error), "pw@")
    }))

  it.effect("Config.withDefault applies only when the variable is missing", () =>
    Effect.gen(function*() {
      const withDefault = DatabaseUrl.config().pipe(
        Config.withDefault<DatabaseUrl.DatabaseUrl>(sqlite(".data/effect-dcr.sqlite"))
      )
      assert.deepStrictEqual(yield* read(withDefault, {}), sqlite(".data/effect-dcr.sqlite"))
      assert.isTrue(Either.isLeft(yield* Effect.either(read(withDefault, { DCR_DATABASE_URL: "sqlite:" }))))
    }))
})
