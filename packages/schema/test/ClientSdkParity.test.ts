/**
 * Cross-checks `Client` and the enums against the official SDK (@authlete/typescript-sdk 0.0.3-beta),
 * whose zod schemas are loaded at run time from the client package's dev dependency (the schema
 * package does not depend on the SDK).
 */
import {
  ApplicationType,
  Client,
  ClientAuthMethod,
  ClientExtension,
  ClientFields,
  ClientRegistrationType,
  ClientType,
  DeliveryMode,
  FapiMode,
  GrantType,
  JweAlg,
  JweEnc,
  JwsAlg,
  Pair,
  ResponseMode,
  ResponseType,
  SubjectType,
  TaggedValue
} from "@effect-dcr/schema"
import type { EnumDefinition } from "@effect-dcr/schema"
import { assert, describe, it } from "@effect/vitest"
import type { SchemaAST as AST } from "effect"
import { Effect, Schema } from "effect"
import { existsSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

const sdkModels = new URL(
  "../../client/node_modules/@authlete/typescript-sdk/dist/esm/models/index.js",
  import.meta.url
)

interface ZodLike {
  readonly _def: {
    readonly typeName: string
    readonly innerType?: ZodLike
    readonly type?: ZodLike
    readonly getter?: () => ZodLike
    readonly schema?: ZodLike
  }
  readonly shape?: Record<string, ZodLike>
  readonly safeParse: (u: unknown) => { readonly success: boolean }
}

const loadSdk = async (): Promise<Record<string, unknown>> => {
  assert.isTrue(
    existsSync(fileURLToPath(sdkModels)),
    `the official SDK is expected at ${fileURLToPath(sdkModels)} (devDependency of @effect-dcr/client)`
  )
  return await import(sdkModels.href)
}

const javaOnlyFields = [
  "metadataDocumentLocation",
  "metadataDocumentExpiresAt",
  "metadataDocumentUpdatedAt",
  "discoveredByMetadataDocument",
  "clientSource",
  "spiffeId",
  "spiffeBundleEndpoint",
  "haipVersion",
  "backchannelLogoutUri",
  "backchannelLogoutSessionRequired"
]

/** The kind of a zod field: string | number | boolean | array:<kind> | enum | object. */
const zodKind = (z: ZodLike): string => {
  switch (z._def.typeName) {
    case "ZodOptional":
    case "ZodNullable":
      return zodKind(z._def.innerType!)
    case "ZodString":
      return "string"
    case "ZodNumber":
      return "number"
    case "ZodBoolean":
      return "boolean"
    case "ZodNativeEnum":
      return "enum"
    case "ZodArray":
      return `array:${zodKind(z._def.type!)}`
    case "ZodObject":
      return "object"
    case "ZodLazy":
      return zodKind(z._def.getter!())
    case "ZodEffects":
      return zodKind(z._def.schema!)
    default:
      return z._def.typeName
  }
}

/** The kind of one of our field schemas, on the encoded (wire) side. */
const astKind = (ast: AST.AST): string => {
  switch (ast._tag) {
    case "StringKeyword":
      return "string"
    case "NumberKeyword":
      return "number"
    case "BooleanKeyword":
      return "boolean"
    case "Refinement":
      return astKind(ast.from)
    case "Transformation":
      return astKind(ast.from)
    case "TupleType":
      return `array:${astKind(ast.rest[0]!.type)}`
    case "Declaration":
      return "object"
    case "TypeLiteral":
      return "object"
    case "Union": {
      const members = ast.types.filter((t) => t._tag !== "UndefinedKeyword")
      if (members.length === 1) return astKind(members[0]!)
      // An open enum: Literal(known…) | string.
      if (
        members.some((m) => m._tag === "Union" || m._tag === "Literal") &&
        members.some((m) => m._tag === "StringKeyword")
      ) {
        return "enum"
      }
      // AuthleteClientId: a number or a string of digits, a number on the wire.
      return astKind(members[0]!)
    }
    default:
      return ast._tag
  }
}

const fieldKinds = (ast: AST.AST): Record<string, string> => {
  const literal = ast._tag === "Declaration" ? ast.typeParameters[0]! : ast
  assert.strictEqual(literal._tag, "TypeLiteral")
  return Object.fromEntries(
    (literal as AST.TypeLiteral).propertySignatures.map((ps) => [String(ps.name), astKind(ps.type)])
  )
}

describe("parity with the official SDK @authlete/typescript-sdk 0.0.3-beta", () => {
  it.effect("Client has every SDK field with the same kind, plus exactly the Java-only fields", () =>
    Effect.gen(function*() {
      const sdk = yield* Effect.promise(loadSdk)
      const shape = (sdk.Client$inboundSchema as ZodLike).shape!
      const sdkKinds = Object.fromEntries(Object.entries(shape).map(([k, z]) => [k, zodKind(z)]))
      assert.strictEqual(Object.keys(sdkKinds).length, 99)
      // The one deliberate difference: the SDK types bcDeliveryMode as a plain string although a
      // DeliveryMode enum exists; ours is the open DeliveryMode enum, which accepts any string too.
      assert.strictEqual(sdkKinds.bcDeliveryMode, "string")
      sdkKinds.bcDeliveryMode = "enum"

      const ours = fieldKinds(Client.ast)
      assert.deepStrictEqual(Object.keys(ours), Object.keys(ClientFields))
      assert.strictEqual(Object.keys(ours).length, 99 + javaOnlyFields.length)
      const { ...sdkPart } = ours
      for (const k of javaOnlyFields) delete sdkPart[k]
      const differences = Object.keys(sdkKinds).filter((k) => sdkPart[k] !== sdkKinds[k])
        .map((k) => `${k}: ours ${sdkPart[k]}, SDK ${sdkKinds[k]}`)
      assert.deepStrictEqual(differences, [])
      assert.deepStrictEqual(sdkPart, sdkKinds)
    }))

  it.effect("TaggedValue, Pair and ClientExtension have the SDK's fields and kinds", () =>
    Effect.gen(function*() {
      const sdk = yield* Effect.promise(loadSdk)
      for (
        const [ours, theirs] of [
          [TaggedValue.ast, sdk.TaggedValue$inboundSchema],
          [Pair.ast, sdk.Pair$inboundSchema],
          [ClientExtension.ast, sdk.ClientExtension$inboundSchema]
        ] as const
      ) {
        const shape = (theirs as ZodLike).shape!
        assert.deepStrictEqual(
          fieldKinds(ours),
          Object.fromEntries(Object.entries(shape).map(([k, z]) => [k, zodKind(z)]))
        )
      }
    }))

  it.effect("every SDK enum value is known here; the extras are exactly the Java-only values", () =>
    Effect.gen(function*() {
      const sdk = yield* Effect.promise(loadSdk)
      const pairs: ReadonlyArray<readonly [EnumDefinition<string, string>, string, ReadonlyArray<string>]> = [
        [ApplicationType, "ApplicationType", []],
        [ClientAuthMethod, "ClientAuthMethod", ["SPIFFE_JWT"]],
        [ClientRegistrationType, "ClientRegistrationType", []],
        [ClientType, "ClientType", []],
        [DeliveryMode, "DeliveryMode", []],
        [
          FapiMode,
          "FapiMode",
          ["FAPI2_MESSAGE_SIGNING_RESOURCE_REQ", "FAPI2_MESSAGE_SIGNING_RESOURCE_RES"]
        ],
        [GrantType, "GrantType", []],
        [JweAlg, "JweAlg", []],
        [JweEnc, "JweEnc", []],
        [JwsAlg, "JwsAlg", []],
        [ResponseMode, "ResponseMode", []],
        [ResponseType, "ResponseType", []],
        [SubjectType, "SubjectType", []]
      ] as unknown as ReadonlyArray<readonly [EnumDefinition<string, string>, string, ReadonlyArray<string>]>
      for (const [ours, name, javaOnly] of pairs) {
        const theirs = Object.values(sdk[name] as Record<string, string>).sort()
        const expected = [...ours.wireValues].filter((w) => !javaOnly.includes(w)).sort()
        assert.deepStrictEqual(theirs, expected, name)
      }
    }))

  it.effect("the SDK accepts the real payloads we decode, and rejects what a newer server may send", () =>
    Effect.gen(function*() {
      const sdk = yield* Effect.promise(loadSdk)
      const sdkResponse = sdk.ClientRegistrationResponse$inboundSchema as ZodLike
      const read = (name: string) =>
        JSON.parse(readFileSync(new URL(`./fixtures/authlete/${name}`, import.meta.url), "utf8"))
      for (const name of ["register-created.json", "get-ok.json", "update-updated.json", "seed-003-example.json"]) {
        assert.isTrue(sdkResponse.safeParse(read(name)).success, name)
      }
      const newer = read("synthetic-newer-server.json")
      assert.isFalse(sdkResponse.safeParse(newer).success)
      // …which this library decodes.
      const ours = yield* Schema.decodeUnknown(Client)(newer.client)
      assert.strictEqual(ours.tokenAuthMethod, "SPIFFE_JWT_V2")
    }))
})
