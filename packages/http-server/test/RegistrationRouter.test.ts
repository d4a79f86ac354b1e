import { DynamicClientRegistrationError } from "@effect-dcr/client"
import { RegistrationApi, RegistrationRouter } from "@effect-dcr/http-server"
import { assert, describe, it } from "@effect/vitest"
import { HttpRouter } from "@effect/platform"
import { Duration, Effect, Layer, Redacted } from "effect"
import { request as httpRequest } from "node:http"
import { capturingLogger, fakeBackend, type Flavour, serveWith } from "./support.js"

const created = { action: "CREATED" as const, responseContent: `{"client_id":"42", "client_name":"x"}` }

const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  Effect.promise(() =>
    fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body })
  )

const readJson = (response: Response) => Effect.promise(() => response.json() as Promise<Record<string, unknown>>)

const assertNoStoreJson = (response: Response) => {
  assert.strictEqual(response.headers.get("content-type"), "application/json")
  assert.strictEqual(response.headers.get("cache-control"), "no-store")
  assert.strictEqual(response.headers.get("pragma"), "no-cache")
}

/** Sends a chunked body (no Content-Length) of `total` bytes, and answers the status and body. */
const postChunked = (url: string, total: number) =>
  Effect.async<{ status: number; body: string }, Error>((resume) => {
    const req = httpRequest(url, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
      let body = ""
      res.setEncoding("utf8")
      res.on("data", (c) => (body += c))
      res.on("end", () => resume(Effect.succeed({ status: res.statusCode ?? 0, body })))
    })
    req.on("error", (e) => resume(Effect.fail(e)))
    const chunk = Buffer.alloc(16 * 1024, 0x20)
    let sent = 0
    const write = () => {
      while (sent < total) {
        sent += chunk.length
        if (!req.write(chunk)) return req.once("drain", write)
      }
      req.end()
    }
    write()
  })

for (const flavour of ["platform", "node-fast"] satisfies ReadonlyArray<Flavour>) {
describe(`RegistrationRouter over HTTP (${flavour} server)`, () => {
  it.scoped("POST /register passes the raw body text and the initial access token to the backend", () =>
    Effect.gen(function*() {
      const backend = fakeBackend({ register: () => Effect.succeed(created) })
      const base = yield* serveWith(flavour, RegistrationRouter.router).pipe(Effect.provide(backend.layer))
      const raw = `{ "client_name" : "x",\n "redirect_uris": ["https://rp.example/cb"] }`
      const response = yield* post(`${base}/register`, raw, { authorization: "bearer initial-token" })
      assert.strictEqual(response.status, 201)
      assertNoStoreJson(response)
      assert.strictEqual(yield* Effect.promise(() => response.text()), created.responseContent)
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
      const base = yield* serveWith(flavour, RegistrationRouter.router).pipe(Effect.provide(backend.layer))
      for (const type of ["application/json; charset=utf-8", "Application/JSON;charset=UTF-8", "application/json"]) {
        const response = yield* post(`${base}/register`, `{}`, { "content-type": type })
        assert.strictEqual(response.status, 201, type)
      }
      assert.strictEqual(backend.calls.length, 3)
      for (const call of backend.calls) {
        assert.strictEqual(call.operation === "register" ? call.request.token : "?", undefined)
      }
    }))

  it.scoped("input guards answer 400 invalid_client_metadata without calling the backend", () =>
    Effect.gen(function*() {
      const backend = fakeBackend({})
      const base = yield* serveWith(flavour, RegistrationRouter.router).pipe(Effect.provide(backend.layer))
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
      const noType = yield* Effect.promise(() =>
        fetch(`${base}/register`, { method: "POST", body: new Blob([`{}`]) })
      )
      assert.strictEqual(noType.status, 400)
      assert.strictEqual((yield* readJson(noType))["error"], "invalid_client_metadata")
      assert.strictEqual(backend.calls.length, 0)
    }))

  it.scoped("bodies over the limit get 413 JSON (64 KiB + 1, 2 MiB, chunked), at or under it pass", () =>
    Effect.gen(function*() {
      const backend = fakeBackend({ register: () => Effect.succeed(created) })
      const base = yield* serveWith(flavour, RegistrationRouter.router).pipe(Effect.provide(backend.layer))
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

      const chunked = yield* postChunked(`${base}/register`, 2 * 1024 * 1024)
      assert.strictEqual(chunked.status, 413)
      assert.strictEqual(JSON.parse(chunked.body).error, "invalid_request")

      // the server is still healthy and the oversized bodies never reached the backend
      const after = yield* post(`${base}/register`, `{}`)
      assert.strictEqual(after.status, 201)
      assert.strictEqual(backend.calls.length, 2)
    }))

  it.scoped("the limit is configurable", () =>
    Effect.gen(function*() {
      const backend = fakeBackend({ register: () => Effect.succeed(created) })
      const base = yield* serveWith(flavour, RegistrationRouter.make({ maxBodySize: 16 }), { maxBodySize: 16 }).pipe(Effect.provide(backend.layer))
      assert.strictEqual((yield* post(`${base}/register`, `{"a":"12345678"}`)).status, 201)
      assert.strictEqual((yield* post(`${base}/register`, `{"a":"123456789"}`)).status, 413)
    }))

  it.scoped("management requests without a bearer token → 401 invalid_token + WWW-Authenticate: Bearer", () =>
    Effect.gen(function*() {
      const backend = fakeBackend({})
      const base = yield* serveWith(flavour, RegistrationRouter.make({ realm: "dcr" }), { realm: "dcr" }).pipe(Effect.provide(backend.layer))
      const requests: Array<RequestInit> = [
        { method: "GET" },
        { method: "DELETE" },
        { method: "PUT", headers: { "content-type": "application/json" }, body: `{"client_id":"42"}` },
        { method: "GET", headers: { authorization: "Basic Zm9vOmJhcg==" } },
        { method: "GET", headers: { authorization: "Bearer " } }
      ]
      for (const init of requests) {
        const response = yield* Effect.promise(() => fetch(`${base}/register/42`, init))
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
      const base = yield* serveWith(flavour, RegistrationRouter.router).pipe(Effect.provide(backend.layer))
      const url = `${base}/register/a%20b%2F42`
      const auth = { authorization: "BEARER rat-1" }

      const read = yield* Effect.promise(() => fetch(url, { headers: auth }))
      assert.strictEqual(read.status, 200)
      assertNoStoreJson(read)
      assert.strictEqual(yield* Effect.promise(() => read.text()), content)

      const body = `{"client_id":"a b/42",  "client_name":"y"}`
      const updated = yield* Effect.promise(() =>
        fetch(url, { method: "PUT", headers: { ...auth, "content-type": "application/json; charset=utf-8" }, body })
      )
      assert.strictEqual(updated.status, 200)
      assert.strictEqual(yield* Effect.promise(() => updated.text()), content)

      const deleted = yield* Effect.promise(() => fetch(url, { method: "DELETE", headers: auth }))
      assert.strictEqual(deleted.status, 204)
      assert.strictEqual(deleted.headers.get("content-type"), null)
      assert.strictEqual(deleted.headers.get("cache-control"), "no-store")
      assert.strictEqual(deleted.headers.get("pragma"), "no-cache")
      assert.strictEqual(yield* Effect.promise(() => deleted.text()), "")

      assert.deepStrictEqual(backend.calls.map((c) => c.operation), ["get", "update", "delete"])
      for (const call of backend.calls) {
        assert.strictEqual(call.request.clientId, "a b/42")
        assert.strictEqual(Redacted.value(call.request.token!), "rat-1")
      }
      const update = backend.calls[1]!
      assert.strictEqual(update.request.json, body)
    }))

  it.scoped("PUT applies the body guards after the token check", () =>
    Effect.gen(function*() {
      const backend = fakeBackend({})
      const base = yield* serveWith(flavour, RegistrationRouter.router).pipe(Effect.provide(backend.layer))
      const put = (body: string, type = "application/json") =>
        Effect.promise(() =>
          fetch(`${base}/register/42`, {
            method: "PUT",
            headers: { authorization: "Bearer t", "content-type": type },
            body
          })
        )
      assert.strictEqual((yield* put(`[]`)).status, 400)
      assert.strictEqual((yield* put(`{"a":`)).status, 400)
      assert.strictEqual((yield* put(`{}`, "text/plain")).status, 400)
      assert.strictEqual((yield* put(`{"a":"${"x".repeat(70_000)}"}`)).status, 413)
      assert.strictEqual(backend.calls.length, 0)
    }))

  it.scoped("UNAUTHORIZED from the backend → 401 with Bearer error=\"invalid_token\"", () =>
    Effect.gen(function*() {
      const content = `{"error":"invalid_token","error_description":"bad"}`
      const backend = fakeBackend({
        get: () => Effect.succeed({ action: "UNAUTHORIZED", responseContent: content }),
        register: () => Effect.succeed({ action: "UNAUTHORIZED", responseContent: content })
      })
      const base = yield* serveWith(flavour, RegistrationRouter.router).pipe(Effect.provide(backend.layer))
      const read = yield* Effect.promise(() => fetch(`${base}/register/42`, { headers: { authorization: "Bearer x" } }))
      assert.strictEqual(read.status, 401)
      assert.strictEqual(read.headers.get("www-authenticate"), `Bearer error="invalid_token"`)
      assert.strictEqual(yield* Effect.promise(() => read.text()), content)

      const withToken = yield* post(`${base}/register`, `{}`, { authorization: "Bearer wrong" })
      assert.strictEqual(withToken.status, 401)
      assert.strictEqual(withToken.headers.get("www-authenticate"), `Bearer error="invalid_token"`)

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
      const base = yield* serveWith(flavour, RegistrationRouter.router).pipe(
        Effect.provide(Layer.merge(backend.layer, logs.layer))
      )
      for (const failure of failures) {
        const response = yield* post(`${base}/register`, `{"client_name":"x"}`, {
          authorization: "Bearer super-secret-initial-token"
        })
        assert.strictEqual(response.status, 500, failure._tag)
        assertNoStoreJson(response)
        assert.strictEqual(yield* Effect.promise(() => response.text()), `{"error":"server_error"}`)
      }
      const errorLines = logs.lines.filter((line) => line.startsWith("ERROR"))
      assert.strictEqual(errorLines.length, failures.length)
      failures.forEach((failure, i) => assert.include(errorLines[i], failure._tag))
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
      const base = yield* serveWith(flavour, RegistrationRouter.router).pipe(
        Effect.provide(Layer.merge(backend.layer, logs.layer))
      )
      for (let i = 0; i < answers.length; i++) {
        const response = yield* post(`${base}/register`, `{}`)
        assert.strictEqual(response.status, 500)
        assert.strictEqual(yield* Effect.promise(() => response.text()), `{"error":"server_error"}`)
      }
      assert.strictEqual(logs.lines.filter((line) => line.startsWith("ERROR")).length, answers.length)
    }))

  it.scoped("wrong methods → 405 with Allow; OPTIONS describes the allowed methods", () =>
    Effect.gen(function*() {
      const backend = fakeBackend({})
      const base = yield* serveWith(flavour, RegistrationRouter.router).pipe(Effect.provide(backend.layer))
      const cases: Array<[string, string, string]> = [
        ["GET", "/register", "POST, OPTIONS"],
        ["PUT", "/register", "POST, OPTIONS"],
        ["DELETE", "/register", "POST, OPTIONS"],
        ["PATCH", "/register", "POST, OPTIONS"],
        ["POST", "/register/42", "GET, PUT, DELETE, OPTIONS"],
        ["PATCH", "/register/42", "GET, PUT, DELETE, OPTIONS"]
      ]
      for (const [method, path, allow] of cases) {
        const response = yield* Effect.promise(() => fetch(`${base}${path}`, { method }))
        assert.strictEqual(response.status, 405, `${method} ${path}`)
        assert.strictEqual(response.headers.get("allow"), allow)
        assertNoStoreJson(response)
        assert.strictEqual((yield* readJson(response))["error"], "invalid_request")
      }
      const options = yield* Effect.promise(() => fetch(`${base}/register/42`, { method: "OPTIONS" }))
      assert.strictEqual(options.status, 204)
      assert.strictEqual(options.headers.get("allow"), "GET, PUT, DELETE, OPTIONS")
      assert.strictEqual(backend.calls.length, 0)
    }))

  it.scoped("mounts under a configurable path, next to the application's own routes", () =>
    Effect.gen(function*() {
      const backend = fakeBackend({ register: () => Effect.succeed(created) })
      const app = HttpRouter.empty.pipe(
        HttpRouter.get("/openapi.json", RegistrationApi.handler({ path: "/oauth/dcr" })),
        HttpRouter.concat(RegistrationRouter.make({ path: "/oauth/dcr" }))
      )
      const base = yield* serveWith(flavour, app, { path: "/oauth/dcr" }).pipe(Effect.provide(backend.layer))
      assert.strictEqual((yield* post(`${base}/oauth/dcr`, `{}`)).status, 201)
      assert.strictEqual((yield* post(`${base}/register`, `{}`)).status, 404)
      const doc = yield* readJson(yield* Effect.promise(() => fetch(`${base}/openapi.json`)))
      const paths = doc["paths"] as Record<string, Record<string, unknown>>
      assert.deepStrictEqual(Object.keys(paths).sort(), ["/oauth/dcr", "/oauth/dcr/{client_id}"])
      assert.deepStrictEqual(Object.keys(paths["/oauth/dcr"]!), ["post"])
      assert.deepStrictEqual(Object.keys(paths["/oauth/dcr/{client_id}"]!).sort(), ["delete", "get", "put"])
      const registerOp = paths["/oauth/dcr"]!["post"] as any
      assert.deepStrictEqual(Object.keys(registerOp.responses).sort(), ["201", "400", "401", "413", "500"])
      assert.deepStrictEqual(registerOp.security, [{}, { bearer: [] }])
      const metadata = JSON.stringify(doc["components"])
      for (const member of ["redirect_uris", "token_endpoint_auth_method", "registration_access_token"]) {
        assert.include(metadata, member)
      }
      const read = paths["/oauth/dcr/{client_id}"]!["get"] as any
      assert.deepStrictEqual(read.security, [{ bearer: [] }])
      assert.strictEqual(read.parameters[0].name, "client_id")
      const remove = paths["/oauth/dcr/{client_id}"]!["delete"] as any
      assert.property(remove.responses, "204")
    }))
})
}
