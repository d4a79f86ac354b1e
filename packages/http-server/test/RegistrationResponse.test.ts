import { RegistrationResponse } from "@effect-dcr/http-server"
import { assert, describe, it } from "@effect/vitest"
import type { HttpServerResponse } from "@effect/platform"

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
      assert.isFalse(RegistrationResponse.isUnusable({ action }))
    }
  })

  it("a success action without responseContent → 500 server_error", () => {
    for (const action of ["CREATED", "OK", "UPDATED"]) {
      const response = RegistrationResponse.toHttpServerResponse({ action })
      assert.strictEqual(response.status, 500)
      assert.strictEqual(bodyText(response), `{"error":"server_error"}`)
      assertJsonHeaders(response)
      assert.isTrue(RegistrationResponse.isUnusable({ action }))
    }
  })

  it("a missing or unknown action → 500 server_error, responseContent not leaked", () => {
    for (const action of [undefined, "ACCEPTED", "created", ""]) {
      const response = RegistrationResponse.toHttpServerResponse({ action, responseContent: `{"secret":"s3cr3t"}` })
      assert.strictEqual(response.status, 500)
      assert.strictEqual(bodyText(response), `{"error":"server_error"}`)
      assertJsonHeaders(response)
      assert.isTrue(RegistrationResponse.isUnusable({ action }))
    }
  })

  it("error() builds RFC-style bodies; a 401 always carries a challenge", () => {
    const response = RegistrationResponse.error(401, { error: "invalid_token", error_description: "nope" })
    assert.strictEqual(response.status, 401)
    assert.deepStrictEqual(JSON.parse(bodyText(response)!), { error: "invalid_token", error_description: "nope" })
    assert.strictEqual(response.headers["www-authenticate"], "Bearer")
    assertJsonHeaders(response)
  })
})

describe("RegistrationResponse.toRawResponse", () => {
  const headerRecord = (headers: ReadonlyArray<string>) => {
    const record: Record<string, string> = {}
    for (let i = 0; i < headers.length; i += 2) record[headers[i]!] = headers[i + 1]!
    return record
  }
  const cases: ReadonlyArray<[RegistrationResponse.ActionResponse, RegistrationResponse.Options | undefined]> = [
    [{ action: "CREATED", responseContent: content }, undefined],
    [{ action: "OK", responseContent: content }, undefined],
    [{ action: "UPDATED", responseContent: content }, undefined],
    [{ action: "DELETED" }, undefined],
    [{ action: "BAD_REQUEST", responseContent: "{\"error\":\"invalid_client_metadata\"}" }, undefined],
    [{ action: "BAD_REQUEST" }, undefined],
    [{ action: "UNAUTHORIZED" }, { tokenPresented: true, realm: "dcr" }],
    [{ action: "UNAUTHORIZED", responseContent: "{\"error\":\"invalid_token\"}" }, { tokenPresented: false }],
    [{ action: "INTERNAL_SERVER_ERROR" }, undefined],
    [{ action: "CREATED" }, undefined],
    [{ action: "SOMETHING_NEW", responseContent: content }, undefined],
    [{}, undefined]
  ]

  it("is the same mapping as toHttpServerResponse: status, headers and body", () => {
    for (const [response, options] of cases) {
      const raw = RegistrationResponse.toRawResponse(response, options)
      const platform = RegistrationResponse.toHttpServerResponse(response, options)
      const label = JSON.stringify(response)
      assert.strictEqual(raw.status, platform.status, label)
      assert.strictEqual(raw.body, bodyText(platform), label)
      // content-length is the writer's job (NodeRegistrationServer adds it from the body)
      const { "content-length": _length, ...expected }: Record<string, string> = { ...platform.headers }
      if (platform.body._tag === "Uint8Array") expected["content-type"] = platform.body.contentType
      assert.deepStrictEqual(headerRecord(raw.headers), expected, label)
    }
  })

  it("fromRawResponse(toRawResponse(r)) equals toHttpServerResponse(r)", () => {
    for (const [response, options] of cases) {
      const viaRaw = RegistrationResponse.fromRawResponse(RegistrationResponse.toRawResponse(response, options))
      const direct = RegistrationResponse.toHttpServerResponse(response, options)
      assert.strictEqual(viaRaw.status, direct.status)
      assert.deepStrictEqual({ ...viaRaw.headers }, { ...direct.headers })
      assert.strictEqual(bodyText(viaRaw), bodyText(direct))
    }
  })
})
