// Mirrors the snippets of the README's engine section, with a temporary database file instead of
// ./dcr.sqlite.
import { DynamicClientRegistration } from "@effect-dcr/client"
import { Engine } from "@effect-dcr/engine"
import * as SqliteClientStore from "@effect-dcr/engine/SqliteClientStore"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Redacted } from "effect"
import * as fs from "node:fs"
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
})
