import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Option, Redacted, TestClock } from "effect"
import { DynamicClientRegistration, DynamicClientRegistrationError as E, RetryPolicy } from "../src/index.js"
import { isConnectFailure } from "../src/internal/platformError.js"
import { parseRetryAfter } from "../src/internal/response.js"
import * as fixtures from "./fixtures.js"
import { untilSleeping } from "./utils/clock.js"
import { json, layerWith, scripted } from "./utils/scripted.js"

const result = (status: number, retryAfter?: Duration.Duration) =>
  new E.ResultError({ operation: "register", status, resultCode: "A", resultMessage: "m", retryAfter })
const other = (status: number, retryAfter?: Duration.Duration) =>
  new E.AuthleteDefaultError({ operation: "register", status, contentType: undefined, body: "", retryAfter })
const transport = (requestSent: boolean) =>
  new E.TransportError({ operation: "register", requestSent, cause: undefined, description: "" })
const timeout = new E.TimeoutError({ operation: "register", timeout: Duration.seconds(1) })
const decode = new E.ResponseDecodeError({ operation: "register", description: "" })

describe("classification", () => {
  const table: ReadonlyArray<[string, E.DynamicClientRegistrationError, boolean, boolean]> = [
    // name, error, transient (get/update/delete), provably unprocessed (register)
    ["ResultError 400", result(400), false, false],
    ["ResultError 401", result(401), false, false],
    ["ResultError 403", result(403), false, false],
    ["ResultError 500", result(500), true, false],
    ["AuthleteDefaultError 404", other(404), false, false],
    ["AuthleteDefaultError 408", other(408), true, false],
    ["AuthleteDefaultError 429", other(429), true, false],
    ["AuthleteDefaultError 429 + Retry-After", other(429, Duration.seconds(1)), true, true],
    ["AuthleteDefaultError 500", other(500), true, false],
    ["AuthleteDefaultError 502", other(502), true, false],
    ["AuthleteDefaultError 503", other(503), true, false],
    ["AuthleteDefaultError 503 + Retry-After", other(503, Duration.zero), true, true],
    ["AuthleteDefaultError 502 + Retry-After", other(502, Duration.seconds(1)), true, false],
    ["AuthleteDefaultError 504", other(504), true, false],
    ["TransportError sent", transport(true), true, false],
    ["TransportError not sent", transport(false), true, true],
    ["TimeoutError", timeout, true, false],
    ["ResponseDecodeError", decode, false, false]
  ]
  for (const [name, error, transient, unprocessed] of table) {
    it(name, () => {
      assert.strictEqual(RetryPolicy.isTransient(error), transient)
      assert.strictEqual(RetryPolicy.isProvablyUnprocessed(error), unprocessed)
      assert.strictEqual(RetryPolicy.retryable("register", error), unprocessed)
      for (const op of ["get", "update", "delete"] as const) {
        assert.strictEqual(RetryPolicy.retryable(op, error), transient)
      }
    })
  }
})

describe("Retry-After parsing", () => {
  const now = Date.parse("2026-11-22T06:00:00Z")
  it("delta-seconds", () => {
    assert.deepStrictEqual(parseRetryAfter("120", now), Duration.seconds(120))
    assert.deepStrictEqual(parseRetryAfter(" 0 ", now), Duration.seconds(0))
  })
  it("HTTP-date (IMF-fixdate, RFC 850, asctime; in the past → 0)", () => {
    assert.deepStrictEqual(parseRetryAfter("Sun, 22 Nov 2026 06:01:30 GMT", now), Duration.millis(90_000))
    assert.deepStrictEqual(parseRetryAfter("Sunday, 22-Nov-26 06:01:30 GMT", now), Duration.millis(90_000))
    assert.isDefined(parseRetryAfter("Sun Nov 22 06:01:30 2026", now))
    assert.deepStrictEqual(parseRetryAfter("Sun, 22 Nov 2026 05:00:00 GMT", now), Duration.zero)
  })
  it("absent or garbage → none", () => {
    assert.isUndefined(parseRetryAfter(undefined, now))
    assert.isUndefined(parseRetryAfter("soon", now))
    assert.isUndefined(parseRetryAfter("-5", now))
    assert.isUndefined(parseRetryAfter("1.5", now))
  })
})

describe("helpers", () => {
  it("connect failures", () => {
    assert.isTrue(isConnectFailure({ code: "ECONNREFUSED" }))
    assert.isTrue(isConnectFailure({ code: "ETIMEDOUT", syscall: "connect" }))
    assert.isTrue(isConnectFailure({ code: "UND_ERR_CONNECT_TIMEOUT" }))
    assert.isTrue(isConnectFailure(new TypeError("fetch failed", { cause: { code: "ENOTFOUND" } })))
    assert.isFalse(isConnectFailure({ code: "ECONNRESET", syscall: "read" }))
    assert.isFalse(isConnectFailure({ code: "UND_ERR_SOCKET" }))
    assert.isFalse(isConnectFailure(new AggregateError([{ code: "ECONNREFUSED" }, { code: "ECONNRESET" }])))
    assert.isFalse(isConnectFailure(undefined))
    assert.isFalse(isConnectFailure("ECONNREFUSED"))
  })
})

describe("backoff", () => {
  it.effect("without jitter: 200 ms, then ×2 capped at maxDelay", () =>
    Effect.gen(function*() {
      const script = yield* scripted([{ status: 503, text: "" }])
      const fiber = yield* DynamicClientRegistration.get({ clientId: "1", token: Redacted.make("t") }).pipe(
        Effect.provide(layerWith(script.client, {
          retryPolicy: RetryPolicy.backoff({ jitter: false, maxDelay: "300 millis", maxRetries: 3 }),
          timeout: Duration.infinity // see untilSleeping
        })),
        Effect.fork
      )
      while ((yield* script.attempts) === 0) yield* Effect.promise(() => new Promise((r) => setTimeout(r, 1)))
      const at: Array<number> = []
      for (let t = 0; t <= 1000; t += 50) {
        yield* untilSleeping(fiber)
        at.push(yield* script.attempts)
        yield* TestClock.adjust("50 millis")
      }
      // attempts at t = 0, 200, 500 (200 + 300), 800 (500 + 300)
      assert.strictEqual(at[3], 1) // t = 150
      assert.strictEqual(at[4], 2) // t = 200
      assert.strictEqual(at[9], 2) // t = 450
      assert.strictEqual(at[10], 3) // t = 500
      assert.strictEqual(at[15], 3) // t = 750
      assert.strictEqual(at[16], 4) // t = 800
      assert.strictEqual(at[20], 4)
      const error = yield* Effect.flip(Fiber.join(fiber))
      assert.strictEqual(error._tag, "AuthleteDefaultError")
    }))

  it.effect("RetryPolicy.none never retries", () =>
    Effect.gen(function*() {
      const script = yield* scripted([json(500, fixtures.resultErrors[500]), json(200, fixtures.getResponse)])
      const exit = yield* DynamicClientRegistration.get({ clientId: "1", token: Redacted.make("t") }).pipe(
        Effect.provide(layerWith(script.client, { retryPolicy: RetryPolicy.none })),
        Effect.exit
      )
      assert.isTrue(exit._tag === "Failure")
      assert.strictEqual(yield* script.attempts, 1)
      assert.isTrue(Option.isNone(RetryPolicy.retryAfter(result(500))))
    }))
})
