import { DynamicClientRegistrationError } from "@effect-dcr/client"
import { Metrics, RateLimit } from "@effect-dcr/http-server"
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Metric, MetricLabel } from "effect"
import { fakeBackend, flavours, post, serveWith } from "./support.js"

const count = (metric: Metric.Metric.Counter<number>, labels: Record<string, string>) =>
  Metric.value(
    Metric.taggedWithLabels(metric, Object.entries(labels).map(([key, value]) => MetricLabel.make(key, value)))
  ).pipe(Effect.map((state) => state.count))

const operation = (action: string) => count(Metrics.operations, { "dcr.operation": "register", "dcr.action": action })
const limited = (limit: string) => count(Metrics.rateLimited, { "dcr.limit": limit })

describe.each(flavours)("Metrics on the %s server", (flavour) => {
  it.live("dcr.operations counts each answer by action, FAILED for a backend failure", () =>
    Effect.scoped(Effect.gen(function*() {
      const answers = [
        Effect.succeed({ action: "CREATED" as const, responseContent: `{"client_id":"1"}` }),
        Effect.succeed({ action: "BAD_REQUEST" as const, responseContent: `{"error":"invalid_client_metadata"}` }),
        Effect.fail(
          new DynamicClientRegistrationError.TimeoutError({ operation: "register", timeout: Duration.seconds(10) })
        )
      ]
      let next = 0
      const backend = fakeBackend({ register: () => answers[next++]! })
      const base = yield* serveWith(flavour).pipe(Effect.provide(backend.layer))
      const before = [yield* operation("CREATED"), yield* operation("BAD_REQUEST"), yield* operation("FAILED")]
      const statuses: Array<number> = []
      for (let i = 0; i < answers.length; i++) statuses.push((yield* post(`${base}/register`, "{}")).status)
      assert.deepStrictEqual(statuses, [201, 400, 500])
      const after = [yield* operation("CREATED"), yield* operation("BAD_REQUEST"), yield* operation("FAILED")]
      assert.deepStrictEqual(after.map((n, i) => n - before[i]!), [1, 1, 1])
    })))

  it.live("dcr.rate_limited counts the 429s by limit", () =>
    Effect.scoped(Effect.gen(function*() {
      const rateLimit = yield* RateLimit.make({
        registrations: { limit: 1, window: "1 hour" },
        totalRegistrations: false,
        failedAuthentications: { limit: 1, window: "1 hour" }
      })
      const backend = fakeBackend({
        register: () => Effect.succeed({ action: "CREATED" as const, responseContent: `{"client_id":"1"}` }),
        get: () => Effect.succeed({ action: "UNAUTHORIZED" as const, responseContent: `{"error":"invalid_token"}` })
      })
      const base = yield* serveWith(flavour, { rateLimit }).pipe(Effect.provide(backend.layer))
      const registrations = yield* limited("registrations")
      const authentications = yield* limited("failed_authentications")
      assert.strictEqual((yield* post(`${base}/register`, "{}")).status, 201)
      assert.strictEqual((yield* post(`${base}/register`, "{}")).status, 429)
      const read = (token: string) =>
        Effect.promise(() => fetch(`${base}/register/1`, { headers: { authorization: `Bearer ${token}` } }))
      assert.strictEqual((yield* read("wrong")).status, 401)
      assert.strictEqual((yield* read("wrong again")).status, 429)
      assert.strictEqual((yield* limited("registrations")) - registrations, 1)
      assert.strictEqual((yield* limited("failed_authentications")) - authentications, 1)
    })))
})
