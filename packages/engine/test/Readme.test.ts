// Mirrors the snippets of the README's engine section, with a temporary database file instead of
// ./dcr.sqlite.
import { DynamicClientRegistration } from "@effect-dcr/client"
import { ClientRegistry, ClientRegistryError, Engine } from "@effect-dcr/engine"
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

  it.live("a token endpoint with ClientRegistry", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      const AuthorizationServerLive = Layer.mergeAll(
        Engine.layer({ registrationEndpoint: "https://as.example.com/register" }),
        ClientRegistry.layer({ tokenEndpoint: "https://as.example.com/token", issuer: "https://as.example.com" })
      ).pipe(Layer.provideMerge(SqliteClientStore.layer({ filename: path.join(dir, "dcr.sqlite") })))

      const token = (authorization: string | undefined, body: URLSearchParams) =>
        Effect.gen(function*() {
          const registry = yield* ClientRegistry.ClientRegistry
          const { client, clientId } = yield* registry.authenticate({ authorization, parameters: body })
          yield* registry.checkGrantType(client, body.get("grant_type") ?? "")
          const scope = yield* registry.checkScope(client, body.get("scope") ?? undefined)
          return { status: 200, body: { client_id: clientId, scope: scope.join(" ") } }
        }).pipe(
          Effect.catchAll((error) =>
            Effect.succeed(
              error._tag === "ServerError"
                ? { status: 500, body: { error: "server_error" } }
                : {
                  status: error._tag === "InvalidClient" ? 401 : 400,
                  body: ClientRegistryError.toResponseBody(error)
                }
            )
          )
        )

      const answers = yield* Effect.gen(function*() {
        const created = yield* DynamicClientRegistration.register({
          json: JSON.stringify({ client_name: "My App", redirect_uris: ["https://app.example.com/cb"] })
        })
        const info = JSON.parse(created.responseContent!)
        const basic = (secret: string) => "Basic " + Buffer.from(`${info.client_id}:${secret}`).toString("base64")
        const body = new URLSearchParams({ grant_type: "authorization_code", code: "xyz", scope: "openid" })
        return [
          yield* token(basic(info.client_secret), body),
          yield* token(basic(info.client_secret + "x"), body),
          yield* token(basic(info.client_secret), new URLSearchParams({ grant_type: "client_credentials" })),
          yield* token(undefined, new URLSearchParams({ client_id: info.client_id, client_secret: info.client_secret }))
        ].map((answer) => [answer.status, answer.body] as const)
      }).pipe(Effect.provide(AuthorizationServerLive))
      const [ok, wrong, grant, method] = answers
      assert.strictEqual(ok![0], 200)
      assert.deepStrictEqual(wrong, [401, {
        error: "invalid_client",
        error_description: "client authentication failed"
      }])
      assert.deepStrictEqual(grant![0], 400)
      assert.strictEqual((grant![1] as { error: string }).error, "unauthorized_client")
      assert.strictEqual(method![0], 401)
      fs.rmSync(dir, { recursive: true, force: true })
    }))
})
