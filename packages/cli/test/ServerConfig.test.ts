import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Duration, Effect, Redacted } from "effect"
import { ServerConfig } from "effect-dcr"

/** The pool settings when none is given: each left to the store's default. */
const noPool = { maxConnections: undefined, connectTimeout: undefined, statementTimeout: undefined }

const load = (env: Record<string, string>) =>
  ServerConfig.load.pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))))

describe("ServerConfig", () => {
  it.effect("defaults: 127.0.0.1:3000, engine on .data/effect-dcr.sqlite, service 1, no tokens", () =>
    Effect.gen(function*() {
      const config = yield* load({})
      assert.strictEqual(config.host, "127.0.0.1")
      assert.strictEqual(config.port, 3000)
      assert.strictEqual(config.issuer, undefined)
      assert.deepStrictEqual(config.backend, {
        _tag: "Engine",
        database: { _tag: "Sqlite", filename: ".data/effect-dcr.sqlite" },
        pool: noPool
      })
      assert.strictEqual(config.serviceId, "1")
      assert.strictEqual(config.serviceAccessToken, undefined)
      assert.deepStrictEqual(config.engine.initialAccessTokens, [])
      assert.strictEqual(config.engine.requireRedirectUrisForDefaultGrant, true)
      assert.strictEqual(config.engine.dcrScopeUsedAsRequestable, true, "serve keeps scope")
    }))

  it.effect("reads every variable; secrets stay redacted", () =>
    Effect.gen(function*() {
      const config = yield* load({
        HOST: "0.0.0.0",
        PORT: "0",
        DCR_ISSUER: "https://as.example.com/tenant/",
        DCR_DATABASE_URL: "sqlite:///var/lib/dcr.sqlite",
        DCR_SERVICE_ID: "42",
        DCR_SERVICE_ACCESS_TOKEN: "svc",
        DCR_INITIAL_ACCESS_TOKEN: "iat",
        DCR_REQUIRE_REDIRECT_URIS_FOR_DEFAULT_GRANT: "false"
      })
      assert.strictEqual(config.host, "0.0.0.0")
      assert.strictEqual(config.port, 0)
      assert.strictEqual(config.issuer, "https://as.example.com/tenant")
      assert.deepStrictEqual(config.backend, {
        _tag: "Engine",
        database: { _tag: "Sqlite", filename: "/var/lib/dcr.sqlite" },
        pool: noPool
      })
      assert.strictEqual(config.serviceId, "42")
      assert.isTrue(Redacted.isRedacted(config.serviceAccessToken))
      assert.strictEqual(Redacted.value(config.serviceAccessToken!), "svc")
      assert.deepStrictEqual(config.engine.initialAccessTokens?.map(Redacted.value), ["iat"])
      assert.notInclude(String(config.serviceAccessToken), "svc")
      assert.strictEqual(config.engine.requireRedirectUrisForDefaultGrant, false)
    }))

  it.effect("Authlete is the backend when both AUTHLETE_SERVICE_ID and AUTHLETE_SERVICE_ACCESS_TOKEN are set", () =>
    Effect.gen(function*() {
      assert.include(String(yield* Effect.flip(load({ AUTHLETE_SERVICE_ID: "1" }))), "AUTHLETE_SERVICE_ACCESS_TOKEN")
      assert.include(String(yield* Effect.flip(load({ AUTHLETE_SERVICE_ACCESS_TOKEN: "t" }))), "AUTHLETE_SERVICE_ID")
      const us = (yield* load({ AUTHLETE_SERVICE_ID: "715948317", AUTHLETE_SERVICE_ACCESS_TOKEN: "t" })).backend
      assert.strictEqual(us._tag, "Authlete")
      if (us._tag !== "Authlete") return
      assert.strictEqual(us.baseUrl, "https://us.authlete.com")
      assert.strictEqual(us.serviceId, "715948317")
      assert.strictEqual(Redacted.value(us.serviceAccessToken), "t")
      const jp = (yield* load({
        AUTHLETE_SERVICE_ID: "1",
        AUTHLETE_SERVICE_ACCESS_TOKEN: "t",
        AUTHLETE_REGION: "jp",
        AUTHLETE_TIMEOUT: "3 seconds"
      })).backend
      assert.deepInclude(jp, { baseUrl: "https://jp.authlete.com" })
      assert.isTrue(jp._tag === "Authlete" && Duration.equals(jp.timeout!, Duration.seconds(3)))
      const custom = (yield* load({
        AUTHLETE_SERVICE_ID: "1",
        AUTHLETE_SERVICE_ACCESS_TOKEN: "t",
        AUTHLETE_BASE_URL: "http://127.0.0.1:9999"
      })).backend
      assert.deepInclude(custom, { baseUrl: "http://127.0.0.1:9999" })
    }))

  it.effect("invalid values fail with a ConfigError naming the variable", () =>
    Effect.gen(function*() {
      for (
        const [env, name] of [
          [{ PORT: "http" }, "PORT"],
          [{ PORT: "70000" }, "PORT"],
          [{ DCR_DATABASE_URL: "postgres:db/dcr" }, "DCR_DATABASE_URL"],
          [{ DCR_DATABASE_URL: "sqlite:" }, "DCR_DATABASE_URL"],
          [{ DCR_ISSUER: "not a url" }, "DCR_ISSUER"]
        ] as const
      ) {
        const error = yield* Effect.flip(load(env))
        assert.include(String(error), name)
      }
    }))

  it.effect("DCR_DATABASE_URL is read by the engine's DatabaseUrl parser: every form it accepts", () =>
    Effect.gen(function*() {
      for (
        const [url, filename] of [
          ["sqlite:.data/x.sqlite", ".data/x.sqlite"],
          ["sqlite:/abs/x.sqlite", "/abs/x.sqlite"],
          ["sqlite:///abs/x.sqlite", "/abs/x.sqlite"],
          ["sqlite::memory:", ":memory:"],
          ["file:///abs/x.sqlite", "/abs/x.sqlite"],
          ["data/x.sqlite", "data/x.sqlite"]
        ] as const
      ) {
        const { backend } = yield* load({ DCR_DATABASE_URL: url })
        assert.deepStrictEqual(backend, { _tag: "Engine", database: { _tag: "Sqlite", filename }, pool: noPool }, url)
      }
    }))

  it.effect("a postgres:// DCR_DATABASE_URL selects PostgreSQL, with the pool settings", () =>
    Effect.gen(function*() {
      const { backend } = yield* load({
        DCR_DATABASE_URL: "postgresql://dcr:s3cret@db.internal:5432/dcr",
        DCR_DATABASE_POOL_SIZE: "20",
        DCR_DATABASE_CONNECT_TIMEOUT: "2 seconds",
        DCR_DATABASE_STATEMENT_TIMEOUT: "500 millis"
      })
      assert.strictEqual(backend._tag, "Engine")
      if (backend._tag !== "Engine" || backend.database._tag !== "Postgres") return assert.fail("not PostgreSQL")
      assert.strictEqual(Redacted.value(backend.database.url), "postgresql://dcr:s3cret@db.internal:5432/dcr")
      assert.deepStrictEqual(backend.pool, {
        maxConnections: 20,
        connectTimeout: Duration.seconds(2),
        statementTimeout: Duration.millis(500)
      })
      for (const size of ["0", "-1", "ten", "1.5"]) {
        const error = String(yield* Effect.flip(load({ DCR_DATABASE_POOL_SIZE: size })))
        assert.include(error, "DCR_DATABASE_POOL_SIZE", size)
      }
      assert.include(
        String(yield* Effect.flip(load({ DCR_DATABASE_CONNECT_TIMEOUT: "soon" }))),
        "DCR_DATABASE_CONNECT_TIMEOUT"
      )
    }))

  it.effect("DCR_DATABASE_URL: refused forms name the variable and never echo a password", () =>
    Effect.gen(function*() {
      for (const url of ["file:x.sqlite", "sqlite://", "mysql://db/dcr", "postgres://dcr:s3cret@db:port/dcr"]) {
        const error = String(yield* Effect.flip(load({ DCR_DATABASE_URL: url })))
        assert.include(error, "DCR_DATABASE_URL", url)
        assert.notInclude(error, "s3cret", url)
      }
    }))

  it("listenUrl brackets IPv6 hosts; registrationEndpoint appends /register", () => {
    assert.strictEqual(ServerConfig.listenUrl("::1", 8080), "http://[::1]:8080")
    assert.strictEqual(ServerConfig.listenUrl("127.0.0.1", 3000), "http://127.0.0.1:3000")
    assert.strictEqual(ServerConfig.registrationEndpoint("https://as.example.com/"), "https://as.example.com/register")
  })
})
