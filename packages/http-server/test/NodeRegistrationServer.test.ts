import { RegistrationApi } from "@effect-dcr/http-server"
import * as NodeRegistrationServer from "@effect-dcr/http-server/NodeRegistrationServer"
import {
  HttpApiBuilder,
  HttpApiMiddleware,
  HttpMiddleware,
  HttpRouter,
  HttpServer,
  HttpServerRequest,
  HttpServerResponse
} from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Context, Deferred, Effect, Exit, Fiber, Layer, Option, Scope } from "effect"
import * as Http from "node:http"
import { fakeBackend, flavours, listenWith, post, readText, recordingTracer, serveWith } from "./support.js"

const created = { action: "CREATED" as const, responseContent: `{"client_id":"7"}` }

const fetchText = (url: string, init?: RequestInit) =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    return { status: response.status, body: await response.text() }
  })

const postJson = { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }

/**
 * A backend whose register records whether it ran inside the platform's request pipeline (which
 * provides `HttpServerRequest` to the handler); the fast path runs the logic without it.
 */
const pipelineProbe = () => {
  const seen: Array<"platform" | "fast path"> = []
  const backend = fakeBackend({
    register: () =>
      Effect.serviceOption(HttpServerRequest.HttpServerRequest).pipe(
        Effect.tap((request) => Effect.sync(() => seen.push(Option.isSome(request) ? "platform" : "fast path"))),
        Effect.as(created)
      ),
    get: () => Effect.succeed({ action: "OK", responseContent: created.responseContent })
  })
  return { seen, backend }
}

/** A Node server we hold, for `NodeRegistrationServer.make`: resolves `arrived` on its first request. */
const ownServer = Effect.gen(function*() {
  const arrived = yield* Deferred.make<void>()
  const node = Http.createServer()
  node.on("request", () => Deferred.unsafeDone(arrived, Exit.void))
  const layer = Layer.merge(
    Layer.scoped(HttpServer.HttpServer, NodeRegistrationServer.make(() => node, { port: 0, host: "127.0.0.1" })),
    NodeHttpServer.layerContext
  )
  return { arrived, layer }
})

const baseOf = (context: Context.Context<HttpServer.HttpServer>) =>
  `http://127.0.0.1:${(Context.get(context, HttpServer.HttpServer).address as HttpServer.TcpAddress).port}`

describe("NodeRegistrationServer", () => {
  it.scoped("answers POST {path} itself and hands every other request to the platform's handler", () =>
    Effect.gen(function*() {
      const { backend, seen } = pipelineProbe()
      const traces = recordingTracer()
      const base = yield* serveWith("node-fast", { path: "/oauth/register" }).pipe(
        Effect.provide(backend.layer),
        Effect.withTracer(traces.tracer)
      )
      assert.deepStrictEqual(yield* fetchText(`${base}/oauth/register`, postJson), {
        status: 201,
        body: created.responseContent
      })
      assert.deepStrictEqual(yield* fetchText(`${base}/oauth/register?x=1`, postJson), {
        status: 201,
        body: created.responseContent
      })
      // the rest goes through the platform: its router, its 404, the group's 405 and OPTIONS answers
      assert.strictEqual(
        (yield* fetchText(`${base}/oauth/register/7`, { headers: { authorization: "Bearer t" } })).status,
        200
      )
      assert.strictEqual((yield* fetchText(`${base}/register`, postJson)).status, 404)
      assert.strictEqual((yield* fetchText(`${base}/oauth/register/7`, postJson)).status, 405)
      assert.strictEqual((yield* fetchText(`${base}/oauth/register`)).status, 405)
      assert.strictEqual((yield* fetchText(`${base}/oauth/register`, { method: "OPTIONS" })).status, 204)
      assert.deepStrictEqual(backend.calls.map((call) => call.operation), ["register", "register", "get"])

      // the register requests never entered the platform's pipeline: no HttpServerRequest for the
      // handler, and their server spans carry no `http.route` (the platform router sets it)
      assert.deepStrictEqual(seen, ["fast path", "fast path"])
      const server = traces.named("http.server POST")
      const registers = server.filter((span) => span.attributes.get("url.path") === "/oauth/register")
      assert.strictEqual(registers.length, 2)
      for (const span of registers) assert.isFalse(span.attributes.has("http.route"))
      const routed = traces.named("http.server GET").map((span) => span.attributes.get("http.route"))
      assert.includeMembers(routed, ["/oauth/register/:client_id", "/oauth/register"])
    }))

  it.scoped("on the platform server the same request goes through the router (the control)", () =>
    Effect.gen(function*() {
      const { backend, seen } = pipelineProbe()
      const traces = recordingTracer()
      const base = yield* serveWith("platform", { path: "/oauth/register" }).pipe(
        Effect.provide(backend.layer),
        Effect.withTracer(traces.tracer)
      )
      assert.strictEqual((yield* fetchText(`${base}/oauth/register`, postJson)).status, 201)
      assert.deepStrictEqual(seen, ["platform"])
      const [span] = traces.named("http.server POST")
      assert.strictEqual(span?.attributes.get("http.route"), "/oauth/register")
    }))

  it.scoped("the fast path sends a Content-Length (not chunked) and the no-store headers, for non-ASCII bodies too", () =>
    Effect.gen(function*() {
      const content = `{"client_id":"7","client_name":"クライアント 😀"}`
      const backend = fakeBackend({
        register: () => Effect.succeed({ action: "CREATED" as const, responseContent: content })
      })
      const base = yield* serveWith("node-fast").pipe(Effect.provide(backend.layer))
      const response = yield* post(`${base}/register`, "{}")
      const bytes = new Uint8Array(yield* Effect.promise(() => response.arrayBuffer()))
      assert.strictEqual(response.status, 201)
      assert.strictEqual(response.headers.get("content-length"), String(Buffer.byteLength(content)))
      assert.isNull(response.headers.get("transfer-encoding"))
      assert.strictEqual(response.headers.get("content-type"), "application/json")
      assert.strictEqual(response.headers.get("cache-control"), "no-store")
      assert.strictEqual(response.headers.get("pragma"), "no-cache")
      assert.strictEqual(new TextDecoder().decode(bytes), content)
    }))

  it.scoped("an app without the registration group is served by the platform's handler alone", () =>
    Effect.gen(function*() {
      const backend = fakeBackend({ register: () => Effect.succeed(created) })
      const context = yield* Layer.build(NodeRegistrationServer.layer({ port: 0, host: "127.0.0.1" }))
      const app = HttpRouter.empty.pipe(HttpRouter.post("/register", HttpServerResponse.text("mine")))
      // middleware is fine here: there is no fast path to bypass it
      yield* Layer.build(
        HttpServer.serve(app, HttpMiddleware.logger).pipe(Layer.provide(Layer.succeedContext(context)))
      )
      assert.deepStrictEqual(yield* fetchText(`${baseOf(context)}/register`, postJson), { status: 200, body: "mine" })
      assert.strictEqual(backend.calls.length, 0)
    }))

  it.scopedLive("a request that arrives before serve waits for it instead of hanging", () =>
    Effect.gen(function*() {
      const backend = fakeBackend({ register: () => Effect.succeed(created) })
      const { arrived, layer } = yield* ownServer
      const context = yield* Layer.build(layer)
      const base = baseOf(context)
      const early = yield* Effect.fork(fetchText(`${base}/register`, postJson))
      yield* Deferred.await(arrived)
      assert.strictEqual(backend.calls.length, 0)
      yield* Layer.build(
        HttpApiBuilder.serve().pipe(
          Layer.provide(RegistrationApi.layer({ issuer: base })),
          Layer.provide(Layer.succeedContext(context))
        )
      ).pipe(Effect.provide(backend.layer))
      assert.deepStrictEqual(yield* Fiber.join(early), { status: 201, body: created.responseContent })
      assert.strictEqual(backend.calls.length, 1)
    }))

  it.live("a request held when the server closes before serving is answered 503", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const { arrived, layer } = yield* ownServer
      const context = yield* Layer.buildWithScope(layer, scope)
      const early = yield* Effect.fork(Effect.promise(async () => {
        const response = await fetch(`${baseOf(context)}/register`, { method: "POST", body: "{}" })
        return { status: response.status, body: await response.json() as Record<string, unknown> }
      }))
      yield* Deferred.await(arrived)
      yield* Scope.close(scope, Exit.void)
      const answer = yield* Fiber.join(early)
      assert.strictEqual(answer.status, 503)
      assert.strictEqual(answer.body["error"], "temporarily_unavailable")
    }))

  describe("refuses to start where the fast path would bypass middleware", () => {
    const serveOn = (flavour: "platform" | "node-fast", serve: Layer.Layer<never, never, any>) =>
      Effect.gen(function*() {
        const server = yield* listenWith(flavour)
        const exit = yield* Layer.build(serve.pipe(Layer.provide(Layer.succeedContext(server.context)))).pipe(
          Effect.provide(fakeBackend({ register: () => Effect.succeed(created) }).layer),
          Effect.exit
        )
        return { exit, base: server.base }
      })

    const api = RegistrationApi.layer({ issuer: "http://127.0.0.1" })

    class Tagged extends HttpApiMiddleware.Tag<Tagged>()("test/Tagged") {}
    const ownApi = RegistrationApi.make().middleware(Tagged)
    const ownApiLive = HttpApiBuilder.api(ownApi).pipe(
      Layer.provide(RegistrationApi.layerGroup(ownApi, { issuer: "http://127.0.0.1" })),
      Layer.provide(Layer.succeed(Tagged, Effect.void))
    )

    const cases: ReadonlyArray<readonly [string, Layer.Layer<never, never, any>, string]> = [
      [
        "middleware passed to serve",
        HttpApiBuilder.serve(HttpMiddleware.logger).pipe(Layer.provide(api)),
        "cannot apply the middleware given to serve"
      ],
      [
        "global HttpApiBuilder.middleware",
        HttpApiBuilder.serve().pipe(
          Layer.provide(HttpApiBuilder.middleware(HttpMiddleware.xForwardedHeaders)),
          Layer.provide(api)
        ),
        "cannot apply HttpApi middleware"
      ],
      [
        "HttpApiBuilder.middlewareCors",
        HttpApiBuilder.serve().pipe(Layer.provide(HttpApiBuilder.middlewareCors()), Layer.provide(api)),
        "cannot apply HttpApi middleware"
      ],
      [
        "an HttpApiMiddleware on the api",
        HttpApiBuilder.serve().pipe(Layer.provide(ownApiLive)),
        "cannot apply HttpApi middleware"
      ]
    ]

    for (const [name, serve, message] of cases) {
      it.scoped(`${name}: a defect on node-fast, served on platform`, () =>
        Effect.gen(function*() {
          const fast = yield* serveOn("node-fast", serve)
          assert.isTrue(Exit.isFailure(fast.exit))
          if (Exit.isFailure(fast.exit)) {
            assert.isTrue(Cause.isDie(fast.exit.cause), Cause.pretty(fast.exit.cause))
            assert.include(Cause.pretty(fast.exit.cause), `NodeRegistrationServer: the register fast path ${message}`)
            assert.include(Cause.pretty(fast.exit.cause), "NodeHttpServer.layer")
          }
          const platform = yield* serveOn("platform", serve)
          assert.isTrue(Exit.isSuccess(platform.exit))
          assert.strictEqual((yield* post(`${platform.base}/register`, "{}")).status, 201)
        }))
    }

    it.scoped("the middleware does run on the platform server (CORS headers on the register answer)", () =>
      Effect.gen(function*() {
        const served = yield* serveOn(
          "platform",
          HttpApiBuilder.serve().pipe(Layer.provide(HttpApiBuilder.middlewareCors()), Layer.provide(api))
        )
        const response = yield* post(`${served.base}/register`, "{}", { origin: "https://rp.example" })
        assert.strictEqual(response.status, 201)
        assert.strictEqual(response.headers.get("access-control-allow-origin"), "*")
        yield* readText(response)
      }))
  })

  describe("trace context", () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736"
    const spanId = "00f067aa0ba902b7"
    const traceparent = `00-${traceId}-${spanId}-01`

    for (const flavour of flavours) {
      it.scoped(`${flavour}: traceparent continues the caller's trace (http.server POST → the backend's span)`, () =>
        Effect.gen(function*() {
          const traces = recordingTracer()
          const register = () => Effect.withSpan(Effect.succeed(created), "Backend.register")
          const base = yield* serveWith(flavour).pipe(
            Effect.provide(fakeBackend({ register }).layer),
            Effect.withTracer(traces.tracer)
          )
          assert.strictEqual((yield* post(`${base}/register`, "{}", { traceparent })).status, 201)
          assert.strictEqual((yield* post(`${base}/register`, "{}")).status, 201)

          const servers = traces.named("http.server POST")
          assert.strictEqual(servers.length, 2)
          const [continued, root] = servers as [typeof servers[0], typeof servers[0]]
          assert.strictEqual(continued.kind, "server")
          assert.strictEqual(continued.traceId, traceId)
          assert.isTrue(Option.isSome(continued.parent))
          const parent = Option.getOrThrow(continued.parent)
          assert.strictEqual(parent._tag, "ExternalSpan")
          assert.strictEqual(parent.spanId, spanId)
          assert.strictEqual(parent.traceId, traceId)
          assert.strictEqual(continued.attributes.get("http.request.method"), "POST")
          assert.strictEqual(continued.attributes.get("url.path"), "/register")
          assert.strictEqual(continued.attributes.get("http.response.status_code"), 201)

          assert.isTrue(Option.isNone(root.parent), "without traceparent the server span is a root")
          assert.notStrictEqual(root.traceId, traceId)

          const registers = traces.named("Backend.register")
          assert.strictEqual(registers.length, 2)
          const [first, second] = registers as [typeof registers[0], typeof registers[0]]
          assert.strictEqual(Option.getOrThrow(first.parent).spanId, continued.spanId)
          assert.strictEqual(first.traceId, traceId)
          assert.strictEqual(Option.getOrThrow(second.parent).spanId, root.spanId)
        }))

      it.scoped(`${flavour}: with tracing disabled no span is opened`, () =>
        Effect.gen(function*() {
          const traces = recordingTracer()
          const base = yield* serveWith(flavour).pipe(
            Effect.provide(Layer.merge(
              fakeBackend({ register: () => Effect.succeed(created) }).layer,
              Layer.setTracerEnabled(false)
            )),
            Effect.withTracer(traces.tracer)
          )
          assert.strictEqual((yield* post(`${base}/register`, "{}", { traceparent })).status, 201)
          assert.strictEqual((yield* fetchText(`${base}/register/7`, { method: "OPTIONS" })).status, 204)
          assert.deepStrictEqual(traces.spans.map((span) => span.name), [])
        }))
    }
  })
})
