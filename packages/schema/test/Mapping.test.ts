import {
  Client,
  ClientInformationResponse,
  ClientMetadata,
  clientToInformationResponse,
  clientToMetadata,
  informationResponseToClient,
  metadataToClient,
  RegisteredClientMetadata
} from "@effect-dcr/schema"
import { assert, describe, it } from "@effect/vitest"
import { Redacted, Schema } from "effect"

/** Members with no `Client` field: dropped by the mapping unless allow-listed as custom metadata. */
const unmapped = [
  "software_statement",
  "post_logout_redirect_uris",
  "frontchannel_logout_uri",
  "frontchannel_logout_session_required"
]

const withoutUnmapped = (m: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(m).filter(([k]) => !unmapped.includes(k)))

const throughTheWire = (client: Client): Client =>
  Schema.decodeUnknownSync(Client)(JSON.parse(JSON.stringify(Schema.encodeSync(Client)(client))))

describe("metadataToClient / clientToMetadata", () => {
  it("maps enums to Authlete wire names, tagged members to TaggedValues, jwks to a string", () => {
    const client = metadataToClient({
      redirect_uris: ["https://a.example/cb"],
      token_endpoint_auth_method: "private_key_jwt",
      grant_types: ["authorization_code", "urn:openid:params:grant-type:ciba"],
      response_types: ["code id_token", "code"],
      client_name: "App",
      "client_name#ja": "アプリ",
      "logo_uri#fr": "https://a.example/fr.png",
      jwks: { keys: [{ kty: "EC", kid: "k1" }] },
      id_token_encrypted_response_alg: "RSA-OAEP-256",
      id_token_encrypted_response_enc: "A128CBC-HS256",
      backchannel_token_delivery_mode: "poll",
      require_pushed_authorization_requests: true,
      initiate_login_uri: "https://a.example/login",
      default_max_age: 3600,
      use_mtls_endpoint_aliases: true,
      response_modes: ["query.jwt"],
      x_unlisted: 1
    })
    assert.deepStrictEqual(client, {
      redirectUris: ["https://a.example/cb"],
      tokenAuthMethod: "PRIVATE_KEY_JWT",
      grantTypes: ["AUTHORIZATION_CODE", "CIBA"],
      responseTypes: ["CODE_ID_TOKEN", "CODE"],
      clientName: "App",
      clientNames: [{ tag: "ja", value: "アプリ" }],
      logoUris: [{ tag: "fr", value: "https://a.example/fr.png" }],
      jwks: "{\"keys\":[{\"kty\":\"EC\",\"kid\":\"k1\"}]}",
      idTokenEncryptionAlg: "RSA_OAEP_256",
      idTokenEncryptionEnc: "A128CBC_HS256",
      bcDeliveryMode: "POLL",
      parRequired: true,
      loginUri: "https://a.example/login",
      defaultMaxAge: 3600,
      mtlsEndpointAliasesUsed: true,
      responseModes: ["QUERY_JWT"]
    })
  })

  it("scope ⇄ extension.requestableScopes only under the service flags", () => {
    const metadata = { scope: "openid profile" } as ClientMetadata
    assert.deepStrictEqual(metadataToClient(metadata), {})
    const client = metadataToClient(metadata, { scopeAsRequestableScopes: true })
    assert.deepStrictEqual(client.extension, {
      requestableScopes: ["openid", "profile"],
      requestableScopesEnabled: true
    })
    assert.strictEqual(clientToMetadata(client).scope, "openid profile")
    assert.isUndefined(
      clientToMetadata({ extension: { requestableScopes: ["a"], requestableScopesEnabled: false } }).scope
    )
    assert.isUndefined(clientToMetadata({ extension: { requestableScopes: [], requestableScopesEnabled: true } }).scope)
  })

  it("custom metadata: allow-listed names ⇄ Client.customMetadata", () => {
    const metadata = {
      client_name: "a",
      tenant: "t1",
      plan: { tier: 2 },
      other: true,
      client_id: "x"
    } as ClientMetadata
    const client = metadataToClient(metadata, { customMetadataNames: ["tenant", "plan", "client_id", "client_name"] })
    assert.strictEqual(client.customMetadata, "{\"tenant\":\"t1\",\"plan\":{\"tier\":2}}")
    assert.deepStrictEqual(clientToMetadata(client), { client_name: "a", tenant: "t1", plan: { tier: 2 } })
    assert.isUndefined(metadataToClient(metadata).customMetadata)
  })

  it("is total on odd Client values: unknown wire enums, bad JSON strings", () => {
    const metadata = clientToMetadata({
      tokenAuthMethod: "SPIFFE_JWT_V2",
      grantTypes: ["AUTHORIZATION_CODE", "FUTURE_GRANT"],
      jwks: "not json",
      customMetadata: "[1,2]",
      clientNames: [{ tag: "de", value: "App" }, { value: "no tag" }],
      authTimeRequired: false
    })
    assert.deepStrictEqual(metadata, {
      grant_types: ["authorization_code"],
      "client_name#de": "App",
      require_auth_time: false
    })
    assert.isUndefined(clientToMetadata({ authTimeRequired: false }, { style: "authlete" }).require_auth_time)
  })

  it.prop(
    "toMetadata ∘ toClient is the identity on registered metadata (through the Client wire format)",
    [RegisteredClientMetadata],
    ([metadata]) => {
      const options = { scopeAsRequestableScopes: true }
      const client = metadataToClient(metadata, options)
      assert.isTrue(Schema.is(Client)(client))
      assert.deepStrictEqual(clientToMetadata(throughTheWire(client)), withoutUnmapped(metadata))
    },
    { fastCheck: { numRuns: 200 } }
  )

  it.prop(
    "toClient ∘ toMetadata ∘ toClient = toClient (custom metadata included)",
    [ClientMetadata],
    ([metadata]) => {
      const customMetadataNames = Object.keys(metadata).filter((k) => k.startsWith("x_"))
      const options = { scopeAsRequestableScopes: true, customMetadataNames }
      const client = metadataToClient(metadata, options)
      const back = clientToMetadata(client)
      for (const name of customMetadataNames) assert.deepStrictEqual(back[name], metadata[name])
      assert.deepStrictEqual(metadataToClient(back, options), client)
    },
    { fastCheck: { numRuns: 200 } }
  )
  it.prop(
    "output member order is the mapping table's, whatever the input order (JSON bytes are stable)",
    [RegisteredClientMetadata],
    ([withTagged]) => {
      // (language-tagged values keep the order the request gave them; leave them out here)
      const entries = Object.entries(withTagged).filter(([name]) => !name.includes("#"))
      const metadata = Object.fromEntries(entries) as typeof withTagged
      const reversed = Object.fromEntries(entries.reverse()) as typeof withTagged
      const options = { scopeAsRequestableScopes: true }
      const client = metadataToClient(metadata, options)
      assert.strictEqual(JSON.stringify(metadataToClient(reversed, options)), JSON.stringify(client))
      const reversedClient = Object.fromEntries(Object.entries(client).reverse()) as Client
      assert.strictEqual(JSON.stringify(clientToMetadata(reversedClient)), JSON.stringify(clientToMetadata(client)))
    },
    { fastCheck: { numRuns: 100 } }
  )
})

describe("client information response ⇄ Client", () => {
  it("client_id string ⇄ number, seconds ⇄ milliseconds, secret only for confidential clients", () => {
    const client: Client = {
      clientId: 26837717140341,
      clientSecret: Redacted.make("s3cr3t"),
      clientType: "CONFIDENTIAL",
      createdAt: 1641735467999,
      clientName: "x",
      tokenAuthMethod: "CLIENT_SECRET_POST"
    }
    const response = clientToInformationResponse(client, {
      registrationClientUri: "https://as.example/reg/26837717140341"
    })
    assert.strictEqual(response.client_id, "26837717140341")
    assert.strictEqual(response.client_id_issued_at, 1641735467)
    assert.strictEqual(Redacted.value(response.client_secret!), "s3cr3t")
    assert.strictEqual(response.client_secret_expires_at, 0)
    assert.isTrue(Schema.is(ClientInformationResponse)(response))

    const publicResponse = clientToInformationResponse({ ...client, clientType: "PUBLIC", tokenAuthMethod: "NONE" })
    assert.isUndefined(publicResponse.client_secret)
    assert.isUndefined(publicResponse.client_secret_expires_at)

    const { clientSecret: _, ...withoutSecret } = client
    const notRepeated = clientToInformationResponse(withoutSecret)
    assert.isUndefined(notRepeated.client_secret)
    assert.strictEqual(notRepeated.client_secret_expires_at, 0)

    const back = informationResponseToClient(response)
    assert.strictEqual(back.clientId, 26837717140341)
    assert.strictEqual(back.createdAt, 1641735467000)
    assert.strictEqual(Redacted.value(back.clientSecret!), "s3cr3t")
    assert.strictEqual(back.tokenAuthMethod, "CLIENT_SECRET_POST")
  })

  it("server-only names in custom metadata never override the issued credentials", () => {
    const response = clientToInformationResponse({
      clientId: 1,
      clientType: "PUBLIC",
      customMetadata: "{\"client_id\":\"evil\",\"client_secret\":\"chosen\",\"tenant\":\"t\"}"
    })
    assert.strictEqual(response.client_id, "1")
    assert.isUndefined(response.client_secret)
    assert.strictEqual(response.tenant, "t")
  })
})
