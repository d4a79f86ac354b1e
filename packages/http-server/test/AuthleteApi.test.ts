import { Authlete } from "@authlete/typescript-sdk"
import * as SdkErrors from "@authlete/typescript-sdk/models/errors"
import { AuthleteClient, DynamicClientRegistration } from "@effect-dcr/client"
import { Engine } from "@effect-dcr/engine"
import { AuthleteApi, RegistrationApi } from "@effect-dcr/http-server"
import * as NodeRegistrationServer from "@effect-dcr/http-server/NodeRegistrationServer"
import { FetchHttpClient, HttpApiBuilder, HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { afterAll, assert, describe, it as test, layer } from "@effect/vitest"
import { Context, Effect, Layer, Redacted } from "effect"
import * as fs from "node:fs"
import { createServer } from "node:http"
import * as os from "node:os"
import * as path from "node:path"
import { content, fakeBackend, postChunked, registrationEndpoint, webClient } from "./support.js"

const serviceId = "715948317"
const serviceAccessToken = "service-access-token-for-the-tests"
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "effect-dcr-authlete-api-"))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const ServerLive = HttpApiBuilder.serve().pipe(
  Layer.provide(AuthleteApi.layer({ serviceId, serviceAccessToken: Redacted.make(serviceAccessToken) })),
  Layer.provide(Engine.layerSqlite({ filename: path.join(dir, "dcr.sqlite"), registrationEndpoint })),
  Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" }))
)

const baseUrl = Effect.map(HttpServer.HttpServer, (server) => {
  const address = server.address as HttpServer.TcpAddress
  return `http://127.0.0.1:${address.port}`
})

const post = (url: string, body: string, headers: Record<string, string>) =>
  Effect.promise(async () => {
    const response = await fetch(url, { method: "POST", body, headers })
    return {
      status: response.status,
      contentType: response.headers.get("content-type"),
      cacheControl: response.headers.get("cache-control"),
      body: await response.text()
    }
  })

const json = { "content-type": "application/json", authorization: `Bearer ${serviceAccessToken}` }

layer(ServerLive, { timeout: 30_000 })("AuthleteApi over loopback HTTP", (it) => {
  it.effect("HTTP 200 with the ClientRegistrationResponse for every action", () =>
    Effect.gen(function*() {
      const base = `${yield* baseUrl}/api/${serviceId}/client/registration`
      const created = yield* post(base, JSON.stringify({ json: JSON.stringify(webClient) }), json)
      assert.strictEqual(created.status, 200)
      assert.match(created.contentType!, /^application\/json/)
      assert.strictEqual(created.cacheControl, "no-store")
      const createdBody = JSON.parse(created.body)
      assert.strictEqual(createdBody.action, "CREATED")
      assert.strictEqual(typeof createdBody.client.clientId, "number")
      assert.strictEqual(typeof createdBody.client.clientSecret, "string")
      const info = JSON.parse(createdBody.responseContent)
      const bad = yield* post(base, JSON.stringify({ json: "{" }), json)
      assert.strictEqual(bad.status, 200)
      assert.strictEqual(JSON.parse(bad.body).action, "BAD_REQUEST")
      const unauthorized = yield* post(
        `${base}/get`,
        JSON.stringify({ clientId: info.client_id, token: "wrong" }),
        json
      )
      assert.strictEqual(unauthorized.status, 200)
      assert.strictEqual(JSON.parse(unauthorized.body).action, "UNAUTHORIZED")
      const form = yield* post(
        `${base}/get`,
        new URLSearchParams({ clientId: info.client_id, token: info.registration_access_token }).toString(),
        { ...json, "content-type": "application/x-www-form-urlencoded" }
      )
      assert.strictEqual(form.status, 200)
      assert.strictEqual(JSON.parse(form.body).action, "OK")
      const numericId = yield* post(
        `${base}/delete`,
        JSON.stringify({ clientId: Number(info.client_id), token: info.registration_access_token }),
        json
      )
      assert.strictEqual(JSON.parse(numericId.body).action, "DELETED")
    }))

  it.effect("the service access token is required (401 ResultError)", () =>
    Effect.gen(function*() {
      const base = `${yield* baseUrl}/api/${serviceId}/client/registration`
      const body = JSON.stringify({ json: JSON.stringify(webClient) })
      const missing = yield* post(base, body, { "content-type": "application/json" })
      assert.strictEqual(missing.status, 401)
      assert.deepStrictEqual(JSON.parse(missing.body), {
        resultCode: "A001202",
        resultMessage: "[A001202] /client/registration, Authorization header is missing."
      })
      for (
        const authorization of [`Bearer ${serviceAccessToken}x`, "Bearer ", `Basic ${serviceAccessToken}`, "Bearer a b"]
      ) {
        const wrong = yield* post(base, body, { "content-type": "application/json", authorization })
        assert.strictEqual(wrong.status, 401, authorization)
        assert.strictEqual(JSON.parse(wrong.body).resultCode, "A001203")
      }
      const lowercase = yield* post(base, body, { ...json, authorization: `bearer ${serviceAccessToken}` })
      assert.strictEqual(lowercase.status, 200)
    }))

  it.effect("an unknown service id is 404 with a ResultError body; malformed bodies are 400", () =>
    Effect.gen(function*() {
      const root = yield* baseUrl
      const unknown = yield* post(`${root}/api/999/client/registration`, JSON.stringify({ json: "{}" }), json)
      assert.strictEqual(unknown.status, 404)
      assert.strictEqual(JSON.parse(unknown.body).resultCode, "A001204")
      const base = `${root}/api/${serviceId}/client/registration`
      const cases: ReadonlyArray<readonly [string, string, string]> = [
        ["", "not json", "A202201"],
        ["", "[]", "A202201"],
        ["", JSON.stringify({ json: 5 }), "A202201"],
        ["/get", JSON.stringify({ clientId: "1" }), "A217201"],
        ["/update", JSON.stringify({ clientId: "1", token: "t" }), "A213201"],
        ["/delete", JSON.stringify({ token: "t" }), "A216201"]
      ]
      for (const [suffix, body, code] of cases) {
        const response = yield* post(base + suffix, body, json)
        assert.strictEqual(response.status, 400, body)
        const result = JSON.parse(response.body)
        assert.strictEqual(result.resultCode, code)
        assert.match(result.resultMessage, new RegExp(`^\\[${code}\\] /client/registration`))
      }
      const tooLarge = yield* post(base, JSON.stringify({ json: "x".repeat(1024 * 1024 + 10) }), json)
      assert.strictEqual(tooLarge.status, 413)
      assert.strictEqual(JSON.parse(tooLarge.body).resultCode, "A202202")
      assert.strictEqual(tooLarge.cacheControl, "no-store")
      const secretInBadBody = yield* post(`${base}/get`, JSON.stringify({ clientId: "1", token: 12345678987654 }), json)
      assert.strictEqual(secretInBadBody.status, 400)
      assert.notInclude(secretInBadBody.body, "12345678987654")
      // the description names the member, never its value
      assert.match(JSON.parse(secretInBadBody.body).resultMessage, /\btoken\b/)
    }))

  it.effect("a chunked body over the limit gets a 413 ResultError before the connection closes, not a reset", () =>
    Effect.gen(function*() {
      const base = `${yield* baseUrl}/api/${serviceId}/client/registration`
      for (const suffix of ["", "/update"]) {
        const response = yield* postChunked(base + suffix, 2 * 1024 * 1024, json)
        assert.strictEqual(response.status, 413)
        assert.isTrue(response.completeBeforeClose)
        const result = JSON.parse(response.body)
        assert.strictEqual(result.resultCode, suffix === "" ? "A202202" : "A213202")
        assert.match(result.resultMessage, /request body is too large/)
      }
      // the server is still healthy
      const after = yield* post(base, JSON.stringify({ json: JSON.stringify(webClient) }), json)
      assert.strictEqual(after.status, 200)
      assert.strictEqual(JSON.parse(after.body).action, "CREATED")
    }))

  it.effect("proof 1: the official @authlete/typescript-sdk runs register → get → update → delete", () =>
    Effect.gen(function*() {
      const authlete = new Authlete({ serverURL: yield* baseUrl, bearer: serviceAccessToken })
      const dcr = authlete.dynamicClientRegistration
      const registered = yield* Effect.promise(() =>
        dcr.register({ serviceId, requestBody: { json: JSON.stringify({ ...webClient, software_id: "sdk-app" }) } })
      )
      assert.strictEqual(registered.action, "CREATED")
      assert.strictEqual(registered.resultCode, "A202001")
      const info = content(registered)
      assert.strictEqual(registered.client?.clientId, Number(info.client_id))
      assert.strictEqual(registered.client?.clientSecret, info.client_secret)
      assert.strictEqual(registered.client?.tokenAuthMethod, "CLIENT_SECRET_BASIC")
      assert.deepStrictEqual(registered.client?.grantTypes, ["AUTHORIZATION_CODE"])
      const clientId = info.client_id as string
      const token = info.registration_access_token as string

      const read = yield* Effect.promise(() => dcr.get({ serviceId, requestBody: { clientId, token } }))
      assert.strictEqual(read.action, "OK")
      assert.strictEqual(content(read).software_id, "sdk-app")
      assert.strictEqual(read.client?.softwareId, "sdk-app")

      const updated = yield* Effect.promise(() =>
        dcr.update({
          serviceId,
          requestBody: {
            clientId,
            token,
            json: JSON.stringify({ ...webClient, client_id: clientId, client_name: "SDK" })
          }
        })
      )
      assert.strictEqual(updated.action, "UPDATED")
      assert.strictEqual(updated.client?.clientName, "SDK")
      assert.isUndefined(updated.client?.softwareId)

      const wrong = yield* Effect.promise(() => dcr.get({ serviceId, requestBody: { clientId, token: "nope" } }))
      assert.strictEqual(wrong.action, "UNAUTHORIZED")

      const deleted = yield* Effect.promise(() => dcr.delete({ serviceId, requestBody: { clientId, token } }))
      assert.strictEqual(deleted.action, "DELETED")
      assert.strictEqual(deleted.resultCode, "A216001")
      const gone = yield* Effect.promise(() => dcr.get({ serviceId, requestBody: { clientId, token } }))
      assert.strictEqual(gone.action, "UNAUTHORIZED")
    }))

  it.effect("proof 1b: the SDK sees a wrong service access token as its ResultError", () =>
    Effect.gen(function*() {
      const authlete = new Authlete({ serverURL: yield* baseUrl, bearer: "not-the-token" })
      const error = yield* Effect.promise(() =>
        authlete.dynamicClientRegistration.register({ serviceId, requestBody: { json: "{}" } }).then(
          () => undefined,
          (e: unknown) => e
        )
      )
      assert.instanceOf(error, SdkErrors.ResultError)
      assert.strictEqual((error as SdkErrors.ResultError).statusCode, 401)
      assert.strictEqual((error as SdkErrors.ResultError).resultCode, "A001203")
    }))

  it.effect("proof 2: our AuthleteClient layer runs register → get → update → delete", () =>
    Effect.gen(function*() {
      const client = AuthleteClient.layer({
        baseUrl: yield* baseUrl,
        serviceId,
        serviceAccessToken: Redacted.make(serviceAccessToken)
      }).pipe(Layer.provide(FetchHttpClient.layer))
      yield* Effect.gen(function*() {
        const registered = yield* DynamicClientRegistration.register({
          json: JSON.stringify({ ...webClient, token_endpoint_auth_method: "none" })
        })
        assert.strictEqual(registered.action, "CREATED")
        const info = content(registered)
        assert.isUndefined(info.client_secret)
        assert.strictEqual(registered.client?.clientType, "PUBLIC")
        const clientId = info.client_id as string
        const token = Redacted.make(info.registration_access_token as string)
        const read = yield* DynamicClientRegistration.get({ clientId, token })
        assert.strictEqual(read.action, "OK")
        assert.strictEqual(read.client?.clientId, Number(clientId))
        const updated = yield* DynamicClientRegistration.update({
          clientId,
          token,
          json: JSON.stringify({
            client_id: clientId,
            redirect_uris: ["https://app.example.com/2"],
            client_name: "ours"
          })
        })
        assert.strictEqual(updated.action, "UPDATED")
        assert.deepStrictEqual(content(updated).redirect_uris, ["https://app.example.com/2"])
        const deleted = yield* DynamicClientRegistration.delete({ clientId, token })
        assert.strictEqual(deleted.action, "DELETED")
        const gone = yield* DynamicClientRegistration.get({ clientId, token })
        assert.strictEqual(gone.action, "UNAUTHORIZED")
      }).pipe(Effect.provide(client))
    }))

  it.effect("proof 2b: our AuthleteClient sees a wrong service access token as a ResultError", () =>
    Effect.gen(function*() {
      const client = AuthleteClient.layer({
        baseUrl: yield* baseUrl,
        serviceId,
        serviceAccessToken: Redacted.make("wrong")
      }).pipe(Layer.provide(FetchHttpClient.layer))
      const error = yield* DynamicClientRegistration.register({ json: "{}" }).pipe(Effect.flip, Effect.provide(client))
      assert.strictEqual(error._tag, "ResultError")
      if (error._tag === "ResultError") {
        assert.strictEqual(error.status, 401)
        assert.strictEqual(error.resultCode, "A001203")
      }
    }))
})

describe("AuthleteApi in an HttpApi of your own", () => {
  test("the group holds Authlete's four endpoints", () => {
    const paths = Object.values(AuthleteApi.group.endpoints).map((endpoint) => `${endpoint.method} ${endpoint.path}`)
    assert.deepStrictEqual(paths.sort(), [
      "POST /api/:serviceId/client/registration",
      "POST /api/:serviceId/client/registration/delete",
      "POST /api/:serviceId/client/registration/get",
      "POST /api/:serviceId/client/registration/update"
    ])
  })

  test.scoped("mounted next to the registration group, served by the fast-path server (its own security middleware is fine)", () =>
    Effect.gen(function*() {
      const backend = fakeBackend({
        register: () => Effect.succeed({ action: "CREATED" as const, responseContent: `{"client_id":"1"}` })
      })
      const context = yield* Layer.build(NodeRegistrationServer.layer({ port: 0, host: "127.0.0.1" }))
      const base = `http://127.0.0.1:${
        (Context.get(context, HttpServer.HttpServer).address as HttpServer.TcpAddress).port
      }`
      const api = RegistrationApi.make({ issuer: base }).add(AuthleteApi.group)
      const groups = Layer.merge(
        RegistrationApi.layerGroup(api, { issuer: base }),
        AuthleteApi.layerGroup(api, { serviceId: "1", serviceAccessToken: Redacted.make("svc") })
      )
      yield* Layer.build(
        HttpApiBuilder.serve().pipe(
          Layer.provide(HttpApiBuilder.api(api).pipe(Layer.provide(groups))),
          Layer.provide(Layer.succeedContext(context))
        )
      ).pipe(Effect.provide(backend.layer))
      const rfc = yield* post(`${base}/register`, "{}", { "content-type": "application/json" })
      assert.strictEqual(rfc.status, 201)
      assert.strictEqual(rfc.body, `{"client_id":"1"}`)
      const authlete = yield* post(`${base}/api/1/client/registration`, JSON.stringify({ json: "{}" }), {
        "content-type": "application/json",
        authorization: "Bearer svc"
      })
      assert.strictEqual(authlete.status, 200)
      assert.strictEqual(JSON.parse(authlete.body).action, "CREATED")
      const refused = yield* post(`${base}/api/1/client/registration`, JSON.stringify({ json: "{}" }), {
        "content-type": "application/json"
      })
      assert.strictEqual(refused.status, 401)
      assert.strictEqual(JSON.parse(refused.body).resultCode, "A001202")
      assert.strictEqual(backend.calls.length, 2)
    }))
})
