import { DynamicClientRegistration } from "@effect-dcr/client"
import { Engine } from "@effect-dcr/engine"
import * as SqliteClientStore from "@effect-dcr/engine/SqliteClientStore"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import { readFileSync } from "node:fs"
import { content, registrationEndpoint } from "./_helpers.js"

// The table of fixtures/uri-rules/cases.json (schema package) against the engine: register and update.

interface Case {
  readonly name: string
  readonly options?: { readonly allowLoopbackHttp?: boolean }
  readonly metadata: Record<string, unknown>
  readonly refused: { readonly error: string; readonly field: string } | null
}

const { cases } = JSON.parse(
  readFileSync(new URL("../../schema/test/fixtures/uri-rules/cases.json", import.meta.url), "utf8")
) as { readonly cases: ReadonlyArray<Case> }

const engine = (options: Case["options"]) =>
  Engine.layer({ registrationEndpoint, ...options }).pipe(
    Layer.provide(SqliteClientStore.layer({ filename: ":memory:" }))
  )

const uriValues = (metadata: Record<string, unknown>): Array<string> =>
  Object.values(metadata).flatMap((v) => Array.isArray(v) ? v : [v]).filter(
    (v): v is string => typeof v === "string" && v.includes(":")
  )

const expectAnswer = (
  c: Case,
  response: { readonly action?: string | undefined; readonly responseContent?: string | undefined },
  success: string
) => {
  if (c.refused === null) {
    assert.strictEqual(response.action, success, response.responseContent)
    return
  }
  assert.strictEqual(response.action, "BAD_REQUEST", response.responseContent)
  const body = content(response)
  assert.strictEqual(body.error, c.refused.error, body.error_description)
  assert.isTrue(String(body.error_description).startsWith(c.refused.field), body.error_description)
  for (const value of uriValues(c.metadata)) {
    assert.notInclude(String(body.error_description), value, "never echoes the value")
  }
}

/** A registration every case can update: the same application_type (and public or not), a URI it accepts. */
const baseOf = (c: Case) => ({
  ...(c.metadata.application_type === undefined ? {} : { application_type: c.metadata.application_type }),
  ...(c.metadata.token_endpoint_auth_method === "none" ? { token_endpoint_auth_method: "none" } : {}),
  redirect_uris: ["https://app.example.com/base"]
})

describe("URI rules on the engine (the table)", () => {
  for (const c of cases) {
    it.effect(`register: ${c.name}`, () =>
      Effect.gen(function*() {
        const service = yield* DynamicClientRegistration.DynamicClientRegistration
        expectAnswer(c, yield* service.register({ json: JSON.stringify(c.metadata) }), "CREATED")
      }).pipe(Effect.provide(engine(c.options))))

    it.effect(`update: ${c.name}`, () =>
      Effect.gen(function*() {
        const service = yield* DynamicClientRegistration.DynamicClientRegistration
        const created = yield* service.register({ json: JSON.stringify(baseOf(c)) })
        assert.strictEqual(created.action, "CREATED", created.responseContent)
        const info = content(created)
        const token = Redacted.make(info.registration_access_token as string)
        const updated = yield* service.update({
          clientId: info.client_id,
          token,
          json: JSON.stringify({ ...c.metadata, client_id: info.client_id })
        })
        expectAnswer(c, updated, "UPDATED")
        // a refused update leaves the registration as it was
        const read = yield* service.get({ clientId: info.client_id, token })
        assert.deepStrictEqual(
          content(read).redirect_uris,
          c.refused === null ? c.metadata.redirect_uris : ["https://app.example.com/base"]
        )
      }).pipe(Effect.provide(engine(c.options))))
  }

  it.effect("without a RegistrationPolicy in context the rules are on (the default)", () =>
    Effect.gen(function*() {
      const service = yield* DynamicClientRegistration.DynamicClientRegistration
      const refused = yield* service.register({ json: JSON.stringify({ redirect_uris: ["javascript:alert(1)"] }) })
      assert.strictEqual(refused.action, "BAD_REQUEST")
      assert.strictEqual(content(refused).error, "invalid_redirect_uri")
      const loopback = yield* service.register({
        json: JSON.stringify({ redirect_uris: ["http://127.0.0.1:33418/cb"], token_endpoint_auth_method: "none" })
      })
      assert.strictEqual(loopback.action, "CREATED", loopback.responseContent)
    }).pipe(
      Effect.provide(
        Engine.layer({ registrationEndpoint }).pipe(Layer.provide(SqliteClientStore.layer({ filename: ":memory:" })))
      )
    ))
})
