import { Engine } from "@effect-dcr/engine"
import { RegistrationApi } from "@effect-dcr/http-server"
import { RegistrationErrorResponse } from "@effect-dcr/schema"
import { FetchHttpClient, HttpClient } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Redacted, Schema } from "effect"
import { join } from "node:path"
import { flavours, listenWith, tempDirectory } from "./support.js"

const initialAccessToken = "initial-token-for-the-client-test"

/**
 * A registration server (engine on a temporary SQLite file; `initial` requires an initial access
 * token) and an `HttpClient` that records the status of every answer it gets.
 */
const start = (flavour: (typeof flavours)[number], options?: { readonly initial?: boolean }) =>
  Effect.gen(function*() {
    const dir = yield* tempDirectory
    const server = yield* listenWith(flavour)
    const engine = Engine.layerSqlite({
      filename: join(dir, "dcr.sqlite"),
      registrationEndpoint: `${server.base}/register`,
      ...(options?.initial === true ? { initialAccessTokens: [Redacted.make(initialAccessToken)] } : {})
    })
    yield* server.serve(RegistrationApi.layer({ issuer: server.base }).pipe(Layer.provide(engine)))
    const statuses: Array<number> = []
    const http = Layer.effect(
      HttpClient.HttpClient,
      Effect.map(HttpClient.HttpClient, HttpClient.tap((response) => Effect.sync(() => statuses.push(response.status))))
    ).pipe(Layer.provide(FetchHttpClient.layer))
    return { base: server.base, statuses, http }
  })

const isErrorResponse = Schema.is(RegistrationErrorResponse)

const metadata = {
  client_name: "typed client",
  redirect_uris: ["https://app.example/cb"],
  token_endpoint_auth_method: "client_secret_basic" as const
}

for (const flavour of flavours) {
  describe(`RegistrationApi.client against a real server (${flavour} server)`, () => {
    it.scoped("register → read → update → delete, with the registration access token from withAccessToken", () =>
      Effect.gen(function*() {
        const { base, http, statuses } = yield* start(flavour)
        yield* Effect.gen(function*() {
          const client = yield* RegistrationApi.client({ baseUrl: base })

          const registered = yield* client.registration.register({ payload: metadata })
          assert.isString(registered.client_id)
          assert.strictEqual(registered.client_name, "typed client")
          assert.deepStrictEqual(registered.redirect_uris, ["https://app.example/cb"])
          assert.strictEqual(registered.registration_client_uri, `${base}/register/${registered.client_id}`)
          // the secrets decode to Redacted values
          assert.isTrue(Redacted.isRedacted(registered.client_secret))
          assert.isTrue(Redacted.isRedacted(registered.registration_access_token))
          assert.notInclude(String(registered.client_secret), Redacted.value(registered.client_secret!))
          const token = registered.registration_access_token!
          const client_id = registered.client_id

          const read = yield* client.registration.read({ path: { client_id } }).pipe(
            RegistrationApi.withAccessToken(token)
          )
          assert.strictEqual(read.client_id, client_id)
          assert.strictEqual(read.client_name, "typed client")

          const updated = yield* client.registration.update({
            path: { client_id },
            payload: { ...metadata, client_id, client_name: "renamed" }
          }).pipe(RegistrationApi.withAccessToken(Redacted.value(token)))
          assert.strictEqual(updated.client_id, client_id)
          assert.strictEqual(updated.client_name, "renamed")

          yield* client.registration.delete({ path: { client_id } }).pipe(RegistrationApi.withAccessToken(token))

          const gone = yield* client.registration.read({ path: { client_id } }).pipe(
            RegistrationApi.withAccessToken(token),
            Effect.flip
          )
          assert.isTrue(isErrorResponse(gone))
          if (isErrorResponse(gone)) assert.strictEqual(gone.error, "invalid_token")
        }).pipe(Effect.provide(http))
        assert.deepStrictEqual(statuses, [201, 200, 200, 204, 401])
      }))

    it.scoped("a wrong or missing token fails with the typed RegistrationErrorResponse of the 401", () =>
      Effect.gen(function*() {
        const { base, http, statuses } = yield* start(flavour)
        yield* Effect.gen(function*() {
          const client = yield* RegistrationApi.client({ baseUrl: base })
          const registered = yield* client.registration.register({ payload: metadata })
          const path = { client_id: registered.client_id }

          const wrong = yield* client.registration.read({ path }).pipe(
            RegistrationApi.withAccessToken("not-the-token"),
            Effect.flip
          )
          assert.isTrue(isErrorResponse(wrong), String(wrong))
          if (isErrorResponse(wrong)) assert.strictEqual(wrong.error, "invalid_token")

          const missing = yield* client.registration.delete({ path }).pipe(Effect.flip)
          assert.isTrue(isErrorResponse(missing), String(missing))
          if (isErrorResponse(missing)) {
            assert.strictEqual(missing.error, "invalid_token")
            assert.isString(missing.error_description)
          }

          // the token is scoped: outside withAccessToken nothing is sent, inside it is
          const still = yield* client.registration.read({ path }).pipe(
            RegistrationApi.withAccessToken(registered.registration_access_token!)
          )
          assert.strictEqual(still.client_id, registered.client_id)
        }).pipe(Effect.provide(http))
        assert.deepStrictEqual(statuses, [201, 401, 401, 200])
      }))

    it.scoped("register with an initial access token from withAccessToken; without it, the 401 body", () =>
      Effect.gen(function*() {
        const { base, http, statuses } = yield* start(flavour, { initial: true })
        yield* Effect.gen(function*() {
          const client = yield* RegistrationApi.client({ baseUrl: base })
          const refused = yield* client.registration.register({ payload: metadata }).pipe(Effect.flip)
          assert.isTrue(isErrorResponse(refused), String(refused))
          if (isErrorResponse(refused)) assert.strictEqual(refused.error, "invalid_token")
          const registered = yield* client.registration.register({ payload: metadata }).pipe(
            RegistrationApi.withAccessToken(Redacted.make(initialAccessToken))
          )
          assert.isString(registered.client_id)
        }).pipe(Effect.provide(http))
        assert.deepStrictEqual(statuses, [401, 201])
      }))

    it.scoped("a rejected registration fails with the RFC 7591 error body of the 400", () =>
      Effect.gen(function*() {
        const { base, http, statuses } = yield* start(flavour)
        const rejected = yield* Effect.gen(function*() {
          const client = yield* RegistrationApi.client({ baseUrl: base })
          return yield* client.registration.register({
            payload: { ...metadata, grant_types: ["authorization_code"], response_types: ["token"] }
          }).pipe(Effect.flip)
        }).pipe(Effect.provide(http))
        assert.isTrue(isErrorResponse(rejected), String(rejected))
        if (isErrorResponse(rejected)) assert.strictEqual(rejected.error, "invalid_client_metadata")
        assert.deepStrictEqual(statuses, [400])
      }))

    it.scoped("metadata: the discovery document", () =>
      Effect.gen(function*() {
        const { base, http } = yield* start(flavour)
        const document = yield* Effect.gen(function*() {
          const client = yield* RegistrationApi.client({ baseUrl: base })
          return yield* client.registration.metadata()
        }).pipe(Effect.provide(http))
        assert.strictEqual(document.issuer, base)
        assert.strictEqual(document.registration_endpoint, `${base}/register`)
      }))
  })
}
