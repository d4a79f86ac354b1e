/**
 * `serve`'s settings for connection limits, shutdown, CORS, the backend check and the
 * Authlete-compatible API: defaults on, values read, contradictions refused naming the variables.
 * (`Lifecycle.e2e.test.ts` runs the same settings in a real process.)
 */
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Duration, Effect } from "effect"
import { ServerConfig } from "effect-dcr"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const load = (env: Record<string, string>) =>
  ServerConfig.load.pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))))

const refusal = (env: Record<string, string>) => Effect.map(Effect.flip(load(env)), String)

describe("serve settings: limits, shutdown, CORS, backend check, /api", () => {
  it.effect("defaults: every limit on, CORS for any origin, the backend checked, no /api", () =>
    Effect.gen(function*() {
      const config = yield* load({})
      assert.deepStrictEqual(config.limits, {
        maxConnections: 512,
        maxConnectionsPerAddress: 64,
        headersTimeout: Duration.seconds(10),
        requestTimeout: Duration.seconds(30),
        keepAliveTimeout: Duration.seconds(5),
        shutdownTimeout: Duration.seconds(10)
      })
      assert.deepStrictEqual(config.cors, { allowedOrigins: "*" })
      assert.isTrue(config.checkBackend)
      assert.isFalse(config.authleteApi)
      assert.strictEqual(config.serviceAccessTokenFile, ".data/service-access-token")
    }))

  it.effect("reads them", () =>
    Effect.gen(function*() {
      const config = yield* load({
        DCR_MAX_CONNECTIONS: "0",
        DCR_MAX_CONNECTIONS_PER_ADDRESS: "8",
        DCR_HEADERS_TIMEOUT: "2s",
        DCR_REQUEST_TIMEOUT: "0",
        DCR_KEEP_ALIVE_TIMEOUT: "1 second",
        DCR_SHUTDOWN_TIMEOUT: "1m",
        DCR_CORS_ORIGINS: "https://App.example, http://localhost:6274/",
        DCR_CHECK_BACKEND: "false",
        DCR_AUTHLETE_API: "true",
        DCR_SERVICE_ACCESS_TOKEN_FILE: "/run/dcr/token"
      })
      assert.deepStrictEqual(config.limits, {
        maxConnections: 0,
        maxConnectionsPerAddress: 8,
        headersTimeout: Duration.seconds(2),
        requestTimeout: Duration.zero,
        keepAliveTimeout: Duration.seconds(1),
        shutdownTimeout: Duration.minutes(1)
      })
      assert.deepStrictEqual(config.cors, { allowedOrigins: ["https://app.example", "http://localhost:6274"] })
      assert.isFalse(config.checkBackend)
      assert.isTrue(config.authleteApi)
      assert.strictEqual(config.serviceAccessTokenFile, "/run/dcr/token")
      assert.strictEqual((yield* load({ DCR_CORS_ORIGINS: "off" })).cors, false)
      assert.isTrue((yield* load({ DCR_SERVICE_ACCESS_TOKEN: "chosen" })).authleteApi, "a chosen token serves /api")
    }))

  it.effect("DCR_ISSUER: an http(s) URL without userinfo, query or fragment", () =>
    Effect.gen(function*() {
      assert.strictEqual(
        (yield* load({ DCR_ISSUER: "https://as.example.com/tenant/" })).issuer,
        "https://as.example.com/tenant"
      )
      for (
        const [issuer, reason] of [
          ["https://user:pw@as.example.com", "userinfo"],
          ["https://as.example.com?x=1", "query"],
          ["https://as.example.com/?", "query"],
          ["https://as.example.com#top", "fragment"],
          ["ftp://as.example.com", "http(s)"],
          ["as.example.com", "absolute"]
        ]
      ) {
        const message = yield* refusal({ DCR_ISSUER: issuer! })
        assert.include(message, "DCR_ISSUER", issuer)
        assert.include(message, reason!, issuer)
        assert.notInclude(message, "pw@", "the refused issuer's password is not echoed")
      }
    }))

  it.effect("DCR_AUTHORIZATION_SERVER_METADATA: RFC 8414 metadata, inline or @path; unset, none", () =>
    Effect.gen(function*() {
      assert.isUndefined((yield* load({})).authorizationServerMetadata)
      const metadata = {
        authorization_endpoint: "https://as.example.com/authorize",
        token_endpoint: "https://as.example.com/token",
        response_types_supported: ["code"]
      }
      const inline = yield* load({ DCR_AUTHORIZATION_SERVER_METADATA: JSON.stringify(metadata) })
      assert.deepStrictEqual(inline.authorizationServerMetadata, metadata)
      const dir = mkdtempSync(join(tmpdir(), "effect-dcr-as-metadata-"))
      try {
        writeFileSync(join(dir, "as.json"), JSON.stringify(metadata))
        const fromFile = yield* load({ DCR_AUTHORIZATION_SERVER_METADATA: `@${join(dir, "as.json")}` })
        assert.deepStrictEqual(fromFile.authorizationServerMetadata, metadata)
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
      const message = yield* refusal({
        DCR_AUTHORIZATION_SERVER_METADATA: JSON.stringify({ response_types_supported: [] })
      })
      assert.include(message, "DCR_AUTHORIZATION_SERVER_METADATA")
      assert.include(message, "authorization_endpoint is missing")
    }))

  it.effect("refusals name the variables", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [Record<string, string>, ReadonlyArray<string>]> = [
        [{ AUTHLETE_SERVICE_ID: "715948317" }, ["AUTHLETE_SERVICE_ID", "AUTHLETE_SERVICE_ACCESS_TOKEN"]],
        [{ AUTHLETE_SERVICE_ACCESS_TOKEN: "t" }, ["AUTHLETE_SERVICE_ACCESS_TOKEN", "AUTHLETE_SERVICE_ID"]],
        [{ DCR_MAX_CONNECTIONS: "-1" }, ["DCR_MAX_CONNECTIONS"]],
        [{ DCR_MAX_CONNECTIONS_PER_ADDRESS: "many" }, ["DCR_MAX_CONNECTIONS_PER_ADDRESS"]],
        [{ DCR_HEADERS_TIMEOUT: "soon" }, ["DCR_HEADERS_TIMEOUT"]],
        [{ DCR_SHUTDOWN_TIMEOUT: "forever" }, ["DCR_SHUTDOWN_TIMEOUT"]],
        [{ DCR_HEADERS_TIMEOUT: "20s", DCR_REQUEST_TIMEOUT: "10s" }, ["DCR_HEADERS_TIMEOUT", "DCR_REQUEST_TIMEOUT"]],
        [{ DCR_CORS_ORIGINS: "https://app.example/callback" }, ["DCR_CORS_ORIGINS"]],
        [{ DCR_CORS_ORIGINS: "*, https://app.example" }, ["DCR_CORS_ORIGINS"]],
        [
          { AUTHLETE_SERVICE_ID: "1", AUTHLETE_SERVICE_ACCESS_TOKEN: "t", DCR_AUTHLETE_API: "true" },
          ["DCR_AUTHLETE_API"]
        ],
        [
          { AUTHLETE_SERVICE_ID: "1", AUTHLETE_SERVICE_ACCESS_TOKEN: "t", DCR_SERVICE_ACCESS_TOKEN: "s" },
          ["DCR_SERVICE_ACCESS_TOKEN"]
        ],
        // with Authlete nothing here resolves metadata documents: discovery must not advertise them
        [
          { AUTHLETE_SERVICE_ID: "1", AUTHLETE_SERVICE_ACCESS_TOKEN: "t", DCR_CLIENT_ID_METADATA_DOCUMENTS: "true" },
          ["DCR_CLIENT_ID_METADATA_DOCUMENTS", "DCR_AUTHORIZATION_SERVER_METADATA"]
        ],
        [
          { AUTHLETE_SERVICE_ID: "1", AUTHLETE_SERVICE_ACCESS_TOKEN: "t", DCR_CIMD_ALLOW_INSECURE_LOOPBACK: "true" },
          ["DCR_CIMD_ALLOW_INSECURE_LOOPBACK"]
        ],
        // the development switch alone would be silently ignored
        [{ DCR_CIMD_ALLOW_INSECURE_LOOPBACK: "true" }, [
          "DCR_CIMD_ALLOW_INSECURE_LOOPBACK",
          "DCR_CLIENT_ID_METADATA_DOCUMENTS=true"
        ]]
      ]
      for (const [env, names] of cases) {
        const message = yield* refusal(env)
        for (const name of names) assert.include(message, name, JSON.stringify(env))
      }
    }))
})
