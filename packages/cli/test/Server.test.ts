import { Engine } from "@effect-dcr/engine"
import { RateLimit } from "@effect-dcr/http-server"
import * as TempDirectory from "@effect-dcr/testing/TempDirectory"
import { HttpApiBuilder, HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Layer, Redacted } from "effect"
import { Server } from "effect-dcr"
import { createServer } from "node:http"
import { join } from "node:path"

/** Serves `Server.app` on an ephemeral port with the engine on a temporary SQLite file. */
const start = (options: {
  readonly issuerPath?: string
  readonly serviceAccessToken?: string
  readonly rateLimit?: RateLimit.RateLimiter
}) =>
  Effect.gen(function*() {
    const dir = yield* TempDirectory.make("effect-dcr-cli-")
    const http = yield* Layer.build(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" }))
    const address = Context.get(http, HttpServer.HttpServer).address as HttpServer.TcpAddress
    const base = `http://127.0.0.1:${address.port}`
    const issuer = `${base}${options.issuerPath ?? ""}`
    const engine = yield* Layer.build(
      Engine.layerSqlite({ filename: join(dir, "dcr.sqlite"), registrationEndpoint: `${issuer}/register` })
    )
    const app = Server.app({
      issuer,
      rateLimit: options.rateLimit,
      authleteApi: options.serviceAccessToken === undefined
        ? undefined
        : { serviceId: "1", serviceAccessToken: Redacted.make(options.serviceAccessToken) }
    })
    yield* Layer.build(
      HttpApiBuilder.serve().pipe(
        Layer.provide(app),
        Layer.provide(Layer.succeedContext(engine)),
        Layer.provide(Layer.succeedContext(http))
      )
    )
    return { base, issuer }
  })

const fetchJson = (url: string, init?: RequestInit) =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    return { status: response.status, headers: response.headers, json: await response.json() as Record<string, any> }
  })

const registration = {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ client_name: "cli", redirect_uris: ["http://127.0.0.1:8000/cb"] })
}

describe("Server.app", () => {
  it.scoped("serves registration, discovery, OpenAPI and the local Authlete API on one port", () =>
    Effect.gen(function*() {
      const { base } = yield* start({ serviceAccessToken: "svc-token" })
      const created = yield* fetchJson(`${base}/register`, registration)
      assert.strictEqual(created.status, 201)
      assert.strictEqual(created.json.registration_client_uri, `${base}/register/${created.json.client_id}`)

      const discovery = yield* fetchJson(`${base}/.well-known/oauth-authorization-server`)
      assert.deepStrictEqual(discovery.json, { issuer: base, registration_endpoint: `${base}/register` })

      const openapi = yield* fetchJson(`${base}/openapi.json`)
      assert.strictEqual(openapi.json.openapi, "3.1.0")
      assert.deepStrictEqual(Object.keys(openapi.json.paths).sort(), [
        "/.well-known/oauth-authorization-server",
        "/api/{serviceId}/client/registration",
        "/api/{serviceId}/client/registration/delete",
        "/api/{serviceId}/client/registration/get",
        "/api/{serviceId}/client/registration/update",
        "/healthz",
        "/readyz",
        "/register",
        "/register/{client_id}"
      ])
      assert.deepStrictEqual(openapi.json.servers, [{ url: base }])

      const api = yield* fetchJson(`${base}/api/1/client/registration/get`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer svc-token" },
        body: JSON.stringify({ clientId: created.json.client_id, token: created.json.registration_access_token })
      })
      assert.strictEqual(api.status, 200)
      assert.strictEqual(api.json.action, "OK")
      assert.strictEqual(JSON.parse(api.json.responseContent).client_id, created.json.client_id)

      const wrongService = yield* fetchJson(`${base}/api/1/client/registration/get`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer not-the-service-token" },
        body: JSON.stringify({ clientId: created.json.client_id, token: created.json.registration_access_token })
      })
      assert.strictEqual(wrongService.status, 401)

      const missing = yield* fetchJson(`${base}/nothing/here`)
      assert.strictEqual(missing.status, 404)
      assert.strictEqual(missing.json.error, "not_found")
      assert.strictEqual(missing.headers.get("cache-control"), "no-store")
    }))

  it.scoped("HEAD answers as GET does: 200 on GET routes, the 404 on unknown paths", () =>
    Effect.gen(function*() {
      const { base } = yield* start({})
      const head = (path: string) =>
        Effect.promise(() => fetch(`${base}${path}`, { method: "HEAD" }).then((r) => r.status))
      assert.strictEqual(yield* head("/.well-known/oauth-authorization-server"), 200)
      assert.strictEqual(yield* head("/openapi.json"), 200)
      assert.strictEqual(yield* head("/healthz"), 200)
      assert.strictEqual(yield* head("/nothing/here"), 404)
      const put = yield* fetchJson(`${base}/nothing/here`, { method: "PUT", body: "{}" })
      assert.strictEqual(put.status, 404)
      assert.strictEqual(put.json.error, "not_found")
    }))

  it.scoped("without authleteApi the /api routes are not served", () =>
    Effect.gen(function*() {
      const { base } = yield* start({})
      const api = yield* fetchJson(`${base}/api/1/client/registration`, { method: "POST", body: "{}" })
      assert.strictEqual(api.status, 404)
      const openapi = yield* fetchJson(`${base}/openapi.json`)
      assert.notProperty(openapi.json.paths, "/api/{serviceId}/client/registration")
    }))

  it.scoped("an issuer with a path moves the endpoint and the RFC 8414 metadata location", () =>
    Effect.gen(function*() {
      const { base, issuer } = yield* start({ issuerPath: "/tenant" })
      const created = yield* fetchJson(`${base}/tenant/register`, registration)
      assert.strictEqual(created.status, 201)
      assert.strictEqual(created.json.registration_client_uri, `${issuer}/register/${created.json.client_id}`)
      const discovery = yield* fetchJson(`${base}/.well-known/oauth-authorization-server/tenant`)
      assert.strictEqual(discovery.json.registration_endpoint, `${issuer}/register`)
      assert.strictEqual((yield* fetchJson(`${base}/register`, registration)).status, 404)
    }))

  it.scoped("/healthz and /readyz answer 200 while the caller's address is over every rate limit", () =>
    Effect.gen(function*() {
      const rateLimit = yield* RateLimit.make({
        registrations: { limit: 1, window: "1 hour" },
        totalRegistrations: { limit: 1, window: "1 hour" },
        failedAuthentications: { limit: 1, window: "1 hour" }
      })
      const { base } = yield* start({ rateLimit, serviceAccessToken: "svc-token" })
      assert.strictEqual((yield* fetchJson(`${base}/register`, registration)).status, 201)
      assert.strictEqual((yield* fetchJson(`${base}/register`, registration)).status, 429)
      const wrong = { headers: { authorization: "Bearer wrong" } }
      assert.strictEqual((yield* fetchJson(`${base}/register/1`, wrong)).status, 401)
      assert.strictEqual((yield* fetchJson(`${base}/register/1`, wrong)).status, 429)
      for (let i = 0; i < 20; i++) {
        assert.deepStrictEqual((yield* fetchJson(`${base}/healthz`)).json, { status: "ok" })
        assert.deepStrictEqual((yield* fetchJson(`${base}/readyz`, wrong)).json, { status: "ready" })
      }
    }))

  it("generateToken makes distinct 256-bit base64url tokens", () => {
    const a = Redacted.value(Server.generateToken())
    const b = Redacted.value(Server.generateToken())
    assert.match(a, /^[A-Za-z0-9_-]{43}$/)
    assert.notStrictEqual(a, b)
  })
})
