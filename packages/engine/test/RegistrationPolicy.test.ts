import { DynamicClientRegistration } from "@effect-dcr/client"
import { Engine, Explain, InitialAccessTokenStore, RegistrationPolicy } from "@effect-dcr/engine"
import * as SqliteClientStore from "@effect-dcr/engine/SqliteClientStore"
import { invalidClientMetadata } from "@effect-dcr/schema"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Context, Effect, Either, Exit, Layer, Redacted } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { content, register as registerJson, registrationEndpoint, tempDir } from "./_helpers.js"
import { forEachStore } from "./_stores.js"

type Settings = typeof RegistrationPolicy.Settings.Encoded

const options = (settings: Settings): Partial<Engine.Options> => ({
  allowLoopbackHttp: settings.allowLoopbackHttp,
  registrationPolicy: settings.policy,
  registrationPolicies: settings.policies
})

/** The engine configured by `settings`, with the custom rules of `rules` (a layer providing the policy). */
const engineWith = (
  settings: Settings,
  rules: Layer.Layer<RegistrationPolicy.RegistrationPolicy> = Layer.empty as any
) =>
  Engine.layer({ registrationEndpoint, ...options(settings) }).pipe(
    Layer.provide(SqliteClientStore.layer({ filename: ":memory:" })),
    Layer.provide(rules)
  )

const engine = (settings: Settings) => engineWith(settings)

const register = (metadata: unknown) =>
  Effect.flatMap(
    DynamicClientRegistration.DynamicClientRegistration,
    (service) => service.register({ json: JSON.stringify(metadata) })
  )

const created = (metadata: unknown) =>
  Effect.map(register(metadata), (response) => {
    assert.strictEqual(response.action, "CREATED", response.responseContent)
    return content(response)
  })

const refused = (metadata: unknown, error: string, description: string) =>
  Effect.map(register(metadata), (response) => {
    assert.strictEqual(response.action, "BAD_REQUEST", response.responseContent)
    assert.deepStrictEqual(content(response), { error, error_description: description })
  })

const web = { redirect_uris: ["https://app.example.com/cb"] }

describe("RegistrationPolicy: the built-in rules on the engine", () => {
  it.effect("default: set when the client did not send the member, before the RFC 7591 defaults", () =>
    Effect.gen(function*() {
      const defaulted = yield* created(web)
      assert.strictEqual(defaulted.token_endpoint_auth_method, "none")
      assert.isUndefined(defaulted.client_secret, "a public client: no secret")
      assert.strictEqual(defaulted.client_name, "Unnamed client")
      const sent = yield* created({ ...web, token_endpoint_auth_method: "client_secret_post", client_name: "Mine" })
      assert.strictEqual(sent.token_endpoint_auth_method, "client_secret_post")
      assert.strictEqual(sent.client_name, "Mine")
      assert.isString(sent.client_secret)
    }).pipe(
      Effect.provide(
        engine({ policy: { default: { token_endpoint_auth_method: "none", client_name: "Unnamed client" } } })
      )
    ))

  it.effect("force: always set; null removes the member", () =>
    Effect.gen(function*() {
      const info = yield* created({
        ...web,
        grant_types: ["authorization_code"],
        client_name: "Mine",
        logo_uri: "https://app.example.com/logo.png"
      })
      assert.deepStrictEqual(info.grant_types, ["authorization_code", "refresh_token"])
      assert.strictEqual(info.client_name, "Forced")
      assert.isUndefined(info.logo_uri)
    }).pipe(
      Effect.provide(engine({
        policy: {
          force: { grant_types: ["authorization_code", "refresh_token"], client_name: "Forced", logo_uri: null }
        }
      }))
    ))

  it.effect("force can make a request inconsistent: the cross-member rules refuse it", () =>
    refused(
      { ...web, response_types: ["code"] },
      "invalid_client_metadata",
      "response_types contains \"code\", which needs grant_types to include \"authorization_code\""
    ).pipe(Effect.provide(engine({ policy: { force: { grant_types: ["client_credentials"] } } }))))

  it.effect("reject: a member, or some of its values (array elements, scope values); never the value quoted", () =>
    Effect.gen(function*() {
      yield* refused(
        { ...web, token_endpoint_auth_method: "client_secret_post" },
        "invalid_client_metadata",
        "token_endpoint_auth_method: this value is not allowed by the registration policy"
      )
      yield* refused(
        { ...web, jwks_uri: "https://app.example.com/jwks" },
        "invalid_client_metadata",
        "jwks_uri: not allowed by the registration policy"
      )
      yield* refused(
        { ...web, grant_types: ["authorization_code", "refresh_token"] },
        "invalid_client_metadata",
        "grant_types: this value is not allowed by the registration policy"
      )
      yield* refused(
        { ...web, scope: "openid admin" },
        "invalid_client_metadata",
        "scope: this value is not allowed by the registration policy"
      )
      yield* refused(
        { redirect_uris: ["https://app.example.com/cb", "https://app.example.com/blocked"] },
        "invalid_redirect_uri",
        "redirect_uris: this value is not allowed by the registration policy"
      )
      yield* created({ ...web, scope: "openid profile" })
    }).pipe(Effect.provide(engine({
      policy: {
        reject: {
          token_endpoint_auth_method: ["client_secret_post"],
          jwks_uri: true,
          grant_types: ["refresh_token"],
          scope: ["admin"],
          redirect_uris: ["https://app.example.com/blocked"]
        }
      }
    }))))

  it.effect("allowed grant types, response types and auth methods apply to the effective values", () =>
    Effect.gen(function*() {
      yield* refused(
        { ...web, token_endpoint_auth_method: "none", grant_types: ["authorization_code", "refresh_token"] },
        "invalid_client_metadata",
        "grant_types: \"refresh_token\" is not allowed by the registration policy (allowed: \"authorization_code\")"
      )
      yield* refused(
        {
          ...web,
          token_endpoint_auth_method: "none",
          grant_types: ["authorization_code", "implicit"],
          response_types: ["code id_token"]
        },
        "invalid_client_metadata",
        "grant_types: \"implicit\" is not allowed by the registration policy (allowed: \"authorization_code\")"
      )
      // the RFC 7591 default client_secret_basic is not among the allowed methods
      yield* refused(
        web,
        "invalid_client_metadata",
        "token_endpoint_auth_method: \"client_secret_basic\" is not allowed by the registration policy (allowed: \"none\", \"private_key_jwt\")"
      )
      const info = yield* created({ ...web, token_endpoint_auth_method: "none" })
      assert.deepStrictEqual(info.response_types, ["code"])
    }).pipe(Effect.provide(engine({
      policy: {
        allowedGrantTypes: ["authorization_code"],
        allowedResponseTypes: ["code"],
        allowedTokenEndpointAuthMethods: ["none", "private_key_jwt"]
      }
    }))))

  it.effect("allowed response types are compared normalized (\"id_token code\" is \"code id_token\")", () =>
    Effect.gen(function*() {
      yield* created({
        ...web,
        grant_types: ["authorization_code", "implicit"],
        response_types: ["id_token code"]
      })
      yield* refused(
        { ...web, grant_types: ["implicit"], response_types: ["token"] },
        "invalid_client_metadata",
        "response_types: \"token\" is not allowed by the registration policy (allowed: \"code\", \"code id_token\")"
      )
    }).pipe(Effect.provide(engine({ policy: { allowedResponseTypes: ["code", "id_token code"] } }))))

  it.effect("allowed scopes", () =>
    Effect.gen(function*() {
      yield* refused(
        { ...web, scope: "openid email" },
        "invalid_client_metadata",
        "scope: \"email\" is not allowed by the registration policy"
      )
      yield* created({ ...web, scope: "openid profile" })
      yield* created(web)
    }).pipe(Effect.provide(engine({ policy: { allowedScopes: ["openid", "profile"] } }))))

  it.effect("max redirect URIs", () =>
    Effect.gen(function*() {
      yield* refused(
        { redirect_uris: ["https://a.example/1", "https://a.example/2", "https://a.example/3"] },
        "invalid_redirect_uri",
        "redirect_uris: at most 2 redirect URIs are allowed"
      )
      yield* created({ redirect_uris: ["https://a.example/1", "https://a.example/2"] })
    }).pipe(Effect.provide(engine({ policy: { maxRedirectUris: 2 } }))))

  it.effect("allowed redirect hosts: exact names, *.domain, loopback only if listed, private-use schemes as domains", () =>
    Effect.gen(function*() {
      const native = { application_type: "native", token_endpoint_auth_method: "none" }
      for (
        const uris of [
          ["https://app.example.com/cb"],
          ["https://a.example.org/cb", "https://b.c.example.org/cb"],
          ["http://127.0.0.1:49152/cb"],
          ["com.example.app:/cb"]
        ]
      ) {
        yield* created({ ...native, redirect_uris: uris })
      }
      for (
        const [uris, index] of [
          [["https://evil.example/cb"], 0],
          [["https://app.example.com/cb", "https://example.org/cb"], 1],
          [["https://notexample.org/cb"], 0],
          [["http://localhost:49152/cb"], 0],
          [["org.evil.app:/cb"], 0]
        ] as const
      ) {
        yield* refused(
          { ...native, redirect_uris: uris },
          "invalid_redirect_uri",
          `redirect_uris[${index}]: the host is not allowed by the registration policy`
        )
      }
      yield* refused(
        { ...native, redirect_uris: ["com.example.app:/cb"], post_logout_redirect_uris: ["https://evil.example/bye"] },
        "invalid_client_metadata",
        "post_logout_redirect_uris[0]: the host is not allowed by the registration policy"
      )
    }).pipe(Effect.provide(engine({
      policy: { allowedRedirectHosts: ["app.example.com", "*.example.org", "127.0.0.1"] }
    }))))

  it.effect("the policy applies to updates too", () =>
    Effect.gen(function*() {
      const service = yield* DynamicClientRegistration.DynamicClientRegistration
      const info = yield* created(web)
      const updated = yield* service.update({
        clientId: info.client_id,
        token: Redacted.make(info.registration_access_token),
        json: JSON.stringify({
          client_id: info.client_id,
          redirect_uris: ["https://a.example/1", "https://a.example/2"]
        })
      })
      assert.strictEqual(updated.action, "BAD_REQUEST")
      assert.deepStrictEqual(content(updated), {
        error: "invalid_redirect_uri",
        error_description: "redirect_uris: at most 1 redirect URIs are allowed"
      })
    }).pipe(Effect.provide(engine({ policy: { maxRedirectUris: 1 } }))))

  it.effect("allowLoopbackHttp: false refuses a web client's loopback http", () =>
    Effect.gen(function*() {
      yield* refused(
        { redirect_uris: ["http://127.0.0.1:8080/cb"] },
        "invalid_redirect_uri",
        "redirect_uris[0]: a web client must use https; a private-use scheme needs application_type \"native\""
      )
      yield* created({ application_type: "native", redirect_uris: ["http://127.0.0.1:8080/cb"] })
    }).pipe(Effect.provide(engine({ allowLoopbackHttp: false }))))
})

describe("RegistrationPolicy: the service", () => {
  it.effect("named policies: has, policies, rules in order (URI rules, default policy, named policy)", () =>
    Effect.gen(function*() {
      const policy = yield* RegistrationPolicy.make({
        policy: { maxRedirectUris: 3, force: { client_name: "x" } },
        policies: { partners: { allowedGrantTypes: ["authorization_code"] }, "internal.tools": {} }
      })
      assert.deepStrictEqual(policy.policies, ["partners", "internal.tools"])
      assert.isTrue(policy.has("partners"))
      assert.isFalse(policy.has("default"))
      assert.isFalse(policy.has("nope"))
      assert.deepStrictEqual(policy.rules(undefined)!.map((r) => r.name), [
        "uri-rules",
        "default/force",
        "default/maxRedirectUris"
      ])
      assert.deepStrictEqual(policy.rules("partners")!.map((r) => r.name), [
        "uri-rules",
        "default/force",
        "default/maxRedirectUris",
        "partners/allowedGrantTypes"
      ])
      assert.isUndefined(policy.rules("nope"))
    }))

  it.effect("invalid settings fail to build: unknown members, bad values, reserved names, the name default", () =>
    Effect.gen(function*() {
      for (
        const settings of [
          { policy: { allowedGrantType: ["authorization_code"] } },
          { policy: { allowedGrantTypes: ["password-ish"] } },
          { policy: { force: { logo_uri: 5 } } },
          { policy: { force: { redirect_uris: ["not a uri"] } } },
          { policy: { default: { client_secret: "s" } } },
          { policy: { default: { logo_uri: null } } },
          { policy: { maxRedirectUris: -1 } },
          { policy: { allowedRedirectHosts: ["https://app.example.com"] } },
          { policies: { default: {} } },
          { policies: { "has space": {} } },
          { allowLoopbackHttp: "yes" }
        ]
      ) {
        const exit = yield* Effect.exit(RegistrationPolicy.make(settings))
        assert.isTrue(Exit.isFailure(exit), JSON.stringify(settings))
      }
    }))
})

class Blocklist extends Context.Tag("test/Blocklist")<Blocklist, ReadonlySet<string>>() {}

describe("RegistrationPolicy: custom rules as Effects", () => {
  const noBlockedNames = RegistrationPolicy.withRule({
    name: "blocklist",
    stage: "registration",
    apply: (metadata) =>
      Effect.flatMap(Blocklist, (blocked) =>
        metadata.client_name !== undefined && blocked.has(metadata.client_name)
          ? Effect.fail(invalidClientMetadata("client_name: not allowed"))
          : Effect.succeed(metadata))
  })
  const stamp = RegistrationPolicy.withRule({
    name: "stamp",
    stage: "request",
    apply: (metadata) => Effect.as(Effect.yieldNow(), { ...metadata, software_version: "stamped" })
  })
  const sneaky = RegistrationPolicy.withRule({
    name: "sneaky",
    stage: "registration",
    apply: (metadata) => Effect.succeed({ ...metadata, redirect_uris: ["javascript:alert(1)"] })
  }, { policy: "sneaky" })

  const rules = noBlockedNames.pipe(
    Layer.provide(stamp),
    Layer.provide(sneaky),
    Layer.provide(Layer.succeed(Blocklist, new Set(["Evil Corp"])))
  )

  it.effect("refuse, change (asynchronously), and keep the configured rules", () =>
    Effect.gen(function*() {
      yield* refused({ ...web, client_name: "Evil Corp" }, "invalid_client_metadata", "client_name: not allowed")
      const info = yield* created({ ...web, client_name: "Good" })
      assert.strictEqual(info.software_version, "stamped")
      yield* refused(
        { redirect_uris: ["https://a.example/1", "https://a.example/2", "https://a.example/3"] },
        "invalid_redirect_uri",
        "redirect_uris: at most 2 redirect URIs are allowed"
      )
    }).pipe(Effect.provide(engineWith({ policy: { maxRedirectUris: 2 } }, rules))))

  it.effect("a custom rule's result is checked again: it can not slip a refused URI in", () =>
    Effect.gen(function*() {
      const service = yield* Engine.registrationPolicy({ registrationPolicies: { partners: {} } })
      assert.deepStrictEqual(service.policies, ["partners", "sneaky"])
      assert.isTrue(service.has("sneaky"))
      const explanation = yield* Explain.explain({ json: JSON.stringify(web), policy: "sneaky" })
      assert.deepStrictEqual(explanation.error, {
        error: "invalid_redirect_uri",
        error_description: "redirect_uris[0]: must not use the \"javascript\" scheme"
      })
      assert.deepStrictEqual(explanation.steps.slice(-2).map((s) => s.rule), ["sneaky/sneaky", "validation"])
    }).pipe(Effect.provide(rules)))
})

describe("the configuration: DCR_POLICY, DCR_POLICIES, DCR_ALLOW_LOOPBACK_HTTP (Engine.config)", () => {
  const load = (env: Record<string, string>) =>
    Effect.either(
      Effect.withConfigProvider(
        Engine.config,
        ConfigProvider.fromMap(new Map(Object.entries({ DCR_REGISTRATION_ENDPOINT: registrationEndpoint, ...env })))
      )
    )

  it.effect("inline JSON and @file", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      const file = path.join(dir, "policies.json")
      fs.writeFileSync(file, JSON.stringify({ partners: { allowedScopes: ["openid"] } }))
      const loaded = Either.getOrThrow(
        yield* load({
          DCR_POLICY: `{"maxRedirectUris":5,"allowedResponseTypes":["id_token code"]}`,
          DCR_POLICIES: `@${file}`,
          DCR_ALLOW_LOOPBACK_HTTP: "false"
        })
      )
      assert.strictEqual(loaded.allowLoopbackHttp, false)
      assert.deepStrictEqual(loaded.registrationPolicy, { maxRedirectUris: 5, allowedResponseTypes: ["code id_token"] })
      assert.deepStrictEqual(loaded.registrationPolicies, { partners: { allowedScopes: ["openid"] } })
      const defaults = Either.getOrThrow(yield* load({}))
      assert.strictEqual(defaults.allowLoopbackHttp, true)
      assert.isUndefined(defaults.registrationPolicy)
      assert.isUndefined(defaults.registrationPolicies)
      fs.rmSync(dir, { recursive: true, force: true })
    }))

  it.effect("a bad value is a ConfigError naming the variable", () =>
    Effect.gen(function*() {
      for (
        const [env, name, words] of [
          [{ DCR_POLICY: "{not json" }, "DCR_POLICY", "not valid JSON"],
          [{ DCR_POLICY: `{"maxRedirectUri":5}` }, "DCR_POLICY", "maxRedirectUri"],
          [{ DCR_POLICY: `{"force":{"redirect_uris":["javascript"]}}` }, "DCR_POLICY", "redirect_uris"],
          [{ DCR_POLICIES: `{"default":{}}` }, "DCR_POLICIES", "default"],
          [{ DCR_POLICIES: "@/nonexistent/policies.json" }, "DCR_POLICIES", "cannot read the file"],
          [{ DCR_ALLOW_LOOPBACK_HTTP: "maybe" }, "DCR_ALLOW_LOOPBACK_HTTP", ""]
        ] as const
      ) {
        const result = yield* load(env)
        assert.isTrue(Either.isLeft(result), JSON.stringify(env))
        const message = String((result as Either.Left<unknown, unknown>).left)
        assert.include(message, name)
        assert.include(message, words)
      }
    }))

  it.effect("Engine.layerConfig: the engine refuses what DCR_POLICY refuses", () =>
    Effect.gen(function*() {
      yield* refused(
        { ...web, grant_types: ["authorization_code", "refresh_token"] },
        "invalid_client_metadata",
        "grant_types: \"refresh_token\" is not allowed by the registration policy (allowed: \"authorization_code\")"
      )
    }).pipe(
      Effect.provide(Engine.layerConfig().pipe(Layer.provide(SqliteClientStore.layer({ filename: ":memory:" })))),
      Effect.withConfigProvider(
        ConfigProvider.fromMap(
          new Map([
            ["DCR_REGISTRATION_ENDPOINT", registrationEndpoint],
            ["DCR_POLICY", `{"allowedGrantTypes":["authorization_code"]}`]
          ])
        )
      )
    ))

  it.effect("Engine.layer dies on invalid policy options (Config validates them before)", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Layer.build(engine({ policy: { allowedGrantTypes: ["nope"] as any } })))
      assert.isTrue(Exit.isFailure(exit))
    }).pipe(Effect.scoped))
})

forEachStore("a named policy carried by a managed initial access token", (store) => {
  const settings: Partial<Engine.Options> = {
    registrationPolicy: { maxRedirectUris: 3 },
    registrationPolicies: {
      partners: { allowedGrantTypes: ["authorization_code"], force: { require_pushed_authorization_requests: true } }
    }
  }
  const engineWithStores = () =>
    Engine.layer({ registrationEndpoint, ...settings }).pipe(Layer.provideMerge(store.fresh()))
  const issue = (policy: string | undefined) =>
    Effect.map(
      InitialAccessTokenStore.issue({ expiresIn: "1 hour", maxUses: 5, policy }),
      ({ details, token }) => ({ id: details.id, token: Redacted.value(token) })
    )
  const registerWith = (metadata: unknown, token: string) =>
    Effect.flatMap(
      DynamicClientRegistration.DynamicClientRegistration,
      (service) => service.register({ json: JSON.stringify(metadata), token: Redacted.make(token) })
    )
  const refresh = { ...web, grant_types: ["authorization_code", "refresh_token"] }

  it.effect("register applies the default policy and the token's; the client's updates too", () =>
    Effect.gen(function*() {
      const service = yield* DynamicClientRegistration.DynamicClientRegistration
      const partners = yield* issue("partners")
      const refused = yield* registerWith(refresh, partners.token)
      assert.strictEqual(refused.action, "BAD_REQUEST")
      assert.strictEqual(
        content(refused).error_description,
        "grant_types: \"refresh_token\" is not allowed by the registration policy (allowed: \"authorization_code\")"
      )
      const accepted = yield* registerWith(web, partners.token)
      assert.strictEqual(accepted.action, "CREATED", accepted.responseContent)
      const info = content(accepted)
      assert.strictEqual(info.require_pushed_authorization_requests, true)
      // the update of a client registered under "partners" is held to "partners"
      const token = Redacted.make(info.registration_access_token as string)
      const escape = yield* service.update({
        clientId: info.client_id,
        token,
        json: JSON.stringify({ ...refresh, client_id: info.client_id })
      })
      assert.strictEqual(escape.action, "BAD_REQUEST", escape.responseContent)
      const updated = yield* service.update({
        clientId: info.client_id,
        token,
        json: JSON.stringify({ ...web, client_id: info.client_id, require_pushed_authorization_requests: false })
      })
      assert.strictEqual(updated.action, "UPDATED", updated.responseContent)
      assert.strictEqual(content(updated).require_pushed_authorization_requests, true, "forced on update too")
      // a token without a policy, and no token: the default policy only
      const plain = yield* issue(undefined)
      assert.strictEqual((yield* registerWith(refresh, plain.token)).action, "CREATED")
      assert.strictEqual((yield* registerJson(refresh)).action, "CREATED")
      yield* refused_({ redirect_uris: ["https://a/1", "https://a/2", "https://a/3", "https://a/4"] }, plain.token)
    }).pipe(Effect.provide(engineWithStores())))

  it.effect("a token whose policy is not configured fails closed (server error, logged), and its use is given back", () =>
    Effect.gen(function*() {
      const gone = yield* issue("gone")
      const response = yield* registerWith(web, gone.token)
      assert.strictEqual(response.action, "INTERNAL_SERVER_ERROR")
      assert.strictEqual(content(response).error, "server_error")
      assert.notInclude(response.responseContent!, "gone", "the policy name is only logged")
      const tokens = yield* InitialAccessTokenStore.InitialAccessTokenStore
      assert.strictEqual((yield* tokens.list).find((t) => t.id === gone.id)?.uses, 0)
    }).pipe(Effect.provide(engineWithStores())))

  const refused_ = (metadata: unknown, token: string) =>
    Effect.map(registerWith(metadata, token), (response) => {
      assert.strictEqual(response.action, "BAD_REQUEST", response.responseContent)
      assert.strictEqual(content(response).error, "invalid_redirect_uri")
    })
})
