/**
 * `Discovery.checkMetadata`: the authorization server's metadata held to RFC 8414 §2 (required
 * members by grant type, URL members), and to the issuer and registration endpoint the server adds.
 */
import { Discovery } from "@effect-dcr/http-server"
import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"

const issuer = "https://as.example.com"
const ours = { issuer, registrationEndpoint: `${issuer}/register` }

/** The least RFC 8414 §2 asks of a server with the default grant types. */
const complete = {
  authorization_endpoint: `${issuer}/authorize`,
  token_endpoint: `${issuer}/token`,
  response_types_supported: ["code"]
}

const without = (name: keyof typeof complete) => {
  const { [name]: _, ...rest } = complete
  return rest
}

/** Accepted, answered as given. */
const accepted: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
  ["the three required members", complete],
  ["only the implicit grant: no token_endpoint", {
    authorization_endpoint: `${issuer}/authorize`,
    response_types_supported: ["token"],
    grant_types_supported: ["implicit"]
  }],
  ["no grant type that uses the authorization endpoint: no authorization_endpoint", {
    token_endpoint: `${issuer}/token`,
    response_types_supported: [],
    grant_types_supported: ["client_credentials", "urn:ietf:params:oauth:grant-type:jwt-bearer"]
  }],
  ["our issuer and registration endpoint, stated", {
    ...complete,
    issuer,
    registration_endpoint: ours.registrationEndpoint
  }],
  ["our issuer with a trailing slash", { ...complete, issuer: `${issuer}/` }],
  ["our registration endpoint, written otherwise", {
    ...complete,
    registration_endpoint: "HTTPS://AS.example.com/register"
  }],
  ["http on loopback hosts", {
    ...complete,
    authorization_endpoint: "http://localhost:8080/authorize",
    token_endpoint: "http://127.0.0.1:8080/token",
    jwks_uri: "http://[::1]:8080/jwks"
  }],
  ["other members kept as they are", {
    ...complete,
    scopes_supported: ["openid", "mcp"],
    code_challenge_methods_supported: ["S256"],
    client_id_metadata_document_supported: true,
    mtls_endpoint_aliases: { token_endpoint: "https://mtls.as.example.com/token" },
    service_documentation: "https://docs.as.example.com/"
  }]
]

/** Refused, with a part of the reason. */
const refused: ReadonlyArray<readonly [string, unknown, string]> = [
  ["an array", [complete], "must be a JSON object, got an array"],
  ["null", null, "must be a JSON object, got null"],
  ["a string", JSON.stringify(complete), "must be a JSON object, got a string"],
  ["a number", 42, "must be a JSON object"],
  ["no response_types_supported", without("response_types_supported"), "response_types_supported is missing"],
  [
    "response_types_supported not an array",
    { ...complete, response_types_supported: "code" },
    "response_types_supported must be a JSON array of strings"
  ],
  [
    "response_types_supported with a number",
    { ...complete, response_types_supported: ["code", 1] },
    "response_types_supported must be a JSON array of strings"
  ],
  [
    "grant_types_supported not an array",
    { ...complete, grant_types_supported: "authorization_code" },
    "grant_types_supported must be a JSON array of strings"
  ],
  [
    "no authorization_endpoint, default grant types",
    without("authorization_endpoint"),
    "authorization_endpoint is missing"
  ],
  ["no authorization_endpoint, authorization_code", {
    ...without("authorization_endpoint"),
    grant_types_supported: ["authorization_code", "refresh_token"]
  }, "authorization_endpoint is missing"],
  ["no authorization_endpoint, implicit among others", {
    ...without("authorization_endpoint"),
    grant_types_supported: ["client_credentials", "implicit"]
  }, "authorization_endpoint is missing"],
  ["no token_endpoint, default grant types", without("token_endpoint"), "token_endpoint is missing"],
  ["no token_endpoint, implicit and authorization_code", {
    ...without("token_endpoint"),
    grant_types_supported: ["implicit", "authorization_code"]
  }, "token_endpoint is missing"],
  ["no token_endpoint, client_credentials", {
    ...without("token_endpoint"),
    grant_types_supported: ["client_credentials"]
  }, "token_endpoint is missing"],
  [
    "http on another host",
    { ...complete, token_endpoint: "http://as.example.com/token" },
    "token_endpoint must be an https URL"
  ],
  [
    "a relative endpoint",
    { ...complete, authorization_endpoint: "/authorize" },
    "authorization_endpoint must be an absolute URI"
  ],
  [
    "not a URL",
    { ...complete, authorization_endpoint: "as.example.com/authorize" },
    "authorization_endpoint must be an absolute URI"
  ],
  [
    "a javascript: endpoint",
    { ...complete, authorization_endpoint: "javascript:alert(1)" },
    "authorization_endpoint must not use the \"javascript\" scheme"
  ],
  [
    "userinfo in an endpoint",
    { ...complete, token_endpoint: "https://user:pw@as.example.com/token" },
    "token_endpoint must not contain user information"
  ],
  [
    "an endpoint with a fragment",
    { ...complete, authorization_endpoint: `${issuer}/authorize#x` },
    "authorization_endpoint must not contain a fragment"
  ],
  [
    "an endpoint that is not a string",
    { ...complete, token_endpoint: { url: `${issuer}/token` } },
    "token_endpoint must be a URL (a JSON string)"
  ],
  ["an http jwks_uri", { ...complete, jwks_uri: "http://as.example.com/jwks" }, "jwks_uri must be an https URL"],
  [
    "an optional endpoint over http",
    { ...complete, revocation_endpoint: "http://as.example.com/revoke" },
    "revocation_endpoint must be an https URL"
  ],
  [
    "an http mTLS alias",
    { ...complete, mtls_endpoint_aliases: { token_endpoint: "http://mtls.as.example.com/token" } },
    "mtls_endpoint_aliases.token_endpoint must be an https URL"
  ],
  [
    "an http service_documentation",
    { ...complete, service_documentation: "http://docs.as.example.com/" },
    "service_documentation must be an https URL"
  ],
  ["an issuer with a query", { ...complete, issuer: `${issuer}?tenant=1` }, "the issuer must not have a query"],
  ["an issuer that is not a string", { ...complete, issuer: 1 }, "issuer must be a URL"],
  [
    "another issuer",
    { ...complete, issuer: "https://other.example.com" },
    "the metadata's issuer \"https://other.example.com\" is not this server's issuer https://as.example.com"
  ],
  ["the issuer with another path", { ...complete, issuer: `${issuer}/tenant` }, "is not this server's issuer"],
  [
    "another registration endpoint",
    { ...complete, registration_endpoint: `${issuer}/oauth/register` },
    "registration_endpoint \"https://as.example.com/oauth/register\" is not this server's"
  ],
  [
    "an http registration endpoint",
    { ...complete, registration_endpoint: "http://as.example.com/register" },
    "registration_endpoint must be an https URL"
  ]
]

describe("Discovery.checkMetadata", () => {
  it("accepts metadata that meets RFC 8414 section 2, answering it unchanged", () => {
    for (const [name, metadata] of accepted) {
      const checked = Discovery.checkMetadata(metadata, ours)
      assert.deepStrictEqual(checked, Either.right(metadata), name)
      assert.strictEqual(Either.getOrThrow(checked), metadata, `${name}: the same object`)
    }
  })

  it("refuses, with the reason", () => {
    for (const [name, metadata, reason] of refused) {
      const checked = Discovery.checkMetadata(metadata, ours)
      assert.isTrue(Either.isLeft(checked), `${name}: accepted`)
      assert.include(Either.getOrThrow(Either.flip(checked)), reason, name)
    }
  })

  it("without the server's issuer, a stated issuer and registration endpoint are only checked as URLs", () => {
    const stated = {
      ...complete,
      issuer: "https://other.example.com",
      registration_endpoint: "https://other.example.com/r"
    }
    assert.deepStrictEqual(Discovery.checkMetadata(stated), Either.right(stated))
    assert.isTrue(Either.isLeft(Discovery.checkMetadata({ ...complete, issuer: "https://x.example.com#f" })))
  })

  it("the server's issuer is compared as an issuer: a trailing slash on either side is the same issuer", () => {
    const slashed = { issuer: `${issuer}/`, registrationEndpoint: `${issuer}/register` }
    assert.isTrue(Either.isRight(Discovery.checkMetadata({ ...complete, issuer }, slashed)))
    assert.isTrue(Either.isRight(Discovery.checkMetadata({ ...complete, issuer: "HTTPS://AS.example.com" }, ours)))
  })

  it("the published document: the metadata with our issuer and registration endpoint", () => {
    const metadata = Either.getOrThrow(Discovery.checkMetadata({ ...complete, scopes_supported: ["mcp"] }, ours))
    assert.deepStrictEqual(Discovery.metadata({ ...ours, metadata }), {
      ...complete,
      scopes_supported: ["mcp"],
      issuer,
      registration_endpoint: ours.registrationEndpoint
    })
  })
})
