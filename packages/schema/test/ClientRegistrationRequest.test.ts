import { RegisterRequest, UpdateRequest } from "@effect-dcr/schema"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted, Schema } from "effect"

describe("ClientRegistrationRequest", () => {
  it.effect("accepts a numeric clientId and always encodes a string", () =>
    Effect.gen(function*() {
      const decoded = yield* Schema.decodeUnknown(UpdateRequest)({ json: "{}", token: "t", clientId: 26837717140341 })
      assert.strictEqual(decoded.clientId, "26837717140341")
      assert.strictEqual(Redacted.value(decoded.token), "t")
      const encoded = yield* Schema.encode(UpdateRequest)(decoded)
      assert.deepStrictEqual(encoded, { json: "{}", token: "t", clientId: "26837717140341" })
    }))

  it.effect("register needs only json", () =>
    Effect.gen(function*() {
      const decoded = yield* Schema.decodeUnknown(RegisterRequest)({
        json: "{ \"client_name\": \"My Dynamic Client\" }"
      })
      assert.deepStrictEqual(yield* Schema.encode(RegisterRequest)(decoded), {
        json: "{ \"client_name\": \"My Dynamic Client\" }"
      })
      const missing = yield* Effect.flip(Schema.decodeUnknown(RegisterRequest)({}))
      assert.match(missing.message, /json/)
    }))
})
