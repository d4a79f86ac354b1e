import { DynamicClientRegistrationError } from "@effect-dcr/client"
import { Metrics, Observability, RegistrationApi } from "@effect-dcr/http-server"
import { HttpApiBuilder, HttpServerRequest } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Metric, MetricLabel, Option } from "effect"
import { capturingLogger, fakeBackend, flavours, listenWith } from "./support.js"

const created = { action: "CREATED" as const, responseContent: `{"client_id":"7"}` }

/**
 * A backend that answers register (recording whether it ran in the platform's pipeline or on the
 * fast path) and fails get with a transport error, so that the endpoint logs an error.
 */
const backend = () => {
  const seen: Array<"platform" | "fast path"> = []
  const fake = fakeBackend({
    register: () =>
      Effect.serviceOption(HttpServerRequest.HttpServerRequest).pipe(
        Effect.tap((request) => Effect.sync(() => seen.push(Option.isSome(request) ? "platform" : "fast path"))),
        Effect.zipRight(Effect.logInfo("register reached the backend")),
        Effect.as(created)
      ),
    get: () =>
      Effect.fail(
        new DynamicClientRegistrationError.TransportError({
          operation: "get",
          requestSent: true,
          cause: new Error("socket hang up"),
          description: "connection reset"
        })
      )
  })
  return { seen, layer: fake.layer }
}

/** `RegistrationApi.layer` served with `Observability.middleware(options)` on `flavour`. */
const serve = (flavour: (typeof flavours)[number], options: Observability.Options) =>
  Effect.gen(function*() {
    const server = yield* listenWith(flavour)
    yield* Layer.build(
      HttpApiBuilder.serve(Observability.middleware(options)).pipe(
        Layer.provide(RegistrationApi.layer({ issuer: server.base })),
        Layer.provide(Layer.succeedContext(server.context))
      )
    )
    return server.base
  })

const call = (url: string, init?: RequestInit) =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    await response.arrayBuffer()
    return { status: response.status, requestId: response.headers.get("x-request-id") }
  })

const register = (requestId?: string) => ({
  method: "POST",
  headers: { "content-type": "application/json", ...(requestId === undefined ? {} : { "x-request-id": requestId }) },
  body: `{"client_name":"observed"}`
})

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

const requestsOf = (method: string, route: string, status: number) =>
  Metric.value(
    Metric.taggedWithLabels(Metrics.requestDuration, [
      MetricLabel.make("http.request.method", method),
      MetricLabel.make("http.route", route),
      MetricLabel.make("http.response.status_code", String(status))
    ])
  ).pipe(Effect.map((state) => state.count))

describe.each(flavours)("Observability.middleware on the %s server", (flavour) => {
  it.scoped("echoes a sane X-Request-Id, replaces an insane one, and logs one access line per request", () =>
    Effect.gen(function*() {
      const logs = capturingLogger()
      const probe = backend()
      const base = yield* serve(flavour, { accessLog: true }).pipe(
        Effect.provide(Layer.merge(probe.layer, logs.layer))
      )
      const before = yield* requestsOf("POST", "/register", 201)

      const kept = yield* call(`${base}/register`, register("req-42.abc:1/x+y=z@w~"))
      assert.deepStrictEqual(kept, { status: 201, requestId: "req-42.abc:1/x+y=z@w~" })
      const generated = yield* call(`${base}/register?ignored=query`, register())
      assert.match(generated.requestId!, uuid)
      for (const insane of ["a".repeat(129), "has space", "semi;colon", ""]) {
        const replaced = yield* call(`${base}/register`, register(insane))
        assert.strictEqual(replaced.status, 201)
        assert.match(replaced.requestId!, uuid, JSON.stringify(insane))
      }
      const missing = yield* call(`${base}/nowhere`)
      assert.strictEqual(missing.status, 404)
      assert.match(missing.requestId!, uuid)
      const failed = yield* call(`${base}/register/7`, { headers: { authorization: "Bearer secret-token-value" } })
      assert.strictEqual(failed.status, 500)

      assert.deepStrictEqual(probe.seen[0], flavour === "platform" ? "platform" : "fast path")
      assert.strictEqual((yield* requestsOf("POST", "/register", 201)) - before, 6)

      const access = logs.lines.filter((line) => line.includes("http.route="))
      assert.strictEqual(access.length, 8, logs.lines.join("\n"))
      assert.include(access[0], `"POST /register 201"`)
      assert.include(access[0], "request_id=req-42.abc:1/x+y=z@w~")
      assert.include(access[0], "http.response.status_code=201")
      assert.include(access[0], "duration_ms=")
      assert.include(access[1], "url.path=/register ")
      assert.include(access[1], `request_id=${generated.requestId}`)
      assert.include(access[6], `"GET * 404"`)
      assert.include(access[7], `"GET /register/:client_id 500"`)
      assert.include(access[7], "url.path=/register/7")
      // the backend's lines carry the request id of their request, on either server
      const reached = logs.lines.filter((line) => line.includes("register reached the backend"))
      assert.strictEqual(reached.length, 6)
      assert.include(reached[0], "request_id=req-42.abc:1/x+y=z@w~")
      assert.include(reached[1], `request_id=${generated.requestId}`)
      const error = logs.lines.find((line) => line.startsWith("ERROR"))
      assert.include(error, `request_id=${failed.requestId}`)
      for (const line of logs.lines) {
        assert.notInclude(line, "secret-token-value")
        assert.notInclude(line, "ignored=query")
      }
    }))

  it.scoped("without the access log: no access lines, the request id and the metric stay", () =>
    Effect.gen(function*() {
      const logs = capturingLogger()
      const base = yield* serve(flavour, { routes: [["GET", "/openapi.json"]] }).pipe(
        Effect.provide(Layer.merge(backend().layer, logs.layer))
      )
      const before = yield* requestsOf("GET", "/openapi.json", 200)
      const document = yield* call(`${base}/openapi.json`, { headers: { "x-request-id": "doc-1" } })
      assert.deepStrictEqual(document, { status: 200, requestId: "doc-1" })
      const registered = yield* call(`${base}/register`, register("reg-1"))
      assert.deepStrictEqual(registered, { status: 201, requestId: "reg-1" })
      assert.strictEqual((yield* requestsOf("GET", "/openapi.json", 200)) - before, 1)
      assert.deepStrictEqual(logs.lines.filter((line) => line.includes("http.route=")), [])
    }))
})
