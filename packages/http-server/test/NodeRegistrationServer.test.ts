import { NodeRegistrationServer } from "@effect-dcr/http-server"
import { assert, describe, it } from "@effect/vitest"
import { HttpRouter, HttpServer, HttpServerResponse } from "@effect/platform"
import { Cause, Context, Effect, Exit, Fiber, Layer, Scope } from "effect"
import { fakeBackend, serveWith } from "./support.js"

const created = { action: "CREATED" as const, responseContent: `{"client_id":"7"}` }

describe("NodeRegistrationServer", () => {
  it.scoped("answers POST {path} itself and hands every other request to the served app", () =>
    Effect.gen(function*() {
      const backend = fakeBackend({ register: () => Effect.succeed(created) })
      // The served app has no registration route at all: only the fast path can answer 201.
      const app = HttpRouter.empty.pipe(HttpRouter.get("/health", HttpServerResponse.text("ok")))
      const base = yield* serveWith("node-fast", app, { path: "/oauth/register" }).pipe(Effect.provide(backend.layer))
      const fetchText = (path: string, init?: RequestInit) =>
        Effect.promise(async () => {
          const response = await fetch(`${base}${path}`, init)
          return { status: response.status, body: await response.text() }
        })
      const post = { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }
      assert.deepStrictEqual(yield* fetchText("/oauth/register", post), { status: 201, body: created.responseContent })
      assert.deepStrictEqual(yield* fetchText("/oauth/register?x=1", post), { status: 201, body: created.responseContent })
      assert.deepStrictEqual(yield* fetchText("/health"), { status: 200, body: "ok" })
      assert.strictEqual((yield* fetchText("/register", post)).status, 404)
      assert.strictEqual((yield* fetchText("/oauth/register/7", post)).status, 404)
      assert.strictEqual(backend.calls.length, 2)
    }))

  it.scoped("the fast path sends a Content-Length (not chunked) and the no-store headers, for non-ASCII bodies too", () =>
    Effect.gen(function*() {
      const content = `{"client_id":"7","client_name":"クライアント 😀"}`
      const backend = fakeBackend({ register: () => Effect.succeed({ action: "CREATED" as const, responseContent: content }) })
      const base = yield* serveWith("node-fast", HttpRouter.empty).pipe(Effect.provide(backend.layer))
      const response = yield* Effect.promise(() =>
        fetch(`${base}/register`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })
      )
      const bytes = new Uint8Array(yield* Effect.promise(() => response.arrayBuffer()))
      assert.strictEqual(response.status, 201)
      assert.strictEqual(response.headers.get("content-length"), String(Buffer.byteLength(content)))
      assert.isNull(response.headers.get("transfer-encoding"))
      assert.strictEqual(response.headers.get("content-type"), "application/json")
      assert.strictEqual(response.headers.get("cache-control"), "no-store")
      assert.strictEqual(response.headers.get("pragma"), "no-cache")
      assert.strictEqual(new TextDecoder().decode(bytes), content)
    }))

  it.scoped("refuses to serve without a DynamicClientRegistration backend in the context", () =>
    Effect.gen(function*() {
      const context = yield* Layer.build(NodeRegistrationServer.layer({ port: 0, host: "127.0.0.1" }))
      const exit = yield* Effect.exit(
        Effect.provide(HttpServer.serveEffect(HttpRouter.empty), context)
      )
      assert.isTrue(Exit.isFailure(exit))
      if (Exit.isFailure(exit)) assert.include(Cause.pretty(exit.cause), "provide DynamicClientRegistration")
      assert.isTrue(Context.get(context, HttpServer.HttpServer).address._tag === "TcpAddress")
    }))

  it.scopedLive("a request that arrives while the backend is still starting waits for serve instead of hanging", () =>
    Effect.gen(function*() {
      const backend = fakeBackend({ register: () => Effect.succeed(created) })
      const context = yield* Layer.build(NodeRegistrationServer.layer({ port: 0, host: "127.0.0.1" }))
      const address = Context.get(context, HttpServer.HttpServer).address
      const base = address._tag === "TcpAddress" ? `http://127.0.0.1:${address.port}` : ""
      const early = yield* Effect.fork(Effect.promise(async () => {
        const response = await fetch(`${base}/register`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "{}"
        })
        return { status: response.status, body: await response.text() }
      }))
      yield* Effect.sleep("200 millis")
      assert.strictEqual(backend.calls.length, 0)
      yield* Effect.provide(HttpServer.serveEffect(HttpRouter.empty), Layer.merge(Layer.succeedContext(context), backend.layer))
      const answer = yield* Fiber.join(early)
      assert.deepStrictEqual(answer, { status: 201, body: created.responseContent })
    }))

  it.live("a request held when the server closes before serving is answered 503", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(NodeRegistrationServer.layer({ port: 0, host: "127.0.0.1" }), scope)
      const address = Context.get(context, HttpServer.HttpServer).address
      const base = address._tag === "TcpAddress" ? `http://127.0.0.1:${address.port}` : ""
      const early = yield* Effect.fork(Effect.promise(async () => {
        const response = await fetch(`${base}/register`, { method: "POST", body: "{}" })
        return response.status
      }))
      yield* Effect.sleep("200 millis")
      yield* Scope.close(scope, Exit.void)
      assert.strictEqual(yield* Fiber.join(early), 503)
    }))
})

