import { DynamicClientRegistration } from "@effect-dcr/client"
import { ClientMetadata } from "@effect-dcr/schema"
import { assert, describe, it } from "@effect/vitest"
import { Arbitrary, Effect, FastCheck, Redacted, Schema } from "effect"
import { content, memoryEngine } from "./_helpers.js"

const metadataJson = Arbitrary.make(ClientMetadata).map((m) => JSON.stringify(Schema.encodeSync(ClientMetadata)(m)))

describe("Engine properties", () => {
  it.effect("any decodable metadata is either CREATED (and reads back identically) or BAD_REQUEST, never a failure", () =>
    Effect.gen(function*() {
      const service = yield* DynamicClientRegistration.DynamicClientRegistration
      const samples = FastCheck.sample(metadataJson, { numRuns: 150, seed: 7 })
      let created = 0
      for (const json of samples) {
        const response = yield* service.register({ json })
        assert.include(["CREATED", "BAD_REQUEST"], response.action, json)
        if (response.action === "BAD_REQUEST") {
          assert.include(
            ["invalid_client_metadata", "invalid_redirect_uri", "invalid_software_statement"],
            content(response).error
          )
          continue
        }
        created++
        const info = content(response)
        const read = yield* service.get({
          clientId: info.client_id,
          token: Redacted.make(info.registration_access_token)
        })
        assert.strictEqual(read.action, "OK")
        const { client_secret: _secret, ...expected } = info
        assert.deepStrictEqual(content(read), expected, json)
      }
      assert.isAtLeast(created, 5)
    }).pipe(Effect.provide(memoryEngine({ dcrScopeUsedAsRequestable: true }))))

  it.effect("arbitrary strings as the json parameter never fail the effect", () =>
    Effect.gen(function*() {
      const service = yield* DynamicClientRegistration.DynamicClientRegistration
      for (
        const json of FastCheck.sample(FastCheck.oneof(FastCheck.string(), FastCheck.json()), {
          numRuns: 200,
          seed: 11
        })
      ) {
        const response = yield* service.register({ json })
        assert.include(["CREATED", "BAD_REQUEST"], response.action, json)
      }
    }).pipe(Effect.provide(memoryEngine())))
})
