import {
  Client,
  ClientInformationResponse,
  ClientInformationResponseFromJson,
  ClientMetadataFromJson,
  clientToInformationResponse,
  CustomMetadataFromJson,
  encodeClientInformationResponseJson,
  encodeRegistrationErrorResponseJson,
  JwkSetFromJson,
  RegisterRequestWithMetadata,
  RegistrationErrorResponse,
  ResponseContentFromJson
} from "@effect-dcr/schema"
import type { ClientInformationResponseEncoded } from "@effect-dcr/schema"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Redacted, Schema } from "effect"
import { readFileSync } from "node:fs"

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`./fixtures/authlete/${name}`, import.meta.url), "utf8"))

/** Reference §6: the real Authlete client information response (OAS2 register example). */
const realExample: ClientInformationResponseEncoded = {
  client_id: "26837717140341",
  client_secret: "bMsjvZm2FE1_mqJgxhmYj_Wr8rA0Pia_A_j-V076qQm6-P1edKB055W579GBe7MSbOdxZ3dJKsKinCtdIFwxpw",
  client_id_issued_at: 1641735467,
  client_secret_expires_at: 0,
  registration_access_token: "qs4Tu5TV7qqDYT93bFs6ISyhTByMF9o-54GY4JU5vTA",
  registration_client_uri: "https://my-service.example.com/dcr/register/26837717140341",
  client_name: "My Dynamic Client",
  token_endpoint_auth_method: "client_secret_basic",
  id_token_signed_response_alg: "RS256",
  subject_type: "public",
  default_max_age: 0,
  require_pushed_authorization_requests: false,
  require_signed_request_object: false,
  backchannel_user_code_parameter: false,
  tls_client_certificate_bound_access_tokens: false
}

const decode = Schema.decodeUnknown(ClientInformationResponse)
const encode = Schema.encode(ClientInformationResponse)

describe("ClientInformationResponse", () => {
  it.effect("decodes the reference §6 example and re-encodes it equal; secrets are redacted", () =>
    Effect.gen(function*() {
      const response = yield* decode(realExample)
      assert.isTrue(Redacted.isRedacted(response.client_secret))
      assert.isTrue(Redacted.isRedacted(response.registration_access_token))
      assert.strictEqual(Redacted.value(response.client_secret!), realExample.client_secret)
      assert.notInclude(JSON.stringify(response), realExample.client_secret!)
      assert.notInclude(JSON.stringify(response), realExample.registration_access_token!)
      assert.deepStrictEqual(yield* encode(response), realExample)
    }))

  for (const name of ["register-created.json", "get-ok.json", "update-updated.json"]) {
    it.effect(`${name}: responseContent decodes in one step and re-encodes equal`, () =>
      Effect.gen(function*() {
        const content = fixture(name).responseContent as string
        const response = yield* Schema.decodeUnknown(ClientInformationResponseFromJson)(content)
        const again = yield* Schema.encode(ClientInformationResponseFromJson)(response)
        assert.deepStrictEqual(JSON.parse(again), JSON.parse(content))
      }))

    it.effect(`${name}: clientToInformationResponse(client) reproduces Authlete's responseContent`, () =>
      Effect.gen(function*() {
        const raw = fixture(name)
        const client = yield* Schema.decodeUnknown(Client)(raw.client)
        const expected = JSON.parse(raw.responseContent as string)
        const built = clientToInformationResponse(client, {
          registrationAccessToken: Redacted.make(expected.registration_access_token),
          registrationClientUri: expected.registration_client_uri,
          style: "authlete"
        })
        assert.deepStrictEqual(yield* encode(built), expected)
      }))
  }

  it.effect("client_secret_expires_at is required when a secret is issued", () =>
    Effect.gen(function*() {
      const { client_secret_expires_at: _, ...withoutExpiry } = realExample
      const error = yield* Effect.flip(decode(withoutExpiry))
      assert.include(error.message, "is required when a client_secret is issued (0 = never expires)")
      const { client_secret: __, ...publicClient } = withoutExpiry
      yield* decode(publicClient)
    }))

  it.effect("client_id is required and a string", () =>
    Effect.gen(function*() {
      const { client_id: _, ...withoutId } = realExample
      yield* Effect.flip(decode(withoutId))
      yield* Effect.flip(decode({ ...realExample, client_id: 26837717140341 }))
    }))

  it.effect("unknown members and tagged variants survive", () =>
    Effect.gen(function*() {
      const input: ClientInformationResponseEncoded = {
        ...realExample,
        "client_name#ja": "動的クライアント",
        software_name: "x",
        extra: { a: [1] }
      }
      assert.deepStrictEqual(yield* encode(yield* decode(input)), input)
    }))

  it.prop("encode ∘ decode round trip", [ClientInformationResponse], ([response]) => {
    const encoded = Schema.encodeSync(ClientInformationResponse)(response)
    const again = Schema.encodeSync(ClientInformationResponse)(
      Schema.decodeUnknownSync(ClientInformationResponse)(JSON.parse(JSON.stringify(encoded)))
    )
    assert.deepStrictEqual(again, encoded)
  }, { fastCheck: { numRuns: 100 } })
})

describe("JSON-string companions", () => {
  it.effect("RegisterRequest.json decodes into ClientMetadata in one step", () =>
    Effect.gen(function*() {
      const request = yield* Schema.decodeUnknown(RegisterRequestWithMetadata)({
        json: "{ \"client_name\": \"My Dynamic Client\", \"redirect_uris\": [\"http://localhost:3000/cb\"] }",
        token: "iat"
      })
      assert.deepStrictEqual(request.json, {
        client_name: "My Dynamic Client",
        redirect_uris: ["http://localhost:3000/cb"]
      })
      assert.strictEqual(Redacted.value(request.token!), "iat")
      const error = yield* Effect.flip(Schema.decodeUnknown(ClientMetadataFromJson)("{\"redirect_uris\":[\"/cb\"]}"))
      assert.include(error.message, "/cb")
    }))

  it.effect("responseContent: client information or an error body", () =>
    Effect.gen(function*() {
      const info = yield* Schema.decodeUnknown(ResponseContentFromJson)(JSON.stringify(realExample))
      assert.isTrue("client_id" in info)
      const error = yield* Schema.decodeUnknown(ResponseContentFromJson)(
        "{\"error\":\"invalid_redirect_uri\",\"error_description\":\"redirect_uris[0]: …\"}"
      )
      assert.deepStrictEqual(error, { error: "invalid_redirect_uri", error_description: "redirect_uris[0]: …" })
    }))

  it.effect("error bodies: known and unknown codes decode; encoding gives the JSON string", () =>
    Effect.gen(function*() {
      const decodeError = Schema.decodeUnknown(RegistrationErrorResponse)
      assert.deepStrictEqual(yield* decodeError({ error: "access_denied" }), { error: "access_denied" })
      yield* Effect.flip(decodeError({ error_description: "no code" }))
      assert.strictEqual(
        encodeRegistrationErrorResponseJson({ error: "invalid_token", error_description: "unknown token" }),
        "{\"error\":\"invalid_token\",\"error_description\":\"unknown token\"}"
      )
      const json = encodeClientInformationResponseJson(yield* decode(realExample))
      assert.deepStrictEqual(JSON.parse(Either.getOrThrow(json)), realExample)
    }))

  it.effect("Client.jwks and Client.customMetadata", () =>
    Effect.gen(function*() {
      const jwks = yield* Schema.decodeUnknown(JwkSetFromJson)(
        "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"a\"}]}"
      )
      assert.deepStrictEqual(jwks, { keys: [{ kty: "OKP", crv: "Ed25519", x: "a" }] })
      yield* Effect.flip(Schema.decodeUnknown(JwkSetFromJson)("[]"))
      const custom = yield* Schema.decodeUnknown(CustomMetadataFromJson)("{\"tenant\":\"a\",\"n\":1}")
      assert.deepStrictEqual(custom, { tenant: "a", n: 1 })
      assert.strictEqual(yield* Schema.encode(CustomMetadataFromJson)({ tenant: "a" }), "{\"tenant\":\"a\"}")
    }))
})
