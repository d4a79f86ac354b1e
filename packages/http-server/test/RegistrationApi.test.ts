import { DynamicClientRegistrationError } from "@effect-dcr/client"
import { RegistrationApi } from "@effect-dcr/http-server"
import { HttpApiBuilder, HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Layer, Redacted, Schema } from "effect"
import {
  assertNoStoreJson,
  capturingLogger,
  fakeBackend,
  flavours,
  listenWith,
  post,
  postChunked,
  readJson,
  readText,
  serveWith
} from "./support.js"

const created = { action: "CREATED" as const, responseContent: `{"client_id":"42", "client_name":"x"}` }

const request = (url: string, init?: RequestInit) => Effect.promise(() => fetch(url, init))

for (const flavour of flavours) {
  describe(`RegistrationApi over HTTP (${flavour} server)`, () => {
    it.scoped("POST /register passes the raw body text and the initial access token to the backend", () =>
      Effect.gen(function*() {
        const backend = fakeBackend({ register: () => Effect.succeed(created) })
        const base = yield* serveWith(flavour).pipe(Effect.provide(backend.layer))
        const raw = `{ "client_name" : "x",\n "redirect_uris": ["https://rp.example/cb"] }`
        const response = yield* post(`${base}/register`, raw, { authorization: "bearer initial-token" })
        assert.strictEqual(response.status, 201)
        assertNoStoreJson(response)
        assert.strictEqual(yield* readText(response), created.responseContent)
        assert.strictEqual(backend.calls.length, 1)
        const call = backend.calls[0]!
        assert.strictEqual(call.operation, "register")
        if (call.operation !== "register") return
        assert.strictEqual(call.request.json, raw)
        assert.isTrue(Redacted.isRedacted(call.request.token))
        assert.strictEqual(Redacted.value(call.request.token!), "initial-token")
      }))

    it.scoped("POST without a token sends none; charset and case variants of application/json are accepted", () =>
      Effect.gen(function*() {
        const backend = fakeBackend({ register: () => Effect.succeed(created) })
        const base = yield* serveWith(flavour).pipe(Effect.provide(backend.layer))
        for (const type of ["application/json; charset=utf-8", "Application/JSON;charset=UTF-8", "application/json"]) {
          const response = yield* post(`${base}/register`, `{}`, { "content-type": type })
          assert.strictEqual(response.status, 201, type)
        }
        // a query string does not change the route
        assert.strictEqual((yield* post(`${base}/register?x=1`, `{}`)).status, 201)
        assert.strictEqual(backend.calls.length, 4)
        for (const call of backend.calls) {
          assert.strictEqual(call.operation === "register" ? call.request.token : "?", undefined)
        }
      }))

    it.scoped("input guards answer 400 invalid_client_metadata without calling the backend", () =>
      Effect.gen(function*() {
        const backend = fakeBackend({})
        const base = yield* serveWith(flavour).pipe(Effect.provide(backend.layer))
        const cases: Array<[string, string, Record<string, string>]> = [
          ["text/plain", `{"client_name":"x"}`, { "content-type": "text/plain" }],
          ["form", "client_name=x", { "content-type": "application/x-www-form-urlencoded" }],
          ["json-ish type", `{}`, { "content-type": "application/jsonp" }],
          ["empty body", "", {}],
          ["whitespace body", "  \n ", {}],
          ["malformed JSON", `{"client_name": "x",}`, {}],
          ["truncated JSON", `{"client_name": `, {}],
          ["array", `[{"client_name":"x"}]`, {}],
          ["string", `"x"`, {}],
          ["number", `42`, {}],
          ["null", `null`, {}]
        ]
        for (const [name, body, headers] of cases) {
          const response = yield* post(`${base}/register`, body, headers)
          assert.strictEqual(response.status, 400, name)
          assertNoStoreJson(response)
          const json = yield* readJson(response)
          assert.strictEqual(json["error"], "invalid_client_metadata", name)
          assert.isString(json["error_description"])
        }
        const noType = yield* request(`${base}/register`, { method: "POST", body: new Blob([`{}`]) })
        assert.strictEqual(noType.status, 400)
        assert.strictEqual((yield* readJson(noType))["error"], "invalid_client_metadata")
        assert.strictEqual(backend.calls.length, 0)
      }))

    it.scoped("bodies over the limit get 413 JSON (64 KiB + 1, 2 MiB, chunked) before the connection closes", () =>
      Effect.gen(function*() {
        const backend = fakeBackend({ register: () => Effect.succeed(created) })
        const base = yield* serveWith(flavour).pipe(Effect.provide(backend.layer))
        const padded = (size: number) => `{"client_name":"${"a".repeat(size - 18)}"}`
        assert.strictEqual(padded(64 * 1024).length, 64 * 1024)

        const atLimit = yield* post(`${base}/register`, padded(64 * 1024))
        assert.strictEqual(atLimit.status, 201)

        for (const size of [64 * 1024 + 1, 2 * 1024 * 1024]) {
          const response = yield* post(`${base}/register`, padded(size))
          assert.strictEqual(response.status, 413, String(size))
          assertNoStoreJson(response)
          assert.strictEqual((yield* readJson(response))["error"], "invalid_request")
        }

        for (const size of [64 * 1024 + 1, 2 * 1024 * 1024]) {
          const chunked = yield* postChunked(`${base}/register`, size)
          assert.strictEqual(chunked.status, 413, `chunked ${size}`)
          assert.isTrue(chunked.completeBeforeClose, "the whole 413 arrives, not a reset")
          assert.strictEqual(JSON.parse(chunked.body).error, "invalid_request")
        }

        // the server is still healthy and the oversized bodies never reached the backend
        const after = yield* post(`${base}/register`, `{}`)
        assert.strictEqual(after.status, 201)
        assert.strictEqual(backend.calls.length, 2)
      }))

    it.scoped("the limit is configurable", () =>
      Effect.gen(function*() {
        const backend = fakeBackend({
          register: () => Effect.succeed(created),
          update: () => Effect.succeed({ action: "UPDATED", responseContent: created.responseContent })
        })
        const base = yield* serveWith(flavour, { maxBodySize: 16 }).pipe(Effect.provide(backend.layer))
        assert.strictEqual((yield* post(`${base}/register`, `{"a":"12345678"}`)).status, 201)
        assert.strictEqual((yield* post(`${base}/register`, `{"a":"123456789"}`)).status, 413)
        const put = (body: string) =>
          request(`${base}/register/42`, {
            method: "PUT",
            headers: { authorization: "Bearer t", "content-type": "application/json" },
            body
          })
        assert.strictEqual((yield* put(`{"a":"12345678"}`)).status, 200)
        assert.strictEqual((yield* put(`{"a":"123456789"}`)).status, 413)
        assert.deepStrictEqual(backend.calls.map((call) => call.operation), ["register", "update"])
      }))

    it.scoped("management requests without a bearer token → 401 invalid_token + WWW-Authenticate: Bearer", () =>
      Effect.gen(function*() {
        const backend = fakeBackend({})
        const base = yield* serveWith(flavour, { realm: "dcr" }).pipe(Effect.provide(backend.layer))
        const requests: Array<RequestInit> = [
          { method: "GET" },
          { method: "DELETE" },
          { method: "PUT", headers: { "content-type": "application/json" }, body: `{"client_id":"42"}` },
          { method: "PUT", headers: { "content-type": "text/plain" }, body: `[]` },
          { method: "GET", headers: { authorization: "Basic Zm9vOmJhcg==" } },
          { method: "GET", headers: { authorization: "Bearer " } }
        ]
        for (const init of requests) {
          const response = yield* request(`${base}/register/42`, init)
          assert.strictEqual(response.status, 401, init.method)
          assertNoStoreJson(response)
          assert.strictEqual(response.headers.get("www-authenticate"), `Bearer realm="dcr"`)
          assert.strictEqual((yield* readJson(response))["error"], "invalid_token")
        }
        assert.strictEqual(backend.calls.length, 0)
      }))

    it.scoped("GET/PUT/DELETE /register/{client_id} reach the backend with the path id and the token", () =>
      Effect.gen(function*() {
        const content = `{"client_id":"a b/42","client_name":"y"}`
        const backend = fakeBackend({
          get: () => Effect.succeed({ action: "OK", responseContent: content }),
          update: () => Effect.succeed({ action: "UPDATED", responseContent: content }),
          delete: () => Effect.succeed({ action: "DELETED" })
        })
        const base = yield* serveWith(flavour).pipe(Effect.provide(backend.layer))
        const url = `${base}/register/a%20b%2F42`
        const auth = { authorization: "BEARER rat-1" }

        const read = yield* request(url, { headers: auth })
        assert.strictEqual(read.status, 200)
        assertNoStoreJson(read)
        assert.strictEqual(yield* readText(read), content)

        const body = `{"client_id":"a b/42",  "client_name":"y"}`
        const updated = yield* request(url, {
          method: "PUT",
          headers: { ...auth, "content-type": "application/json; charset=utf-8" },
          body
        })
        assert.strictEqual(updated.status, 200)
        assertNoStoreJson(updated)
        assert.strictEqual(yield* readText(updated), content)

        const deleted = yield* request(url, { method: "DELETE", headers: auth })
        assert.strictEqual(deleted.status, 204)
        assert.strictEqual(deleted.headers.get("content-type"), null)
        assert.strictEqual(deleted.headers.get("cache-control"), "no-store")
        assert.strictEqual(deleted.headers.get("pragma"), "no-cache")
        assert.strictEqual(yield* readText(deleted), "")

        assert.deepStrictEqual(backend.calls.map((c) => c.operation), ["get", "update", "delete"])
        for (const call of backend.calls) {
          assert.strictEqual(call.request.clientId, "a b/42")
          assert.isTrue(Redacted.isRedacted(call.request.token))
          assert.strictEqual(Redacted.value(call.request.token!), "rat-1")
        }
        const update = backend.calls[1]!
        assert.strictEqual(update.request.json, body)
      }))

    it.scoped("PUT applies the body guards after the token check", () =>
      Effect.gen(function*() {
        const backend = fakeBackend({})
        const base = yield* serveWith(flavour).pipe(Effect.provide(backend.layer))
        const put = (body: string, type = "application/json") =>
          request(`${base}/register/42`, {
            method: "PUT",
            headers: { authorization: "Bearer t", "content-type": type },
            body
          })
        const cases: Array<[string, string, number, string]> = [
          [`[]`, "application/json", 400, "invalid_client_metadata"],
          [`{"a":`, "application/json", 400, "invalid_client_metadata"],
          [``, "application/json", 400, "invalid_client_metadata"],
          [`{}`, "text/plain", 400, "invalid_client_metadata"],
          [`{"a":"${"x".repeat(70_000)}"}`, "application/json", 413, "invalid_request"]
        ]
        for (const [body, type, status, error] of cases) {
          const response = yield* put(body, type)
          assert.strictEqual(response.status, status, body.slice(0, 10))
          assertNoStoreJson(response)
          assert.strictEqual((yield* readJson(response))["error"], error)
        }
        assert.strictEqual(backend.calls.length, 0)
      }))

    it.scoped("UNAUTHORIZED from the backend → 401 with Bearer error=\"invalid_token\"", () =>
      Effect.gen(function*() {
        const content = `{"error":"invalid_token","error_description":"bad"}`
        const backend = fakeBackend({
          get: () => Effect.succeed({ action: "UNAUTHORIZED", responseContent: content }),
          register: () => Effect.succeed({ action: "UNAUTHORIZED", responseContent: content })
        })
        const base = yield* serveWith(flavour).pipe(Effect.provide(backend.layer))
        const read = yield* request(`${base}/register/42`, { headers: { authorization: "Bearer x" } })
        assert.strictEqual(read.status, 401)
        assertNoStoreJson(read)
        assert.strictEqual(read.headers.get("www-authenticate"), `Bearer error="invalid_token"`)
        assert.strictEqual(yield* readText(read), content)

        const withToken = yield* post(`${base}/register`, `{}`, { authorization: "Bearer wrong" })
        assert.strictEqual(withToken.status, 401)
        assert.strictEqual(withToken.headers.get("www-authenticate"), `Bearer error="invalid_token"`)
        assert.strictEqual(yield* readText(withToken), content)

        const withoutToken = yield* post(`${base}/register`, `{}`)
        assert.strictEqual(withoutToken.status, 401)
        assert.strictEqual(withoutToken.headers.get("www-authenticate"), "Bearer")
      }))

    it.scoped("every backend failure → 500 server_error that leaks nothing; the cause is logged without secrets", () =>
      Effect.gen(function*() {
        const failures: Array<DynamicClientRegistrationError.DynamicClientRegistrationError> = [
          new DynamicClientRegistrationError.ResultError({
            operation: "register",
            status: 401,
            resultCode: "A001202",
            resultMessage: "[A001202] Authorization header is missing."
          }),
          new DynamicClientRegistrationError.AuthleteDefaultError({
            operation: "register",
            status: 502,
            contentType: "text/html",
            body: "<html>upstream internal-host-17</html>"
          }),
          new DynamicClientRegistrationError.TransportError({
            operation: "register",
            requestSent: false,
            cause: new Error("connect ECONNREFUSED 10.0.0.7:443"),
            description: "connection refused"
          }),
          new DynamicClientRegistrationError.TimeoutError({ operation: "register", timeout: Duration.seconds(10) }),
          new DynamicClientRegistrationError.ResponseDecodeError({ operation: "register", description: "bad action" })
        ]
        let next = 0
        const backend = fakeBackend({ register: () => Effect.fail(failures[next++]!) })
        const logs = capturingLogger()
        const base = yield* serveWith(flavour).pipe(Effect.provide(Layer.merge(backend.layer, logs.layer)))
        for (const failure of failures) {
          const response = yield* post(`${base}/register`, `{"client_name":"x"}`, {
            authorization: "Bearer super-secret-initial-token"
          })
          assert.strictEqual(response.status, 500, failure._tag)
          assertNoStoreJson(response)
          const body = yield* readText(response)
          assert.strictEqual(body, `{"error":"server_error"}`)
        }
        const errorLines = logs.lines.filter((line) => line.startsWith("ERROR"))
        assert.strictEqual(errorLines.length, failures.length)
        failures.forEach((failure, i) => {
          assert.include(errorLines[i], failure._tag)
          assert.include(errorLines[i], "dcr.operation=register")
        })
        for (const line of logs.lines) assert.notInclude(line, "super-secret-initial-token")
      }))

    it.scoped("a defect, an unknown action or a success without content → 500 server_error, logged", () =>
      Effect.gen(function*() {
        const answers = [
          Effect.dieMessage("boom"),
          Effect.succeed({ action: "ACCEPTED", responseContent: `{"client_secret":"leak"}` } as never),
          Effect.succeed({ responseContent: `{"client_secret":"leak"}` }),
          Effect.succeed({ action: "CREATED" as const })
        ]
        let next = 0
        const backend = fakeBackend({ register: () => answers[next++]! })
        const logs = capturingLogger()
        const base = yield* serveWith(flavour).pipe(Effect.provide(Layer.merge(backend.layer, logs.layer)))
        for (let i = 0; i < answers.length; i++) {
          const response = yield* post(`${base}/register`, `{}`)
          assert.strictEqual(response.status, 500)
          assertNoStoreJson(response)
          assert.strictEqual(yield* readText(response), `{"error":"server_error"}`)
        }
        const errorLines = logs.lines.filter((line) => line.startsWith("ERROR"))
        assert.strictEqual(errorLines.length, answers.length)
        assert.include(errorLines[0], "boom")
        assert.include(errorLines[1], "dcr.action=ACCEPTED")
        for (const line of logs.lines) assert.notInclude(line, "leak")
      }))

    it.scoped("management failures and defects → 500 server_error too", () =>
      Effect.gen(function*() {
        const backend = fakeBackend({
          get: () => Effect.dieMessage("boom"),
          update: () => Effect.succeed({ action: "UPDATED" }),
          delete: () =>
            Effect.fail(
              new DynamicClientRegistrationError.ResponseDecodeError({ operation: "delete", description: "x" })
            )
        })
        const logs = capturingLogger()
        const base = yield* serveWith(flavour).pipe(Effect.provide(Layer.merge(backend.layer, logs.layer)))
        const auth = { authorization: "Bearer t", "content-type": "application/json" }
        for (const method of ["GET", "PUT", "DELETE"]) {
          const response = yield* request(`${base}/register/42`, {
            method,
            headers: auth,
            ...(method === "PUT" ? { body: "{}" } : {})
          })
          assert.strictEqual(response.status, 500, method)
          assertNoStoreJson(response)
          assert.strictEqual(yield* readText(response), `{"error":"server_error"}`)
        }
        assert.strictEqual(logs.lines.filter((line) => line.startsWith("ERROR")).length, 3)
      }))

    it.scoped("wrong methods → 405 with Allow; OPTIONS describes the allowed methods", () =>
      Effect.gen(function*() {
        const backend = fakeBackend({})
        const base = yield* serveWith(flavour).pipe(Effect.provide(backend.layer))
        const cases: Array<[string, string, string]> = [
          ["GET", "/register", "POST, OPTIONS"],
          ["PUT", "/register", "POST, OPTIONS"],
          ["DELETE", "/register", "POST, OPTIONS"],
          ["PATCH", "/register", "POST, OPTIONS"],
          ["POST", "/register/42", "GET, PUT, DELETE, OPTIONS"],
          ["PATCH", "/register/42", "GET, PUT, DELETE, OPTIONS"]
        ]
        for (const [method, path, allow] of cases) {
          const response = yield* request(`${base}${path}`, { method })
          assert.strictEqual(response.status, 405, `${method} ${path}`)
          assert.strictEqual(response.headers.get("allow"), allow)
          assertNoStoreJson(response)
          const json = yield* readJson(response)
          assert.strictEqual(json["error"], "invalid_request")
          assert.include(json["error_description"] as string, method)
        }
        for (const [path, allow] of [["/register", "POST, OPTIONS"], ["/register/42", "GET, PUT, DELETE, OPTIONS"]]) {
          const options = yield* request(`${base}${path}`, { method: "OPTIONS" })
          assert.strictEqual(options.status, 204, path)
          assert.strictEqual(options.headers.get("allow"), allow)
          assert.strictEqual(yield* readText(options), "")
        }
        assert.strictEqual(backend.calls.length, 0)
      }))

    it.scoped("mounts under a configurable path, next to the application's own routes", () =>
      Effect.gen(function*() {
        const backend = fakeBackend({
          register: () => Effect.succeed(created),
          get: () => Effect.succeed({ action: "OK", responseContent: created.responseContent })
        })
        const server = yield* listenWith(flavour)
        // --- an HttpApi of the application's own, with the registration group in it ---
        const api = RegistrationApi.make({ path: "/oauth/dcr/", issuer: server.base }).add(
          HttpApiGroup.make("app").add(HttpApiEndpoint.get("health", "/health").addSuccess(Schema.String))
        )
        const ApiLive = HttpApiBuilder.api(api).pipe(
          Layer.provide(RegistrationApi.layerGroup(api, { issuer: server.base })),
          Layer.provide(
            HttpApiBuilder.group(api, "app", (handlers) => handlers.handle("health", () => Effect.succeed("ok")))
          )
        )
        yield* server.serve(HttpApiBuilder.middlewareOpenApi().pipe(Layer.provideMerge(ApiLive))).pipe(
          Effect.provide(backend.layer)
        )
        const base = server.base

        assert.strictEqual((yield* post(`${base}/oauth/dcr`, `{}`)).status, 201)
        const read = yield* request(`${base}/oauth/dcr/42`, { headers: { authorization: "Bearer t" } })
        assert.strictEqual(read.status, 200)
        assert.strictEqual(yield* readText(yield* request(`${base}/health`)), `"ok"`)
        assert.strictEqual((yield* post(`${base}/register`, `{}`)).status, 404)
        assert.strictEqual(
          (yield* request(`${base}/register/42`, { headers: { authorization: "Bearer t" } })).status,
          404
        )
        assert.strictEqual((yield* request(`${base}/oauth/dcr`, { method: "GET" })).status, 405)
        assert.deepStrictEqual(backend.calls.map((c) => c.operation), ["register", "get"])

        const doc = yield* readJson(yield* request(`${base}/openapi.json`))
        const paths = doc["paths"] as Record<string, Record<string, any>>
        assert.includeMembers(Object.keys(paths), ["/oauth/dcr", "/oauth/dcr/{client_id}", "/health"])
        assert.notProperty(paths, "/register")
        assert.includeMembers(Object.keys(paths["/oauth/dcr/{client_id}"]!), ["get", "put", "delete"])
        assert.deepStrictEqual(paths["/oauth/dcr"]!["post"].security, [{}, { bearer: [] }])
        assert.deepStrictEqual(paths["/oauth/dcr/{client_id}"]!["get"].security, [{ bearer: [] }])

        // discovery advertises the mounted path
        const metadata = yield* readJson(yield* request(`${base}/.well-known/oauth-authorization-server`))
        assert.strictEqual(metadata["registration_endpoint"], `${base}/oauth/dcr`)
      }))

    it.scoped("GET /.well-known/oauth-authorization-server{issuer path} serves RFC 8414 metadata", () =>
      Effect.gen(function*() {
        const backend = fakeBackend({})
        const server = yield* listenWith(flavour)
        const issuer = `${server.base}/tenant/`
        yield* server.serve(RegistrationApi.layer({
          issuer,
          path: "/tenant/register",
          metadata: {
            token_endpoint: `${server.base}/tenant/token`,
            issuer: "ignored",
            registration_endpoint: "ignored"
          }
        })).pipe(Effect.provide(backend.layer))
        const base = server.base

        const response = yield* request(`${base}/.well-known/oauth-authorization-server/tenant`)
        assert.strictEqual(response.status, 200)
        assert.match(response.headers.get("content-type")!, /^application\/json/)
        assert.deepStrictEqual(yield* readJson(response), {
          issuer,
          registration_endpoint: `${base}/tenant/register`,
          token_endpoint: `${base}/tenant/token`
        })
        assert.strictEqual((yield* request(`${base}/.well-known/oauth-authorization-server`)).status, 404)
        assert.strictEqual((yield* post(`${base}/register`, `{}`)).status, 404)
        assert.strictEqual(backend.calls.length, 0)
      }))

    it.scoped("discovery without an issuer path sits at the root well-known URL", () =>
      Effect.gen(function*() {
        const base = yield* serveWith(flavour).pipe(Effect.provide(fakeBackend({}).layer))
        const metadata = yield* readJson(yield* request(`${base}/.well-known/oauth-authorization-server`))
        assert.deepStrictEqual(metadata, { issuer: base, registration_endpoint: `${base}/register` })
      }))
  })
}
