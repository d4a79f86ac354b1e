import type { HttpClient } from "@effect/platform"
import { FetchHttpClient } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Layer, Queue, Redacted } from "effect"
import { AuthleteClient, DynamicClientRegistration, RetryPolicy } from "../src/index.js"
import * as fixtures from "./fixtures.js"
import { answerJson, closedPort, destroyAfterReading, loopback, neverAnswer } from "./utils/loopback.js"

const token = Redacted.make(fixtures.registrationAccessToken)
const serviceAccessToken = Redacted.make("sat-loopback-secret")

const clients: ReadonlyArray<[string, Layer.Layer<HttpClient.HttpClient>]> = [
  ["undici", NodeHttpClient.layerUndici],
  ["node:http", NodeHttpClient.layer],
  ["fetch", FetchHttpClient.layer]
]

const authlete = (
  baseUrl: string,
  http: Layer.Layer<HttpClient.HttpClient>,
  overrides: Partial<AuthleteClient.Options> = {}
) =>
  AuthleteClient.layer({ baseUrl, serviceId: "715948317", serviceAccessToken, ...overrides }).pipe(
    Layer.provide(http),
    Layer.orDie
  )

/** Fails the test instead of hanging when the server never sees the socket close. */
const within = <A, E, R>(self: Effect.Effect<A, E, R>, what: string) =>
  self.pipe(Effect.timeoutFail({ duration: "5 seconds", onTimeout: () => new Error(`timed out waiting: ${what}`) }))

describe.each(clients)("over a real loopback server with %s", (_, http) => {
  it.scopedLive("200 → decoded response", () =>
    Effect.gen(function*() {
      const server = yield* loopback(answerJson(200, fixtures.registerResponse))
      const response = yield* DynamicClientRegistration.register({ json: "{}" }).pipe(
        Effect.provide(authlete(server.url, http))
      )
      assert.strictEqual(response.action, "CREATED")
      const request = yield* Queue.take(server.requests)
      assert.strictEqual(request.url, "/api/715948317/client/registration")
      assert.strictEqual(request.headers.authorization, "Bearer sat-loopback-secret")
    }))

  it.scopedLive("interrupting the caller aborts the HTTP request (the server sees the socket close)", () =>
    Effect.gen(function*() {
      const server = yield* loopback(neverAnswer)
      // built in the test's scope: the HttpClient (and its connection pool) outlives the fiber,
      // so only the abort can close the socket
      const context = yield* Layer.build(authlete(server.url, http, { timeout: "1 minute" }))
      const fiber = yield* DynamicClientRegistration.get({ clientId: "1", token }).pipe(
        Effect.provide(context),
        Effect.fork
      )
      const request = yield* within(Queue.take(server.requests), "the request")
      assert.isFalse(yield* Deferred.isDone(request.socketClosed))
      yield* Fiber.interrupt(fiber)
      yield* within(Deferred.await(request.socketClosed), "the socket to close")
    }))

  it.scopedLive("the per-attempt timeout aborts the request and fails with TimeoutError", () =>
    Effect.gen(function*() {
      const server = yield* loopback(neverAnswer)
      const context = yield* Layer.build(authlete(server.url, http, { timeout: "200 millis" }))
      const error = yield* DynamicClientRegistration.register({ json: "{}" }).pipe(
        Effect.provide(context),
        Effect.flip
      )
      assert.strictEqual(error._tag, "TimeoutError")
      const request = yield* Queue.take(server.requests)
      yield* within(Deferred.await(request.socketClosed), "the socket to close")
      assert.strictEqual(yield* Queue.size(server.requests), 0) // register: no second attempt
    }))

  it.scopedLive("connection refused → TransportError{requestSent: false}, and register is retried", () =>
    Effect.gen(function*() {
      const port = yield* closedPort
      const error = yield* DynamicClientRegistration.register({ json: "{}" }).pipe(
        Effect.provide(authlete(`http://127.0.0.1:${port}`, http, { retryPolicy: RetryPolicy.none })),
        Effect.flip
      )
      assert.strictEqual(error._tag, "TransportError")
      assert.isTrue(error._tag === "TransportError" && error.requestSent === false, String(error))
      assert.isTrue(RetryPolicy.retryable("register", error))
    }))

  it.scopedLive("connection dropped after the request was read → requestSent: true; register sent once, get retried", () =>
    Effect.gen(function*() {
      const server = yield* loopback(destroyAfterReading)
      const fast = RetryPolicy.backoff({ initialDelay: "5 millis", maxRetries: 2 })
      const error = yield* DynamicClientRegistration.register({ json: "{}" }).pipe(
        Effect.provide(authlete(server.url, http, { retryPolicy: fast })),
        Effect.flip
      )
      assert.isTrue(error._tag === "TransportError" && error.requestSent, String(error))
      assert.strictEqual(yield* Queue.size(server.requests), 1)
      yield* Queue.takeAll(server.requests)
      const getError = yield* DynamicClientRegistration.get({ clientId: "1", token }).pipe(
        Effect.provide(authlete(server.url, http, { retryPolicy: fast })),
        Effect.flip
      )
      assert.strictEqual(getError._tag, "TransportError")
      assert.strictEqual(yield* Queue.size(server.requests), 3)
    }))
})
