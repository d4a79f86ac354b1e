/**
 * The README's examples (test/readme/example.ts and registry.ts, quoted verbatim in the README)
 * type-check (tsc -b) and work against a loopback Authlete.
 */
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Queue } from "effect"
import * as Fs from "node:fs"
import * as fixtures from "./fixtures.js"
import { AuthleteLive, main, registerOnce } from "./readme/example.js"
import { token } from "./readme/registry.js"
import { answerJson, closedPort, loopback } from "./utils/loopback.js"

const env = (baseUrl: string) =>
  ConfigProvider.fromMap(
    new Map([
      ["AUTHLETE_BASE_URL", baseUrl],
      ["AUTHLETE_SERVICE_ID", "715948317"],
      ["AUTHLETE_SERVICE_ACCESS_TOKEN", "readme-token"]
    ])
  )

describe("README example", () => {
  it.scopedLive("registers a client: 201 with the client_id from the decoded responseContent", () =>
    Effect.gen(function*() {
      const server = yield* loopback(answerJson(200, fixtures.registerResponse))
      const result = yield* main.pipe(Effect.withConfigProvider(env(server.url)))
      assert.deepStrictEqual(result, { status: 201, clientId: "26837717140341" })
      const request = yield* Queue.take(server.requests)
      assert.strictEqual(request.url, "/api/715948317/client/registration")
      assert.strictEqual(request.headers.authorization, "Bearer readme-token")
      assert.deepStrictEqual(JSON.parse(JSON.parse(request.body).json), {
        client_name: "My App",
        redirect_uris: ["https://app.example.com/cb"]
      })
    }))

  it.scopedLive("catchTag: a ResultError from Authlete", () =>
    Effect.gen(function*() {
      const server = yield* loopback(answerJson(401, fixtures.resultErrors[401]))
      const result = yield* main.pipe(Effect.withConfigProvider(env(server.url)))
      assert.deepStrictEqual(result, { status: 500, error: "Authlete: A001202" })
    }))

  it.scopedLive("a BAD_REQUEST action: the RFC 7591 error, decoded", () =>
    Effect.gen(function*() {
      const server = yield* loopback(answerJson(200, {
        resultCode: "A202301",
        resultMessage: "[A202301] The redirect URI is invalid.",
        action: "BAD_REQUEST",
        responseContent: JSON.stringify({ error: "invalid_redirect_uri", error_description: "redirect_uris: bad" })
      }))
      const result = yield* main.pipe(Effect.withConfigProvider(env(server.url)))
      assert.deepStrictEqual(result, { status: 400, error: "invalid_redirect_uri", description: "redirect_uris: bad" })
    }))

  it.scopedLive("catchTag: a refused connection is 'not registered'", () =>
    Effect.gen(function*() {
      const port = yield* closedPort
      const result = yield* registerOnce({ client_name: "x" }).pipe(
        Effect.provide(AuthleteLive),
        Effect.withConfigProvider(env(`http://127.0.0.1:${port}`))
      )
      assert.deepStrictEqual(result, { status: 503, error: "not registered" })
    }))

  it("is quoted verbatim in the README", () => {
    const source = Fs.readFileSync(new URL("./readme/example.ts", import.meta.url), "utf8").trim()
    const candidates = ["../../../README.md", "../../../.scratch/README-client.md"]
      .map((path) => new URL(path, import.meta.url))
      .filter((url) => Fs.existsSync(url))
      .map((url) => Fs.readFileSync(url, "utf8"))
    assert.isTrue(
      candidates.some((readme) => readme.includes(source)),
      "README snippet and test/readme/example.ts differ"
    )
  })
})

describe("README example: the client registry on Authlete", () => {
  const example = JSON.parse(
    Fs.readFileSync(new URL("../../schema/test/fixtures/authlete/client-get.json", import.meta.url), "utf8")
  )
  const basic = (secret: string) => "Basic " + Buffer.from(`${example.clientId}:${secret}`).toString("base64")
  const body = new URLSearchParams({ grant_type: "authorization_code", code: "xyz" })

  it.scopedLive("a token endpoint: 200 for the right secret, 401 for a wrong one, 500 when Authlete fails", () =>
    Effect.gen(function*() {
      const answers = [answerJson(200, example), answerJson(200, example), answerJson(401, fixtures.resultErrors[401])]
      const server = yield* loopback((request, res) => answers.shift()!(request, res))
      const run = (authorization: string) => token(authorization, body).pipe(Effect.withConfigProvider(env(server.url)))
      assert.deepStrictEqual(yield* run(basic(example.clientSecret)), {
        status: 200,
        body: { client_id: String(example.clientId) }
      })
      assert.deepStrictEqual(yield* run(basic("wrong")), {
        status: 401,
        body: { error: "invalid_client", error_description: "client authentication failed" }
      })
      assert.deepStrictEqual(yield* run(basic(example.clientSecret)), {
        status: 500,
        body: { error: "server_error", error_description: "the client registry is unavailable" }
      })
      const request = yield* Queue.take(server.requests)
      assert.strictEqual(request.url, `/api/715948317/client/get/${example.clientId}`)
      assert.strictEqual(request.headers.authorization, "Bearer readme-token")
    }))

  it("is quoted verbatim in the README", () => {
    const source = Fs.readFileSync(new URL("./readme/registry.ts", import.meta.url), "utf8").trim()
    const readme = Fs.readFileSync(new URL("../../../README.md", import.meta.url), "utf8")
    assert.include(readme, source, "README snippet and test/readme/registry.ts differ")
  })
})
