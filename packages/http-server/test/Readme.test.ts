/**
 * The Effect snippets of the README ("Using the endpoints in your own Effect server"), verbatim
 * except for the port (0, not 8080), the database file (a temporary one) and `runMain` (the test
 * builds the layer in its scope instead).
 */
import { AuthleteClient, DynamicClientRegistration } from "@effect-dcr/client"
import { AuthleteApi, Engine } from "@effect-dcr/engine"
import { RegistrationApi, RegistrationResponse, RegistrationRouter } from "@effect-dcr/http-server"
import { assert, describe, it } from "@effect/vitest"
import { HttpLayerRouter, HttpRouter, HttpServer, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpClient, NodeHttpServer } from "@effect/platform-node"
import { Config, ConfigProvider, Context, Effect, Layer, Redacted } from "effect"
import { createServer } from "node:http"
import { join } from "node:path"
import { listen, tempDirectory } from "./support.js"

const register = (base: string, path = "/register") =>
  Effect.promise(() =>
    fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ client_name: "readme", redirect_uris: ["http://127.0.0.1:8080/cb"] })
    }).then(async (r) => ({ status: r.status, json: await r.json() as Record<string, any> }))
  )

const portOf = (context: Context.Context<HttpServer.HttpServer>) =>
  (Context.get(context, HttpServer.HttpServer).address as HttpServer.TcpAddress).port

describe("README snippets", () => {
  it.scoped("HttpRouter + Engine.layerSqlite", () =>
    Effect.gen(function*() {
      const dir = yield* tempDirectory
      // --- README ---
      const app = HttpRouter.empty.pipe(
        HttpRouter.get("/health", HttpServerResponse.text("ok")),
        HttpRouter.get("/openapi.json", RegistrationApi.handler()),
        HttpRouter.concat(RegistrationRouter.make({ path: "/register" }))
      )

      const DcrLive = Engine.layerSqlite({
        filename: join(dir, "dcr.sqlite"),
        registrationEndpoint: "http://localhost:8080/register"
      })

      const ServerLive = HttpServer.serve(app).pipe(
        Layer.provide(DcrLive),
        Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0 }))
      )
      // --- end ---
      const base = `http://127.0.0.1:${portOf(yield* Layer.build(ServerLive))}`
      const created = yield* register(base)
      assert.strictEqual(created.status, 201)
      assert.strictEqual(created.json.registration_client_uri, `http://localhost:8080/register/${created.json.client_id}`)
      const openapi = yield* Effect.promise(() => fetch(`${base}/openapi.json`).then((r) => r.json()))
      assert.property(openapi.paths, "/register")
    }))

  it.scoped("HttpLayerRouter + AuthleteClient.layerConfig (Authlete = the engine's local API here)", () =>
    Effect.gen(function*() {
      const dir = yield* tempDirectory
      const authlete = yield* listen
      const engine = yield* Layer.build(
        Engine.layerSqlite({ filename: join(dir, "dcr.sqlite"), registrationEndpoint: "http://localhost:8080/register" })
      )
      yield* authlete.serveApp(AuthleteApi.router({ serviceId: "1", serviceAccessToken: Redacted.make("svc") })).pipe(
        Effect.provide(engine)
      )
      const env = ConfigProvider.fromMap(
        new Map([["AUTHLETE_BASE_URL", authlete.base], ["AUTHLETE_SERVICE_ID", "1"], [
          "AUTHLETE_SERVICE_ACCESS_TOKEN",
          "svc"
        ]])
      )
      // --- README ---
      const DcrLive = AuthleteClient.layerConfig({
        baseUrl: Config.string("AUTHLETE_BASE_URL").pipe(Config.withDefault("https://us.authlete.com")),
        serviceId: Config.string("AUTHLETE_SERVICE_ID"),
        serviceAccessToken: Config.redacted("AUTHLETE_SERVICE_ACCESS_TOKEN")
      }).pipe(Layer.provide(NodeHttpClient.layerUndici))

      const ServerLive = HttpLayerRouter.serve(RegistrationRouter.layer({ path: "/register" })).pipe(
        Layer.provide(DcrLive),
        Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0 }))
      )
      // --- end ---
      const context = yield* Layer.build(ServerLive).pipe(Effect.withConfigProvider(env))
      const created = yield* register(`http://127.0.0.1:${portOf(context)}`)
      assert.strictEqual(created.status, 201)
      assert.isString(created.json.registration_access_token)
    }))

  it.scoped("toHttpServerResponse in a handler of your own", () =>
    Effect.gen(function*() {
      const dir = yield* tempDirectory
      // --- README ---
      const signUp = Effect.gen(function*() {
        const request = yield* HttpServerRequest.HttpServerRequest
        const metadata = { client_name: "from my handler", redirect_uris: ["https://app.example/cb"] }
        const response = yield* DynamicClientRegistration.register({ json: JSON.stringify(metadata) })
        yield* Effect.log(`registered for ${request.url}: ${response.action}`)
        return RegistrationResponse.toHttpServerResponse(response)
      }).pipe(Effect.catchAll(() => Effect.succeed(RegistrationResponse.serverError)))
      const app = HttpRouter.empty.pipe(HttpRouter.post("/sign-up", signUp))
      // --- end ---
      const { base, serveApp } = yield* listen
      const engine = yield* Layer.build(
        Engine.layerSqlite({ filename: join(dir, "dcr.sqlite"), registrationEndpoint: `${base}/register` })
      )
      yield* serveApp(app).pipe(Effect.provide(engine))
      const created = yield* register(base, "/sign-up")
      assert.strictEqual(created.status, 201)
      assert.strictEqual(created.json.client_name, "from my handler")
    }))
})
