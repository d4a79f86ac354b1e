// Mirrors the snippets of the engine's README section (.scratch/README-engine.md), with a temporary
// database file and an ephemeral port instead of ./dcr.sqlite and 8080.
import { Authlete } from "@authlete/typescript-sdk"
import { DynamicClientRegistration } from "@effect-dcr/client"
import { AuthleteApi, Engine, SqliteClientStore } from "@effect-dcr/engine"
import { HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Redacted } from "effect"
import * as fs from "node:fs"
import { createServer } from "node:http"
import * as path from "node:path"
import { tempDir } from "./_helpers.js"

describe("README snippets", () => {
  it.live("using the engine from an Effect program", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      const DcrLive = Engine.layerSqlite({
        filename: path.join(dir, "dcr.sqlite"),
        registrationEndpoint: "https://as.example.com/register"
      })

      const program = Effect.gen(function*() {
        const created = yield* DynamicClientRegistration.register({
          json: JSON.stringify({ client_name: "My App", redirect_uris: ["https://app.example.com/cb"] })
        })
        if (created.action !== "CREATED") {
          return yield* Effect.fail(new Error(created.responseContent))
        }
        const info = JSON.parse(created.responseContent!)
        const read = yield* DynamicClientRegistration.get({
          clientId: info.client_id,
          token: Redacted.make(info.registration_access_token)
        })
        return read.client?.clientName
      })

      const name = yield* Effect.promise(() => Effect.runPromise(program.pipe(Effect.provide(DcrLive))))
      assert.strictEqual(name, "My App")
      fs.rmSync(dir, { recursive: true, force: true })
    }))

  it.live("configuring the engine from the environment", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      const DcrFromEnv = Engine.layerConfig().pipe(Layer.provide(SqliteClientStore.layerUrlConfig()))
      const env = ConfigProvider.fromMap(
        new Map([
          ["DCR_REGISTRATION_ENDPOINT", "https://as.example.com/register"],
          ["DCR_DATABASE_URL", `sqlite:${path.join(dir, "env.sqlite")}`]
        ])
      )
      const created = yield* DynamicClientRegistration.register({
        json: JSON.stringify({ client_name: "env", redirect_uris: ["https://app.example.com/cb"] })
      }).pipe(Effect.provide(DcrFromEnv.pipe(Layer.provide(Layer.setConfigProvider(env)))))
      assert.strictEqual(created.action, "CREATED")
      assert.isTrue(fs.existsSync(path.join(dir, "env.sqlite")))
      fs.rmSync(dir, { recursive: true, force: true })
    }))

  it.live("serving the Authlete-compatible API and calling it with the official SDK", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      const AuthleteCompatibleServer = AuthleteApi.layer({
        serviceId: "715948317",
        serviceAccessToken: Redacted.make("change-me")
      }).pipe(
        Layer.provide(
          Engine.layerSqlite({
            filename: path.join(dir, "dcr.sqlite"),
            registrationEndpoint: "https://as.example.com/register"
          })
        ),
        Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" }))
      )
      const action = yield* Effect.gen(function*() {
        const address = (yield* HttpServer.HttpServer).address as HttpServer.TcpAddress
        const authlete = new Authlete({ serverURL: `http://127.0.0.1:${address.port}`, bearer: "change-me" })
        const response = yield* Effect.promise(() =>
          authlete.dynamicClientRegistration.register({
            serviceId: "715948317",
            requestBody: {
              json: JSON.stringify({ client_name: "My App", redirect_uris: ["https://app.example.com/cb"] })
            }
          })
        )
        return response.action
      }).pipe(Effect.provide(AuthleteCompatibleServer))
      assert.strictEqual(action, "CREATED")
      fs.rmSync(dir, { recursive: true, force: true })
    }))
})
