import {
  AbsoluteUri,
  ClientMetadata,
  decodeClientMetadata,
  decodeClientMetadataJson,
  maxMetadataDepth,
  RedirectUri,
  RegisteredClientMetadata
} from "@effect-dcr/schema"
import type { RegistrationErrorResponse } from "@effect-dcr/schema"
import { assert, describe, it } from "@effect/vitest"
import { Arbitrary, Either, FastCheck, ParseResult, Schema } from "effect"

const fail = (json: string): RegistrationErrorResponse => {
  const result = decodeClientMetadataJson(json)
  if (Either.isRight(result)) assert.fail(`expected a failure for ${json}, got ${JSON.stringify(result.right)}`)
  return result.left
}

const ok = (json: string): ClientMetadata => {
  const result = decodeClientMetadataJson(json)
  if (Either.isLeft(result)) assert.fail(`expected success for ${json}, got ${JSON.stringify(result.left)}`)
  return result.right
}

const expectError = (json: string, error: string, description: string) =>
  assert.deepStrictEqual(fail(json), { error, error_description: description })

describe("ClientMetadata: redirect URIs (invalid_redirect_uri)", () => {
  it("a relative reference", () =>
    expectError(
      `{"redirect_uris":["/cb"]}`,
      "invalid_redirect_uri",
      "redirect_uris[0]: must be an absolute URI without a fragment; a relative reference is not allowed"
    ))

  it("a fragment", () =>
    expectError(
      `{"redirect_uris":["https://app.example.com/cb#frag"]}`,
      "invalid_redirect_uri",
      "redirect_uris[0]: must be an absolute URI without a fragment"
    ))

  it("an empty fragment is a fragment too", () =>
    assert.strictEqual(fail(`{"redirect_uris":["https://app.example.com/cb#"]}`).error, "invalid_redirect_uri"))

  it("spaces, non-ASCII, or no host", () => {
    for (
      const uri of [
        " https://a.example/cb",
        "https://a.example/c b",
        "https://exämple.com/cb",
        "http:///cb",
        "https:a.example/cb",
        "https://"
      ]
    ) {
      const e = fail(JSON.stringify({ redirect_uris: [uri] }))
      assert.strictEqual(e.error, "invalid_redirect_uri", uri)
      assert.match(e.error_description!, /^redirect_uris\[0\]: must be an absolute URI without a fragment/, uri)
    }
  })

  it("too long", () => {
    const e = fail(JSON.stringify({ redirect_uris: [`https://a.example/${"x".repeat(2000)}`] }))
    assert.strictEqual(e.error, "invalid_redirect_uri")
    assert.include(e.error_description!, "at most 2000 characters long")
  })

  it("not an array, or an element that is not a string", () => {
    expectError(
      `{"redirect_uris":"https://a.example/cb"}`,
      "invalid_redirect_uri",
      "redirect_uris: must be an array (got \"https://a.example/cb\")"
    )
    expectError(
      `{"redirect_uris":[42]}`,
      "invalid_redirect_uri",
      "redirect_uris[0]: must be an absolute URI without a fragment (a string) (got 42)"
    )
  })

  it("MCP and native clients: loopback http with a port, private-use schemes", () => {
    const metadata = ok(JSON.stringify({
      redirect_uris: [
        "http://localhost:6274/oauth/callback",
        "http://127.0.0.1:49152/callback",
        "http://[::1]:8080/cb",
        "com.example.app:/oauth2redirect",
        "myapp://callback"
      ],
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      client_name: "MCP Inspector"
    }))
    assert.strictEqual(metadata.redirect_uris!.length, 5)
    assert.strictEqual(metadata.token_endpoint_auth_method, "none")
  })
})

describe("ClientMetadata: other members (invalid_client_metadata)", () => {
  it("a URI member that is not absolute", () =>
    expectError(
      `{"logo_uri":"logo.png"}`,
      "invalid_client_metadata",
      "logo_uri: must be an absolute URI with a scheme, such as https://example.com/"
    ))

  it("a URI member with surrounding whitespace", () =>
    expectError(
      `{"client_uri":" https://a.example"}`,
      "invalid_client_metadata",
      "client_uri: must be an absolute URI without spaces or control characters"
    ))

  it("https-only members", () =>
    expectError(
      `{"sector_identifier_uri":"http://a.example/sector.json"}`,
      "invalid_client_metadata",
      "sector_identifier_uri: must be an https URL"
    ))

  it("an unknown enum value lists the accepted ones", () =>
    expectError(
      `{"application_type":"ios"}`,
      "invalid_client_metadata",
      "application_type: must be one of \"web\", \"native\" (got \"ios\")"
    ))

  it("an unknown grant type", () => {
    const e = fail(`{"grant_types":["authorization_code","magic"]}`)
    assert.strictEqual(e.error, "invalid_client_metadata")
    assert.match(e.error_description!, /^grant_types\[1\]: must be one of "authorization_code", "implicit", /)
    assert.match(e.error_description!, /\(got "magic"\)$/)
  })

  it("an unknown response type", () =>
    expectError(
      `{"response_types":["code","code magic"]}`,
      "invalid_client_metadata",
      "response_types[1]: Unknown response type \"code magic\": expected space-separated \"code\", \"token\" and \"id_token\" (in any order), or \"none\" alone (got \"code magic\")"
    ))

  it("wrong JSON types", () => {
    expectError(`{"client_name":42}`, "invalid_client_metadata", "client_name: must be a string (got 42)")
    expectError(
      `{"require_auth_time":"yes"}`,
      "invalid_client_metadata",
      "require_auth_time: must be true or false (got \"yes\")"
    )
    expectError(`{"contacts":{"a":1}}`, "invalid_client_metadata", "contacts: must be an array (got an object)")
  })

  it("integers are non-negative safe integers", () => {
    for (const value of ["-1", "1.5", "1e300"]) {
      expectError(
        `{"default_max_age":${value}}`,
        "invalid_client_metadata",
        `default_max_age: must be a non-negative integer (got ${Number(value)})`
      )
    }
  })

  it("scope is space-separated scope tokens", () => {
    expectError(
      `{"scope":"openid  profile"}`,
      "invalid_client_metadata",
      "scope: must be scope values separated by single spaces, each made of printable ASCII characters other than '\"' and '\\' (got \"openid  profile\")"
    )
    expectError(
      `{"scope":"openid \\"x\\""}`,
      "invalid_client_metadata",
      "scope: must be scope values separated by single spaces, each made of printable ASCII characters other than '\"' and '\\' (got \"openid \\\"x\\\"\")"
    )
    assert.strictEqual(ok(`{"scope":"openid profile mcp:tools"}`).scope, "openid profile mcp:tools")
    assert.strictEqual(ok(`{"scope":""}`).scope, "")
  })

  it("jwks must be a JWK Set object", () => {
    expectError(
      `{"jwks":"{\\"keys\\":[]}"}`,
      "invalid_client_metadata",
      "jwks: must be a JWK Set (an object with a \"keys\" array) (got \"{\\\"keys\\\":[]}\")"
    )
    expectError(`{"jwks":{"keys":[{"kid":"1"}]}}`, "invalid_client_metadata", "jwks.keys[0].kty: is required")
    expectError(
      `{"jwks":{"keys":[{"kty":"EC","crv":"P-256","x":"a","y":"b"},{"kty":"RSA","n":"a","e":"AQAB","d":"s","p":"q"}]}}`,
      "invalid_client_metadata",
      "jwks.keys[1]: must be a public key: remove the private key members \"d\", \"p\" (got an object)"
    )
    expectError(
      `{"jwks":{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}}`,
      "invalid_client_metadata",
      "jwks.keys[0]: must be a public key: remove the private key members \"k\" (got an object)"
    )
    const metadata = ok(`{"jwks":{"keys":[{"kty":"EC","crv":"P-256","x":"a","y":"b","kid":"k1"}]}}`)
    assert.deepStrictEqual(metadata.jwks, { keys: [{ kty: "EC", crv: "P-256", x: "a", y: "b", kid: "k1" }] })
  })

  it("a software statement that is not a JWT is invalid_software_statement", () =>
    expectError(
      `{"software_statement":"not-a-jwt"}`,
      "invalid_software_statement",
      "software_statement: must be a JWT in compact serialization (header.payload.signature) (got \"not-a-jwt\")"
    ))

  it("several problems are all named, in member order", () =>
    expectError(
      `{"client_name":1,"redirect_uris":["/a"],"logo_uri":"x"}`,
      "invalid_redirect_uri",
      "redirect_uris[0]: must be an absolute URI without a fragment; a relative reference is not allowed; client_name: must be a string (got 1); logo_uri: must be an absolute URI with a scheme, such as https://example.com/"
    ))

  it("long values are shortened in the description", () => {
    const e = fail(JSON.stringify({ software_statement: "x".repeat(10_000) }))
    assert.isBelow(e.error_description!.length, 200)
    assert.include(e.error_description!, "...")
  })

  it("a URI value is never quoted: a refusal names the member and says why", () => {
    for (
      const [json, member] of [
        [`{"redirect_uris":["javascript:alert(1)#x"]}`, "redirect_uris[0]"],
        [`{"logo_uri":"javascript"}`, "logo_uri"],
        [`{"sector_identifier_uri":"javascript:alert(1)"}`, "sector_identifier_uri"],
        [`{"request_uris":["<script>"]}`, "request_uris[0]"],
        [`{"logo_uri#fr":"<script>"}`, "logo_uri#fr"]
      ]
    ) {
      const e = fail(json)
      assert.isTrue(e.error_description!.startsWith(`${member}: must be`), e.error_description)
      assert.notInclude(e.error_description!, "javascript")
      assert.notInclude(e.error_description!, "script")
    }
    // the type of a URI member is still described with the value
    assert.strictEqual(
      fail(`{"logo_uri":42}`).error_description,
      "logo_uri: must be an absolute URI (a string) (got 42)"
    )
  })

  it("descriptions are ASCII: echoed non-ASCII values are escaped", () => {
    expectError(
      `{"response_types":["コード"]}`,
      "invalid_client_metadata",
      "response_types[0]: Unknown response type \"\\u30b3\\u30fc\\u30c9\": expected space-separated \"code\", \"token\" and \"id_token\" (in any order), or \"none\" alone (got \"\\u30b3\\u30fc\\u30c9\")"
    )
    expectError(
      `{"client_name#日本":1}`,
      "invalid_client_metadata",
      "[\"client_name#\\u65e5\\u672c\"]: must be a string (got 1)"
    )
    const e = fail(`{"client_name":"アプリ`)
    assert.match(e.error_description!, /^[\x20-\x7e]+$/)
  })
})

describe("ClientMetadata: language-tagged members", () => {
  it("are kept and validated like their base", () => {
    const metadata = ok(`{"client_name":"App","client_name#ja":"アプリ","logo_uri#fr":"https://a.example/fr.png"}`)
    assert.strictEqual(metadata["client_name#ja"], "アプリ")
    assert.strictEqual(metadata["logo_uri#fr"], "https://a.example/fr.png")
    expectError(
      `{"logo_uri#fr":"logo.png"}`,
      "invalid_client_metadata",
      "logo_uri#fr: must be an absolute URI with a scheme, such as https://example.com/"
    )
    expectError(`{"client_name#de":false}`, "invalid_client_metadata", "client_name#de: must be a string (got false)")
  })
})

describe("ClientMetadata: robustness", () => {
  it("unknown members survive decode and encode", () => {
    const input = {
      client_name: "x",
      software_name: "y",
      dpop_bound_access_tokens: true,
      nested: { a: [1, { b: null }] },
      "ext#tag": 1
    }
    const metadata = ok(JSON.stringify(input))
    assert.deepStrictEqual(metadata, input)
    assert.deepStrictEqual(Schema.encodeSync(ClientMetadata)(metadata), input)
  })

  it("null on a known member is read as absent", () => {
    const metadata = ok(`{"client_name":null,"redirect_uris":null,"jwks":null,"default_max_age":null,"x":null}`)
    assert.deepStrictEqual(metadata, { x: null })
  })

  it("bad JSON and non-objects", () => {
    assert.strictEqual(fail(`{"client_name":`).error, "invalid_client_metadata")
    assert.match(fail(`{"client_name":`).error_description!, /^the client metadata is not valid JSON \(/)
    for (const [json, got] of [["[]", "an array"], ["null", "null"], ["\"x\"", "\"x\""], ["42", "42"]]) {
      expectError(json!, "invalid_client_metadata", `the client metadata must be a JSON object (got ${got})`)
    }
    expectError("", "invalid_client_metadata", fail("").error_description!)
  })

  it("deep nesting is rejected cleanly", () => {
    const deep = `{"x":${"[".repeat(100_000)}${"]".repeat(100_000)}}`
    expectError(
      deep,
      "invalid_client_metadata",
      `the client metadata is nested deeper than ${maxMetadataDepth} levels`
    )
    assert.isTrue(Either.isRight(decodeClientMetadataJson(`{"x":${"[".repeat(20)}${"]".repeat(20)}}`)))
  })

  it("__proto__ cannot smuggle members past validation", () => {
    expectError(
      `{"__proto__":{"grant_types":["implicit"]}}`,
      "invalid_client_metadata",
      "\"__proto__\" is not allowed as a member name"
    )
    expectError(
      `{"jwks":{"keys":[{"kty":"RSA","__proto__":{}}]}}`,
      "invalid_client_metadata",
      "\"__proto__\" is not allowed as a member name"
    )
  })

  it("lone UTF-16 surrogates are rejected, paired ones accepted", () => {
    expectError(
      `{"client_name":"a\\ud800b"}`,
      "invalid_client_metadata",
      "client_name: must not contain a lone UTF-16 surrogate (got \"a\\ud800b\")"
    )
    expectError(
      `{"client_uri":"https://a.example/\\udc00"}`,
      "invalid_client_metadata",
      "client_uri: must not contain a lone UTF-16 surrogate"
    )
    assert.strictEqual(ok(`{"client_name":"\\ud83d\\ude00"}`).client_name, "😀")
  })

  it("very long strings are accepted where nothing limits them", () => {
    const name = "n".repeat(1_000_000)
    assert.strictEqual(ok(JSON.stringify({ client_name: name })).client_name, name)
  })

  it("decodeClientMetadata never throws on arbitrary JSON values", () =>
    FastCheck.assert(
      FastCheck.property(FastCheck.jsonValue(), (value) => {
        const result = decodeClientMetadata(value)
        return Either.isRight(result) || typeof result.left.error_description === "string"
      }),
      { numRuns: 300 }
    ))

  it("decodeClientMetadataJson never throws on arbitrary objects of known names", () => {
    const names = ["redirect_uris", "grant_types", "jwks", "client_name#x", "scope", "default_max_age", "contacts"]
    FastCheck.assert(
      FastCheck.property(
        FastCheck.dictionary(FastCheck.constantFrom(...names), FastCheck.jsonValue({ maxDepth: 3 })),
        (value) => {
          const result = decodeClientMetadataJson(JSON.stringify(value))
          return Either.isRight(result) ||
            (["invalid_client_metadata", "invalid_redirect_uri"].includes(result.left.error) &&
              result.left.error_description!.length > 0)
        }
      ),
      { numRuns: 300 }
    )
  })
})

describe("ClientMetadata: arbitraries and round trips", () => {
  it.prop("URI arbitraries generate valid URIs", [AbsoluteUri, RedirectUri], ([a, r]) => {
    assert.isTrue(Schema.is(AbsoluteUri)(a))
    assert.isTrue(Schema.is(RedirectUri)(r))
  })

  it.prop(
    "decode ∘ JSON ∘ encode is the identity (unknown members included)",
    [ClientMetadata],
    ([metadata]) => {
      const json = JSON.stringify(Schema.encodeSync(ClientMetadata)(metadata))
      const decoded = decodeClientMetadataJson(json)
      assert.isTrue(Either.isRight(decoded), json)
      assert.deepStrictEqual(Either.getOrThrow(decoded), metadata)
    },
    { fastCheck: { numRuns: 200 } }
  )

  it("decodeClientMetadata (fast path) agrees with the ClientMetadata schema, nulls included", () => {
    // The fast path adds one structural rule to the schema: no member named "__proto__" at any depth.
    const hasProtoMember = (value: unknown): boolean =>
      typeof value === "object" && value !== null &&
      (Array.isArray(value)
        ? value.some(hasProtoMember)
        : Object.prototype.hasOwnProperty.call(value, "__proto__") || Object.values(value).some(hasProtoMember))
    const schema = ParseResult.decodeUnknownEither(ClientMetadata)
    const reference = (input: unknown): Either.Either<ClientMetadata, unknown> =>
      hasProtoMember(input) ? Either.left("__proto__") : schema(input)
    const names = ["client_name", "redirect_uris", "jwks", "default_max_age", "client_name#x", "scope", "x_ext"]
    const agree = (input: Record<string, unknown>) => {
      const fast = decodeClientMetadata(input)
      const slow = reference(input)
      assert.strictEqual(Either.isRight(fast), Either.isRight(slow), JSON.stringify(input))
      if (Either.isRight(fast) && Either.isRight(slow)) assert.deepStrictEqual(fast.right, slow.right)
      return true
    }
    FastCheck.assert(
      FastCheck.property(
        Arbitrary.make(ClientMetadata),
        FastCheck.subarray(names),
        (metadata, nulls) => {
          const encoded: Record<string, unknown> = { ...Schema.encodeSync(ClientMetadata)(metadata) }
          for (const name of nulls) encoded[name] = null
          return agree(encoded)
        }
      ),
      { numRuns: 200 }
    )
    FastCheck.assert(
      FastCheck.property(
        FastCheck.dictionary(FastCheck.constantFrom(...names), FastCheck.jsonValue({ maxDepth: 2 })),
        agree
      ),
      { numRuns: 200 }
    )
  })

  it("RegisteredClientMetadata drops unknown members, keeps tagged ones", () => {
    const decoded = Schema.decodeUnknownSync(RegisteredClientMetadata)({
      client_name: "a",
      "client_name#ja": "b",
      x: 1
    })
    assert.deepStrictEqual(decoded, { client_name: "a", "client_name#ja": "b" })
    FastCheck.assert(
      FastCheck.property(Arbitrary.make(RegisteredClientMetadata), (m) => Schema.is(RegisteredClientMetadata)(m)),
      { numRuns: 100 }
    )
  })
})
