import { Explain } from "@effect-dcr/engine"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"

const policies: Explain.Options = {
  registrationPolicy: { default: { client_name: "Unnamed" }, force: { logo_uri: null } },
  registrationPolicies: {
    partners: { allowedGrantTypes: ["authorization_code"], force: { require_pushed_authorization_requests: true } }
  }
}

const explain = (metadata: unknown, options?: { policy?: string; engine?: Explain.Options }) =>
  Explain.explain({ json: JSON.stringify(metadata), policy: options?.policy }, { ...policies, ...options?.engine })

const stepOf = (explanation: Explain.Explanation, rule: string) => {
  const step = explanation.steps.find((s) => s.rule === rule)
  assert.isDefined(step, `a ${rule} step in ${JSON.stringify(explanation.steps)}`)
  return step!
}

describe("Explain.explain", () => {
  it.effect("registered: what the server would echo, and which step changed which member", () =>
    Effect.gen(function*() {
      const explanation = yield* explain({
        redirect_uris: ["https://app.example.com/cb"],
        logo_uri: "https://app.example.com/logo.png",
        scope: "openid",
        x_unknown: 1
      })
      assert.isUndefined(explanation.error)
      assert.deepStrictEqual(explanation.steps.map((s) => s.rule), [
        "default/default",
        "default/force",
        "defaults",
        "uri-rules",
        "storage"
      ])
      assert.deepStrictEqual(stepOf(explanation, "default/default"), {
        rule: "default/default",
        changes: [{ member: "client_name", to: "Unnamed" }]
      })
      assert.deepStrictEqual(stepOf(explanation, "default/force"), {
        rule: "default/force",
        changes: [{ member: "logo_uri", from: "https://app.example.com/logo.png" }]
      })
      const defaults = stepOf(explanation, "defaults")
      assert.includeMembers(
        "changes" in defaults ? defaults.changes.map((c) => c.member) : [],
        ["token_endpoint_auth_method", "grant_types", "response_types"]
      )
      assert.deepStrictEqual(stepOf(explanation, "uri-rules"), { rule: "uri-rules", changes: [] })
      // scope is not kept without dcrScopeUsedAsRequestable, nor an unknown member
      assert.deepStrictEqual(stepOf(explanation, "storage"), {
        rule: "storage",
        changes: [{ member: "scope", from: "openid" }, { member: "x_unknown", from: 1 }]
      })
      assert.deepStrictEqual(explanation.registered, {
        redirect_uris: ["https://app.example.com/cb"],
        token_endpoint_auth_method: "client_secret_basic",
        grant_types: ["authorization_code"],
        response_types: ["code"],
        client_name: "Unnamed",
        subject_type: "public",
        id_token_signed_response_alg: "RS256"
      })
    }))

  it.effect("the engine options that change what is kept", () =>
    Effect.gen(function*() {
      const explanation = yield* explain(
        { redirect_uris: ["https://app.example.com/cb"], scope: "openid", x_tenant: "a" },
        { engine: { dcrScopeUsedAsRequestable: true, supportedCustomClientMetadata: ["x_tenant"] } }
      )
      assert.strictEqual(explanation.registered?.scope, "openid")
      assert.strictEqual(explanation.registered?.x_tenant, "a")
      assert.deepStrictEqual(stepOf(explanation, "storage"), { rule: "storage", changes: [] })
    }))

  it.effect("refused: the error the server would answer and the step that refused", () =>
    Effect.gen(function*() {
      const explanation = yield* explain({ redirect_uris: ["javascript:alert(1)"] })
      assert.isUndefined(explanation.registered)
      assert.deepStrictEqual(explanation.error, {
        error: "invalid_redirect_uri",
        error_description: "redirect_uris[0]: must not use the \"javascript\" scheme"
      })
      assert.deepStrictEqual(explanation.steps.at(-1), { rule: "uri-rules", refused: explanation.error! })
      const undecodable = yield* explain({ redirect_uris: "nope" })
      assert.deepStrictEqual(undecodable.steps.map((s) => s.rule), ["decode"])
      const inconsistent = yield* explain({
        redirect_uris: ["https://a.example/cb"],
        response_types: ["token"],
        grant_types: ["authorization_code"]
      })
      assert.strictEqual(inconsistent.steps.at(-1)?.rule, "validation")
    }))

  it.effect("under a named policy: the default policy's rules, then the named one's", () =>
    Effect.gen(function*() {
      const ok = yield* explain({ redirect_uris: ["https://app.example.com/cb"] }, { policy: "partners" })
      assert.strictEqual(ok.policy, "partners")
      assert.strictEqual(ok.registered?.require_pushed_authorization_requests, true)
      assert.deepStrictEqual(ok.steps.map((s) => s.rule), [
        "default/default",
        "default/force",
        "partners/force",
        "defaults",
        "uri-rules",
        "partners/allowedGrantTypes",
        "storage"
      ])
      const refused = yield* explain({
        redirect_uris: ["https://app.example.com/cb"],
        grant_types: ["authorization_code", "refresh_token"]
      }, { policy: "partners" })
      assert.strictEqual(refused.steps.at(-1)?.rule, "partners/allowedGrantTypes")
      assert.strictEqual(refused.error?.error, "invalid_client_metadata")
      // the same request without the named policy is registered
      const plain = yield* explain({
        redirect_uris: ["https://app.example.com/cb"],
        grant_types: ["authorization_code", "refresh_token"]
      })
      assert.isDefined(plain.registered)
    }))

  it.effect("an unknown policy fails with UnknownPolicy", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(explain({}, { policy: "nope" }))
      assert.strictEqual(error._tag, "UnknownPolicy")
      assert.strictEqual(error.message, "the registration policy \"nope\" is not configured")
    }))

  it.effect("without policies: the URI rules only", () =>
    Effect.gen(function*() {
      const explanation = yield* Explain.explain({
        json: JSON.stringify({ redirect_uris: ["http://127.0.0.1:8080/cb"], token_endpoint_auth_method: "none" })
      })
      assert.deepStrictEqual(explanation.steps.map((s) => s.rule), ["defaults", "uri-rules", "storage"])
      assert.deepStrictEqual(explanation.registered?.redirect_uris, ["http://127.0.0.1:8080/cb"])
    }))
})
