import {
  applyClientMetadataDefaults,
  decodeClientMetadataJson,
  effectiveFlowTypes,
  parseClientMetadata,
  validateClientMetadata
} from "@effect-dcr/schema"
import type { ClientMetadata } from "@effect-dcr/schema"
import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"

const decode = (input: object): ClientMetadata => Either.getOrThrow(decodeClientMetadataJson(JSON.stringify(input)))

const rejects = (input: object, error: string, description: string) =>
  assert.deepStrictEqual(
    parseClientMetadata(JSON.stringify(input)),
    Either.left({ error, error_description: description })
  )

const accepts = (input: object): ClientMetadata => {
  const result = parseClientMetadata(JSON.stringify(input))
  if (Either.isLeft(result)) assert.fail(JSON.stringify(result.left))
  return result.right
}

const web = { redirect_uris: ["https://app.example.com/cb"] }

describe("validateClientMetadata (cross-member rules)", () => {
  it("jwks and jwks_uri together", () =>
    rejects(
      { ...web, jwks_uri: "https://app.example.com/jwks", jwks: { keys: [] } },
      "invalid_client_metadata",
      "jwks and jwks_uri must not both be present (RFC 7591 section 2): send the keys one way only"
    ))

  it("a response type whose grant type is missing", () => {
    rejects(
      { ...web, grant_types: ["implicit"], response_types: ["code"] },
      "invalid_client_metadata",
      "response_types contains \"code\", which needs grant_types to include \"authorization_code\""
    )
    rejects(
      { ...web, grant_types: ["authorization_code"], response_types: ["code", "id_token code"] },
      "invalid_client_metadata",
      "response_types contains \"code id_token\", which needs grant_types to include \"implicit\""
    )
  })

  it("a grant type with no response type using it", () => {
    rejects(
      { ...web, grant_types: ["authorization_code"], response_types: [] },
      "invalid_client_metadata",
      "grant_types contains \"authorization_code\", so response_types must contain a response type with \"code\""
    )
    rejects(
      { ...web, grant_types: ["implicit"] },
      "invalid_client_metadata",
      "grant_types contains \"implicit\", so response_types must contain a response type with \"token\" or \"id_token\""
    )
  })

  it("authorization_code or implicit without redirect URIs is invalid_redirect_uri", () => {
    rejects(
      { client_name: "x" },
      "invalid_redirect_uri",
      "redirect_uris must contain at least one redirection URI when grant_types includes \"authorization_code\" (the default)"
    )
    rejects(
      { redirect_uris: [], grant_types: ["implicit"], response_types: ["id_token"] },
      "invalid_redirect_uri",
      "redirect_uris must contain at least one redirection URI when grant_types includes \"implicit\""
    )
    assert.deepStrictEqual(
      validateClientMetadata(decode({ client_name: "x" })),
      Either.left({
        error: "invalid_redirect_uri",
        error_description:
          "redirect_uris must contain at least one redirection URI when grant_types includes \"authorization_code\" (the default)"
      })
    )
  })

  it("Authlete's own minimal examples pass with requireRedirectUrisForDefaultGrant: false", () => {
    const options = { requireRedirectUrisForDefaultGrant: false }
    const register = parseClientMetadata("{ \"client_name\": \"My Dynamic Client\" }", options)
    assert.deepStrictEqual(
      register,
      Either.right({
        client_name: "My Dynamic Client",
        token_endpoint_auth_method: "client_secret_basic",
        grant_types: ["authorization_code"],
        response_types: ["code"],
        id_token_signed_response_alg: "RS256",
        subject_type: "public"
      })
    )
    // The OAS2 update example: the whole client information response sent back, minus the token.
    const update = parseClientMetadata(
      JSON.stringify({
        client_name: "My Updated Dynamic Client",
        default_max_age: 0,
        registration_client_uri: "https://my-service.example.com/dcr/register/26837717140341",
        client_id: "26837717140341",
        token_endpoint_auth_method: "client_secret_basic",
        require_pushed_authorization_requests: false,
        backchannel_user_code_parameter: false,
        client_secret: "bMsjvZm2FE1_mqJgxhmYj_Wr8rA0Pia_A_j-V076qQm6-P1edKB055W579GBe7MSbOdxZ3dJKsKinCtdIFwxpw",
        tls_client_certificate_bound_access_tokens: false,
        id_token_signed_response_alg: "RS256",
        subject_type: "public",
        require_signed_request_object: false
      }),
      options
    )
    assert.isTrue(Either.isRight(update))
    assert.strictEqual(Either.getOrThrow(update).client_id, "26837717140341")
    // Asking for the code flow explicitly still needs a redirect URI.
    rejects(
      { grant_types: ["authorization_code"] },
      "invalid_redirect_uri",
      "redirect_uris must contain at least one redirection URI when grant_types includes \"authorization_code\""
    )
    assert.strictEqual(
      Either.flip(parseClientMetadata(JSON.stringify({ response_types: ["code"] }), options)).pipe(Either.getOrThrow)
        .error,
      "invalid_redirect_uri"
    )
  })

  it("an *_enc without its *_alg", () =>
    rejects(
      { ...web, userinfo_encrypted_response_enc: "A256GCM" },
      "invalid_client_metadata",
      "userinfo_encrypted_response_enc is present, so userinfo_encrypted_response_alg must be present too"
    ))

  it("token_endpoint_auth_signing_alg none", () =>
    rejects(
      { ...web, token_endpoint_auth_method: "private_key_jwt", token_endpoint_auth_signing_alg: "none" },
      "invalid_client_metadata",
      "token_endpoint_auth_signing_alg must not be \"none\""
    ))

  it("tls_client_auth needs exactly one subject member", () => {
    rejects(
      { ...web, token_endpoint_auth_method: "tls_client_auth" },
      "invalid_client_metadata",
      "token_endpoint_auth_method \"tls_client_auth\" needs exactly one of tls_client_auth_subject_dn, tls_client_auth_san_dns, tls_client_auth_san_uri, tls_client_auth_san_ip, tls_client_auth_san_email (got none)"
    )
    rejects(
      {
        ...web,
        token_endpoint_auth_method: "tls_client_auth",
        tls_client_auth_subject_dn: "CN=a",
        tls_client_auth_san_dns: "a.example"
      },
      "invalid_client_metadata",
      "token_endpoint_auth_method \"tls_client_auth\" needs exactly one of tls_client_auth_subject_dn, tls_client_auth_san_dns, tls_client_auth_san_uri, tls_client_auth_san_ip, tls_client_auth_san_email (got tls_client_auth_subject_dn, tls_client_auth_san_dns)"
    )
    accepts({ ...web, token_endpoint_auth_method: "tls_client_auth", tls_client_auth_subject_dn: "CN=a" })
  })

  it("CIBA needs a delivery mode, and ping/push a notification endpoint", () => {
    const ciba = { grant_types: ["urn:openid:params:grant-type:ciba"] }
    rejects(
      ciba,
      "invalid_client_metadata",
      "backchannel_token_delivery_mode is required when grant_types includes \"urn:openid:params:grant-type:ciba\""
    )
    rejects(
      { ...ciba, backchannel_token_delivery_mode: "ping" },
      "invalid_client_metadata",
      "backchannel_client_notification_endpoint is required when backchannel_token_delivery_mode is \"ping\""
    )
    const poll = accepts({ ...ciba, backchannel_token_delivery_mode: "poll" })
    assert.deepStrictEqual(poll.response_types, [])
  })

  it("a client_credentials-only client needs no redirect URI and gets no response type", () => {
    const metadata = accepts({ grant_types: ["client_credentials"], token_endpoint_auth_method: "client_secret_post" })
    assert.deepStrictEqual(metadata.grant_types, ["client_credentials"])
    assert.deepStrictEqual(metadata.response_types, [])
  })

  it("MCP registrations succeed (public client, loopback redirect URIs)", () => {
    for (
      const redirect of [
        "http://localhost:6274/oauth/callback",
        "http://127.0.0.1:33418/callback",
        "http://localhost/callback"
      ]
    ) {
      const metadata = accepts({
        client_name: "Claude Code (mcp)",
        redirect_uris: [redirect],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: "none"
      })
      assert.deepStrictEqual(metadata.redirect_uris, [redirect])
      assert.strictEqual(metadata.token_endpoint_auth_method, "none")
    }
    // The minimal MCP form: only redirect URIs and the auth method.
    const minimal = accepts({ redirect_uris: ["http://127.0.0.1:5555/cb"], token_endpoint_auth_method: "none" })
    assert.deepStrictEqual(minimal.grant_types, ["authorization_code"])
    assert.deepStrictEqual(minimal.response_types, ["code"])
  })
})

describe("uriRules (the rules of UriRules, opt-in)", () => {
  const parse = (input: object) => parseClientMetadata(JSON.stringify(input), { uriRules: {} })

  it("runs after the defaults: a native client's http redirect URI to another host", () =>
    assert.deepStrictEqual(
      parse({ application_type: "native", redirect_uris: ["com.example.app:/cb", "http://app.example.com/cb"] }),
      Either.left({
        error: "invalid_redirect_uri",
        error_description:
          "redirect_uris[1]: a native client may use http only on a loopback host (localhost, 127.0.0.1, [::1]) (RFC 8252 section 7.3)"
      })
    ))

  it("takes the options", () => {
    const loopback = { redirect_uris: ["http://localhost:6274/cb"], token_endpoint_auth_method: "none" }
    assert.isTrue(Either.isRight(parse(loopback)))
    assert.isTrue(
      Either.isLeft(parseClientMetadata(JSON.stringify(loopback), { uriRules: { allowLoopbackHttp: false } }))
    )
  })

  it("is off by default", () =>
    assert.isTrue(Either.isRight(
      parseClientMetadata(JSON.stringify({ application_type: "native", redirect_uris: ["http://app.example.com/cb"] }))
    )))
})

describe("applyClientMetadataDefaults", () => {
  it("RFC 7591 §2 and observed Authlete defaults", () =>
    assert.deepStrictEqual(applyClientMetadataDefaults(decode(web)), {
      ...web,
      token_endpoint_auth_method: "client_secret_basic",
      grant_types: ["authorization_code"],
      response_types: ["code"],
      id_token_signed_response_alg: "RS256",
      subject_type: "public"
    }))

  it("without the OpenID Connect defaults", () =>
    assert.deepStrictEqual(applyClientMetadataDefaults(decode(web), { oidc: false }), {
      ...web,
      token_endpoint_auth_method: "client_secret_basic",
      grant_types: ["authorization_code"],
      response_types: ["code"]
    }))

  it("never overrides a member that is present; keeps unknown members", () => {
    const input = {
      ...web,
      token_endpoint_auth_method: "none",
      grant_types: ["implicit"],
      response_types: ["id_token"],
      id_token_signed_response_alg: "ES256",
      subject_type: "pairwise",
      x_custom: 1
    }
    assert.deepStrictEqual(applyClientMetadataDefaults(decode(input)), input as ClientMetadata)
  })

  it("encryption enc defaults to A128CBC-HS256 when only the alg is given", () => {
    const out = applyClientMetadataDefaults(
      decode({ ...web, id_token_encrypted_response_alg: "RSA-OAEP", authorization_encrypted_response_alg: "dir" })
    )
    assert.strictEqual(out.id_token_encrypted_response_enc, "A128CBC-HS256")
    assert.strictEqual(out.authorization_encrypted_response_enc, "A128CBC-HS256")
    assert.strictEqual(out.userinfo_encrypted_response_enc, undefined)
  })

  it("effectiveFlowTypes derives a consistent pair", () => {
    assert.deepStrictEqual(effectiveFlowTypes({}), { grant_types: ["authorization_code"], response_types: ["code"] })
    assert.deepStrictEqual(effectiveFlowTypes({ response_types: ["code id_token"] }), {
      grant_types: ["authorization_code", "implicit"],
      response_types: ["code id_token"]
    })
    assert.deepStrictEqual(effectiveFlowTypes({ response_types: ["none"] }), {
      grant_types: ["authorization_code"],
      response_types: ["none"]
    })
    assert.deepStrictEqual(effectiveFlowTypes({ grant_types: ["refresh_token", "authorization_code"] }), {
      grant_types: ["refresh_token", "authorization_code"],
      response_types: ["code"]
    })
  })

  it("parseClientMetadata with applyDefaults: false validates what was sent", () => {
    const result = parseClientMetadata(JSON.stringify({ grant_types: ["client_credentials"] }), {
      applyDefaults: false
    })
    assert.deepStrictEqual(result, Either.right({ grant_types: ["client_credentials"] }))
  })

  it("response types in any order are normalised before the rules run", () => {
    const metadata = accepts({
      ...web,
      grant_types: ["authorization_code", "implicit"],
      response_types: ["id_token code"]
    })
    assert.deepStrictEqual(metadata.response_types, ["code id_token"])
  })
})
