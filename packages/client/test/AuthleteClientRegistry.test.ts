/**
 * `AuthleteClientRegistry` against a real node:http server on loopback that answers Authlete's
 * client read (`GET /api/{serviceId}/client/get/{clientId}`) with Authlete's own example client
 * (schema's `client-get.json` fixture): the request it sends, what `find` answers, the client
 * secret compared in constant time, `client_secret_jwt` verified with the secret, unknown clients,
 * and Authlete's failures as `ServerError` (retried per the `RetryPolicy`, never a crash). The cases
 * the engine's registry shares are in the engine's `registryContract.ts`.
 */
import type { Client } from "@effect-dcr/schema"
import { NodeHttpClient } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Logger, LogLevel, Option, Queue, Redacted, Schema } from "effect"
import { exportJWK, generateKeyPair, SignJWT } from "jose"
import { readFileSync } from "node:fs"
import type * as Http from "node:http"
import type { DynamicClientRegistrationError } from "../src/index.js"
import { AuthleteClientRegistry, ClientRegistry, ClientRegistryError, RetryPolicy } from "../src/index.js"
import { type Captured, closedPort, loopback, neverAnswer } from "./utils/loopback.js"

/** Authlete's example answer of `GET /api/client/get/{clientId}` (its OpenAPI), as Authlete sends it. */
const example: Record<string, unknown> = JSON.parse(
  readFileSync(new URL("../../schema/test/fixtures/authlete/client-get.json", import.meta.url), "utf8")
)
const clientId = String(example["clientId"])
const secret = String(example["clientSecret"])
const serviceId = "715948317"
const serviceAccessToken = "sat-registry-secret"
const tokenEndpoint = "https://as.example.com/token"

type Answer = readonly [status: number, body: unknown, contentType?: string]

/** The example client with `overrides`; `undefined` removes a member. */
const client = (overrides: Record<string, unknown> = {}) => {
  const merged: Record<string, unknown> = { ...example, ...overrides }
  for (const [key, value] of Object.entries(overrides)) if (value === undefined) delete merged[key]
  return merged
}

const notFound: Answer = [404, { resultCode: "A031201", resultMessage: "[A031201] No client has the ID." }]

/**
 * A loopback Authlete: `GET /api/715948317/client/get/{id}` answers `clients[id]` (404 with a JSON
 * result body for another id), unless `script` has answers left, which go first in order.
 */
const authlete = (clients: Record<string, unknown>, script: ReadonlyArray<Answer> = []) =>
  Effect.gen(function*() {
    const pending = [...script]
    const answer = (res: Http.ServerResponse, [status, body, contentType]: Answer) => {
      res.writeHead(status, { "content-type": contentType ?? "application/json" })
      res.end(typeof body === "string" ? body : JSON.stringify(body))
    }
    const prefix = `/api/${serviceId}/client/get/`
    const server = yield* loopback((request: Captured, res) => {
      const next = pending.shift()
      if (next !== undefined) return answer(res, next)
      const id = request.url.startsWith(prefix) ? decodeURIComponent(request.url.slice(prefix.length)) : undefined
      const found = id === undefined ? undefined : clients[id]
      answer(res, found === undefined ? notFound : [200, found])
    })
    return server
  })

const fastRetries = RetryPolicy.backoff({ initialDelay: "1 millis", jitter: false, maxRetries: 2 })

const registry = (url: string, overrides: Partial<AuthleteClientRegistry.Options> = {}) =>
  AuthleteClientRegistry.layer({
    baseUrl: url,
    serviceId,
    serviceAccessToken: Redacted.make(serviceAccessToken),
    tokenEndpoint,
    retryPolicy: fastRetries,
    ...overrides
  }).pipe(Layer.provide(NodeHttpClient.layerUndici), Layer.orDie)

const encodeError = Schema.encodeSync(ClientRegistryError.ClientRegistryError)

/** `ok <method> <clientId>` or `<_tag>/<reason>`; no error, encoded or as a message, holds the secret. */
const outcome = <A>(
  effect: Effect.Effect<A, ClientRegistryError.ClientRegistryError, ClientRegistry.ClientRegistry>,
  show: (a: A) => string
) =>
  Effect.match(effect, {
    onSuccess: (a) => `ok ${show(a)}`,
    onFailure: (error) => {
      const encoded = JSON.stringify(encodeError(error)) + error.message + String(error.cause ?? "")
      assert.notInclude(encoded, secret, "an error never carries the client secret")
      return `${error._tag}/${error.reason}`
    }
  })

const authenticate = (credentials: ClientRegistry.ClientCredentials) =>
  outcome(
    Effect.flatMap(ClientRegistry.ClientRegistry, (r) => r.authenticate(credentials)),
    (a) => `${a.method} ${a.clientId}`
  )

/** Runs a table of `[name, credentials, expected outcome]` against the registry at `url`. */
const expectTable = (
  cases: ReadonlyArray<readonly [string, ClientRegistry.ClientCredentials, string]>,
  url: string
) =>
  Effect.gen(function*() {
    const actual = yield* Effect.forEach(
      cases,
      ([name, credentials]) => Effect.map(authenticate(credentials), (result) => [name, result] as const)
    ).pipe(Effect.provide(registry(url)))
    assert.deepStrictEqual(actual, cases.map(([name, , expected]) => [name, expected] as const))
  })

const find = (id: string) => Effect.flatMap(ClientRegistry.ClientRegistry, (r) => r.find(id))

const basic = (id: string, password: string) => "Basic " + Buffer.from(`${id}:${password}`).toString("base64")

/** The secret with its last byte changed. */
const offByOne = (s: string) => s.slice(0, -1) + (s.endsWith("A") ? "B" : "A")

const assertion = (jwt: string) => ({
  parameters: new URLSearchParams({
    client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    client_assertion: jwt
  })
})

/** An HMAC client assertion (client_secret_jwt) for `sub`, signed with `key`. */
const hmacAssertion = (sub: string, key: string, alg = "HS256") => {
  const now = Math.floor(Date.now() / 1000)
  return Effect.promise(() =>
    new SignJWT({ jti: crypto.randomUUID() })
      .setProtectedHeader({ alg })
      .setIssuer(sub)
      .setSubject(sub)
      .setAudience(tokenEndpoint)
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(new TextEncoder().encode(key))
  )
}

describe("AuthleteClientRegistry", () => {
  it.scopedLive("find: GET /api/{serviceId}/client/get/{id} with the Bearer token; the Client without its secret", () =>
    Effect.gen(function*() {
      const server = yield* authlete({ [clientId]: client() })
      const found = yield* find(clientId).pipe(Effect.provide(registry(server.url)))
      const request = yield* Queue.take(server.requests)
      assert.strictEqual(request.method, "GET")
      assert.strictEqual(request.url, `/api/${serviceId}/client/get/${clientId}`)
      assert.strictEqual(request.headers.authorization, `Bearer ${serviceAccessToken}`)
      assert.strictEqual(request.headers.accept, "application/json")
      assert.strictEqual(request.body, "")
      const value: Client = Option.getOrThrow(found)
      assert.strictEqual(value.clientId, Number(clientId))
      assert.strictEqual(value.clientName, "My client")
      assert.deepStrictEqual(value.redirectUris, example["redirectUris"])
      assert.deepStrictEqual(value.grantTypes, ["AUTHORIZATION_CODE", "REFRESH_TOKEN"])
      assert.isUndefined(value.clientSecret, "find never answers the secret")
      assert.notInclude(JSON.stringify(value), secret)
    }))

  it.scopedLive("find: an enabled alias names the client, a disabled one does not; ids are percent-encoded", () =>
    Effect.gen(function*() {
      const server = yield* authlete({
        "my-client": client(),
        "old-alias": client({ clientIdAlias: "old-alias", clientIdAliasEnabled: false }),
        "a/b c": client({ clientIdAlias: "a/b c" })
      })
      const results = yield* Effect.all([
        find("my-client"),
        find("old-alias"),
        find("a/b c"),
        find("")
      ]).pipe(Effect.provide(registry(server.url)))
      assert.deepStrictEqual(results.map(Option.isSome), [true, false, true, false])
      const urls = yield* Queue.takeAll(server.requests)
      assert.deepStrictEqual(
        [...urls].map((request) => request.url),
        [
          `/api/${serviceId}/client/get/my-client`,
          `/api/${serviceId}/client/get/old-alias`,
          `/api/${serviceId}/client/get/a%2Fb%20c`
        ],
        "an empty id is not sent"
      )
    }))

  it.scopedLive("client_secret_basic and _post against the clear secret, constant time; wrong by one byte refused", () =>
    Effect.gen(function*() {
      const post = "100000000000002"
      const server = yield* authlete({
        [clientId]: client(),
        "my-client": client(),
        [post]: client({ clientId: Number(post), clientIdAlias: undefined, tokenAuthMethod: "CLIENT_SECRET_POST" }),
        "100000000000003": client({ clientId: 100000000000003, clientIdAlias: undefined, locked: true })
      })
      const form = (parameters: Record<string, string>) => ({ parameters: new URLSearchParams(parameters) })
      const cases: ReadonlyArray<readonly [string, ClientRegistry.ClientCredentials, string]> = [
        [
          "basic: right secret",
          { authorization: basic(clientId, secret), parameters: form({}).parameters },
          `ok client_secret_basic ${clientId}`
        ],
        [
          "basic: by alias",
          { authorization: basic("my-client", secret), parameters: form({}).parameters },
          "ok client_secret_basic my-client"
        ],
        ["basic: last byte wrong", {
          authorization: basic(clientId, offByOne(secret)),
          parameters: form({}).parameters
        }, "InvalidClient/WrongSecret"],
        ["basic: first byte wrong", {
          authorization: basic(clientId, "X" + secret.slice(1)),
          parameters: form({}).parameters
        }, "InvalidClient/WrongSecret"],
        ["basic: a prefix of the secret", {
          authorization: basic(clientId, secret.slice(0, 40)),
          parameters: form({}).parameters
        }, "InvalidClient/WrongSecret"],
        ["basic: the secret twice", {
          authorization: basic(clientId, secret + secret),
          parameters: form({}).parameters
        }, "InvalidClient/WrongSecret"],
        [
          "basic client via post",
          form({ client_id: clientId, client_secret: secret }),
          "InvalidClient/AuthMethodMismatch"
        ],
        ["post: right secret", form({ client_id: post, client_secret: secret }), `ok client_secret_post ${post}`],
        [
          "post: wrong by one byte",
          form({ client_id: post, client_secret: offByOne(secret) }),
          "InvalidClient/WrongSecret"
        ],
        [
          "unknown client",
          { authorization: basic("100000000000009", secret), parameters: form({}).parameters },
          "InvalidClient/UnknownClient"
        ],
        ["locked client, right secret", {
          authorization: basic("100000000000003", secret),
          parameters: form({}).parameters
        }, "InvalidClient/ClientLocked"],
        ["locked client, wrong secret", {
          authorization: basic("100000000000003", offByOne(secret)),
          parameters: form({}).parameters
        }, "InvalidClient/WrongSecret"]
      ]
      yield* expectTable(cases, server.url)
    }))

  it.scopedLive("client_secret_jwt: an HMAC with the client secret is accepted, any other key or alg refused", () =>
    Effect.gen(function*() {
      const jwt = "100000000000004"
      const pinned = "100000000000005"
      const { privateKey } = yield* Effect.promise(() => generateKeyPair("ES256"))
      const csj = { clientIdAlias: undefined, tokenAuthMethod: "CLIENT_SECRET_JWT" }
      const server = yield* authlete({
        [jwt]: client({ ...csj, clientId: Number(jwt) }),
        [pinned]: client({ ...csj, clientId: Number(pinned), tokenAuthSignAlg: "HS512" }),
        [clientId]: client()
      })
      const now = Math.floor(Date.now() / 1000)
      const es256 = yield* Effect.promise(() =>
        new SignJWT({}).setProtectedHeader({ alg: "ES256" }).setIssuer(jwt).setSubject(jwt).setAudience(tokenEndpoint)
          .setExpirationTime(now + 60).sign(privateKey)
      )
      const cases: ReadonlyArray<readonly [string, ClientRegistry.ClientCredentials, string]> = [
        ["HS256 with the secret", assertion(yield* hmacAssertion(jwt, secret)), `ok client_secret_jwt ${jwt}`],
        ["HS384 with the secret", assertion(yield* hmacAssertion(jwt, secret, "HS384")), `ok client_secret_jwt ${jwt}`],
        [
          "HS256 with the secret wrong by one byte",
          assertion(yield* hmacAssertion(jwt, offByOne(secret))),
          "InvalidClient/InvalidAssertion"
        ],
        ["signed with an EC key", assertion(es256), "InvalidClient/InvalidAssertion"],
        [
          "pinned HS512, signed HS256",
          assertion(yield* hmacAssertion(pinned, secret)),
          "InvalidClient/InvalidAssertion"
        ],
        [
          "pinned HS512, signed HS512",
          assertion(yield* hmacAssertion(pinned, secret, "HS512")),
          `ok client_secret_jwt ${pinned}`
        ],
        ["client_secret_jwt client with its secret in Basic", {
          authorization: basic(jwt, secret),
          parameters: new URLSearchParams()
        }, "InvalidClient/AuthMethodMismatch"],
        [
          "client_secret_basic client with an HMAC assertion",
          assertion(yield* hmacAssertion(clientId, secret)),
          "InvalidClient/AuthMethodMismatch"
        ]
      ]
      yield* expectTable(cases, server.url)
      const ok = yield* Effect.flatMap(
        ClientRegistry.ClientRegistry,
        (r) => Effect.flatMap(hmacAssertion(jwt, secret), (token) => r.authenticate(assertion(token)))
      ).pipe(
        Effect.provide(registry(server.url))
      )
      assert.strictEqual(ok.assertion?.expiresAt !== undefined, true)
      assert.isUndefined(ok.client.clientSecret, "the authenticated client carries no secret either")
    }))

  it.scopedLive("private_key_jwt against the registered jwks; a jwks_uri only is refused", () =>
    Effect.gen(function*() {
      const { privateKey, publicKey } = yield* Effect.promise(() => generateKeyPair("ES256", { extractable: true }))
      const jwk = { ...(yield* Effect.promise(() => exportJWK(publicKey))), kid: "k1", alg: "ES256", use: "sig" }
      const pk = "100000000000006"
      const uri = "100000000000007"
      const server = yield* authlete({
        [pk]: client({
          clientId: Number(pk),
          clientIdAlias: undefined,
          tokenAuthMethod: "PRIVATE_KEY_JWT",
          jwks: JSON.stringify({ keys: [jwk] })
        }),
        [uri]: client({
          clientId: Number(uri),
          clientIdAlias: undefined,
          tokenAuthMethod: "PRIVATE_KEY_JWT",
          jwksUri: "https://app.example.com/jwks"
        })
      })
      const now = Math.floor(Date.now() / 1000)
      const sign = (sub: string) =>
        Effect.promise(() =>
          new SignJWT({}).setProtectedHeader({ alg: "ES256", kid: "k1" }).setIssuer(sub).setSubject(sub)
            .setAudience(tokenEndpoint).setExpirationTime(now + 60).sign(privateKey)
        )
      const results = yield* Effect.all([
        authenticate(assertion(yield* sign(pk))),
        authenticate(assertion(yield* hmacAssertion(pk, secret))),
        authenticate(assertion(yield* sign(uri)))
      ]).pipe(Effect.provide(registry(server.url)))
      assert.deepStrictEqual(results, [
        `ok private_key_jwt ${pk}`,
        "InvalidClient/InvalidAssertion",
        "InvalidClient/JwksUriUnsupported"
      ])
    }))

  it.scopedLive("unknown client: a 404 with Authlete's JSON body is None; a 404 without it is a ServerError", () =>
    Effect.gen(function*() {
      const server = yield* authlete({}, [notFound, [404, "<html>Not Found</html>", "text/html"]])
      const [unknown, wrongBase] = yield* Effect.all([
        find("100000000000008"),
        Effect.flip(find("100000000000008"))
      ]).pipe(Effect.provide(registry(server.url)))
      assert.isTrue(Option.isNone(unknown))
      assert.strictEqual(wrongBase._tag, "ServerError")
      assert.strictEqual(wrongBase.reason, "AuthleteFailed")
      const cause = wrongBase.cause as DynamicClientRegistrationError.DynamicClientRegistrationError
      assert.strictEqual(cause._tag, "AuthleteDefaultError")
      assert.strictEqual(cause.operation, "clientGet")
      assert.strictEqual(yield* Queue.size(server.requests), 2, "a 404 is not retried")
    }))

  it.scopedLive("Authlete's 401 and 500 answers are ServerErrors: 401 at once, 500 after the policy's retries", () =>
    Effect.gen(function*() {
      const unauthorized: Answer = [401, {
        resultCode: "A001202",
        resultMessage: "[A001202] Authorization header is missing."
      }]
      const failing: Answer = [500, { resultCode: "A001101", resultMessage: "[A001101] Authlete Server error." }]
      const server = yield* authlete({ [clientId]: client() }, [unauthorized, failing, failing, failing])
      const layer = registry(server.url)
      const first = yield* authenticate({ authorization: basic(clientId, secret), parameters: new URLSearchParams() })
        .pipe(Effect.provide(layer))
      assert.strictEqual(first, "ServerError/AuthleteFailed")
      assert.strictEqual(yield* Queue.size(server.requests), 1, "a 401 is not retried")
      const second = yield* Effect.flip(find(clientId)).pipe(Effect.provide(layer))
      const cause = second.cause as DynamicClientRegistrationError.ResultError
      assert.strictEqual(cause._tag, "ResultError")
      assert.strictEqual(cause.status, 500)
      assert.strictEqual(cause.operation, "clientGet")
      assert.deepStrictEqual(ClientRegistryError.toResponseBody(second), {
        error: "server_error",
        error_description: "the client registry is unavailable"
      })
      assert.strictEqual(yield* Queue.size(server.requests), 1 + 3, "500: the first attempt and 2 retries")
    }))

  it.scopedLive("a 503 is retried, then the client is found", () =>
    Effect.gen(function*() {
      const server = yield* authlete({ [clientId]: client() }, [[503, "busy", "text/plain"]])
      const result = yield* authenticate({ authorization: basic(clientId, secret), parameters: new URLSearchParams() })
        .pipe(Effect.provide(registry(server.url)))
      assert.strictEqual(result, `ok client_secret_basic ${clientId}`)
      assert.strictEqual(yield* Queue.size(server.requests), 2)
    }))

  it.scopedLive("an answer that does not decode, a timeout and a refused connection are ServerErrors too", () =>
    Effect.gen(function*() {
      const garbled = yield* authlete({ [clientId]: client({ clientId: 1.5, grantTypes: "all" }) })
      const silent = yield* loopback(neverAnswer)
      const port = yield* closedPort
      const none = { retryPolicy: RetryPolicy.none }
      const causes = yield* Effect.all([
        Effect.flip(find(clientId)).pipe(Effect.provide(registry(garbled.url, none))),
        Effect.flip(find(clientId)).pipe(Effect.provide(registry(silent.url, { ...none, timeout: "200 millis" }))),
        Effect.flip(find(clientId)).pipe(Effect.provide(registry(`http://127.0.0.1:${port}`, none)))
      ])
      assert.deepStrictEqual(
        causes.map((error) => `${error._tag}/${error.reason}/${(error.cause as { _tag: string })._tag}`),
        [
          "ServerError/AuthleteFailed/ResponseDecodeError",
          "ServerError/AuthleteFailed/TimeoutError",
          "ServerError/AuthleteFailed/TransportError"
        ]
      )
      for (const error of causes) assert.notInclude(JSON.stringify(encodeError(error)), secret)
    }))

  it.scopedLive("the client secret is never logged, not even at debug level", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const capture = Logger.replace(
        Logger.defaultLogger,
        Logger.map(Logger.logfmtLogger, (line) => {
          lines.push(line)
        })
      )
      const server = yield* authlete({ [clientId]: client() }, [[503, "busy", "text/plain"]])
      const results = yield* Effect.all([
        authenticate({ authorization: basic(clientId, secret), parameters: new URLSearchParams() }),
        authenticate({ authorization: basic(clientId, offByOne(secret)), parameters: new URLSearchParams() }),
        Effect.flatMap(ClientRegistry.ClientRegistry, (r) => r.find(clientId)).pipe(
          Effect.tap((found) => Effect.logDebug("found", found)),
          Effect.asVoid
        )
      ]).pipe(
        Effect.provide(registry(server.url)),
        Effect.provide(capture),
        Logger.withMinimumLogLevel(LogLevel.All)
      )
      assert.deepStrictEqual(results.slice(0, 2), [`ok client_secret_basic ${clientId}`, "InvalidClient/WrongSecret"])
      assert.isAbove(lines.length, 1, "the retried 503 and the found client were logged")
      for (const line of lines) assert.notInclude(line, secret)
    }))

  it.effect("a missing base URL or an empty service ID is a ConfigError", () =>
    Effect.gen(function*() {
      const build = (options: Partial<AuthleteClientRegistry.Options>) =>
        Effect.flip(
          Layer.build(
            AuthleteClientRegistry.layer({
              serviceId,
              serviceAccessToken: Redacted.make(serviceAccessToken),
              tokenEndpoint,
              ...options
            }).pipe(Layer.provide(NodeHttpClient.layerUndici))
          )
        ).pipe(Effect.scoped)
      assert.strictEqual((yield* build({}))._op, "MissingData")
      assert.strictEqual((yield* build({ region: "us", serviceId: "" }))._op, "InvalidData")
    }))
})
