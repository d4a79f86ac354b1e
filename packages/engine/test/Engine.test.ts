import { ClientStore, Engine } from "@effect-dcr/engine"
import * as SqliteClientStore from "@effect-dcr/engine/SqliteClientStore"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Config, ConfigProvider, Effect, Layer, Logger, LogLevel, Option, Redacted, Ref } from "effect"
import * as TestClock from "effect/TestClock"
import { content, get, register, registered, registrationEndpoint, remove, update, webClient } from "./_helpers.js"
import { engineOn, forEachStore, type StoreDatabase } from "./_stores.js"

forEachStore("Engine", (store) => {
  const engine = engineOn(store)

  describe("Engine.register", () => {
    it.effect("CREATED with the RFC 7591 client information response and the Authlete Client", () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(1_700_000_000_789)
        const { clientId, info, response, token } = yield* registered(webClient)
        assert.match(clientId, /^[1-9][0-9]{14}$/)
        assert.strictEqual(response.resultCode, "A202001")
        assert.strictEqual(response.resultMessage, `[A202001] The client was created with id ${clientId}.`)
        assert.match(info.client_secret, /^[A-Za-z0-9_-]{86}$/)
        assert.strictEqual(info.client_secret_expires_at, 0)
        assert.strictEqual(info.client_id_issued_at, 1_700_000_000)
        assert.strictEqual(token.slice(0, clientId.length + 1), `${clientId}.`)
        assert.match(token, /^[0-9]{15}\.[A-Za-z0-9_-]{43}$/)
        assert.strictEqual(info.registration_client_uri, `${registrationEndpoint}/${clientId}`)
        assert.strictEqual(info.client_name, "Example App")
        assert.deepStrictEqual(info.redirect_uris, webClient.redirect_uris)
        assert.strictEqual(info.token_endpoint_auth_method, "client_secret_basic")
        const client = response.client!
        assert.strictEqual(client.clientId, Number(clientId))
        assert.strictEqual(client.clientName, "Example App")
        assert.strictEqual(client.clientType, "CONFIDENTIAL")
        assert.strictEqual(client.tokenAuthMethod, "CLIENT_SECRET_BASIC")
        assert.strictEqual(client.dynamicallyRegistered, true)
        assert.strictEqual(client.createdAt, 1_700_000_000_789)
        assert.strictEqual(client.modifiedAt, 1_700_000_000_789)
        assert.strictEqual(Redacted.value(client.clientSecret!), info.client_secret)
      }).pipe(Effect.provide(engine())))

    it.effect("every registration gets its own id, secret and token", () =>
      Effect.gen(function*() {
        const a = yield* registered(webClient)
        const b = yield* registered(webClient)
        assert.notStrictEqual(a.clientId, b.clientId)
        assert.notStrictEqual(a.info.client_secret, b.info.client_secret)
        assert.notStrictEqual(a.token, b.token)
      }).pipe(Effect.provide(engine())))

    it.effect("a public client (token_endpoint_auth_method none) gets no client secret", () =>
      Effect.gen(function*() {
        const { info, response } = yield* registered({
          redirect_uris: ["http://127.0.0.1:33418/callback"],
          token_endpoint_auth_method: "none"
        })
        assert.isUndefined(info.client_secret)
        assert.isUndefined(info.client_secret_expires_at)
        assert.strictEqual(info.token_endpoint_auth_method, "none")
        assert.strictEqual(response.client!.clientType, "PUBLIC")
        assert.isUndefined(response.client!.clientSecret)
      }).pipe(Effect.provide(engine())))

    it.effect("a client-chosen client_id and client_secret are ignored", () =>
      Effect.gen(function*() {
        const { clientId, info } = yield* registered({
          ...webClient,
          client_id: "123456789012345",
          client_secret: "my-own-secret",
          registration_access_token: "my-own-token"
        })
        assert.notStrictEqual(clientId, "123456789012345")
        assert.notStrictEqual(info.client_secret, "my-own-secret")
        assert.notStrictEqual(info.registration_access_token, "my-own-token")
      }).pipe(Effect.provide(engine())))

    it.effect("unknown metadata is ignored, not rejected", () =>
      Effect.gen(function*() {
        const { info } = yield* registered({ ...webClient, x_unknown_field: { deep: [1, 2] }, software_name: "x" })
        assert.isUndefined(info.x_unknown_field)
        assert.strictEqual(info.client_name, "Example App")
      }).pipe(Effect.provide(engine())))

    it.effect("bad JSON, a non-object and wrong types are BAD_REQUEST invalid_client_metadata", () =>
      Effect.gen(function*() {
        for (const json of ["{", "[]", "\"a string\"", "null", "42", JSON.stringify({ client_name: 5 })]) {
          const response = yield* register(json)
          assert.strictEqual(response.action, "BAD_REQUEST", json)
          assert.strictEqual(response.resultCode, "A202301")
          const error = content(response)
          assert.strictEqual(error.error, "invalid_client_metadata", json)
          assert.isString(error.error_description)
          assert.strictEqual(response.resultMessage, `[A202301] ${error.error_description}`)
          assert.isUndefined(response.client)
        }
      }).pipe(Effect.provide(engine())))

    it.effect("RFC 7591 rules come back as BAD_REQUEST naming the field", () =>
      Effect.gen(function*() {
        const cases: ReadonlyArray<readonly [unknown, string, string]> = [
          [{ redirect_uris: ["/relative"] }, "invalid_redirect_uri", "redirect_uris"],
          [{ redirect_uris: ["https://app.example.com/cb#frag"] }, "invalid_redirect_uri", "redirect_uris"],
          [{ client_name: "no redirect" }, "invalid_redirect_uri", "redirect_uris"],
          [
            { ...webClient, grant_types: ["implicit"], response_types: ["code"] },
            "invalid_client_metadata",
            "response_types"
          ],
          [
            { ...webClient, token_endpoint_auth_method: "magic" },
            "invalid_client_metadata",
            "token_endpoint_auth_method"
          ],
          [
            { ...webClient, jwks_uri: "https://app.example.com/jwks", jwks: { keys: [] } },
            "invalid_client_metadata",
            "jwks"
          ],
          [{ ...webClient, client_uri: "not a uri" }, "invalid_client_metadata", "client_uri"]
        ]
        for (const [metadata, error, field] of cases) {
          const response = yield* register(metadata)
          assert.strictEqual(response.action, "BAD_REQUEST", JSON.stringify(metadata))
          const body = content(response)
          assert.strictEqual(body.error, error, JSON.stringify(metadata))
          assert.include(body.error_description, field)
        }
      }).pipe(Effect.provide(engine())))

    it.effect("requireRedirectUrisForDefaultGrant: false accepts Authlete's client_name-only example, not an explicit code flow", () =>
      Effect.gen(function*() {
        const { info } = yield* registered({ client_name: "My Dynamic Client" })
        assert.deepStrictEqual(info.grant_types, ["authorization_code"])
        assert.isUndefined(info.redirect_uris)
        for (
          const metadata of [{ client_name: "x", grant_types: ["authorization_code"] }, { response_types: ["code"] }]
        ) {
          const response = yield* register(metadata)
          assert.strictEqual(response.action, "BAD_REQUEST", JSON.stringify(metadata))
          assert.strictEqual(content(response).error, "invalid_redirect_uri")
        }
      }).pipe(Effect.provide(engine({ requireRedirectUrisForDefaultGrant: false }))))

    it.effect("the defaults applied are echoed", () =>
      Effect.gen(function*() {
        const { info, response } = yield* registered(webClient)
        assert.deepStrictEqual(info.grant_types, ["authorization_code"])
        assert.deepStrictEqual(info.response_types, ["code"])
        assert.strictEqual(info.token_endpoint_auth_method, "client_secret_basic")
        assert.deepStrictEqual(response.client!.grantTypes, ["AUTHORIZATION_CODE"])
        assert.deepStrictEqual(response.client!.responseTypes, ["CODE"])
      }).pipe(Effect.provide(engine())))

    it.effect("MCP-style public clients with loopback redirect URIs register", () =>
      Effect.gen(function*() {
        const { info } = yield* registered({
          client_name: "MCP Inspector",
          redirect_uris: ["http://localhost:6274/oauth/callback", "http://127.0.0.1:6274/oauth/callback"],
          grant_types: ["authorization_code", "refresh_token"],
          response_types: ["code"],
          token_endpoint_auth_method: "none"
        })
        assert.isUndefined(info.client_secret)
        assert.deepStrictEqual(info.grant_types, ["authorization_code", "refresh_token"])
      }).pipe(Effect.provide(engine())))

    it.effect("a client secret can never be allow-listed as custom metadata", () =>
      Effect.gen(function*() {
        const { info, response } = yield* registered({ ...webClient, client_secret: "mine", tenant: "t" })
        assert.notStrictEqual(info.client_secret, "mine")
        assert.deepStrictEqual(JSON.parse(response.client!.customMetadata!), { tenant: "t" })
      }).pipe(Effect.provide(engine({ supportedCustomClientMetadata: ["client_secret", "tenant"] }))))

    it.effect("an initial access token, when configured, is required", () =>
      Effect.gen(function*() {
        for (const token of [undefined, "wrong", "", "initial-token-1x"]) {
          const response = yield* register(webClient, token)
          assert.strictEqual(response.action, "UNAUTHORIZED")
          assert.strictEqual(response.resultCode, "A202303")
          assert.strictEqual(content(response).error, "invalid_token")
        }
        yield* registered(webClient, "initial-token-1")
        yield* registered(webClient, "initial-token-2")
      }).pipe(Effect.provide(engine({
        initialAccessTokens: [Redacted.make("initial-token-1"), Redacted.make("initial-token-2")]
      }))))

    it.effect("a duplicate software_id is refused when dcrDuplicateSoftwareIdBlocked", () =>
      Effect.gen(function*() {
        yield* registered({ ...webClient, software_id: "app-1" })
        const response = yield* register({ ...webClient, software_id: "app-1" })
        assert.strictEqual(response.action, "BAD_REQUEST")
        assert.strictEqual(response.resultCode, "A202302")
        assert.strictEqual(content(response).error, "invalid_client_metadata")
        yield* registered({ ...webClient, software_id: "app-2" })
        yield* registered(webClient)
        yield* registered(webClient)
      }).pipe(Effect.provide(engine({ dcrDuplicateSoftwareIdBlocked: true }))))

    it.effect("a duplicate software_id is allowed by default", () =>
      Effect.gen(function*() {
        yield* registered({ ...webClient, software_id: "app-1" })
        yield* registered({ ...webClient, software_id: "app-1" })
      }).pipe(Effect.provide(engine())))

    it.effect("scope becomes requestable scopes when dcrScopeUsedAsRequestable", () =>
      Effect.gen(function*() {
        const { info, response } = yield* registered({ ...webClient, scope: "openid profile" })
        assert.deepStrictEqual(response.client!.extension?.requestableScopes, ["openid", "profile"])
        assert.strictEqual(response.client!.extension?.requestableScopesEnabled, true)
        assert.strictEqual(info.scope, "openid profile")
      }).pipe(Effect.provide(engine({ dcrScopeUsedAsRequestable: true }))))

    it.effect("scope is discarded by default (Authlete's behaviour)", () =>
      Effect.gen(function*() {
        const { info, response } = yield* registered({ ...webClient, scope: "openid profile" })
        assert.notStrictEqual(response.client!.extension?.requestableScopesEnabled, true)
        assert.isUndefined(info.scope)
      }).pipe(Effect.provide(engine())))

    it.effect("supported custom metadata is kept in customMetadata and echoed; others are dropped", () =>
      Effect.gen(function*() {
        const { clientId, info, response, token } = yield* registered({ ...webClient, tenant: "acme", other: 1 })
        assert.deepStrictEqual(JSON.parse(response.client!.customMetadata!), { tenant: "acme" })
        assert.strictEqual(info.tenant, "acme")
        assert.isUndefined(info.other)
        const read = content(yield* get(clientId, token))
        assert.strictEqual(read.tenant, "acme")
      }).pipe(Effect.provide(engine({ supportedCustomClientMetadata: ["tenant"] }))))
  })

  describe("Engine.get / update / delete", () => {
    it.effect("get answers OK with the same client information (the secret is not repeated)", () =>
      Effect.gen(function*() {
        const { clientId, info, token } = yield* registered({ ...webClient, software_id: "sw", software_version: "1" })
        const response = yield* get(clientId, token)
        assert.strictEqual(response.action, "OK")
        assert.strictEqual(response.resultCode, "A217001")
        assert.strictEqual(response.resultMessage, "[A217001] The client information has been returned.")
        const read = content(response)
        const { client_secret: _secret, ...expected } = info
        assert.deepStrictEqual(read, expected)
        assert.strictEqual(response.client!.clientId, Number(clientId))
        assert.isUndefined(response.client!.clientSecret)
      }).pipe(Effect.provide(engine())))

    it.effect("wrong token, another client's token and an unknown client are UNAUTHORIZED invalid_token", () =>
      Effect.gen(function*() {
        const a = yield* registered({ ...webClient, client_name: "A" })
        const b = yield* registered({ ...webClient, client_name: "B" })
        const attempts = [
          [a.clientId, b.token],
          [a.clientId, "wrong"],
          [a.clientId, ""],
          [a.clientId, a.token + "x"],
          ["100000000000000", a.token],
          ["not-a-number", a.token]
        ] as const
        for (const [clientId, token] of attempts) {
          for (
            const response of [
              yield* get(clientId, token),
              yield* update(clientId, token, { client_id: clientId, client_name: "hijack" }),
              yield* remove(clientId, token)
            ]
          ) {
            assert.strictEqual(response.action, "UNAUTHORIZED")
            assert.match(response.resultCode!, /^A21[376]301$/)
            assert.strictEqual(content(response).error, "invalid_token")
            assert.isUndefined(response.client)
            assert.notInclude(response.responseContent!, "\"A\"")
            assert.notInclude(response.responseContent!, "hijack")
          }
        }
        // A's token was presented for an unknown client and B's for A: both are revoked (RFC 7592 §2)
        assert.strictEqual((yield* get(a.clientId, a.token)).action, "UNAUTHORIZED")
        assert.strictEqual((yield* get(b.clientId, b.token)).action, "UNAUTHORIZED")
      }).pipe(Effect.provide(engine())))

    it.effect("a wrong token for an existing client revokes nothing", () =>
      Effect.gen(function*() {
        const a = yield* registered({ ...webClient, client_name: "A" })
        for (const token of ["wrong", "", a.token + "x", a.token.slice(1)]) {
          assert.strictEqual((yield* get(a.clientId, token)).action, "UNAUTHORIZED")
        }
        assert.strictEqual(content(yield* get(a.clientId, a.token)).client_name, "A")
      }).pipe(Effect.provide(engine())))

    it.effect("a token presented for an unknown client is dead afterwards (RFC 7592 §2.1–2.3)", () =>
      Effect.gen(function*() {
        for (const misuse of [get, remove, (id: string, token: string) => update(id, token, { client_id: id })]) {
          const victim = yield* registered({ ...webClient, client_name: "victim" })
          const bystander = yield* registered({ ...webClient, client_name: "bystander" })
          const answer = yield* misuse("100000000000000", victim.token)
          assert.strictEqual(answer.action, "UNAUTHORIZED")
          assert.strictEqual(content(answer).error, "invalid_token")
          assert.strictEqual((yield* get(victim.clientId, victim.token)).action, "UNAUTHORIZED")
          assert.strictEqual(
            (yield* update(victim.clientId, victim.token, { ...webClient, client_id: victim.clientId }))
              .action,
            "UNAUTHORIZED"
          )
          assert.strictEqual((yield* remove(victim.clientId, victim.token)).action, "UNAUTHORIZED")
          assert.strictEqual(content(yield* get(bystander.clientId, bystander.token)).client_name, "bystander")
        }
      }).pipe(Effect.provide(engine())))

    it.effect("a token presented for another client is dead afterwards; that client keeps its own", () =>
      Effect.gen(function*() {
        const owner = yield* registered({ ...webClient, client_name: "owner" })
        const target = yield* registered({ ...webClient, client_name: "target" })
        const hijack = yield* update(target.clientId, owner.token, { ...webClient, client_id: target.clientId })
        assert.strictEqual(hijack.action, "UNAUTHORIZED")
        assert.strictEqual((yield* get(owner.clientId, owner.token)).action, "UNAUTHORIZED")
        assert.strictEqual(content(yield* get(target.clientId, target.token)).client_name, "target")
      }).pipe(Effect.provide(engine())))

    it.effect("token failures are BAD_REQUEST when unauthorizedOnClientConfigSupported is false", () =>
      Effect.gen(function*() {
        const a = yield* registered(webClient)
        for (
          const response of [
            yield* get(a.clientId, "wrong"),
            yield* update(a.clientId, "wrong", { client_id: a.clientId }),
            yield* remove(a.clientId, "wrong")
          ]
        ) {
          assert.strictEqual(response.action, "BAD_REQUEST")
          assert.strictEqual(content(response).error, "invalid_token")
        }
      }).pipe(Effect.provide(engine({ unauthorizedOnClientConfigSupported: false }))))

    it.effect("update replaces the registration: omitted fields are removed", () =>
      Effect.gen(function*() {
        const { clientId, info, token } = yield* registered({
          ...webClient,
          software_id: "sw",
          software_version: "1.0",
          contacts: ["ops@example.com"]
        })
        const response = yield* update(clientId, token, {
          client_id: clientId,
          redirect_uris: ["https://app.example.com/new"],
          client_name: "Renamed"
        })
        assert.strictEqual(response.action, "UPDATED")
        assert.strictEqual(response.resultCode, "A213001")
        assert.strictEqual(response.resultMessage, "[A213001] The client has been updated.")
        const updated = content(response)
        assert.strictEqual(updated.client_name, "Renamed")
        assert.deepStrictEqual(updated.redirect_uris, ["https://app.example.com/new"])
        assert.isUndefined(updated.software_id)
        assert.isUndefined(updated.software_version)
        assert.isUndefined(updated.contacts)
        assert.strictEqual(updated.client_id, clientId)
        assert.strictEqual(updated.client_id_issued_at, info.client_id_issued_at)
        assert.strictEqual(updated.registration_access_token, token)
        assert.isUndefined(updated.client_secret)
        assert.isAtLeast(response.client!.modifiedAt!, response.client!.createdAt!)
        const read = content(yield* get(clientId, token))
        assert.deepStrictEqual(read, updated)
      }).pipe(Effect.provide(engine())))

    it.effect("update requires the body's client_id to be the client's", () =>
      Effect.gen(function*() {
        const { clientId, token } = yield* registered(webClient)
        const other = yield* registered(webClient)
        for (const body of [webClient, { ...webClient, client_id: other.clientId }, { ...webClient, client_id: "" }]) {
          const response = yield* update(clientId, token, body)
          assert.strictEqual(response.action, "BAD_REQUEST")
          assert.strictEqual(response.resultCode, "A213303")
          assert.strictEqual(content(response).error, "invalid_request")
        }
        assert.strictEqual(content(yield* get(other.clientId, other.token)).client_name, "Example App")
      }).pipe(Effect.provide(engine())))

    it.effect("update accepts client_secret only when it is the current one", () =>
      Effect.gen(function*() {
        const { clientId, info, token } = yield* registered(webClient)
        const wrong = yield* update(clientId, token, { ...webClient, client_id: clientId, client_secret: "chosen" })
        assert.strictEqual(wrong.action, "BAD_REQUEST")
        assert.strictEqual(wrong.resultCode, "A213304")
        const right = yield* update(clientId, token, {
          ...webClient,
          client_id: clientId,
          client_secret: info.client_secret
        })
        assert.strictEqual(right.action, "UPDATED")
        assert.isUndefined(content(right).client_secret)
      }).pipe(Effect.provide(engine())))

    it.effect("update ignores registration_access_token, registration_client_uri and the timestamps", () =>
      Effect.gen(function*() {
        const { clientId, info, token } = yield* registered(webClient)
        const response = yield* update(clientId, token, {
          ...webClient,
          client_id: clientId,
          registration_access_token: "chosen-token",
          registration_client_uri: "https://evil.example/x",
          client_id_issued_at: 1,
          client_secret_expires_at: 99
        })
        assert.strictEqual(response.action, "UPDATED")
        const updated = content(response)
        assert.strictEqual(updated.registration_access_token, token)
        assert.strictEqual(updated.registration_client_uri, info.registration_client_uri)
        assert.strictEqual(updated.client_id_issued_at, info.client_id_issued_at)
        assert.strictEqual(updated.client_secret_expires_at, 0)
        assert.strictEqual((yield* get(clientId, "chosen-token")).action, "UNAUTHORIZED")
      }).pipe(Effect.provide(engine())))

    it.effect("update with invalid metadata is BAD_REQUEST and changes nothing", () =>
      Effect.gen(function*() {
        const { clientId, token } = yield* registered(webClient)
        for (const body of ["{", "[]", JSON.stringify({ client_id: clientId, client_name: 5 })]) {
          const response = yield* update(clientId, token, body)
          assert.strictEqual(response.action, "BAD_REQUEST", body)
          assert.strictEqual(content(response).error, "invalid_client_metadata")
        }
        assert.strictEqual(content(yield* get(clientId, token)).client_name, "Example App")
      }).pipe(Effect.provide(engine())))

    it.effect("a public client that becomes confidential gets a secret; the reverse drops it", () =>
      Effect.gen(function*() {
        const { clientId, token } = yield* registered({ ...webClient, token_endpoint_auth_method: "none" })
        const toConfidential = yield* update(clientId, token, {
          ...webClient,
          client_id: clientId,
          token_endpoint_auth_method: "client_secret_post"
        })
        const secret = content(toConfidential).client_secret
        assert.match(secret, /^[A-Za-z0-9_-]{86}$/)
        assert.strictEqual(toConfidential.client!.clientType, "CONFIDENTIAL")
        const again = yield* update(clientId, token, {
          ...webClient,
          client_id: clientId,
          client_secret: secret,
          token_endpoint_auth_method: "client_secret_post"
        })
        assert.strictEqual(again.action, "UPDATED")
        const toPublic = yield* update(clientId, token, {
          ...webClient,
          client_id: clientId,
          token_endpoint_auth_method: "none"
        })
        assert.strictEqual(toPublic.client!.clientType, "PUBLIC")
        const stale = yield* update(clientId, token, { ...webClient, client_id: clientId, client_secret: secret })
        assert.strictEqual(stale.action, "BAD_REQUEST")
      }).pipe(Effect.provide(engine())))

    it.effect("with rotation, update issues a new token and the old one dies at once", () =>
      Effect.gen(function*() {
        const { clientId, token } = yield* registered(webClient)
        const response = yield* update(clientId, token, { ...webClient, client_id: clientId })
        assert.strictEqual(response.action, "UPDATED")
        const rotated = content(response).registration_access_token
        assert.match(rotated, /^[0-9]{15}\.[A-Za-z0-9_-]{43}$/)
        assert.notStrictEqual(rotated, token)
        assert.strictEqual((yield* get(clientId, token)).action, "UNAUTHORIZED")
        assert.strictEqual((yield* update(clientId, token, { client_id: clientId })).action, "UNAUTHORIZED")
        assert.strictEqual((yield* remove(clientId, token)).action, "UNAUTHORIZED")
        assert.strictEqual((yield* get(clientId, rotated)).action, "OK")
      }).pipe(Effect.provide(engine({ rotateRegistrationAccessToken: true }))))

    it.effect("delete answers DELETED, and the token and client are dead afterwards", () =>
      Effect.gen(function*() {
        const { clientId, token } = yield* registered(webClient)
        const other = yield* registered(webClient)
        const response = yield* remove(clientId, token)
        assert.strictEqual(response.action, "DELETED")
        assert.strictEqual(response.resultCode, "A216001")
        assert.strictEqual(response.resultMessage, "[A216001] The client has been deleted.")
        assert.isUndefined(response.responseContent)
        assert.strictEqual((yield* get(clientId, token)).action, "UNAUTHORIZED")
        assert.strictEqual((yield* update(clientId, token, { client_id: clientId })).action, "UNAUTHORIZED")
        assert.strictEqual((yield* remove(clientId, token)).action, "UNAUTHORIZED")
        assert.strictEqual((yield* get(other.clientId, other.token)).action, "OK")
      }).pipe(Effect.provide(engine())))
  })
})

const failingStore = Layer.succeed(
  ClientStore.ClientStore,
  ClientStore.ClientStore.of({
    insert: () => Effect.fail(new ClientStore.ClientStoreError({ operation: "insert", cause: new Error("disk full") })),
    find: () =>
      Effect.fail(new ClientStore.ClientStoreError({ operation: "find", cause: new Error("disk I/O error") })),
    replace: () => Effect.fail(new ClientStore.ClientStoreError({ operation: "replace", cause: new Error("x") })),
    delete: () => Effect.fail(new ClientStore.ClientStoreError({ operation: "delete", cause: new Error("x") })),
    revokeRegistrationAccessToken: () =>
      Effect.fail(
        new ClientStore.ClientStoreError({ operation: "revokeRegistrationAccessToken", cause: new Error("x") })
      ),
    list: () => Effect.fail(new ClientStore.ClientStoreError({ operation: "listClients", cause: new Error("x") })),
    recordUse: () => Effect.fail(new ClientStore.ClientStoreError({ operation: "recordUse", cause: new Error("x") })),
    listUnused: () => Effect.fail(new ClientStore.ClientStoreError({ operation: "listUnused", cause: new Error("x") })),
    deleteUnused: () =>
      Effect.fail(new ClientStore.ClientStoreError({ operation: "deleteUnused", cause: new Error("x") }))
  })
)

const captureLogs = Effect.gen(function*() {
  const lines = yield* Ref.make<Array<string>>([])
  const logger = Logger.make(({ cause, message }) => {
    Ref.update(
      lines,
      (all) => [...all, JSON.stringify(message) + " " + Cause.pretty(cause, { renderErrorCause: true })]
    )
      .pipe(Effect.runSync)
  })
  return { lines, layer: Logger.replace(Logger.defaultLogger, logger) }
})

describe("Engine failures", () => {
  it.effect("storage failures are INTERNAL_SERVER_ERROR server_error (logged, never a defect)", () =>
    Effect.gen(function*() {
      const { layer: logLayer, lines } = yield* captureLogs
      const engine = Engine.layer({ registrationEndpoint }).pipe(Layer.provide(failingStore))
      yield* Effect.gen(function*() {
        const responses = [
          yield* register(webClient),
          yield* get("100000000000001", "token-value-1"),
          yield* update("100000000000001", "token-value-1", { client_id: "100000000000001" }),
          yield* remove("100000000000001", "token-value-1")
        ]
        for (const response of responses) {
          assert.strictEqual(response.action, "INTERNAL_SERVER_ERROR")
          assert.deepStrictEqual(content(response).error, "server_error")
          assert.match(response.resultCode!, /^A2(02|17|13|16)101$/)
        }
      }).pipe(Effect.provide(Layer.merge(engine, logLayer)))
      const logged = (yield* Ref.get(lines)).join("\n")
      assert.include(logged, "disk full")
      assert.include(logged, "disk I/O error")
      assert.notInclude(logged, "token-value-1")
    }))

  it.effect("a client id collision is retried with a fresh id", () =>
    Effect.gen(function*() {
      const attempts = yield* Ref.make(0)
      const collidingOnce = Layer.effect(
        ClientStore.ClientStore,
        Effect.map(ClientStore.ClientStore, (store) =>
          ClientStore.ClientStore.of({
            ...store,
            insert: (record, options) =>
              Ref.getAndUpdate(attempts, (n) => n + 1).pipe(
                Effect.flatMap((n) =>
                  n === 0
                    ? Effect.fail(new ClientStore.ClientIdCollision({ clientId: record.clientId }))
                    : store.insert(record, options)
                )
              )
          }))
      ).pipe(Layer.provide(SqliteClientStore.layer({ filename: ":memory:" })))
      const { clientId, token } = yield* registered(webClient).pipe(
        Effect.provide(Engine.layer({ registrationEndpoint }).pipe(Layer.provide(collidingOnce)))
      )
      assert.strictEqual(yield* Ref.get(attempts), 2)
      assert.match(clientId, /^[0-9]{15}$/)
      assert.isString(token)
    }))
})

forEachStore("Engine on a durable store", (store) => {
  const engineOnDatabase = (database: StoreDatabase) =>
    Engine.layer({ registrationEndpoint }).pipe(Layer.provide(database.open()))

  it.scoped("a real id collision among concurrent registrations is retried for that registration only", () =>
    Effect.gen(function*() {
      const database = yield* store.database
      const taken = yield* Ref.make<string | undefined>(undefined)
      const inserts = yield* Ref.make(0)
      // the 6th insert reuses the id of a committed client: a genuine primary-key collision in the database
      const colliding = Layer.effect(
        ClientStore.ClientStore,
        Effect.map(ClientStore.ClientStore, (clients) =>
          ClientStore.ClientStore.of({
            ...clients,
            insert: (record, options) =>
              Effect.flatMap(Effect.zip(Ref.getAndUpdate(inserts, (n) => n + 1), Ref.get(taken)), ([n, id]) =>
                clients.insert(n === 5 && id !== undefined ? { ...record, clientId: id } : record, options))
          }))
      ).pipe(Layer.provide(database.open()))
      const engine = Engine.layer({ registrationEndpoint }).pipe(Layer.provide(colliding))
      const clients = yield* Effect.gen(function*() {
        const first = yield* registered(webClient)
        yield* Ref.set(taken, first.clientId)
        const rest = yield* Effect.all(
          Array.from({ length: 20 }, (_, i) => registered({ ...webClient, client_name: `client ${i}` })),
          { concurrency: "unbounded" }
        )
        return [first, ...rest]
      }).pipe(Effect.provide(engine))
      assert.strictEqual(yield* Ref.get(inserts), 22) // 21 registrations + 1 retry
      assert.strictEqual(new Set(clients.map((c) => c.clientId)).size, 21)
      // every CREATED client was committed: readable with its token after a restart
      const reads = yield* Effect.all(clients.map((c) => get(c.clientId, c.token))).pipe(
        Effect.provide(engineOnDatabase(database))
      )
      reads.forEach((read, i) => {
        assert.strictEqual(read.action, "OK")
        assert.strictEqual(content(read).client_name, clients[i]!.info.client_name)
      })
    }))

  it.scoped("hundreds of concurrent registrations: unique ids, all readable", () =>
    Effect.gen(function*() {
      const database = yield* store.database
      yield* Effect.gen(function*() {
        const clients = yield* Effect.all(
          Array.from({ length: 300 }, (_, i) => registered({ ...webClient, client_name: `client ${i}` })),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(new Set(clients.map((c) => c.clientId)).size, 300)
        const reads = yield* Effect.all(clients.map((c) => get(c.clientId, c.token)), { concurrency: "unbounded" })
        reads.forEach((read, i) => {
          assert.strictEqual(read.action, "OK")
          assert.strictEqual(content(read).client_name, clients[i]!.info.client_name)
        })
      }).pipe(Effect.provide(engineOnDatabase(database)))
    }))

  it.scoped("clients survive a restart of the layer on the same database", () =>
    Effect.gen(function*() {
      const database = yield* store.database
      const first = yield* registered(webClient).pipe(Effect.provide(engineOnDatabase(database)))
      const read = yield* get(first.clientId, first.token).pipe(Effect.provide(engineOnDatabase(database)))
      assert.strictEqual(read.action, "OK")
      assert.strictEqual(content(read).client_name, "Example App")
      const deleted = yield* remove(first.clientId, first.token).pipe(Effect.provide(engineOnDatabase(database)))
      assert.strictEqual(deleted.action, "DELETED")
      const gone = yield* get(first.clientId, first.token).pipe(Effect.provide(engineOnDatabase(database)))
      assert.strictEqual(gone.action, "UNAUTHORIZED")
    }))

  it.scoped("tokens and client secrets are stored only as hashes", () =>
    Effect.gen(function*() {
      const database = yield* store.database
      const secrets = yield* Effect.gen(function*() {
        const a = yield* registered(webClient)
        const b = yield* registered({ ...webClient, token_endpoint_auth_method: "none" })
        const updated = yield* update(a.clientId, a.token, { ...webClient, client_id: a.clientId, client_name: "upd" })
        assert.strictEqual(updated.action, "UPDATED")
        return [a.clientId, a.token, a.info.client_secret as string, b.token] as const
      }).pipe(Effect.provide(engineOnDatabase(database)))
      const row = yield* Effect.flatMap(ClientStore.ClientStore, (clients) => clients.find(secrets[0])).pipe(
        Effect.map(Option.getOrThrow),
        Effect.provide(database.open())
      )
      assert.isDefined(row.clientSecretHash)
      assert.notInclude(row.client, secrets[2])
      assert.strictEqual(JSON.parse(row.client).clientName, "upd")
      const stored = yield* database.dump
      assert.isTrue(stored.includes("Example App"))
      for (const secret of secrets.slice(1)) {
        assert.isFalse(stored.includes(secret), "a token or secret was found in the database")
      }
    }))

  it.effect("no token or secret ever reaches the logs", () =>
    Effect.gen(function*() {
      const { layer: logLayer, lines } = yield* captureLogs
      const engine = Engine.layer({
        registrationEndpoint,
        initialAccessTokens: [Redacted.make("initial-secret-token")]
      }).pipe(Layer.provide(store.fresh()))
      const secrets = yield* Effect.gen(function*() {
        const a = yield* registered(webClient, "initial-secret-token")
        yield* register(webClient, "wrong-initial-token")
        yield* get(a.clientId, a.token)
        yield* update(a.clientId, a.token, { client_id: a.clientId, client_secret: "guess" })
        yield* remove(a.clientId, a.token)
        yield* Effect.logInfo("request done", { clientId: a.clientId, client: a.response.client })
        return [a.token, a.info.client_secret as string, "initial-secret-token", "wrong-initial-token"]
      }).pipe(Effect.provide(Layer.merge(engine, logLayer)), Logger.withMinimumLogLevel(LogLevel.All))
      const logged = (yield* Ref.get(lines)).join("\n")
      assert.include(logged, "request done")
      for (const secret of secrets) assert.notInclude(logged, secret)
    }))
})

describe("Engine.layerConfig", () => {
  it.effect("reads the policy from Config", () =>
    Effect.gen(function*() {
      const provider = ConfigProvider.fromMap(
        new Map([
          ["DCR_REGISTRATION_ENDPOINT", "https://config.example.com/reg/"],
          ["DCR_INITIAL_ACCESS_TOKENS", "t1,t2"],
          ["DCR_ROTATE_REGISTRATION_ACCESS_TOKEN", "true"],
          ["DCR_REQUIRE_REDIRECT_URIS_FOR_DEFAULT_GRANT", "false"]
        ])
      )
      const engine = Engine.layerConfig().pipe(
        Layer.provide(SqliteClientStore.layer({ filename: ":memory:" })),
        Layer.provide(Layer.setConfigProvider(provider))
      )
      yield* Effect.gen(function*() {
        assert.strictEqual((yield* register(webClient)).action, "UNAUTHORIZED")
        const { clientId, info, token } = yield* registered(webClient, "t2")
        assert.strictEqual(info.registration_client_uri, `https://config.example.com/reg/${clientId}`)
        // Authlete's leniency: an update with neither flows nor redirect URIs is accepted
        const response = yield* update(clientId, token, { client_id: clientId, client_name: "renamed" })
        assert.strictEqual(response.action, "UPDATED")
        const updated = content(response)
        assert.strictEqual(updated.client_name, "renamed")
        assert.isString(updated.registration_access_token)
        assert.notStrictEqual(updated.registration_access_token, token)
        assert.strictEqual((yield* register({ client_name: "Authlete's example" }, "t1")).action, "CREATED")
      }).pipe(Effect.provide(engine))
    }))

  it.effect("accepts a Config.Wrap of the options", () =>
    Effect.gen(function*() {
      const engine = Engine.layerConfig({
        registrationEndpoint: Config.succeed("https://wrap.example.com/r"),
        dcrDuplicateSoftwareIdBlocked: Config.succeed(true)
      }).pipe(Layer.provide(SqliteClientStore.layer({ filename: ":memory:" })))
      yield* Effect.gen(function*() {
        const { clientId, info } = yield* registered({ ...webClient, software_id: "s" })
        assert.strictEqual(info.registration_client_uri, `https://wrap.example.com/r/${clientId}`)
        assert.strictEqual((yield* register({ ...webClient, software_id: "s" })).action, "BAD_REQUEST")
      }).pipe(Effect.provide(engine))
    }))
})
