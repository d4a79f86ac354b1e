import { ClientInformationResponse, ClientMetadata, RegisteredClientMetadata } from "@effect-dcr/schema"
import { assert, describe, it } from "@effect/vitest"
import { JSONSchema } from "effect"

const definition = (schema: { readonly ast: unknown }) => {
  const document = JSONSchema.make(schema as any) as any
  return { document, root: document.$defs[document.$ref.split("/").pop()] }
}

describe("JSON Schema of the metadata (for OpenAPI documents)", () => {
  for (
    const [name, schema] of [
      ["ClientMetadata", ClientMetadata],
      ["RegisteredClientMetadata", RegisteredClientMetadata],
      ["ClientInformationResponse", ClientInformationResponse]
    ] as const
  ) {
    it(`${name}: tagged variants as patternProperties, other members allowed`, () => {
      const { root } = definition(schema)
      assert.deepStrictEqual(root.patternProperties, {
        "^client_name#": { type: "string" },
        "^(client_uri|logo_uri|tos_uri|policy_uri)#": { type: "string", format: "uri" }
      })
      assert.isUndefined(root.propertyNames)
      assert.strictEqual(root.additionalProperties, true)
      const tagged = Object.keys(root.patternProperties).map((p) => new RegExp(p))
      assert.isTrue(tagged[0]!.test("client_name#ja"))
      assert.isTrue(tagged[1]!.test("logo_uri#fr"))
      assert.isFalse(tagged.some((r) => r.test("software_name")))
    })
  }

  it("URIs, integers and scope carry their formats and patterns", () => {
    const { document, root } = definition(ClientMetadata)
    assert.strictEqual(document.$defs.AbsoluteUri.format, "uri")
    assert.strictEqual(document.$defs.NonNegativeInt.type, "integer")
    assert.strictEqual(document.$defs.NonNegativeInt.minimum, 0)
    const redirect = new RegExp(document.$defs.RedirectUri.pattern)
    assert.isTrue(redirect.test("http://127.0.0.1:3000/callback"))
    assert.isFalse(redirect.test("https://a.example/cb#x"))
    assert.isFalse(redirect.test("/cb"))
    const scope = new RegExp(document.$defs.ScopeString.pattern)
    assert.isTrue(scope.test("openid profile"))
    assert.isFalse(scope.test("openid  profile"))
    assert.deepStrictEqual(root.required, [])
    assert.includeMembers(Object.keys(root.properties), ["redirect_uris", "jwks", "backchannel_logout_uri"])
  })
})
