import { BearerToken } from "@effect-dcr/http-server"
import { assert, describe, it } from "@effect/vitest"

describe("BearerToken.parse", () => {
  it("reads the token whatever the scheme's case (RFC 6750 §2.1)", () => {
    for (const scheme of ["Bearer", "bearer", "BEARER", "bEaReR"]) {
      assert.strictEqual(BearerToken.parse(`${scheme} abc.DEF-123_~+/=`), "abc.DEF-123_~+/=")
    }
  })

  it("ignores surrounding whitespace", () => {
    assert.strictEqual(BearerToken.parse("  Bearer   tok  "), "tok")
    assert.strictEqual(BearerToken.parse("Bearer\ttok"), "tok")
  })

  it("answers undefined without a bearer token", () => {
    for (
      const value of [undefined, "", "Bearer", "Bearer ", "Bearer    ", "Basic Zm9vOmJhcg==", "Bearertok", "Token tok"]
    ) {
      assert.strictEqual(BearerToken.parse(value), undefined, String(value))
    }
  })
})
