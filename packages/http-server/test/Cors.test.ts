/**
 * CORS on the registration, management and discovery routes, on both servers (the fast path answers
 * `POST /register` on node-fast): answers to browser requests, preflights, the allow-list, and no
 * headers for requests without `Origin`.
 */
import { Cors, RateLimit } from "@effect-dcr/http-server"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { fakeBackend, flavours, post, readText, serveWith } from "./support.js"

const created = { action: "CREATED" as const, responseContent: `{"client_id":"7"}` }
const unauthorized = { action: "UNAUTHORIZED" as const, responseContent: `{"error":"invalid_token"}` }

const backend = () =>
  fakeBackend({
    register: () => Effect.succeed(created),
    get: () => Effect.succeed(unauthorized)
  })

const request = (url: string, init: RequestInit = {}) =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    await response.arrayBuffer()
    return response
  })

const corsHeaders = (response: Response) =>
  Object.fromEntries([...response.headers].filter(([name]) => name.startsWith("access-control-") || name === "vary"))

const origin = "https://inspector.example"
const exposed = "WWW-Authenticate, Retry-After"

describe("CORS", () => {
  for (const flavour of flavours) {
    describe(flavour, () => {
      it.scoped("any origin by default: answers carry Access-Control-Allow-Origin: * and expose the headers", () =>
        Effect.gen(function*() {
          const fake = backend()
          const base = yield* serveWith(flavour).pipe(Effect.provide(fake.layer))
          const registered = yield* post(`${base}/register`, "{}", { origin })
          assert.strictEqual(registered.status, 201)
          yield* readText(registered)
          assert.deepStrictEqual(corsHeaders(registered), {
            "access-control-allow-origin": "*",
            "access-control-expose-headers": exposed
          })

          // bad input and 401s too: a browser client can read the error and the challenge
          const refused = yield* post(`${base}/register`, "[]", { origin })
          yield* readText(refused)
          assert.strictEqual(refused.status, 400)
          assert.strictEqual(refused.headers.get("access-control-allow-origin"), "*")
          const read = yield* request(`${base}/register/7`, { headers: { origin, authorization: "Bearer x" } })
          assert.strictEqual(read.status, 401)
          assert.strictEqual(read.headers.get("access-control-allow-origin"), "*")
          assert.strictEqual(read.headers.get("access-control-expose-headers"), exposed)
          assert.isNotNull(read.headers.get("www-authenticate"))
          const discovery = yield* request(`${base}/.well-known/oauth-authorization-server`, { headers: { origin } })
          assert.strictEqual(discovery.status, 200)
          assert.strictEqual(discovery.headers.get("access-control-allow-origin"), "*")
          const refusedMethod = yield* request(`${base}/register`, { headers: { origin } })
          assert.strictEqual(refusedMethod.status, 405)
          assert.strictEqual(refusedMethod.headers.get("access-control-allow-origin"), "*")

          // never credentials
          for (const response of [registered, refused, read, discovery]) {
            assert.isNull(response.headers.get("access-control-allow-credentials"))
          }
          // not from a browser: no CORS headers at all
          const plain = yield* post(`${base}/register`, "{}")
          yield* readText(plain)
          assert.deepStrictEqual(corsHeaders(plain), {})
        }))

      it.scoped("preflights of the registration, management and discovery routes", () =>
        Effect.gen(function*() {
          const base = yield* serveWith(flavour).pipe(Effect.provide(backend().layer))
          const preflight = (path: string, method: string) =>
            request(`${base}${path}`, {
              method: "OPTIONS",
              headers: {
                origin,
                "access-control-request-method": method,
                "access-control-request-headers": "authorization, content-type, mcp-protocol-version"
              }
            })
          const cases = [
            ["/register", "POST", "POST, OPTIONS"],
            ["/register/7", "PUT", "GET, PUT, DELETE, OPTIONS"],
            ["/.well-known/oauth-authorization-server", "GET", "GET, OPTIONS"]
          ] as const
          for (const [path, method, methods] of cases) {
            const response = yield* preflight(path, method)
            assert.strictEqual(response.status, 204, path)
            assert.strictEqual(response.headers.get("allow"), methods)
            assert.deepStrictEqual(corsHeaders(response), {
              "access-control-allow-origin": "*",
              "access-control-allow-methods": methods,
              "access-control-allow-headers": "authorization, content-type, mcp-protocol-version",
              "access-control-max-age": "600",
              "vary": "Access-Control-Request-Headers"
            }, path)
          }
          // a plain OPTIONS (not a preflight) still answers Allow
          const plain = yield* request(`${base}/register`, { method: "OPTIONS" })
          assert.strictEqual(plain.status, 204)
          assert.strictEqual(plain.headers.get("allow"), "POST, OPTIONS")
          assert.deepStrictEqual(corsHeaders(plain), {})
        }))

      it.scoped("an allow-list: allowed origins are echoed with Vary: Origin, others get no grant", () =>
        Effect.gen(function*() {
          const base = yield* serveWith(flavour, {
            cors: {
              allowedOrigins: [origin, "http://localhost:6274"],
              allowedHeaders: ["authorization", "content-type"]
            }
          }).pipe(Effect.provide(backend().layer))
          const allowed = yield* post(`${base}/register`, "{}", { origin: "http://localhost:6274" })
          yield* readText(allowed)
          assert.deepStrictEqual(corsHeaders(allowed), {
            "access-control-allow-origin": "http://localhost:6274",
            "access-control-expose-headers": exposed,
            "vary": "Origin"
          })
          const other = yield* post(`${base}/register`, "{}", { origin: "https://evil.example" })
          yield* readText(other)
          assert.strictEqual(other.status, 201, "CORS is enforced by the browser; the server only grants")
          assert.deepStrictEqual(corsHeaders(other), { "vary": "Origin" })

          const preflight = (from: string) =>
            request(`${base}/register`, {
              method: "OPTIONS",
              headers: { origin: from, "access-control-request-method": "POST" }
            })
          assert.deepStrictEqual(corsHeaders(yield* preflight(origin)), {
            "access-control-allow-origin": origin,
            "access-control-allow-methods": "POST, OPTIONS",
            "access-control-allow-headers": "authorization, content-type",
            "access-control-max-age": "600",
            "vary": "Origin"
          })
          assert.deepStrictEqual(corsHeaders(yield* preflight("https://evil.example")), { "vary": "Origin" })
        }))

      it.scoped("cors: false sends no CORS headers", () =>
        Effect.gen(function*() {
          const base = yield* serveWith(flavour, { cors: false }).pipe(Effect.provide(backend().layer))
          const registered = yield* post(`${base}/register`, "{}", { origin })
          yield* readText(registered)
          assert.deepStrictEqual(corsHeaders(registered), {})
        }))

      it.scoped("a 429 exposes its Retry-After", () =>
        Effect.gen(function*() {
          const rateLimit = yield* RateLimit.make({ registrations: { limit: 1, window: "1 hour" } })
          const base = yield* serveWith(flavour, { rateLimit }).pipe(Effect.provide(backend().layer))
          yield* readText(yield* post(`${base}/register`, "{}", { origin }))
          const limited = yield* post(`${base}/register`, "{}", { origin })
          yield* readText(limited)
          assert.strictEqual(limited.status, 429)
          assert.isNotNull(limited.headers.get("retry-after"))
          assert.strictEqual(limited.headers.get("access-control-allow-origin"), "*")
          assert.strictEqual(limited.headers.get("access-control-expose-headers"), exposed)
        }))
    })
  }
})

describe("Cors.parseOrigins", () => {
  it("accepts *, off, and origins (normalised); refuses anything more than an origin", () => {
    assert.deepStrictEqual(Cors.parseOrigins("*"), Either.right("*"))
    assert.deepStrictEqual(Cors.parseOrigins("off"), Either.right(false))
    assert.deepStrictEqual(
      Cors.parseOrigins(" https://App.example:443 , http://localhost:6274/ "),
      Either.right(["https://app.example", "http://localhost:6274"])
    )
    for (
      const bad of [
        "",
        "https://a.example/cb",
        "https://u:p@a.example",
        "https://a.example?x",
        "*, https://a.example",
        "a.example"
      ]
    ) {
      assert.isTrue(Either.isLeft(Cors.parseOrigins(bad)), bad)
    }
  })
})
