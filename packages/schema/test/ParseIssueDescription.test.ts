import {
  ClientInformationResponseFromJson,
  ClientMetadata,
  describeParseIssue,
  RegisterRequest,
  RegisterResponse
} from "@effect-dcr/schema"
import { assert, describe, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import type { ParseResult } from "effect"

const issueOf = <A, I>(schema: Schema.Schema<A, I>, input: unknown): ParseResult.ParseIssue => {
  const result = Schema.decodeUnknownEither(schema, { errors: "all" })(input)
  if (Either.isRight(result)) return assert.fail("expected a decoding failure")
  return result.left.issue
}

const secret = "s3cr3t-TOKEN-value-0123456789"

describe("describeParseIssue", () => {
  it("names the path, what was expected and the value (never a URI's)", () => {
    const issue = issueOf(ClientMetadata, { redirect_uris: ["/cb"], client_name: 42 })
    assert.strictEqual(
      describeParseIssue(issue),
      "redirect_uris[0]: must be an absolute URI without a fragment; a relative reference is not allowed; " +
        "client_name: must be a string (got 42)"
    )
  })

  it("values: false keeps paths, expected types and refinement messages, drops the values", () => {
    const issue = issueOf(ClientMetadata, { redirect_uris: ["/cb"], client_name: 42, grant_types: "x" })
    assert.strictEqual(
      describeParseIssue(issue, { values: false }),
      "redirect_uris[0]: must be an absolute URI without a fragment; a relative reference is not allowed; " +
        "grant_types: must be an array; client_name: must be a string"
    )
  })

  it("limit caps the number of problems", () => {
    const issue = issueOf(ClientMetadata, { client_name: 1, client_uri: 2, logo_uri: 3 })
    assert.strictEqual(describeParseIssue(issue, { limit: 1 }), "client_name: must be a string (got 1)")
    assert.strictEqual(describeParseIssue(issue, { limit: 2, values: false }).split("; ").length, 2)
  })

  it("is ASCII: other characters of echoed values are escaped", () => {
    const issue = issueOf(ClientMetadata, { software_statement: "rückruf" })
    const text = describeParseIssue(issue)
    assert.include(text, "\"r\\u00fcckruf\"")
    assert.match(text, /^[\x20-\x7e]*$/)
  })

  it("values: false never echoes a secret, wherever it sits", () => {
    const cases: ReadonlyArray<readonly [Schema.Schema<any, any>, unknown]> = [
      // a token of the wrong type and an unexpected action next to it
      [RegisterRequest, { json: 1, token: 2, clientId: secret }],
      [RegisterResponse, { action: secret, responseContent: 1 }],
      // a client secret in a response whose other members are wrong
      [RegisterResponse, { action: "CREATED", client: { clientId: secret, clientSecret: 12, clientName: 5 } }],
      // JSON.parse's own message quotes the text it could not parse
      [ClientInformationResponseFromJson, `{"client_secret": "${secret}" `],
      [ClientInformationResponseFromJson, `${secret}`],
      [ClientInformationResponseFromJson, JSON.stringify({ client_id: 1, client_secret: secret })],
      [Schema.Literal("a", "b"), secret],
      [Schema.Struct({ n: Schema.Number }), { n: secret }]
    ]
    for (const [schema, input] of cases) {
      const withValues = describeParseIssue(issueOf(schema, input), { limit: 50 })
      const withoutValues = describeParseIssue(issueOf(schema, input), { limit: 50, values: false })
      assert.notInclude(withoutValues, secret.slice(0, 10), withoutValues)
      assert.notInclude(withoutValues, "got", withoutValues)
      assert.isAbove(withoutValues.length, 0)
      // the same problems are found either way
      assert.strictEqual(withoutValues.split("; ").length, withValues.split("; ").length, withValues)
    }
  })

  it("values: false describes a transformation failure without its message", () => {
    const json = issueOf(ClientInformationResponseFromJson, "{not json")
    assert.strictEqual(describeParseIssue(json, { values: false }), "must be valid JSON")
    const number = issueOf(Schema.NumberFromString, "not a number")
    assert.strictEqual(describeParseIssue(number, { values: false }), "could not be decoded as a number")
  })
})
