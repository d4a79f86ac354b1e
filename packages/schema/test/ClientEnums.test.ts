import {
  ApplicationType,
  ClientAuthMethod,
  ClientRegistrationType,
  ClientSource,
  ClientType,
  DeliveryMode,
  FapiMode,
  GrantType,
  JweAlg,
  JweEnc,
  JwsAlg,
  normalizeResponseType,
  ResponseMode,
  ResponseType,
  SubjectType
} from "@effect-dcr/schema"
import type { ClientAuthMethodMetadata, EnumMetadata, ResponseTypeMetadata } from "@effect-dcr/schema"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Option, Schema } from "effect"

const enums = {
  ApplicationType,
  ClientAuthMethod,
  ClientRegistrationType,
  ClientSource,
  ClientType,
  DeliveryMode,
  FapiMode,
  GrantType,
  JweAlg,
  JweEnc,
  JwsAlg,
  ResponseMode,
  ResponseType,
  SubjectType
}

// The derived metadata union of ResponseType must equal the hand-written ResponseTypeMetadata.
type Equals<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const responseTypeMetadataMatches: Equals<EnumMetadata<typeof ResponseType>, ResponseTypeMetadata> = true
const authMethodMetadataIsClosed: Equals<ClientAuthMethodMetadata, string> = false

describe("ClientEnums", () => {
  it("type-level: metadata unions are closed and consistent", () => {
    assert.isTrue(responseTypeMetadataMatches)
    assert.isFalse(authMethodMetadataIsClosed)
  })

  for (const [name, e] of Object.entries(enums)) {
    describe(name, () => {
      it("every wire name maps to a metadata string and back", () => {
        assert.isAbove(e.wireValues.length, 1)
        assert.strictEqual(new Set(e.metadataValues).size, e.wireValues.length)
        for (const wire of e.wireValues) {
          const metadata = Option.getOrThrow(e.toMetadata(wire))
          assert.strictEqual(metadata, (e.table as Record<string, string>)[wire])
          assert.deepStrictEqual(e.fromMetadata(metadata), Option.some(wire))
          assert.isTrue(e.isKnown(wire))
          assert.isTrue(e.isMetadata(metadata))
          const fromMetadata = e.fromMetadataSchema as Schema.Schema.AnyNoContext
          assert.strictEqual(Schema.decodeUnknownSync(fromMetadata)(metadata), wire)
          assert.strictEqual(Schema.encodeUnknownSync(fromMetadata)(wire), metadata)
        }
      })

      it("the open wire schema keeps unknown names, the closed schemas reject them", () => {
        const unknown = `${e.wireValues[0]}_FROM_THE_FUTURE`
        assert.strictEqual(Schema.decodeUnknownSync(e.wire)(unknown), unknown)
        assert.strictEqual(Schema.encodeSync(e.wire)(unknown), unknown)
        for (const wire of e.wireValues) assert.strictEqual(Schema.decodeUnknownSync(e.wire)(wire), wire)
        const known = e.known as Schema.Schema.AnyNoContext
        const metadata = e.metadata as Schema.Schema.AnyNoContext
        assert.isTrue(Either.isLeft(Schema.decodeUnknownEither(known)(unknown)))
        assert.isTrue(Either.isLeft(Schema.decodeUnknownEither(metadata)("not-a-known-value")))
        assert.isTrue(Either.isRight(Schema.decodeUnknownEither(metadata)(e.metadataValues[0])))
        assert.isTrue(Either.isLeft(Schema.decodeUnknownEither(e.wire)(42)))
        assert.isFalse(e.isKnown(unknown))
        for (const inherited of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
          assert.isFalse(e.isKnown(inherited))
          assert.isFalse(e.isMetadata(inherited))
          assert.deepStrictEqual(e.toMetadata(inherited), Option.none())
          assert.deepStrictEqual(e.fromMetadata(inherited), Option.none())
        }
        assert.deepStrictEqual(e.toMetadata(unknown), Option.none())
        assert.deepStrictEqual(e.fromMetadata("not-a-known-value"), Option.none())
      })
    })
  }

  it("the tables hold the spellings the reference lists", () => {
    assert.strictEqual(ClientAuthMethod.table.CLIENT_SECRET_BASIC, "client_secret_basic")
    assert.strictEqual(ClientAuthMethod.table.SPIFFE_JWT, "spiffe_jwt")
    assert.strictEqual(JweAlg.table.RSA_OAEP, "RSA-OAEP")
    assert.strictEqual(JweAlg.table.ECDH_ES_A256KW, "ECDH-ES+A256KW")
    assert.strictEqual(JweAlg.table.DIR, "dir")
    assert.strictEqual(JweEnc.table.A128CBC_HS256, "A128CBC-HS256")
    assert.strictEqual(JwsAlg.table.NONE, "none")
    assert.strictEqual(JwsAlg.table.EdDSA, "EdDSA")
    assert.strictEqual(ResponseType.table.CODE_ID_TOKEN, "code id_token")
    assert.strictEqual(ResponseMode.table.FORM_POST_JWT, "form_post.jwt")
    assert.strictEqual(GrantType.table.CIBA, "urn:openid:params:grant-type:ciba")
    assert.strictEqual(GrantType.table.PRE_AUTHORIZED_CODE, "urn:ietf:params:oauth:grant-type:pre-authorized_code")
    assert.strictEqual(DeliveryMode.table.POLL, "poll")
    assert.strictEqual(FapiMode.table.FAPI2_MESSAGE_SIGNING_RESOURCE_RES, "fapi2_message_signing_resource_res")
    assert.deepStrictEqual(ResponseType.wireValues, [
      "NONE",
      "CODE",
      "TOKEN",
      "ID_TOKEN",
      "CODE_TOKEN",
      "CODE_ID_TOKEN",
      "ID_TOKEN_TOKEN",
      "CODE_ID_TOKEN_TOKEN"
    ])
  })

  describe("ResponseType order-insensitivity (as Authlete's Java ResponseType.parse)", () => {
    const cases: ReadonlyArray<readonly [string, string | undefined]> = [
      ["id_token code", "code id_token"],
      ["code id_token", "code id_token"],
      ["token code", "code token"],
      ["token id_token", "id_token token"],
      ["id_token token code", "code id_token token"],
      ["token  id_token   code", "code id_token token"],
      [" code", "code"],
      ["code code", "code"],
      ["none", "none"],
      ["none code", undefined],
      ["code none", undefined],
      ["code\tid_token", undefined],
      ["Code", undefined],
      ["", undefined],
      ["  ", undefined],
      ["code device", undefined]
    ]
    for (const [input, expected] of cases) {
      it(JSON.stringify(input), () => {
        assert.strictEqual(normalizeResponseType(input), expected)
        assert.deepStrictEqual(
          ResponseType.fromMetadata(input),
          expected === undefined ? Option.none() : ResponseType.fromMetadata(expected)
        )
      })
    }

    it("fromMetadata maps permutations to CODE_ID_TOKEN_TOKEN", () => {
      for (const s of ["code id_token token", "code token id_token", "token id_token code", "id_token code token"]) {
        assert.deepStrictEqual(ResponseType.fromMetadata(s), Option.some("CODE_ID_TOKEN_TOKEN"))
      }
    })

    it.effect("metadataNormalized decodes to the canonical spelling and explains a failure", () =>
      Effect.gen(function*() {
        const decode = Schema.decodeUnknown(ResponseType.metadataNormalized)
        assert.strictEqual(yield* decode("id_token code"), "code id_token")
        assert.strictEqual(yield* Schema.encode(ResponseType.metadataNormalized)("code id_token"), "code id_token")
        const error = yield* Effect.flip(decode("none code"))
        assert.include(error.message, "Unknown response type \"none code\"")
        assert.include(error.message, "\"none\" alone")
      }))

    it("the strict metadata schema accepts only the canonical spelling", () => {
      assert.isTrue(Either.isRight(Schema.decodeUnknownEither(ResponseType.metadata)("code id_token")))
      assert.isTrue(Either.isLeft(Schema.decodeUnknownEither(ResponseType.metadata)("id_token code")))
    })
  })
})
