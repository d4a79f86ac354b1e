/**
 * The typed conveniences over the wire shape: metadata in, decoded `responseContent` out.
 */
import type { ClientMetadata } from "@effect-dcr/schema"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted, Ref } from "effect"
import { DynamicClientRegistration, RetryPolicy } from "../src/index.js"
import * as fixtures from "./fixtures.js"
import { json, layerWith, scripted } from "./utils/scripted.js"
import type { Step } from "./utils/scripted.js"

const token = Redacted.make(fixtures.registrationAccessToken)
const clientId = "26837717140341"

const run = <A, E>(
  steps: ReadonlyArray<Step>,
  op: Effect.Effect<A, E, DynamicClientRegistration.DynamicClientRegistration>
) =>
  Effect.gen(function*() {
    const script = yield* scripted(steps)
    const exit = yield* op.pipe(
      Effect.provide(layerWith(script.client, { retryPolicy: RetryPolicy.none })),
      Effect.exit
    )
    const sent = yield* Ref.get(script.sent)
    return { exit, sent: sent.map((s) => JSON.parse(s.body) as Record<string, unknown>) }
  })

const metadata: ClientMetadata = {
  client_name: "My App",
  redirect_uris: ["https://app.example.com/cb"],
  "client_name#ja": "マイアプリ",
  x_custom: { nested: [1, 2] }
}

const errorBody = (error: string, description: string) => JSON.stringify({ error, error_description: description })

describe("registerMetadata", () => {
  it.effect("sends the metadata as the request's json, and the initial access token if given", () =>
    Effect.gen(function*() {
      const initialAccessToken = Redacted.make("initial-TOKEN")
      const { exit, sent } = yield* run(
        [json(200, fixtures.registerResponse)],
        Effect.zip(
          DynamicClientRegistration.registerMetadata(metadata),
          DynamicClientRegistration.registerMetadata(metadata, { initialAccessToken })
        )
      )
      const [first, second] = yield* exit
      assert.strictEqual(first.action, "CREATED")
      assert.strictEqual(second.action, "CREATED")
      assert.deepStrictEqual(Object.keys(sent[0]!), ["json"])
      assert.deepStrictEqual(JSON.parse(sent[0]!.json as string), metadata)
      assert.deepStrictEqual(sent[1], { json: sent[0]!.json, token: "initial-TOKEN" })
    }))

  it.effect("metadata that breaks the schema fails with the ParseError and sends nothing", () =>
    Effect.gen(function*() {
      const { exit, sent } = yield* run(
        [json(200, fixtures.registerResponse)],
        DynamicClientRegistration.registerMetadata({ redirect_uris: ["/cb"] })
      )
      const error = yield* Effect.flip(exit)
      assert.strictEqual(error._tag, "ParseError")
      assert.strictEqual(sent.length, 0)
    }))
})

describe("updateMetadata", () => {
  it.effect("adds the client_id RFC 7592 wants in the body, with clientId and token", () =>
    Effect.gen(function*() {
      const { exit, sent } = yield* run(
        [json(200, fixtures.updateResponse)],
        DynamicClientRegistration.updateMetadata({ clientId, token, metadata: { client_name: "renamed" } })
      )
      assert.strictEqual((yield* exit).action, "UPDATED")
      assert.strictEqual(sent[0]!.clientId, clientId)
      assert.strictEqual(sent[0]!.token, fixtures.registrationAccessToken)
      assert.deepStrictEqual(JSON.parse(sent[0]!.json as string), { client_id: clientId, client_name: "renamed" })
    }))

  it.effect("keeps a client_id the metadata already has (the server checks it)", () =>
    Effect.gen(function*() {
      const { sent } = yield* run(
        [json(200, fixtures.updateResponse)],
        DynamicClientRegistration.updateMetadata({
          clientId,
          token,
          metadata: { client_id: "other", client_name: "x" }
        })
      )
      assert.deepStrictEqual(JSON.parse(sent[0]!.json as string), { client_id: "other", client_name: "x" })
    }))
})

describe("decodeResponseContent", () => {
  it.effect("CREATED / OK / UPDATED → ClientInformationResponse, secrets Redacted", () =>
    Effect.gen(function*() {
      const { exit } = yield* run(
        [json(200, fixtures.registerResponse)],
        Effect.flatMap(
          DynamicClientRegistration.registerMetadata(metadata),
          DynamicClientRegistration.decodeResponseContent
        )
      )
      const answer = yield* exit
      assert.strictEqual(answer.action, "CREATED")
      if (answer.action !== "CREATED") return
      assert.strictEqual(answer.content.client_id, clientId)
      assert.strictEqual(answer.content.client_name, "My Dynamic Client")
      assert.strictEqual(answer.content.client_secret_expires_at, 0)
      assert.strictEqual(Redacted.value(answer.content.client_secret!), fixtures.clientSecret)
      assert.notInclude(String(answer.content.client_secret), fixtures.clientSecret)
      assert.strictEqual(Redacted.value(answer.content.registration_access_token!), fixtures.registrationAccessToken)

      const read = yield* DynamicClientRegistration.decodeResponseContent({
        action: "OK",
        responseContent: fixtures.getResponse.responseContent
      })
      assert.strictEqual(read.content.client_id, clientId)
      const updated = yield* DynamicClientRegistration.decodeResponseContent({
        action: "UPDATED",
        responseContent: fixtures.updateResponse.responseContent
      })
      assert.strictEqual(updated.content.client_name, "My Updated Dynamic Client")
    }))

  it.effect("BAD_REQUEST / UNAUTHORIZED / INTERNAL_SERVER_ERROR → RegistrationErrorResponse", () =>
    Effect.gen(function*() {
      const cases = [
        ["BAD_REQUEST", "invalid_redirect_uri", "redirect_uris[0]: must be an absolute URI"],
        ["UNAUTHORIZED", "invalid_token", "The registration access token is invalid."],
        ["INTERNAL_SERVER_ERROR", "server_error", "Authlete failed."]
      ] as const
      for (const [action, error, description] of cases) {
        const answer = yield* DynamicClientRegistration.decodeResponseContent({
          action,
          responseContent: errorBody(error, description)
        })
        assert.deepStrictEqual(answer, { action, content: { error, error_description: description } })
      }
      // an error code no RFC lists still decodes (the enum is open)
      const other = yield* DynamicClientRegistration.decodeResponseContent({
        action: "BAD_REQUEST",
        responseContent: errorBody("invalid_software_id", "unknown software")
      })
      assert.deepStrictEqual(other, {
        action: "BAD_REQUEST",
        content: { error: "invalid_software_id", error_description: "unknown software" }
      })
    }))

  it.effect("DELETED → no content", () =>
    Effect.gen(function*() {
      const { exit } = yield* run(
        [json(200, fixtures.deleteResponse)],
        Effect.flatMap(
          DynamicClientRegistration.delete({ clientId, token }),
          DynamicClientRegistration.decodeResponseContent
        )
      )
      assert.deepStrictEqual(yield* exit, { action: "DELETED" })
    }))

  it.effect("content that does not match its action → ResponseContentError naming paths, never values", () =>
    Effect.gen(function*() {
      const secretInfo = JSON.stringify({ client_secret: fixtures.clientSecret, client_secret_expires_at: 0 })
      const cases: ReadonlyArray<
        readonly [DynamicClientRegistration.ResponseContent["action"] | undefined, string | undefined, string]
      > = [
        ["CREATED", secretInfo, "client_id: is required"],
        ["OK", `{"client_id": 1, "client_secret": "${fixtures.clientSecret}"}`, "client_id: must be a string"],
        ["UPDATED", `{"client_secret": "${fixtures.clientSecret}"`, "must be valid JSON"],
        ["CREATED", undefined, "responseContent: is missing"],
        ["BAD_REQUEST", secretInfo, "error: is required"],
        ["UNAUTHORIZED", "[]", "must be a JSON object"],
        [undefined, secretInfo, "the response has no action"]
      ]
      for (const [action, responseContent, description] of cases) {
        const error = yield* Effect.flip(
          DynamicClientRegistration.decodeResponseContent({ action, responseContent })
        )
        assert.strictEqual(error._tag, "ResponseContentError")
        assert.strictEqual(error.action, action)
        assert.include(error.description, description)
        assert.notInclude(error.message, fixtures.clientSecret.slice(0, 12))
        assert.notInclude(JSON.stringify(error), fixtures.clientSecret.slice(0, 12))
      }
    }))

  it.effect("the result's type follows the operation: a switch over register's actions is exhaustive", () =>
    Effect.gen(function*() {
      const { exit } = yield* run(
        [json(200, fixtures.registerResponse)],
        Effect.flatMap(
          DynamicClientRegistration.registerMetadata(metadata),
          DynamicClientRegistration.decodeResponseContent
        )
      )
      const answer = yield* exit
      const status = (): number => {
        switch (answer.action) {
          case "CREATED":
            return answer.content.client_id.length > 0 ? 201 : 500
          case "BAD_REQUEST":
            return answer.content.error.length > 0 ? 400 : 500
          case "UNAUTHORIZED":
            return 401
          case "INTERNAL_SERVER_ERROR":
            return 500
        }
      }
      assert.strictEqual(status(), 201)
      assert.isDefined(answer.content) // every register action has content
    }))
})
