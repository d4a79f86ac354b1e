import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Either, Exit, Fiber, Redacted, Schedule, TestClock } from "effect"
import { AuthleteClient, DynamicClientRegistration, RetryPolicy } from "../src/index.js"
import * as fixtures from "./fixtures.js"
import { adjust, nextSleep, settle } from "./utils/clock.js"
import { connectionRefused, connectionReset, json, layerWith, scripted } from "./utils/scripted.js"
import type { Step } from "./utils/scripted.js"

const getRequest = { clientId: "26837717140341", token: Redacted.make(fixtures.registrationAccessToken) }
const registerRequest = { json: JSON.stringify({ client_name: "My Dynamic Client" }) }

const ok = json(200, fixtures.getResponse)
const created = json(200, fixtures.registerResponse)
const unavailable = (headers: Record<string, string> = {}): Step => ({ status: 503, text: "busy", headers })

/** Forks `op` against a scripted Authlete, so the test can move the TestClock. */
const start = <A, E>(
  steps: ReadonlyArray<Step>,
  op: Effect.Effect<A, E, DynamicClientRegistration.DynamicClientRegistration>,
  overrides: Partial<AuthleteClient.Options> = {}
) =>
  Effect.gen(function*() {
    const script = yield* scripted(steps)
    // no per-attempt timeout unless the test sets one (see `untilSleeping`)
    const options = "timeout" in overrides ? overrides : { ...overrides, timeout: Duration.infinity }
    const fiber = yield* op.pipe(Effect.provide(layerWith(script.client, options)), Effect.fork)
    // let the fiber send its first attempt and block on the TestClock before time moves
    while ((yield* script.attempts) === 0) yield* settle
    yield* settle
    // Reads settle first (a fiber woken by TestClock.adjust may need a few real ticks to run), then,
    // when fewer attempts than `expected` were seen, keep polling (bounded): on a loaded machine the
    // fiber can take longer to send its next attempt. A check that nothing more happened (expected =
    // the current count) still gets the same settling time.
    const attempts = (expected: number) =>
      Effect.gen(function*() {
        yield* Effect.repeatN(settle, 2)
        for (let i = 0; i < 500 && (yield* script.attempts) < expected; i++) yield* settle
        return yield* script.attempts
      })
    return { fiber, attempts, sent: script.sent }
  })

describe("retries (get / update / delete: transient failures)", () => {
  it.effect("503, 503, 200 → 3 attempts and the 200's response", () =>
    Effect.gen(function*() {
      const { attempts, fiber } = yield* start(
        [unavailable(), unavailable(), ok],
        DynamicClientRegistration.get(getRequest)
      )
      yield* adjust("1 minute", fiber)
      const response = yield* Fiber.join(fiber)
      assert.strictEqual(response.action, "OK")
      assert.strictEqual(yield* attempts(3), 3)
    }))

  it.effect("waits between attempts (exponential backoff, first delay 200 ms ± 20 %)", () =>
    Effect.gen(function*() {
      const { attempts, fiber } = yield* start(
        [unavailable(), unavailable(), ok],
        DynamicClientRegistration.get(getRequest)
      )
      assert.strictEqual(yield* attempts(1), 1)
      const first = yield* nextSleep(fiber)
      assert.isTrue(first >= 160 && first <= 240, `first delay ${first} ms`)
      yield* TestClock.adjust(first - 1)
      assert.strictEqual(yield* attempts(1), 1)
      yield* TestClock.adjust(1)
      assert.strictEqual(yield* attempts(2), 2)
      const second = yield* nextSleep(fiber)
      assert.isTrue(second >= 320 && second <= 480, `second delay ${second} ms`)
      yield* TestClock.adjust(second - 1)
      assert.strictEqual(yield* attempts(2), 2)
      yield* TestClock.adjust(1)
      assert.strictEqual(yield* attempts(3), 3)
      assert.strictEqual((yield* Fiber.join(fiber)).action, "OK")
    }))

  it.effect("gives up after 3 retries with the last error", () =>
    Effect.gen(function*() {
      const { attempts, fiber } = yield* start(
        [unavailable()],
        DynamicClientRegistration.update({
          ...getRequest,
          json: "{}"
        })
      )
      yield* adjust("10 minutes", fiber)
      const error = yield* Effect.flip(Fiber.join(fiber))
      assert.strictEqual(error._tag, "AuthleteDefaultError")
      assert.strictEqual(error._tag === "AuthleteDefaultError" && error.status, 503)
      assert.strictEqual(yield* attempts(4), 4)
    }))

  for (const status of [408, 429, 500, 502, 503, 504]) {
    it.effect(`get retries HTTP ${status}`, () =>
      Effect.gen(function*() {
        const first: Step = status === 500
          ? json(500, fixtures.resultErrors[500])
          : { status, text: "x", headers: { "content-type": "text/plain" } }
        const { attempts, fiber } = yield* start([first, ok], DynamicClientRegistration.get(getRequest))
        yield* adjust("1 minute", fiber)
        assert.strictEqual((yield* Fiber.join(fiber)).action, "OK")
        assert.strictEqual(yield* attempts(2), 2)
      }))
  }

  for (const status of [400, 401, 403] as const) {
    it.effect(`delete does not retry ResultError ${status}`, () =>
      Effect.gen(function*() {
        const { attempts, fiber } = yield* start(
          [json(status, fixtures.resultErrors[status]), json(200, fixtures.deleteResponse)],
          DynamicClientRegistration.delete(getRequest)
        )
        yield* adjust("1 minute", fiber)
        const error = yield* Effect.flip(Fiber.join(fiber))
        assert.strictEqual(error._tag, "ResultError")
        assert.strictEqual(yield* attempts(1), 1)
      }))
  }

  it.effect("delete retries a refused and a reset connection", () =>
    Effect.gen(function*() {
      const { attempts, fiber } = yield* start(
        [{ fail: connectionRefused() }, { fail: connectionReset() }, json(200, fixtures.deleteResponse)],
        DynamicClientRegistration.delete(getRequest)
      )
      yield* adjust("1 minute", fiber)
      assert.strictEqual((yield* Fiber.join(fiber)).action, "DELETED")
      assert.strictEqual(yield* attempts(3), 3)
    }))

  it.effect("does not retry a response that cannot be decoded", () =>
    Effect.gen(function*() {
      const { attempts, fiber } = yield* start(
        [json(200, { action: "CREATED" }), ok],
        DynamicClientRegistration.get(getRequest)
      )
      yield* adjust("1 minute", fiber)
      const error = yield* Effect.flip(Fiber.join(fiber))
      assert.strictEqual(error._tag, "ResponseDecodeError")
      assert.strictEqual(yield* attempts(1), 1)
    }))
})

describe("Retry-After", () => {
  it.effect("delta-seconds: no retry at 29 s, retry at 30 s (cap raised to 1 minute)", () =>
    Effect.gen(function*() {
      const { attempts, fiber } = yield* start(
        [{ status: 429, text: "slow down", headers: { "retry-after": "30" } }, ok],
        DynamicClientRegistration.get(getRequest),
        { retryPolicy: RetryPolicy.backoff({ maxRetryAfter: "1 minute" }) }
      )
      yield* adjust("29 seconds", fiber)
      assert.strictEqual(yield* attempts(1), 1)
      yield* adjust("1 second", fiber)
      assert.strictEqual(yield* attempts(2), 2)
      assert.strictEqual((yield* Fiber.join(fiber)).action, "OK")
    }))

  it.effect("HTTP-date: register waits until that date (503 + Retry-After = not processed)", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2026-11-22T06:00:00Z"))
      const { attempts, fiber } = yield* start(
        [unavailable({ "retry-after": "Sun, 22 Nov 2026 06:00:45 GMT" }), created],
        DynamicClientRegistration.register(registerRequest),
        { retryPolicy: RetryPolicy.backoff({ maxRetryAfter: "1 minute" }) }
      )
      yield* adjust("44 seconds", fiber)
      assert.strictEqual(yield* attempts(1), 1)
      yield* adjust("1 second", fiber)
      assert.strictEqual(yield* attempts(2), 2)
      assert.strictEqual((yield* Fiber.join(fiber)).action, "CREATED")
    }))

  it.effect("is capped (default 20 s) when the server asks for an hour", () =>
    Effect.gen(function*() {
      const { attempts, fiber } = yield* start(
        [unavailable({ "retry-after": "3600" }), ok],
        DynamicClientRegistration.get(getRequest)
      )
      yield* adjust("19 seconds", fiber)
      assert.strictEqual(yield* attempts(1), 1)
      yield* adjust("1 second", fiber)
      assert.strictEqual(yield* attempts(2), 2)
      yield* Fiber.join(fiber)
    }))

  it.effect("the error keeps the requested delay", () =>
    Effect.gen(function*() {
      const { fiber } = yield* start(
        [{ status: 429, text: "", headers: { "retry-after": "7" } }],
        DynamicClientRegistration.get(getRequest),
        { retryPolicy: RetryPolicy.none }
      )
      const error = yield* Effect.flip(Fiber.join(fiber))
      assert.strictEqual(error._tag, "AuthleteDefaultError")
      if (error._tag === "AuthleteDefaultError") {
        assert.deepStrictEqual(error.retryAfter, Duration.seconds(7))
      }
    }))
})

describe("register is not idempotent", () => {
  const notRetried = (name: string, step: Step, tag: string) =>
    it.effect(`not retried on ${name}`, () =>
      Effect.gen(function*() {
        const { attempts, fiber } = yield* start(
          [step, created],
          DynamicClientRegistration.register(registerRequest),
          "never" in step ? { timeout: undefined } : {}
        )
        yield* adjust("10 minutes", fiber)
        const error = yield* Effect.flip(Fiber.join(fiber))
        assert.strictEqual(error._tag, tag)
        assert.strictEqual(yield* attempts(1), 1)
      }))

  notRetried("a 500 ResultError", json(500, fixtures.resultErrors[500]), "ResultError")
  notRetried("a 502", { status: 502, text: "bad gateway" }, "AuthleteDefaultError")
  notRetried("a 503 without Retry-After", unavailable(), "AuthleteDefaultError")
  notRetried("a 429 without Retry-After", { status: 429, text: "" }, "AuthleteDefaultError")
  notRetried("a connection reset (the request may have been processed)", { fail: connectionReset() }, "TransportError")
  notRetried("a timeout", { never: true }, "TimeoutError")

  it.effect("retried when the connection was refused before sending", () =>
    Effect.gen(function*() {
      const { attempts, fiber } = yield* start(
        [{ fail: connectionRefused() }, { fail: connectionRefused() }, created],
        DynamicClientRegistration.register(registerRequest)
      )
      yield* adjust("1 minute", fiber)
      assert.strictEqual((yield* Fiber.join(fiber)).action, "CREATED")
      assert.strictEqual(yield* attempts(3), 3)
    }))

  it.effect("retried on 429 with Retry-After", () =>
    Effect.gen(function*() {
      const { attempts, fiber } = yield* start(
        [{ status: 429, text: "", headers: { "retry-after": "2" } }, created],
        DynamicClientRegistration.register(registerRequest)
      )
      yield* adjust("1 minute", fiber)
      assert.strictEqual((yield* Fiber.join(fiber)).action, "CREATED")
      assert.strictEqual(yield* attempts(2), 2)
    }))

  it.effect("a custom classification can opt in to retrying 500", () =>
    Effect.gen(function*() {
      const { attempts, fiber } = yield* start(
        [json(500, fixtures.resultErrors[500]), created],
        DynamicClientRegistration.register(registerRequest).pipe(
          AuthleteClient.withRetryPolicy(RetryPolicy.backoff({ retryable: (_, e) => RetryPolicy.isTransient(e) }))
        )
      )
      yield* adjust("1 minute", fiber)
      assert.strictEqual((yield* Fiber.join(fiber)).action, "CREATED")
      assert.strictEqual(yield* attempts(2), 2)
    }))
})

describe("per-attempt timeout", () => {
  it.effect("each attempt has its own limit; a timed-out get is retried", () =>
    Effect.gen(function*() {
      const { attempts, fiber } = yield* start(
        [{ never: true }, { never: true }, ok],
        DynamicClientRegistration.get(getRequest),
        { timeout: "5 seconds", retryPolicy: RetryPolicy.fromSchedule(Schedule.spaced("1 second")) }
      )
      yield* adjust("4999 millis", fiber)
      assert.strictEqual(yield* attempts(1), 1)
      yield* adjust("1 millis", fiber)
      assert.strictEqual(yield* attempts(1), 1) // timed out, now waiting 1 s
      yield* adjust("1 second", fiber)
      assert.strictEqual(yield* attempts(2), 2)
      yield* adjust("5 seconds", fiber)
      yield* adjust("1 second", fiber)
      assert.strictEqual(yield* attempts(3), 3)
      assert.strictEqual((yield* Fiber.join(fiber)).action, "OK")
    }))

  it.effect("withTimeout overrides the layer's per-attempt limit inside its scope only", () =>
    Effect.gen(function*() {
      const { attempts, fiber } = yield* start(
        [{ never: true }, { never: true }],
        Effect.zip(
          Effect.either(DynamicClientRegistration.get(getRequest).pipe(AuthleteClient.withTimeout("1 second"))),
          Effect.either(DynamicClientRegistration.get(getRequest))
        ).pipe(AuthleteClient.withRetryPolicy(RetryPolicy.none)),
        { timeout: "10 seconds" }
      )
      yield* adjust("999 millis", fiber)
      assert.strictEqual(yield* attempts(1), 1)
      yield* adjust("1 millis", fiber)
      assert.strictEqual(yield* attempts(2), 2) // the first call timed out after 1 s, the second started
      yield* adjust("9999 millis", fiber)
      assert.isNull(fiber.unsafePoll())
      yield* adjust("1 millis", fiber)
      const [scoped, unscoped] = yield* Fiber.join(fiber)
      assert.isTrue(Either.isLeft(scoped) && scoped.left._tag === "TimeoutError")
      if (Either.isLeft(scoped) && scoped.left._tag === "TimeoutError") {
        assert.deepStrictEqual(scoped.left.timeout, Duration.seconds(1))
      }
      assert.isTrue(Either.isLeft(unscoped) && unscoped.left._tag === "TimeoutError")
      if (Either.isLeft(unscoped) && unscoped.left._tag === "TimeoutError") {
        assert.deepStrictEqual(unscoped.left.timeout, Duration.seconds(10))
      }
    }))

  it.effect("TimeoutError carries the limit (default 10 s)", () =>
    Effect.gen(function*() {
      const { attempts, fiber } = yield* start([{ never: true }], DynamicClientRegistration.register(registerRequest), {
        timeout: undefined
      })
      yield* adjust("9 seconds", fiber)
      assert.isNull(fiber.unsafePoll())
      yield* adjust("1 second", fiber)
      const exit = yield* Fiber.await(fiber)
      assert.isTrue(Exit.isFailure(exit))
      const error = yield* Effect.flip(Fiber.join(fiber))
      assert.strictEqual(error._tag, "TimeoutError")
      if (error._tag === "TimeoutError") assert.deepStrictEqual(error.timeout, Duration.seconds(10))
      assert.strictEqual(yield* attempts(1), 1)
    }))
})

describe("replacing the policy", () => {
  it.effect("RetryPolicy.none per layer", () =>
    Effect.gen(function*() {
      const { attempts, fiber } = yield* start([unavailable(), ok], DynamicClientRegistration.get(getRequest), {
        retryPolicy: RetryPolicy.none
      })
      yield* adjust("1 minute", fiber)
      assert.strictEqual((yield* Effect.flip(Fiber.join(fiber)))._tag, "AuthleteDefaultError")
      assert.strictEqual(yield* attempts(1), 1)
    }))

  it.effect("withRetryPolicy per call overrides the layer's policy", () =>
    Effect.gen(function*() {
      const { attempts, fiber } = yield* start(
        [unavailable()],
        DynamicClientRegistration.get(getRequest).pipe(
          AuthleteClient.withRetryPolicy(RetryPolicy.backoff({ maxRetries: 1 }))
        )
      )
      yield* adjust("1 minute", fiber)
      yield* Effect.flip(Fiber.join(fiber))
      assert.strictEqual(yield* attempts(2), 2)
    }))

  it.effect("withRetryPolicy(none) around a call of a retrying layer", () =>
    Effect.gen(function*() {
      const { attempts, fiber } = yield* start(
        [unavailable(), ok],
        AuthleteClient.withRetryPolicy(DynamicClientRegistration.get(getRequest), RetryPolicy.none)
      )
      yield* adjust("1 minute", fiber)
      yield* Effect.flip(Fiber.join(fiber))
      assert.strictEqual(yield* attempts(1), 1)
    }))

  it.effect("fromSchedule keeps Retry-After as a minimum delay", () =>
    Effect.gen(function*() {
      const { attempts, fiber } = yield* start(
        [{ status: 503, text: "", headers: { "retry-after": "5" } }, ok],
        DynamicClientRegistration.get(getRequest),
        {
          retryPolicy: RetryPolicy.fromSchedule(
            Schedule.spaced("1 second").pipe(Schedule.intersect(Schedule.recurs(2)))
          )
        }
      )
      yield* adjust("4 seconds", fiber)
      assert.strictEqual(yield* attempts(1), 1)
      yield* adjust("1 second", fiber)
      assert.strictEqual(yield* attempts(2), 2)
      yield* Fiber.join(fiber)
    }))
})
