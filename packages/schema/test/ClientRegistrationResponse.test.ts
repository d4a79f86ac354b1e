import {
  ClientRegistrationResponse,
  DeleteResponse,
  GetResponse,
  RegisterResponse,
  UpdateResponse
} from "@effect-dcr/schema"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted, Schema } from "effect"
import { readFileSync } from "node:fs"

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`./fixtures/authlete/${name}`, import.meta.url), "utf8"))

const realResponses = [
  ["register-created.json", RegisterResponse, "CREATED"],
  ["get-ok.json", GetResponse, "OK"],
  ["update-updated.json", UpdateResponse, "UPDATED"],
  ["delete-deleted.json", DeleteResponse, "DELETED"]
] as const

describe("ClientRegistrationResponse with real Authlete payloads", () => {
  for (const [name, operationSchema, action] of realResponses) {
    it.effect(`${name}: decodes and re-encodes equal (generic and per-operation schema)`, () =>
      Effect.gen(function*() {
        const raw = fixture(name)
        const decoded = yield* Schema.decodeUnknown(ClientRegistrationResponse)(raw)
        assert.strictEqual(decoded.action, action)
        assert.deepStrictEqual(yield* Schema.encode(ClientRegistrationResponse)(decoded), raw)

        const narrowed = yield* Schema.decodeUnknown(operationSchema as Schema.Schema.AnyNoContext)(raw)
        assert.deepStrictEqual(
          yield* Schema.encodeUnknown(operationSchema as Schema.Schema.AnyNoContext)(narrowed),
          raw
        )
      }))
  }

  it.effect("register-created.json: the client is typed as Authlete sends it", () =>
    Effect.gen(function*() {
      const response = yield* Schema.decodeUnknown(RegisterResponse)(fixture("register-created.json"))
      assert.strictEqual(response.resultCode, "A202001")
      const client = response.client!
      assert.strictEqual(client.clientId, 26837717140341)
      assert.strictEqual(client.tokenAuthMethod, "CLIENT_SECRET_BASIC")
      assert.strictEqual(client.clientType, "CONFIDENTIAL")
      assert.strictEqual(client.idTokenSignAlg, "RS256")
      assert.strictEqual(client.subjectType, "PUBLIC")
      assert.strictEqual(client.createdAt, 1641735467000)
      assert.strictEqual(client.modifiedAt, 1641735467013)
      assert.strictEqual(client.dynamicallyRegistered, true)
      assert.strictEqual(client.defaultMaxAge, 0)
      assert.isTrue(Redacted.isRedacted(client.clientSecret))
      assert.strictEqual(
        Redacted.value(client.clientSecret!),
        "bMsjvZm2FE1_mqJgxhmYj_Wr8rA0Pia_A_j-V076qQm6-P1edKB055W579GBe7MSbOdxZ3dJKsKinCtdIFwxpw"
      )
      // responseContent stays the JSON text Authlete produced; its client_id is a string.
      const content = JSON.parse(response.responseContent!)
      assert.strictEqual(content.client_id, "26837717140341")
      assert.strictEqual(content.client_id_issued_at, client.createdAt! / 1000)
    }))

  it.effect("seed 003 example decodes and re-encodes equal", () =>
    Effect.gen(function*() {
      const raw = fixture("seed-003-example.json")
      const decoded = yield* Schema.decodeUnknown(ClientRegistrationResponse)(raw)
      assert.deepStrictEqual(decoded.client?.grantTypes, ["AUTHORIZATION_CODE"])
      assert.deepStrictEqual(decoded.client?.responseTypes, ["CODE"])
      assert.deepStrictEqual(yield* Schema.encode(ClientRegistrationResponse)(decoded), raw)
    }))

  it.effect("a newer server's enum values and fields survive inside client; the response does not fail", () =>
    Effect.gen(function*() {
      const raw = fixture("synthetic-newer-server.json")
      const decoded = yield* Schema.decodeUnknown(GetResponse)(raw)
      const client = decoded.client!
      assert.strictEqual(client.tokenAuthMethod, "SPIFFE_JWT_V2")
      assert.deepStrictEqual(client.fapiModes, ["FAPI2_SECURITY", "FAPI3_FUTURE"])
      assert.strictEqual(client.bcDeliveryMode, "STREAM")
      assert.strictEqual(client.clientSource, "SOME_NEW_SOURCE")
      assert.strictEqual(client.backchannelLogoutSessionRequired, true)
      const encoded = yield* Schema.encode(GetResponse)(decoded)
      // Everything inside `client`, known or not, comes back unchanged.
      assert.deepStrictEqual(encoded.client, raw.client)
      // ClientRegistrationResponse itself ignores (drops) unknown top-level members.
      const { futureTopLevelField: _, ...rest } = raw
      assert.deepStrictEqual(encoded, rest)
    }))
})
