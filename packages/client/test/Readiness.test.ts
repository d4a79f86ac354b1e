import { NodeHttpClient } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer, Queue, Redacted } from "effect"
import { AuthleteClient, Readiness } from "../src/index.js"
import { answerJson, closedPort, loopback } from "./utils/loopback.js"

const readiness = (baseUrl: string) =>
  Effect.flatMap(Readiness.Readiness, (readiness) => Effect.exit(readiness.check)).pipe(
    Effect.provide(
      AuthleteClient.layer({ baseUrl, serviceId: "1", serviceAccessToken: Redacted.make("sat-readiness-secret") }).pipe(
        Layer.provide(NodeHttpClient.layerUndici),
        Layer.orDie
      )
    )
  )

describe("AuthleteClient's Readiness", () => {
  it.scopedLive("ready when Authlete answers below 500, with a HEAD that carries no credentials", () =>
    Effect.gen(function*() {
      const server = yield* loopback(answerJson(404, { error: "nothing here" }))
      const exit = yield* readiness(`${server.url}/base`)
      assert.isTrue(Exit.isSuccess(exit))
      const request = yield* Queue.take(server.requests)
      assert.strictEqual(request.method, "HEAD")
      assert.strictEqual(request.url, "/base")
      assert.isUndefined(request.headers.authorization)
    }))

  it.scopedLive("not ready on a 5xx answer or a refused connection", () =>
    Effect.gen(function*() {
      const server = yield* loopback(answerJson(503, {}))
      const unavailable = yield* readiness(server.url)
      assert.isTrue(Exit.isFailure(unavailable))
      const refused = yield* readiness(`http://127.0.0.1:${yield* closedPort}`)
      assert.isTrue(Exit.isFailure(refused))
      for (const exit of [unavailable, refused]) {
        if (Exit.isFailure(exit)) {
          const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined
          assert.instanceOf(error, Readiness.NotReady)
          assert.strictEqual(error?.component, "authlete")
          assert.notInclude(JSON.stringify(error), "sat-readiness-secret")
        }
      }
    }))
})
