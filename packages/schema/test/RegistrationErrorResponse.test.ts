import {
  invalidClientMetadata,
  invalidRedirectUri,
  invalidRequest,
  invalidSoftwareStatement,
  invalidToken,
  makeRegistrationError,
  RegistrationErrorCode,
  RegistrationErrorResponse,
  serverError,
  unapprovedSoftwareStatement
} from "@effect-dcr/schema"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"

describe("RegistrationErrorResponse", () => {
  it("constructors give the RFC 7591 §3.2.2 / RFC 6750 codes", () => {
    assert.deepStrictEqual(invalidRedirectUri("d"), { error: "invalid_redirect_uri", error_description: "d" })
    assert.deepStrictEqual(invalidClientMetadata("d"), { error: "invalid_client_metadata", error_description: "d" })
    assert.deepStrictEqual(invalidSoftwareStatement(), { error: "invalid_software_statement" })
    assert.deepStrictEqual(unapprovedSoftwareStatement(), { error: "unapproved_software_statement" })
    assert.deepStrictEqual(invalidRequest(), { error: "invalid_request" })
    assert.deepStrictEqual(invalidToken("expired"), { error: "invalid_token", error_description: "expired" })
    assert.deepStrictEqual(serverError(), { error: "server_error" })
    assert.deepStrictEqual(
      makeRegistrationError("invalid_request", "[A004201] …", "https://docs.authlete.com/#A004201"),
      { error: "invalid_request", error_description: "[A004201] …", error_uri: "https://docs.authlete.com/#A004201" }
    )
  })

  it.effect("decoding is open to codes we do not list; error is required and a string", () =>
    Effect.gen(function*() {
      const decode = Schema.decodeUnknown(RegistrationErrorResponse)
      assert.deepStrictEqual(yield* decode({ error: "slow_down", error_description: "x", extra: 1 }), {
        error: "slow_down",
        error_description: "x"
      })
      yield* Effect.flip(decode({}))
      yield* Effect.flip(decode({ error: 400 }))
      yield* Effect.flip(decode({ error: "invalid_request", error_description: 1 }))
      assert.isTrue(Schema.is(RegistrationErrorCode)("invalid_client_metadata"))
      assert.isFalse(Schema.is(RegistrationErrorCode)("slow_down"))
    }))
})
