/**
 * The Effect snippets of the README's http-server section, verbatim except for the port (0, not
 * 8080), the database file (a temporary one) and `Layer.launch(...)` / `runMain` (the test builds
 * the layer in its scope instead). Each snippet is self-contained: the imports it needs are the
 * ones at the top of this file.
 */
import { AuthleteClient, DynamicClientRegistration } from "@effect-dcr/client"
import { Engine } from "@effect-dcr/engine"
import { AuthleteApi, Discovery, RegistrationApi, RegistrationResponse } from "@effect-dcr/http-server"
import * as NodeRegistrationServer from "@effect-dcr/http-server/NodeRegistrationServer"
import {
  HttpApi,
  HttpApiBuilder,
  HttpApiEndpoint,
  HttpApiGroup,
  HttpRouter,
  HttpServer,
  HttpServerRequest
} from "@effect/platform"
import { NodeHttpClient, NodeHttpServer } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Config, ConfigProvider, Context, Effect, Either, Layer, Redacted, Schema } from "effect"
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

const getJson = (url: string) =>
  Effect.promise(() =>
    fetch(url).then(async (r) => ({ status: r.status, json: await r.json() as Record<string, any> }))
  )

const baseOf = (context: Context.Context<HttpServer.HttpServer>) =>
  `http://127.0.0.1:${(Context.get(context, HttpServer.HttpServer).address as HttpServer.TcpAddress).port}`

describe("README snippets", () => {
  it.scoped("RegistrationApi.layer on the embedded engine", () =>
    Effect.gen(function*() {
      const dir = yield* tempDirectory
      // --- README ---
      const issuer = "http://localhost:8080"

      const DcrLive = Engine.layerSqlite({
        filename: join(dir, "dcr.sqlite"),
        registrationEndpoint: `${issuer}/register`
      })

      const ServerLive = HttpApiBuilder.serve().pipe(
        Layer.provide(RegistrationApi.layer({ issuer })),
        Layer.provide(DcrLive),
        Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0 }))
      )
      // --- end ---
      const base = baseOf(yield* Layer.build(ServerLive))
      const created = yield* register(base)
      assert.strictEqual(created.status, 201)
      assert.strictEqual(
        created.json.registration_client_uri,
        `http://localhost:8080/register/${created.json.client_id}`
      )
      const openapi = yield* getJson(`${base}/openapi.json`)
      assert.property(openapi.json.paths, "/register")
      const metadata = yield* getJson(`${base}/.well-known/oauth-authorization-server`)
      assert.deepStrictEqual(metadata.json, { issuer, registration_endpoint: `${issuer}/register` })
    }))

  it.scoped("RegistrationApi.layer with the authorization server's metadata (Discovery.checkMetadata)", () =>
    Effect.gen(function*() {
      const dir = yield* tempDirectory
      // --- README ---
      const issuer = "https://as.example.com"
      const registrationEndpoint = `${issuer}/register`

      const metadata = Either.getOrThrowWith(
        Discovery.checkMetadata({
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          response_types_supported: ["code"],
          code_challenge_methods_supported: ["S256"]
        }, { issuer, registrationEndpoint }),
        (reason) => new Error(`authorization server metadata: ${reason}`)
      )

      const ServerLive = HttpApiBuilder.serve().pipe(
        // GET /.well-known/oauth-authorization-server: metadata + issuer + registration_endpoint
        Layer.provide(RegistrationApi.layer({ issuer, metadata })),
        Layer.provide(Engine.layerSqlite({ filename: join(dir, "dcr.sqlite"), registrationEndpoint })),
        Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0 }))
      )
      // --- end ---
      const base = baseOf(yield* Layer.build(ServerLive))
      const document = yield* getJson(`${base}/.well-known/oauth-authorization-server`)
      assert.deepStrictEqual(document.json, {
        authorization_endpoint: "https://as.example.com/authorize",
        token_endpoint: "https://as.example.com/token",
        response_types_supported: ["code"],
        code_challenge_methods_supported: ["S256"],
        issuer,
        registration_endpoint: registrationEndpoint
      })
      assert.strictEqual((yield* register(base)).status, 201)
    }))

  it.scoped("the same on Node.js with the register fast path: one layer changed", () =>
    Effect.gen(function*() {
      const dir = yield* tempDirectory
      const issuer = "http://localhost:8080"
      const DcrLive = Engine.layerSqlite({
        filename: join(dir, "dcr.sqlite"),
        registrationEndpoint: `${issuer}/register`
      })
      // --- README ---
      const ServerLive = HttpApiBuilder.serve().pipe(
        Layer.provide(RegistrationApi.layer({ issuer })),
        Layer.provide(DcrLive),
        Layer.provideMerge(NodeRegistrationServer.layer({ port: 0 }))
      )
      // --- end ---
      const base = baseOf(yield* Layer.build(ServerLive))
      const created = yield* register(base)
      assert.strictEqual(created.status, 201)
      const read = yield* Effect.promise(() =>
        fetch(`${base}/register/${created.json.client_id}`, {
          headers: { authorization: `Bearer ${created.json.registration_access_token}` }
        })
      )
      assert.strictEqual(read.status, 200)
    }))

  it.scoped("the same on Authlete: AuthleteClient.layerConfig in place of the engine (the engine's local API plays Authlete)", () =>
    Effect.gen(function*() {
      const dir = yield* tempDirectory
      const authlete = yield* listen
      yield* authlete.serve(
        AuthleteApi.layer({ serviceId: "1", serviceAccessToken: Redacted.make("svc") }).pipe(
          Layer.provide(Engine.layerSqlite({
            filename: join(dir, "dcr.sqlite"),
            registrationEndpoint: "http://localhost:8080/register"
          }))
        )
      )
      const env = ConfigProvider.fromMap(
        new Map([
          ["AUTHLETE_BASE_URL", authlete.base],
          ["AUTHLETE_SERVICE_ID", "1"],
          ["AUTHLETE_SERVICE_ACCESS_TOKEN", "svc"]
        ])
      )
      // --- README ---
      const issuer = "http://localhost:8080"

      const DcrLive = AuthleteClient.layerConfig({
        baseUrl: Config.string("AUTHLETE_BASE_URL").pipe(Config.withDefault("https://us.authlete.com")),
        serviceId: Config.string("AUTHLETE_SERVICE_ID"),
        serviceAccessToken: Config.redacted("AUTHLETE_SERVICE_ACCESS_TOKEN")
      }).pipe(Layer.provide(NodeHttpClient.layerUndici))

      const ServerLive = HttpApiBuilder.serve().pipe(
        Layer.provide(RegistrationApi.layer({ issuer })),
        Layer.provide(DcrLive),
        Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0 }))
      )
      // --- end ---
      const context = yield* Layer.build(ServerLive).pipe(Effect.withConfigProvider(env))
      const created = yield* register(baseOf(context))
      assert.strictEqual(created.status, 201)
      assert.isString(created.json.registration_access_token)
    }))

  it.scoped("RegistrationApi.group in an HttpApi of your own", () =>
    Effect.gen(function*() {
      const dir = yield* tempDirectory
      const issuer = "http://localhost:8080"
      const DcrLive = Engine.layerSqlite({
        filename: join(dir, "dcr.sqlite"),
        registrationEndpoint: `${issuer}/oauth/register`
      })
      // --- README ---
      class HealthGroup extends HttpApiGroup.make("health")
        .add(HttpApiEndpoint.get("health", "/health").addSuccess(Schema.String))
      {}

      class MyApi extends HttpApi.make("my-api")
        .add(RegistrationApi.group({ path: "/oauth/register", issuer }))
        .add(HealthGroup)
      {}

      const HealthLive = HttpApiBuilder.group(
        MyApi,
        "health",
        (handlers) => handlers.handle("health", () => Effect.succeed("ok"))
      )

      const MyApiLive = HttpApiBuilder.api(MyApi).pipe(
        Layer.provide(RegistrationApi.layerGroup(MyApi, { issuer })),
        Layer.provide(HealthLive)
      )

      const ServerLive = HttpApiBuilder.serve().pipe(
        Layer.provide(MyApiLive),
        Layer.provide(DcrLive),
        Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0 }))
      )
      // --- end ---
      const base = baseOf(yield* Layer.build(ServerLive))
      const created = yield* register(base, "/oauth/register")
      assert.strictEqual(created.status, 201)
      assert.strictEqual(
        created.json.registration_client_uri,
        `http://localhost:8080/oauth/register/${created.json.client_id}`
      )
      const health = yield* getJson(`${base}/health`)
      assert.strictEqual(health.json as unknown, "ok")
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
      const context = yield* Layer.build(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" }))
      const base = baseOf(context)
      const engine = Engine.layerSqlite({ filename: join(dir, "dcr.sqlite"), registrationEndpoint: `${base}/register` })
      yield* Layer.build(
        HttpServer.serve(app).pipe(Layer.provide(engine), Layer.provide(Layer.succeedContext(context)))
      )
      const created = yield* register(base, "/sign-up")
      assert.strictEqual(created.status, 201)
      assert.strictEqual(created.json.client_name, "from my handler")
    }))
})
