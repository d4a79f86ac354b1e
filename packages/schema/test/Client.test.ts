import { Client, ClientExtension, ClientFields, Pair, TaggedValue } from "@effect-dcr/schema"
import type { ClientEncoded } from "@effect-dcr/schema"
import { assert, describe, it } from "@effect/vitest"
import { Effect, FastCheck, JSONSchema, Redacted, Schema } from "effect"
import { readFileSync } from "node:fs"
import * as util from "node:util"

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`./fixtures/authlete/${name}`, import.meta.url), "utf8"))

const decodeClient = Schema.decodeUnknown(Client)
const encodeClient = Schema.encode(Client)

const secret = "gXz97ISgLs4HuXwOZWch8GEmgL4YMvUJwu3er_kDVVGcA0UOhA9avLPbEmoeZdagi9yC_-tEiT2BdRyH9dbrQQ"

describe("Client", () => {
  for (const name of ["client-get.json", "client-token-list.json"]) {
    it.effect(`${name} (real Authlete client) decodes and re-encodes equal`, () =>
      Effect.gen(function*() {
        const raw = fixture(name)
        const client = yield* decodeClient(raw)
        assert.deepStrictEqual(yield* encodeClient(client), raw)
      }))
  }

  it.effect("client-token-list.json: every grant and response type, and the extension, are typed", () =>
    Effect.gen(function*() {
      const client = yield* decodeClient(fixture("client-token-list.json"))
      assert.deepStrictEqual(client.grantTypes, [
        "AUTHORIZATION_CODE",
        "IMPLICIT",
        "PASSWORD",
        "CLIENT_CREDENTIALS",
        "REFRESH_TOKEN",
        "CIBA",
        "DEVICE_CODE"
      ])
      assert.include(client.responseTypes!, "CODE_ID_TOKEN")
      assert.deepStrictEqual(client.extension, {
        accessTokenDuration: 0,
        refreshTokenDuration: 0,
        requestableScopesEnabled: false
      })
      assert.strictEqual(client.derivedSectorIdentifier, "api.authlete.com")
    }))

  it.effect("client-get.json: attributes, alias and application type", () =>
    Effect.gen(function*() {
      const client = yield* decodeClient(fixture("client-get.json"))
      assert.deepStrictEqual(client.attributes, [
        { key: "attribute1-key", value: "attribute1-value" },
        { key: "attribute2-key", value: "attribute2-value" }
      ])
      assert.strictEqual(client.clientIdAlias, "my-client")
      assert.strictEqual(client.applicationType, "WEB")
    }))

  describe("clientId", () => {
    it.effect("is an integer; a string of digits (seed 003's field example) is accepted and encoded as a number", () =>
      Effect.gen(function*() {
        const raw = fixture("seed-003-field-example-client.json")
        const client = yield* decodeClient(raw)
        assert.strictEqual(client.clientId, 1140735077)
        assert.deepStrictEqual(yield* encodeClient(client), { ...raw, clientId: 1140735077 })
      }))

    it.effect("rejects a value that a JavaScript number cannot hold exactly, and says why", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(decodeClient({ clientId: 2 ** 60 }))
        assert.include(error.message, "[\"clientId\"]")
        assert.include(error.message, "a client ID must be an integer below 2^53")
        const notDigits = yield* Effect.flip(decodeClient({ clientId: "abc" }))
        assert.include(notDigits.message, "[\"clientId\"]")
        const negative = yield* Effect.flip(decodeClient({ clientId: -1 }))
        assert.include(negative.message, "[\"clientId\"]")
      }))
  })

  describe("clientSecret is Redacted", () => {
    it.effect("never printed, but encoded back", () =>
      Effect.gen(function*() {
        const client = yield* decodeClient({ clientId: 1, clientSecret: secret })
        assert.isTrue(Redacted.isRedacted(client.clientSecret))
        assert.strictEqual(Redacted.value(client.clientSecret!), secret)
        // JSON.stringify uses Redacted's toJSON: the literal "<redacted>".
        const json = JSON.stringify(client)
        assert.notInclude(json, secret)
        assert.deepStrictEqual(JSON.parse(json), { clientId: 1, clientSecret: "<redacted>" })
        assert.notInclude(util.inspect(client, { depth: 10 }), secret)
        assert.notInclude(String(client.clientSecret), secret)
        assert.strictEqual(String(client.clientSecret), "<redacted>")
        assert.notInclude(`${util.format("%o", client)}`, secret)
        const encoded: ClientEncoded = yield* encodeClient(client)
        assert.strictEqual(encoded.clientSecret, secret)
      }))
  })

  describe("tolerance", () => {
    it.effect("unknown enum values decode and re-encode unchanged", () =>
      Effect.gen(function*() {
        const raw = {
          tokenAuthMethod: "SPIFFE_JWT_V2",
          fapiModes: ["FAPI3_FUTURE", "FAPI1_ADVANCED"],
          grantTypes: ["urn:future"],
          idTokenSignAlg: "ML-DSA-44",
          subjectType: "EPHEMERAL",
          clientType: "ATTESTED"
        }
        const client = yield* decodeClient(raw)
        assert.strictEqual(client.tokenAuthMethod, "SPIFFE_JWT_V2")
        assert.deepStrictEqual(client.fapiModes, ["FAPI3_FUTURE", "FAPI1_ADVANCED"])
        assert.deepStrictEqual(yield* encodeClient(client), raw)
      }))

    it.effect("unknown fields do not fail and are kept, at the top level and in nested objects", () =>
      Effect.gen(function*() {
        const raw = {
          clientId: 1,
          brandNewField: { a: [1, "two"] },
          extension: { requestableScopesEnabled: true, futureDuration: 5 },
          clientNames: [{ tag: "fr", value: "Client", script: "Latn" }],
          attributes: [{ key: "k", value: "v", ttl: 3 }]
        }
        const client = yield* decodeClient(raw)
        assert.strictEqual(client.clientId, 1)
        assert.deepStrictEqual(yield* encodeClient(client), raw)
        for (
          const [schema, value] of [
            [TaggedValue, { tag: "de", value: "x", extra: 1 }],
            [Pair, { key: "k", value: "v", extra: 1 }],
            [ClientExtension, { idTokenDuration: 60, extra: 1 }]
          ] as const
        ) {
          const decoded = Schema.decodeUnknownSync(schema as Schema.Schema.AnyNoContext)(value)
          assert.deepStrictEqual(Schema.encodeSync(schema as Schema.Schema.AnyNoContext)(decoded), value)
        }
      }))

    it.effect("JSON null is rejected with the field named (Authlete's Gson never writes null)", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(decodeClient({ clientId: 5, applicationType: null }))
        assert.include(error.message, "[\"applicationType\"]")
        assert.include(error.message, "actual null")
        const nested = yield* Effect.flip(decodeClient({ extension: { requestableScopes: null } }))
        assert.include(nested.message, "[\"requestableScopes\"]")
      }))

    it.effect("wrong types fail with the field path and the expectation", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(decodeClient({ createdAt: 1.5 }))
        assert.isTrue(error.message.startsWith("Client\n└─ [\"createdAt\"]"), error.message)
        assert.include(error.message, "Expected an integer number of milliseconds since the epoch, actual 1.5")
        const nested = yield* Effect.flip(decodeClient({ extension: { accessTokenDuration: "3600" } }))
        assert.include(nested.message, "[\"extension\"]")
        assert.include(nested.message, "[\"accessTokenDuration\"]")
        const array = yield* Effect.flip(decodeClient({ grantTypes: ["AUTHORIZATION_CODE", 7] }))
        assert.include(array.message, "[\"grantTypes\"]")
        assert.include(array.message, "[1]")
        const notAnObject = yield* Effect.flip(decodeClient("client"))
        assert.include(notAnObject.message, "Expected Client, actual \"client\"")
      }))

    it.effect("a Java-style payload with every primitive field at its default (0/false) round-trips", () =>
      Effect.gen(function*() {
        const raw = fixture("java-primitive-defaults-client.json")
        assert.strictEqual(Object.keys(raw).length, 33)
        const client = yield* decodeClient(raw)
        assert.strictEqual(client.clientId, 0)
        assert.strictEqual(client.backchannelLogoutSessionRequired, false)
        assert.deepStrictEqual(yield* encodeClient(client), raw)
      }))
  })

  it("has a JSON Schema (for OpenAPI) that describes the wire shape and allows unknown fields", () => {
    const document = JSONSchema.make(Client) as unknown as {
      readonly $defs: Record<
        string,
        { readonly additionalProperties?: boolean; readonly properties?: Record<string, unknown> }
      >
    }
    const client = document.$defs.Client!
    assert.isTrue(client.additionalProperties)
    assert.deepStrictEqual(client.properties!.clientSecret, { type: "string" })
    assert.deepStrictEqual(client.properties!.jwks, { type: "string" })
    assert.isTrue(document.$defs.ClientExtension!.additionalProperties)
    assert.strictEqual(Object.keys(client.properties!).length, 109)
  })

  it.effect("Schema.is / validate work on decoded clients", () =>
    Effect.gen(function*() {
      const client = yield* decodeClient({ clientId: 1, clientSecret: secret, tokenAuthMethod: "NONE" })
      assert.isTrue(Schema.is(Client)(client))
      assert.isFalse(Schema.is(Client)({ clientId: 1, clientSecret: secret }))
      assert.isFalse(Schema.is(Client)({ createdAt: "yesterday" }))
    }))

  it.effect("a JSON key \"__proto__\" is kept as a plain field and does not touch the prototype", () =>
    Effect.gen(function*() {
      const raw = JSON.parse("{\"clientId\":1,\"__proto__\":{\"polluted\":true}}")
      const client = yield* decodeClient(raw)
      assert.strictEqual(Object.getPrototypeOf(client), Object.prototype)
      assert.isUndefined((client as { polluted?: boolean }).polluted)
      assert.isTrue(Object.prototype.hasOwnProperty.call(client, "__proto__"))
      const encoded = yield* encodeClient(client)
      assert.strictEqual(JSON.stringify(encoded), "{\"clientId\":1,\"__proto__\":{\"polluted\":true}}")
    }))

  const knownKeys = new Set(Object.keys(ClientFields))
  const unknownFields = FastCheck.dictionary(
    FastCheck.string({ minLength: 1 }).filter((k) => !knownKeys.has(k) && k !== "__proto__"),
    FastCheck.jsonValue(),
    { maxKeys: 3 }
  )

  it.prop(
    "encode ∘ decode is the identity on encoded clients (Schema arbitrary, open enums, Redacted, unknown fields)",
    [Client, unknownFields],
    ([client, extra]) => {
      const encoded = { ...Schema.encodeSync(Client)(client), ...extra }
      const decoded = Schema.decodeUnknownSync(Client)(encoded)
      assert.deepStrictEqual(Schema.encodeSync(Client)(decoded), encoded)
      // The same through JSON text, as on the wire.
      const text = JSON.stringify(encoded)
      assert.strictEqual(
        JSON.stringify(Schema.encodeSync(Client)(Schema.decodeUnknownSync(Client)(JSON.parse(text)))),
        text
      )
      if (client.clientSecret !== undefined) {
        assert.strictEqual(encoded.clientSecret, Redacted.value(client.clientSecret))
      }
    },
    { fastCheck: { numRuns: 200 } }
  )
})
