import { AuthleteClient } from "@effect-dcr/client"
import { Engine } from "@effect-dcr/engine"
import { AuthleteApi, RegistrationApi } from "@effect-dcr/http-server"
import { NodeHttpClient } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import { join } from "node:path"
import { flavours, listen, listenWith, tempDirectory } from "./support.js"

const metadata = {
  client_name: "full stack",
  redirect_uris: ["http://127.0.0.1:33418/callback"],
  grant_types: ["authorization_code", "refresh_token"],
  response_types: ["code"],
  token_endpoint_auth_method: "none"
}

const call = (url: string, init: RequestInit) =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    const text = await response.text()
    return { response, text, json: text === "" ? undefined : JSON.parse(text) as Record<string, any> }
  })

const jsonHeaders = (token?: string): Record<string, string> => ({
  "content-type": "application/json",
  ...(token === undefined ? {} : { authorization: `Bearer ${token}` })
})

/** The whole RFC 7591/7592 life cycle of one client against the server at `base`. */
const lifeCycle = (base: string) =>
  Effect.gen(function*() {
    const discovered = yield* call(`${base}/.well-known/oauth-authorization-server`, {})
    assert.deepStrictEqual(discovered.json, { issuer: base, registration_endpoint: `${base}/register` })
    const created = yield* call(discovered.json!.registration_endpoint, {
      method: "POST",
      headers: jsonHeaders(),
      body: JSON.stringify(metadata)
    })
    assert.strictEqual(created.response.status, 201, created.text)
    assert.strictEqual(created.response.headers.get("cache-control"), "no-store")
    const info = created.json!
    assert.isString(info.client_id)
    assert.isString(info.registration_access_token)
    assert.strictEqual(info.registration_client_uri, `${base}/register/${info.client_id}`)
    assert.strictEqual(info.token_endpoint_auth_method, "none")
    assert.isUndefined(info.client_secret)
    assert.isTrue(Number.isInteger(info.client_id_issued_at) && info.client_id_issued_at < 1e11)
    assert.deepStrictEqual(info.redirect_uris, metadata.redirect_uris)
    const uri = info.registration_client_uri as string
    const token = info.registration_access_token as string

    const read = yield* call(uri, { headers: { authorization: `bearer ${token}` } })
    assert.strictEqual(read.response.status, 200, read.text)
    assert.strictEqual(read.json!.client_id, info.client_id)
    assert.strictEqual(read.json!.client_name, "full stack")

    const wrong = yield* call(uri, { headers: { authorization: "Bearer not-the-token" } })
    assert.strictEqual(wrong.response.status, 401)
    assert.strictEqual(wrong.response.headers.get("www-authenticate"), `Bearer error="invalid_token"`)
    assert.strictEqual(wrong.json!.error, "invalid_token")

    const replaced = yield* call(uri, {
      method: "PUT",
      headers: jsonHeaders(token),
      body: JSON.stringify({
        client_id: info.client_id,
        client_name: "renamed",
        redirect_uris: ["http://127.0.0.1:33418/other"],
        token_endpoint_auth_method: "none"
      })
    })
    assert.strictEqual(replaced.response.status, 200, replaced.text)
    assert.strictEqual(replaced.json!.client_name, "renamed")
    assert.deepStrictEqual(replaced.json!.redirect_uris, ["http://127.0.0.1:33418/other"])
    assert.deepStrictEqual(replaced.json!.grant_types, ["authorization_code"], "PUT replaces, it does not merge")

    const badRedirect = yield* call(`${base}/register`, {
      method: "POST",
      headers: jsonHeaders(),
      body: JSON.stringify({ ...metadata, redirect_uris: ["not a uri#frag"] })
    })
    assert.strictEqual(badRedirect.response.status, 400)
    assert.include(["invalid_redirect_uri", "invalid_client_metadata"], badRedirect.json!.error)

    const deleted = yield* call(uri, { method: "DELETE", headers: { authorization: `Bearer ${token}` } })
    assert.strictEqual(deleted.response.status, 204)
    assert.strictEqual(deleted.text, "")
    assert.strictEqual(deleted.response.headers.get("content-type"), null)

    const gone = yield* call(uri, { headers: { authorization: `Bearer ${token}` } })
    assert.strictEqual(gone.response.status, 401)
  })

describe("full stack over loopback HTTP", () => {
  for (const flavour of flavours) {
    it.scoped(`RegistrationApi → Engine on a temporary SQLite file (${flavour} server)`, () =>
      Effect.gen(function*() {
        const dir = yield* tempDirectory
        const server = yield* listenWith(flavour)
        const engine = Engine.layerSqlite({
          filename: join(dir, "dcr.sqlite"),
          registrationEndpoint: `${server.base}/register`
        })
        yield* server.serve(RegistrationApi.layer({ issuer: server.base }).pipe(Layer.provide(engine)))
        yield* lifeCycle(server.base)
      }))
  }

  it.scoped("RegistrationApi → AuthleteClient → AuthleteApi → Engine", () =>
    Effect.gen(function*() {
      const dir = yield* tempDirectory
      const serviceAccessToken = Redacted.make("service-token-for-the-full-stack-test")
      const front = yield* listenWith("node-fast")
      const authlete = yield* listen
      const engine = Engine.layerSqlite({
        filename: join(dir, "dcr.sqlite"),
        registrationEndpoint: `${front.base}/register`
      })
      yield* authlete.serve(AuthleteApi.layer({ serviceId: "4711", serviceAccessToken }).pipe(Layer.provide(engine)))
      const client = AuthleteClient.layer({ baseUrl: authlete.base, serviceId: "4711", serviceAccessToken }).pipe(
        Layer.provide(NodeHttpClient.layerUndici)
      )
      yield* front.serve(RegistrationApi.layer({ issuer: front.base }).pipe(Layer.provide(client)))
      yield* lifeCycle(front.base)

      const wrongToken = AuthleteClient.layer({
        baseUrl: authlete.base,
        serviceId: "4711",
        serviceAccessToken: Redacted.make("nope")
      }).pipe(Layer.provide(NodeHttpClient.layerUndici))
      const misconfigured = yield* listen
      yield* misconfigured.serve(RegistrationApi.layer({ issuer: misconfigured.base }).pipe(Layer.provide(wrongToken)))
      const failed = yield* call(`${misconfigured.base}/register`, {
        method: "POST",
        headers: jsonHeaders(),
        body: JSON.stringify(metadata)
      })
      assert.strictEqual(failed.response.status, 500)
      assert.strictEqual(failed.text, `{"error":"server_error"}`)
    }))
})
