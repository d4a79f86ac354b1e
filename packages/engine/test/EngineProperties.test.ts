import { DynamicClientRegistration } from "@effect-dcr/client"
import { ClientMetadata } from "@effect-dcr/schema"
import { assert, describe, it } from "@effect/vitest"
import { Arbitrary, Effect, FastCheck, Redacted, Schema } from "effect"
import { content } from "./_helpers.js"
import { engineOn, forEachStore } from "./_stores.js"

// Realistic samples: the schema's arbitraries generate any absolute URI, and a registration server takes https
// (and http on a loopback host), so http URLs to other hosts become https ones; `jwks` is left out when `jwks_uri`
// is there (most samples have both, which RFC 7591 refuses). Some are still refused (inconsistent flows, a web
// client's private-use scheme, an implicit client's loopback http).
const metadataJson = Arbitrary.make(ClientMetadata).map((m) => {
  const { jwks, ...rest } = m
  const realistic = rest.jwks_uri === undefined && jwks !== undefined ? { ...rest, jwks } : rest
  return JSON.stringify(Schema.encodeSync(ClientMetadata)(realistic)).replace(
    /"http:\/\/(?!localhost|127\.0\.0\.1|\[::1\])/g,
    "\"https://"
  )
})

forEachStore("Engine", (store) => {
  const engine = engineOn(store)

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
      }).pipe(Effect.provide(engine({ dcrScopeUsedAsRequestable: true }))))

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
      }).pipe(Effect.provide(engine())))
  })
})
