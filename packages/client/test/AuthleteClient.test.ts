import { HttpClient } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { ConfigError, ConfigProvider, Effect, Fiber, Layer, Redacted, Ref, TestClock } from "effect"
import { AuthleteClient, DynamicClientRegistration, RetryPolicy } from "../src/index.js"
import * as fixtures from "./fixtures.js"
import { adjust, settle } from "./utils/clock.js"
import { connectionRefused, connectionReset, json, layerWith, scripted, serviceAccessToken } from "./utils/scripted.js"
import type { Step } from "./utils/scripted.js"

const token = Redacted.make(fixtures.registrationAccessToken)
const clientId = "26837717140341"

/** Runs one operation against a one-shot script, without retries. */
const run = <A, E>(
  steps: ReadonlyArray<Step>,
  op: Effect.Effect<A, E, DynamicClientRegistration.DynamicClientRegistration>,
  overrides: Partial<AuthleteClient.Options> = {}
) =>
  Effect.gen(function*() {
    const script = yield* scripted(steps)
    const exit = yield* op.pipe(
      Effect.provide(layerWith(script.client, { retryPolicy: RetryPolicy.none, ...overrides })),
      Effect.exit
    )
    return { exit, sent: yield* Ref.get(script.sent) }
  })

const failure = <A, E>(
  steps: ReadonlyArray<Step>,
  op: Effect.Effect<A, E, DynamicClientRegistration.DynamicClientRegistration>
) => Effect.flatMap(run(steps, op), ({ exit }) => Effect.flip(exit))

describe("the request on the wire", () => {
  it.effect("register: POST …/client/registration, bearer service token, JSON body", () =>
    Effect.gen(function*() {
      const { sent } = yield* run(
        [json(200, fixtures.registerResponse)],
        DynamicClientRegistration.register({ json: "{\"client_name\":\"My Dynamic Client\"}", token })
      )
      assert.strictEqual(sent.length, 1)
      const [request] = sent
      assert.strictEqual(request!.method, "POST")
      assert.strictEqual(request!.url, "https://authlete.test/api/715948317/client/registration")
      assert.strictEqual(request!.headers["authorization"], `Bearer ${Redacted.value(serviceAccessToken)}`)
      assert.strictEqual(request!.headers["content-type"], "application/json")
      assert.strictEqual(request!.headers["accept"], "application/json")
      assert.deepStrictEqual(JSON.parse(request!.body), {
        json: "{\"client_name\":\"My Dynamic Client\"}",
        token: fixtures.registrationAccessToken
      })
    }))

  for (
    const [name, op, path] of [
      ["get", DynamicClientRegistration.get({ clientId, token }), "/get"],
      ["update", DynamicClientRegistration.update({ clientId, token, json: "{}" }), "/update"],
      ["delete", DynamicClientRegistration.delete({ clientId, token }), "/delete"]
    ] as const
  ) {
    it.effect(`${name}: POST …/client/registration${path} with clientId as a string`, () =>
      Effect.gen(function*() {
        const { sent } = yield* run(
          [json(200, fixtures.deleteResponse)],
          op as Effect.Effect<unknown, unknown, DynamicClientRegistration.DynamicClientRegistration>
        )
        assert.strictEqual(sent[0]!.url, `https://authlete.test/api/715948317/client/registration${path}`)
        const body = JSON.parse(sent[0]!.body)
        assert.strictEqual(body.clientId, clientId)
        assert.strictEqual(body.token, fixtures.registrationAccessToken)
        assert.strictEqual(body.json, name === "update" ? "{}" : undefined)
      }))
  }

  it.effect("percent-encodes the service ID and keeps a base path prefix", () =>
    Effect.gen(function*() {
      const { sent } = yield* run(
        [json(200, fixtures.getResponse)],
        DynamicClientRegistration.get({ clientId, token }),
        { baseUrl: "http://127.0.0.1:8080/authlete/", serviceId: "a/b c?ä" }
      )
      assert.strictEqual(sent[0]!.url, "http://127.0.0.1:8080/authlete/api/a%2Fb%20c%3F%C3%A4/client/registration/get")
    }))

  it.effect("region → https://{region}.authlete.com", () =>
    Effect.gen(function*() {
      const { sent } = yield* run(
        [json(200, fixtures.getResponse)],
        DynamicClientRegistration.get({ clientId, token }),
        {
          baseUrl: undefined,
          region: "jp"
        }
      )
      assert.strictEqual(sent[0]!.url, "https://jp.authlete.com/api/715948317/client/registration/get")
    }))

  it.effect("transformClient is applied", () =>
    Effect.gen(function*() {
      const { sent } = yield* run(
        [json(200, fixtures.getResponse)],
        DynamicClientRegistration.get({ clientId, token }),
        {
          transformClient: HttpClient.mapRequest((r) =>
            ({ ...r, headers: { ...r.headers, "x-extra": "1" } }) as typeof r
          )
        }
      )
      assert.strictEqual(sent[0]!.headers["x-extra"], "1")
    }))
})

describe("decoding Authlete's example responses", () => {
  it.effect("register → CREATED with the client", () =>
    Effect.gen(function*() {
      const { exit } = yield* run(
        [json(200, fixtures.registerResponse)],
        DynamicClientRegistration.register({ json: "{\"client_name\":\"My Dynamic Client\"}" })
      )
      const response = yield* exit
      assert.strictEqual(response.action, "CREATED")
      assert.strictEqual(response.resultCode, "A202001")
      assert.strictEqual(response.responseContent, fixtures.responseContent)
      assert.strictEqual(response.client?.clientId, 26837717140341)
      assert.strictEqual(response.client?.clientName, "My Dynamic Client")
      assert.strictEqual(Redacted.value(response.client!.clientSecret!), fixtures.clientSecret)
      assert.notInclude(String(response.client!.clientSecret), fixtures.clientSecret)
    }))

  it.effect("get → OK, update → UPDATED, delete → DELETED (no client)", () =>
    Effect.gen(function*() {
      const get = yield* Effect.flatMap(
        run([json(200, fixtures.getResponse)], DynamicClientRegistration.get({ clientId, token })),
        (_) => _.exit
      )
      assert.strictEqual(get.action, "OK")
      const update = yield* Effect.flatMap(
        run(
          [json(200, fixtures.updateResponse, { "content-type": "application/json;charset=UTF-8" })],
          DynamicClientRegistration.update({ clientId, token, json: "{}" })
        ),
        (_) => _.exit
      )
      assert.strictEqual(update.action, "UPDATED")
      assert.strictEqual(update.client?.clientName, "My Updated Dynamic Client")
      const deleted = yield* Effect.flatMap(
        run([json(200, fixtures.deleteResponse)], DynamicClientRegistration.delete({ clientId, token })),
        (_) => _.exit
      )
      assert.strictEqual(deleted.action, "DELETED")
      assert.isUndefined(deleted.client)
    }))

  it.effect("an action the operation cannot produce is a ResponseDecodeError naming the path", () =>
    Effect.gen(function*() {
      const error = yield* failure(
        [json(200, fixtures.registerResponse)],
        DynamicClientRegistration.get({ clientId, token })
      )
      assert.strictEqual(error._tag, "ResponseDecodeError")
      assert.include(error.message, "action: must be one of \"OK\", \"BAD_REQUEST\"")
      assert.notInclude(error.message, "CREATED")
    }))

  it.effect("a decode error never quotes the payload's values", () =>
    Effect.gen(function*() {
      const error = yield* failure(
        [json(200, { action: "CREATED", responseContent: { client_secret: fixtures.clientSecret } })],
        DynamicClientRegistration.register({ json: "{}" })
      )
      assert.strictEqual(error._tag, "ResponseDecodeError")
      assert.include(error.message, "responseContent: must be a string")
      assert.notInclude(error.message, fixtures.clientSecret)
      assert.notInclude(JSON.stringify(error), fixtures.clientSecret)
    }))

  it.effect("decode errors name the path and what it expected, never the value", () =>
    Effect.gen(function*() {
      const error = yield* failure(
        [json(200, { ...fixtures.registerResponse, client: fixtures.client({ clientId: "hunter2" }) })],
        DynamicClientRegistration.register({ json: "{}" })
      )
      assert.strictEqual(error._tag, "ResponseDecodeError")
      if (error._tag !== "ResponseDecodeError") return
      assert.match(error.description, /^client\.clientId: /)
      assert.notInclude(error.description, "hunter2")
      assert.notInclude(error.description, "got")
    }))

  it.effect("JSON content types: parameters, case and surrounding whitespace are accepted", () =>
    Effect.gen(function*() {
      for (
        const contentType of ["application/json", "Application/JSON; charset=utf-8", " application/json ;charset=UTF-8"]
      ) {
        const response = yield* Effect.flatMap(
          run(
            [json(200, fixtures.registerResponse, { "content-type": contentType })],
            DynamicClientRegistration.register({ json: "{}" })
          ),
          (_) => _.exit
        )
        assert.strictEqual(response.action, "CREATED", contentType)
      }
      for (const contentType of ["application/jsonp", "text/json", "application/json-seq"]) {
        const error = yield* failure(
          [json(200, fixtures.registerResponse, { "content-type": contentType })],
          DynamicClientRegistration.register({ json: "{}" })
        )
        assert.strictEqual(error._tag, "AuthleteDefaultError", contentType)
      }
    }))

  it.effect("200 application/json that is not JSON → ResponseDecodeError", () =>
    Effect.gen(function*() {
      const error = yield* failure(
        [{ status: 200, text: "{not json", headers: { "content-type": "application/json" } }],
        DynamicClientRegistration.register({ json: "{}" })
      )
      assert.strictEqual(error._tag, "ResponseDecodeError")
    }))
})

describe("status → error", () => {
  for (const status of [400, 401, 403, 500] as const) {
    it.effect(`${status} + JSON → ResultError`, () =>
      Effect.gen(function*() {
        const error = yield* failure(
          [json(status, fixtures.resultErrors[status])],
          DynamicClientRegistration.register({ json: "{}" })
        )
        assert.strictEqual(error._tag, "ResultError")
        if (error._tag !== "ResultError") return
        assert.strictEqual(error.status, status)
        assert.strictEqual(error.operation, "register")
        assert.strictEqual(error.resultCode, fixtures.resultErrors[status].resultCode)
        assert.strictEqual(error.resultMessage, fixtures.resultErrors[status].resultMessage)
        assert.include(error.message, fixtures.resultErrors[status].resultMessage)
      }))
  }

  const defaults: ReadonlyArray<[string, Step, number]> = [
    ["200 text/plain", { status: 200, text: "ok", headers: { "content-type": "text/plain" } }, 200],
    ["200 without content type", { status: 200, text: "{}", headers: {} }, 200],
    ["201 JSON", json(201, fixtures.registerResponse), 201],
    ["204", { status: 204 }, 204],
    ["400 text/html", { status: 400, text: "<h1>Bad</h1>", headers: { "content-type": "text/html" } }, 400],
    [
      "401 JSON that is not a result",
      { status: 401, text: "[1,", headers: { "content-type": "application/json" } },
      401
    ],
    ["404 JSON", json(404, { resultCode: "X" }), 404],
    ["429", { status: 429, text: "slow down" }, 429],
    ["502", { status: 502, text: "<html>bad gateway</html>", headers: { "content-type": "text/html" } }, 502],
    ["503", { status: 503, text: "" }, 503],
    ["504", { status: 504, text: "" }, 504]
  ]
  for (const [name, step, status] of defaults) {
    it.effect(`${name} → AuthleteDefaultError`, () =>
      Effect.gen(function*() {
        const error = yield* failure([step], DynamicClientRegistration.get({ clientId, token }))
        assert.strictEqual(error._tag, "AuthleteDefaultError")
        if (error._tag !== "AuthleteDefaultError") return
        assert.strictEqual(error.status, status)
        assert.strictEqual(
          error.body,
          "text" in step && step.text !== undefined ? step.text : "body" in step ? JSON.stringify(step.body) : ""
        )
      }))
  }

  it.effect("the body of an AuthleteDefaultError is truncated", () =>
    Effect.gen(function*() {
      const error = yield* failure(
        [{ status: 502, text: "x".repeat(200_000) }],
        DynamicClientRegistration.get({ clientId, token })
      )
      assert.strictEqual(error._tag, "AuthleteDefaultError")
      if (error._tag !== "AuthleteDefaultError") return
      assert.isBelow(error.body.length, 2100)
      assert.isTrue(error.body.startsWith("x".repeat(2000)))
      assert.include(error.body, "truncated")
    }))

  it.effect("connection refused → TransportError{requestSent: false}, keeping only the socket error", () =>
    Effect.gen(function*() {
      const cause = connectionRefused()
      const error = yield* failure([{ fail: cause }], DynamicClientRegistration.register({ json: "{}", token }))
      assert.strictEqual(error._tag, "TransportError")
      if (error._tag !== "TransportError") return
      assert.isFalse(error.requestSent)
      assert.strictEqual(error.cause, cause)
      assert.include(error.message, "ECONNREFUSED")
    }))

  it.effect("fetch-style wrapped ENOTFOUND → requestSent: false; a reset → requestSent: true", () =>
    Effect.gen(function*() {
      const wrapped = new TypeError("fetch failed", {
        cause: Object.assign(new Error("getaddrinfo ENOTFOUND nowhere.invalid"), {
          code: "ENOTFOUND",
          syscall: "getaddrinfo"
        })
      })
      const e1 = yield* failure([{ fail: wrapped }], DynamicClientRegistration.get({ clientId, token }))
      assert.isTrue(e1._tag === "TransportError" && !e1.requestSent)
      const e2 = yield* failure([{ fail: connectionReset() }], DynamicClientRegistration.get({ clientId, token }))
      assert.isTrue(e2._tag === "TransportError" && e2.requestSent)
      const happyEyeballs = new AggregateError([connectionRefused(), connectionRefused()], "")
      const e3 = yield* failure([{ fail: happyEyeballs }], DynamicClientRegistration.get({ clientId, token }))
      assert.isTrue(e3._tag === "TransportError" && !e3.requestSent)
    }))
})

describe("options", () => {
  const build = (options: AuthleteClient.Options) =>
    Effect.gen(function*() {
      const script = yield* scripted([json(200, fixtures.getResponse)])
      return yield* Layer.build(AuthleteClient.layer(options)).pipe(
        Effect.provideService(HttpClient.HttpClient, script.client),
        Effect.scoped,
        Effect.flip
      )
    })

  it.effect("neither baseUrl nor region → ConfigError", () =>
    Effect.gen(function*() {
      const error = yield* build({ serviceId: "1", serviceAccessToken })
      assert.isTrue(ConfigError.isConfigError(error))
      assert.include(String(error), "baseUrl or region")
    }))

  it.effect("a malformed base URL → ConfigError", () =>
    Effect.gen(function*() {
      const error = yield* build({ baseUrl: "not a url", serviceId: "1", serviceAccessToken })
      assert.isTrue(ConfigError.isConfigError(error))
      assert.include(String(error), "baseUrl")
      const ftp = yield* build({ baseUrl: "ftp://x", serviceId: "1", serviceAccessToken })
      assert.include(String(ftp), "http(s)")
    }))

  it.effect("an empty service ID → ConfigError", () =>
    Effect.gen(function*() {
      const error = yield* build({ region: "us", serviceId: "", serviceAccessToken })
      assert.include(String(error), "serviceId")
    }))
})

describe("layerFromEnv", () => {
  const withEnv = (env: Record<string, string>) =>
    Effect.gen(function*() {
      const script = yield* scripted([json(200, fixtures.getResponse)])
      const exit = yield* DynamicClientRegistration.get({ clientId, token }).pipe(
        Effect.provide(
          AuthleteClient.layerFromEnv().pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, script.client)))
        ),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))),
        Effect.exit
      )
      return { exit, sent: yield* Ref.get(script.sent) }
    })

  const env = { AUTHLETE_SERVICE_ID: "715948317", AUTHLETE_SERVICE_ACCESS_TOKEN: "env-SECRET-token" }

  it.effect("reads region, service ID and token", () =>
    Effect.gen(function*() {
      const { exit, sent } = yield* withEnv({ ...env, AUTHLETE_REGION: "eu" })
      assert.strictEqual((yield* exit).action, "OK")
      assert.strictEqual(sent[0]!.url, "https://eu.authlete.com/api/715948317/client/registration/get")
      assert.strictEqual(sent[0]!.headers["authorization"], "Bearer env-SECRET-token")
    }))

  it.effect("AUTHLETE_BASE_URL wins over AUTHLETE_REGION", () =>
    Effect.gen(function*() {
      const { sent } = yield* withEnv({ ...env, AUTHLETE_REGION: "eu", AUTHLETE_BASE_URL: "http://localhost:9999" })
      assert.strictEqual(sent[0]!.url, "http://localhost:9999/api/715948317/client/registration/get")
    }))

  it.effect("names every missing variable", () =>
    Effect.gen(function*() {
      const { exit, sent } = yield* withEnv({})
      const error = yield* Effect.flip(exit)
      assert.isTrue(ConfigError.isConfigError(error))
      const text = String(error)
      for (
        const name of ["AUTHLETE_BASE_URL", "AUTHLETE_REGION", "AUTHLETE_SERVICE_ID", "AUTHLETE_SERVICE_ACCESS_TOKEN"]
      ) {
        assert.include(text, name)
      }
      assert.strictEqual(sent.length, 0)
    }))

  it.effect("names the one missing variable, and never prints the token", () =>
    Effect.gen(function*() {
      const { exit } = yield* withEnv({ AUTHLETE_REGION: "us", AUTHLETE_SERVICE_ACCESS_TOKEN: "env-SECRET-token" })
      const text = String(yield* Effect.flip(exit))
      assert.include(text, "AUTHLETE_SERVICE_ID")
      assert.notInclude(text, "AUTHLETE_SERVICE_ACCESS_TOKEN")
      assert.notInclude(text, "env-SECRET-token")
    }))

  it.effect("rejects an unknown region", () =>
    Effect.gen(function*() {
      const { exit } = yield* withEnv({ ...env, AUTHLETE_REGION: "mars" })
      assert.include(String(yield* Effect.flip(exit)), "AUTHLETE_REGION")
    }))

  it.effect("AUTHLETE_TIMEOUT sets the per-attempt timeout", () =>
    Effect.gen(function*() {
      const script = yield* scripted([{ never: true }])
      const error = yield* DynamicClientRegistration.get({ clientId, token }).pipe(
        Effect.provide(
          AuthleteClient.layerFromEnv({ retryPolicy: RetryPolicy.none }).pipe(
            Layer.provide(Layer.succeed(HttpClient.HttpClient, script.client))
          )
        ),
        Effect.withConfigProvider(
          ConfigProvider.fromMap(
            new Map(Object.entries({ ...env, AUTHLETE_REGION: "us", AUTHLETE_TIMEOUT: "20 millis" }))
          )
        ),
        Effect.flip,
        Effect.fork
      )
      while ((yield* script.attempts) === 0) yield* settle
      yield* adjust("19 millis", error)
      assert.isNull(error.unsafePoll())
      yield* TestClock.adjust("1 millis")
      const e = yield* Fiber.join(error)
      assert.strictEqual(e._tag, "TimeoutError")
    }))
})
