import { Readiness } from "@effect-dcr/client"
import { HealthApi, RegistrationApi } from "@effect-dcr/http-server"
import { HttpApiBuilder } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import type { Duration } from "effect"
import { Effect, Layer, Ref } from "effect"
import { capturingLogger, fakeBackend, flavours, listenWith } from "./support.js"

/** Registration and health on one API, served on `flavour` with the given readiness check. */
const serve = (
  flavour: (typeof flavours)[number],
  check: Effect.Effect<void, Readiness.NotReady>,
  timeout?: Duration.DurationInput
) =>
  Effect.gen(function*() {
    const server = yield* listenWith(flavour)
    const api = RegistrationApi.make({ issuer: server.base }).add(HealthApi.group)
    yield* server.serve(
      HttpApiBuilder.api(api).pipe(
        Layer.provide(RegistrationApi.layerGroup(api, { issuer: server.base })),
        Layer.provide(HealthApi.layerGroup(api, { timeout })),
        Layer.provide(Layer.succeed(Readiness.Readiness, { check })),
        Layer.provide(fakeBackend({}).layer)
      )
    )
    return server.base
  })

const get = (url: string) =>
  Effect.promise(async () => {
    const response = await fetch(url)
    return { status: response.status, cacheControl: response.headers.get("cache-control"), body: await response.json() }
  })

describe.each(flavours)("HealthApi on the %s server", (flavour) => {
  it.scopedLive("/healthz is 200 ok and /readyz is 200 ready while the check succeeds", () =>
    Effect.gen(function*() {
      const checks = yield* Ref.make(0)
      const base = yield* serve(flavour, Ref.update(checks, (n) => n + 1))
      const live = yield* get(`${base}/healthz`)
      assert.deepStrictEqual(live, { status: 200, cacheControl: "no-store", body: { status: "ok" } })
      assert.strictEqual(yield* Ref.get(checks), 0, "liveness does not ask the backend")
      const ready = yield* get(`${base}/readyz`)
      assert.deepStrictEqual(ready, { status: 200, cacheControl: "no-store", body: { status: "ready" } })
      assert.strictEqual(yield* Ref.get(checks), 1)
    }))

  it.scopedLive("/readyz is 503 unavailable when the check fails, and logs the cause as a warning", () =>
    Effect.gen(function*() {
      const logs = capturingLogger()
      const failing = Effect.fail(new Readiness.NotReady({ component: "sqlite", cause: new Error("disk I/O error") }))
      const base = yield* serve(flavour, failing).pipe(Effect.provide(logs.layer))
      const answer = yield* get(`${base}/readyz`)
      assert.deepStrictEqual(answer, { status: 503, cacheControl: "no-store", body: { status: "unavailable" } })
      const warning = logs.lines.find((line) => line.startsWith("WARN"))
      assert.isDefined(warning, logs.lines.join("\n"))
      assert.include(warning, "sqlite is not ready")
      assert.include(warning, "disk I/O error")
      assert.strictEqual((yield* get(`${base}/healthz`)).status, 200, "liveness stays up")
    }))

  it.scopedLive("/readyz is 503 when the check does not answer within the timeout", () =>
    Effect.gen(function*() {
      const base = yield* serve(flavour, Effect.never, "20 millis")
      const answer = yield* get(`${base}/readyz`)
      assert.strictEqual(answer.status, 503)
      assert.deepStrictEqual(answer.body, { status: "unavailable" })
    }))
})
