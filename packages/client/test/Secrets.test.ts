/**
 * The service access token, registration access tokens, initial access tokens and client secrets
 * must never reach logs or spans (attributes, events, span exits), whatever happens.
 */
import { HttpClient } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Chunk, Effect, Exit, Layer, Logger, LogLevel, Option, Queue, Redacted, Tracer } from "effect"
import type { Context } from "effect"
import { AuthleteClient, DynamicClientRegistration, RetryPolicy } from "../src/index.js"
import * as fixtures from "./fixtures.js"
import { loopback } from "./utils/loopback.js"
import type { Handler } from "./utils/loopback.js"

const serviceAccessToken = "sat-NEVER-LOG-ME-91xQ"
const initialAccessToken = "iat-NEVER-LOG-ME-55Za"
const secrets = [serviceAccessToken, initialAccessToken, fixtures.registrationAccessToken, fixtures.clientSecret]

interface RecordedSpan {
  readonly name: string
  readonly attributes: Map<string, unknown>
  readonly events: Array<[string, Record<string, unknown> | undefined]>
  exit: Exit.Exit<unknown, unknown> | undefined
}

const recordingTracer = (spans: Array<RecordedSpan>) =>
  Tracer.make({
    span(name, parent, context, links, startTime, kind) {
      const recorded: RecordedSpan = { name, attributes: new Map(), events: [], exit: undefined }
      spans.push(recorded)
      const span: Tracer.Span = {
        _tag: "Span",
        name,
        spanId: `span-${spans.length}`,
        traceId: "trace-1",
        parent,
        context: context as Context.Context<never>,
        status: { _tag: "Started", startTime },
        get attributes() {
          return recorded.attributes
        },
        links,
        sampled: true,
        kind,
        end(_endTime, exit) {
          recorded.exit = exit
        },
        attribute(key, value) {
          recorded.attributes.set(key, value)
        },
        event(name, _startTime, attributes) {
          recorded.events.push([name, attributes])
        },
        addLinks() {}
      }
      return span
    },
    context: (f) => f()
  })

const render = (u: unknown): string => {
  try {
    return `${String(u)} ${JSON.stringify(u)}`
  } catch {
    return String(u)
  }
}

/** Answers by path: register 200, get 503 then 200, update 401, delete drops the connection. */
const scriptedAuthlete = (): Handler => {
  let gets = 0
  return (request, res) => {
    if (request.url.endsWith("/get")) {
      if (gets++ === 0) {
        res.writeHead(503, { "content-type": "text/plain" })
        res.end("try later")
        return
      }
      res.writeHead(200, { "content-type": "application/json" })
      res.end(JSON.stringify(fixtures.getResponse))
    } else if (request.url.endsWith("/update")) {
      res.writeHead(401, { "content-type": "application/json" })
      res.end(JSON.stringify(fixtures.resultErrors[401]))
    } else if (request.url.endsWith("/delete")) {
      res.socket?.destroy()
    } else {
      res.writeHead(200, { "content-type": "application/json" })
      res.end(JSON.stringify(fixtures.registerResponse))
    }
  }
}

describe("secrets", () => {
  it.scopedLive("never appear in logs or spans", () =>
    Effect.gen(function*() {
      const server = yield* loopback(scriptedAuthlete())
      const lines: Array<string> = []
      const spans: Array<RecordedSpan> = []
      const capture = Logger.make((options) => {
        lines.push(Logger.logfmtLogger.log(options), Logger.jsonLogger.log(options))
        if (!Cause.isEmpty(options.cause)) lines.push(Cause.pretty(options.cause, { renderErrorCause: true }))
        lines.push(render(options.message))
      })
      const layer = AuthleteClient.layer({
        baseUrl: server.url,
        serviceId: "715948317",
        serviceAccessToken: Redacted.make(serviceAccessToken),
        retryPolicy: RetryPolicy.backoff({ initialDelay: "5 millis" })
      }).pipe(Layer.provide(NodeHttpClient.layerUndici))
      const token = Redacted.make(fixtures.registrationAccessToken)
      const clientId = "26837717140341"

      const logOutcome = <A, E>(
        name: string,
        op: Effect.Effect<A, E, DynamicClientRegistration.DynamicClientRegistration>
      ) =>
        op.pipe(
          // not the whole response: `responseContent` is the RFC 7591 body for the client and holds
          // client_secret and registration_access_token as a plain JSON string
          Effect.tap((response) => Effect.logInfo(`${name} succeeded`, (response as { action?: string }).action)),
          Effect.tapErrorCause((cause) => Effect.logError(`${name} failed`, cause)),
          Effect.exit
        )

      const exits: ReadonlyArray<Exit.Exit<unknown, unknown>> = yield* Effect.all([
        logOutcome(
          "register",
          DynamicClientRegistration.register({ json: "{}", token: Redacted.make(initialAccessToken) })
        ),
        logOutcome("get", DynamicClientRegistration.get({ clientId, token })),
        logOutcome("update", DynamicClientRegistration.update({ clientId, token, json: "{}" })),
        logOutcome("delete", DynamicClientRegistration.delete({ clientId, token }))
      ]).pipe(
        Effect.provide(layer),
        Effect.withTracer(recordingTracer(spans)),
        Effect.provide(Logger.replace(Logger.defaultLogger, capture)),
        Logger.withMinimumLogLevel(LogLevel.All)
      )

      // the scenario really ran: successes, failures, retries, spans
      assert.deepStrictEqual(exits.map((exit) => Exit.isSuccess(exit)), [true, true, false, false])
      assert.isTrue(lines.some((line) => line.includes("attempt failed")), "a retry was logged")
      const get = spans.find((span) => span.name === "DynamicClientRegistration.get")
      assert.isDefined(get)
      assert.strictEqual(get!.attributes.get("authlete.service_id"), "715948317")
      assert.strictEqual(get!.attributes.get("dcr.client_id"), clientId)
      const register = spans.find((span) => span.name === "DynamicClientRegistration.register")
      assert.strictEqual(register!.attributes.get("dcr.client_id"), clientId)
      // one client span per attempt: register 1, get 2, update 1, delete 4 (3 retries)
      const attempts = spans.filter((span) => span.name.startsWith("Authlete POST /client/registration"))
      assert.strictEqual(attempts.length, 8)
      assert.deepStrictEqual(
        attempts.map((span) => span.attributes.get("http.response.status_code")),
        [200, 503, 200, 401, undefined, undefined, undefined, undefined]
      )

      // the secrets were on the wire …
      const wire = Chunk.toReadonlyArray(yield* Queue.takeAll(server.requests))
      assert.isTrue(wire.some((r) => r.body.includes(fixtures.registrationAccessToken)))
      assert.isTrue(wire.some((r) => String(r.headers["authorization"]).includes(serviceAccessToken)))

      // … and nowhere else
      const spanText = spans.map((span) =>
        [
          span.name,
          render(Object.fromEntries(span.attributes)),
          render(span.events),
          span.exit && Exit.isFailure(span.exit) ? Cause.pretty(span.exit.cause, { renderErrorCause: true }) : "",
          span.exit
            ? render(Exit.isFailure(span.exit) ? Option.getOrUndefined(Cause.failureOption(span.exit.cause)) : "")
            : ""
        ].join("\n")
      ).join("\n")
      const logText = lines.join("\n")
      assert.isAbove(logText.length, 0)
      for (const secret of secrets) {
        assert.notInclude(logText, secret, "a secret leaked into the logs")
        assert.notInclude(spanText, secret, "a secret leaked into a span")
      }
      // errors themselves are safe to print
      for (const exit of exits) {
        if (Exit.isFailure(exit)) {
          const text = `${Cause.pretty(exit.cause, { renderErrorCause: true })} ${render(Cause.squash(exit.cause))}`
          for (const secret of secrets) assert.notInclude(text, secret)
        }
      }
    }))

  it.scopedLive("with the platform's client spans re-enabled, Authorization is redacted there too", () =>
    Effect.gen(function*() {
      const server = yield* loopback(scriptedAuthlete())
      const spans: Array<RecordedSpan> = []
      yield* DynamicClientRegistration.get({ clientId: "1", token: Redacted.make(fixtures.registrationAccessToken) })
        .pipe(
          Effect.provide(
            AuthleteClient.layer({
              baseUrl: server.url,
              serviceId: "715948317",
              serviceAccessToken: Redacted.make(serviceAccessToken),
              retryPolicy: RetryPolicy.backoff({ initialDelay: "5 millis" }),
              transformClient: HttpClient.withTracerDisabledWhen(() => false)
            }).pipe(Layer.provide(NodeHttpClient.layerUndici))
          ),
          Effect.withTracer(recordingTracer(spans))
        )
      const http = spans.filter((span) => span.attributes.has("http.request.header.authorization"))
      assert.strictEqual(http.length, 2)
      for (const span of http) {
        assert.strictEqual(span.attributes.get("http.request.header.authorization"), "<redacted>")
        assert.notInclude(render(Object.fromEntries(span.attributes)), serviceAccessToken)
      }
    }))
})
