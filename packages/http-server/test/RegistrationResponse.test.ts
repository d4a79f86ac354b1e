import { RegistrationResponse } from "@effect-dcr/http-server"
import type { HttpServerResponse } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { fakeBackend, flavours, post, readText, serveWith } from "./support.js"

const bodyText = (response: HttpServerResponse.HttpServerResponse): string | undefined => {
  const body = response.body
  switch (body._tag) {
    case "Empty":
      return undefined
    case "Uint8Array":
      return new TextDecoder().decode(body.body)
    default:
      throw new Error(`unexpected body ${body._tag}`)
  }
}

const assertJsonHeaders = (response: HttpServerResponse.HttpServerResponse) => {
  assert.strictEqual(response.headers["content-type"], "application/json")
  assert.strictEqual(response.headers["cache-control"], "no-store")
  assert.strictEqual(response.headers["pragma"], "no-cache")
}

// Deliberately not in JSON.stringify's canonical form: spacing, key order and an escaped slash must survive.
const content = `{ "client_id":"26837717140341" ,"redirect_uris":["https:\\/\\/rp.example\\/cb"],"x":1.50 }`

describe("RegistrationResponse.toHttpServerResponse", () => {
  const table = [
    ["CREATED", 201],
    ["OK", 200],
    ["UPDATED", 200],
    ["BAD_REQUEST", 400],
    ["UNAUTHORIZED", 401],
    ["INTERNAL_SERVER_ERROR", 500]
  ] as const

  for (const [action, status] of table) {
    it(`${action} → ${status}, responseContent verbatim, JSON + no-store headers`, () => {
      const response = RegistrationResponse.toHttpServerResponse({ action, responseContent: content })
      assert.strictEqual(response.status, status)
      assert.strictEqual(bodyText(response), content)
      assertJsonHeaders(response)
      assert.strictEqual(response.headers["www-authenticate"] !== undefined, status === 401)
    })
  }

  it("DELETED → 204 with no body and no Content-Type, still no-store", () => {
    const response = RegistrationResponse.toHttpServerResponse({ action: "DELETED", responseContent: content })
    assert.strictEqual(response.status, 204)
    assert.strictEqual(bodyText(response), undefined)
    assert.strictEqual(response.headers["content-type"], undefined)
    assert.strictEqual(response.headers["cache-control"], "no-store")
    assert.strictEqual(response.headers["pragma"], "no-cache")
  })

  it("UNAUTHORIZED with a presented token → Bearer error=\"invalid_token\"", () => {
    const response = RegistrationResponse.toHttpServerResponse(
      { action: "UNAUTHORIZED", responseContent: content },
      { tokenPresented: true }
    )
    assert.strictEqual(response.headers["www-authenticate"], `Bearer error="invalid_token"`)
  })

  it("UNAUTHORIZED without a token → plain Bearer challenge (+ realm when configured)", () => {
    const plain = RegistrationResponse.toHttpServerResponse({ action: "UNAUTHORIZED", responseContent: content })
    assert.strictEqual(plain.headers["www-authenticate"], "Bearer")
    const withRealm = RegistrationResponse.toHttpServerResponse(
      { action: "UNAUTHORIZED", responseContent: content },
      { tokenPresented: false, realm: "dcr \"main\"" }
    )
    assert.strictEqual(withRealm.headers["www-authenticate"], `Bearer realm="dcr \\"main\\""`)
    const both = RegistrationResponse.toHttpServerResponse(
      { action: "UNAUTHORIZED" },
      { tokenPresented: true, realm: "dcr" }
    )
    assert.strictEqual(both.headers["www-authenticate"], `Bearer realm="dcr", error="invalid_token"`)
  })

  it("an error action without responseContent gets a standard error body", () => {
    const cases = [
      ["BAD_REQUEST", 400, "invalid_request"],
      ["UNAUTHORIZED", 401, "invalid_token"],
      ["INTERNAL_SERVER_ERROR", 500, "server_error"]
    ] as const
    for (const [action, status, error] of cases) {
      const response = RegistrationResponse.toHttpServerResponse({ action })
      assert.strictEqual(response.status, status)
      assert.deepStrictEqual(JSON.parse(bodyText(response)!), { error })
      assertJsonHeaders(response)
    }
  })

  it("a success action without responseContent → serverError", () => {
    for (const action of ["CREATED", "OK", "UPDATED"]) {
      const response = RegistrationResponse.toHttpServerResponse({ action })
      assert.strictEqual(response, RegistrationResponse.serverError)
    }
  })

  it("a missing or unknown action → serverError, responseContent not leaked", () => {
    for (const action of [undefined, "ACCEPTED", "created", ""]) {
      const response = RegistrationResponse.toHttpServerResponse({ action, responseContent: `{"secret":"s3cr3t"}` })
      assert.strictEqual(response, RegistrationResponse.serverError)
    }
  })

  it("serverError is 500 {\"error\":\"server_error\"} with JSON + no-store headers and nothing else", () => {
    const response = RegistrationResponse.serverError
    assert.strictEqual(response.status, 500)
    assert.strictEqual(bodyText(response), `{"error":"server_error"}`)
    assertJsonHeaders(response)
    assert.isUndefined(response.headers["www-authenticate"])
  })

  it("notFound is 404 {\"error\":\"not_found\"} with JSON + no-store headers", () => {
    const response = RegistrationResponse.notFound
    assert.strictEqual(response.status, 404)
    assert.deepStrictEqual(JSON.parse(bodyText(response) ?? ""), {
      error: "not_found",
      error_description: "No such endpoint."
    })
    assertJsonHeaders(response)
  })
})

/** The headers a server adds on its own (framing, date), left out of the comparison. */
const transport = new Set(["connection", "content-length", "date", "keep-alive", "transfer-encoding"])

const cases: ReadonlyArray<RegistrationResponse.ActionResponse> = [
  { action: "CREATED", responseContent: content },
  { action: "OK", responseContent: content },
  { action: "UPDATED", responseContent: content },
  { action: "DELETED" },
  { action: "BAD_REQUEST", responseContent: "{\"error\":\"invalid_client_metadata\"}" },
  { action: "BAD_REQUEST" },
  { action: "UNAUTHORIZED" },
  { action: "UNAUTHORIZED", responseContent: "{\"error\":\"invalid_token\"}" },
  { action: "INTERNAL_SERVER_ERROR" },
  { action: "CREATED" },
  { action: "SOMETHING_NEW", responseContent: content },
  {}
]

for (const flavour of flavours) {
  describe(`the register endpoint writes toHttpServerResponse's answer (${flavour} server)`, () => {
    it.scoped("status, headers and body agree for every action, with and without a token", () =>
      Effect.gen(function*() {
        let next = 0
        const answers = [...cases, ...cases]
        const backend = fakeBackend({ register: () => Effect.succeed(answers[next++] as never) })
        const base = yield* serveWith(flavour, { realm: "dcr" }).pipe(Effect.provide(backend.layer))
        for (const [i, answer] of answers.entries()) {
          const tokenPresented = i >= cases.length
          const label = `${JSON.stringify(answer)} token=${tokenPresented}`
          const expected = RegistrationResponse.toHttpServerResponse(answer, { tokenPresented, realm: "dcr" })
          const response = yield* post(`${base}/register`, "{}", tokenPresented ? { authorization: "Bearer t" } : {})
          assert.strictEqual(response.status, expected.status, label)
          const body = yield* readText(response)
          assert.strictEqual(body, bodyText(expected) ?? "", label)
          const actual: Record<string, string> = {}
          response.headers.forEach((value, name) => {
            if (!transport.has(name)) actual[name] = value
          })
          const { "content-length": _length, ...headers }: Record<string, string> = { ...expected.headers }
          if (expected.body._tag === "Uint8Array") headers["content-type"] = expected.body.contentType
          assert.deepStrictEqual(actual, headers, label)
        }
        assert.strictEqual(backend.calls.length, answers.length)
      }))
  })
}
