import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Duration, Effect, LogLevel } from "effect"
import { ServerConfig } from "effect-dcr"

const load = (env: Record<string, string>) =>
  ServerConfig.load.pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))))

const millis = (limit: { readonly limit: number; readonly window: Duration.DurationInput } | false | undefined) =>
  limit === false || limit === undefined ? limit : [limit.limit, Duration.toMillis(Duration.decode(limit.window))]

describe("serve's rate-limit and log settings", () => {
  it.effect("on by default: 30/minute per client, 600/minute in all, 30 failed authentications/minute; info", () =>
    Effect.gen(function*() {
      const config = yield* load({})
      assert.deepStrictEqual(millis(config.rateLimit.registrations), [30, 60_000])
      assert.deepStrictEqual(millis(config.rateLimit.totalRegistrations), [600, 60_000])
      assert.deepStrictEqual(millis(config.rateLimit.failedAuthentications), [30, 60_000])
      assert.deepStrictEqual(config.rateLimit.trustedProxies, [])
      assert.strictEqual(config.rateLimit.proxyHeader, "x-forwarded-for")
      assert.strictEqual(config.logLevel, LogLevel.Info)
    }))

  it.effect("reads each variable; off switches a limit off", () =>
    Effect.gen(function*() {
      const config = yield* load({
        DCR_RATE_LIMIT_REGISTRATIONS: "5/10 seconds",
        DCR_RATE_LIMIT_TOTAL_REGISTRATIONS: "off",
        DCR_RATE_LIMIT_FAILED_AUTH: "100/hour",
        DCR_TRUSTED_PROXIES: "loopback, 10.0.0.0/8,2001:db8::/32",
        DCR_PROXY_HEADER: "forwarded",
        DCR_LOG_LEVEL: "debug"
      })
      assert.deepStrictEqual(millis(config.rateLimit.registrations), [5, 10_000])
      assert.strictEqual(config.rateLimit.totalRegistrations, false)
      assert.deepStrictEqual(millis(config.rateLimit.failedAuthentications), [100, 3_600_000])
      assert.deepStrictEqual(config.rateLimit.trustedProxies, ["loopback", "10.0.0.0/8", "2001:db8::/32"])
      assert.strictEqual(config.rateLimit.proxyHeader, "forwarded")
      assert.strictEqual(config.logLevel, LogLevel.Debug)
    }))

  it.effect("a bad value stops the start with a message naming the variable", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [string, string]> = [
        ["DCR_RATE_LIMIT_REGISTRATIONS", "30"],
        ["DCR_RATE_LIMIT_REGISTRATIONS", "0/minute"],
        ["DCR_RATE_LIMIT_TOTAL_REGISTRATIONS", "10/fortnight"],
        ["DCR_RATE_LIMIT_FAILED_AUTH", "lots"],
        ["DCR_TRUSTED_PROXIES", "10.0.0.0/8, proxy.internal"],
        ["DCR_TRUSTED_PROXIES", " , "],
        ["DCR_PROXY_HEADER", "x-real-ip"],
        ["DCR_LOG_LEVEL", "verbose"]
      ]
      for (const [name, value] of cases) {
        const error = yield* Effect.flip(load({ [name]: value }))
        assert.include(String(error), name, `${name}=${value}`)
      }
    }))
})
