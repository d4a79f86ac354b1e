import { Engine } from "@effect-dcr/engine"
import * as SqliteClientStore from "@effect-dcr/engine/SqliteClientStore"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Duration, Effect, Layer } from "effect"
import * as TestClock from "effect/TestClock"
import { content, get, registered, registrationEndpoint, update, webClient } from "./_helpers.js"
import { engineOn, forEachStore } from "./_stores.js"

const start = 1_700_000_000_000
const day = 86_400_000
const seconds = (millis: number) => Math.floor(millis / 1000)

forEachStore("Engine", (store) => {
  const engine = engineOn(store)

  describe("client secret lifetime", () => {
    it.effect("by default a secret never expires: client_secret_expires_at is 0 on register, get and update", () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(start)
        const { clientId, info, token } = yield* registered(webClient)
        assert.strictEqual(info.client_secret_expires_at, 0)
        assert.strictEqual(content(yield* get(clientId, token)).client_secret_expires_at, 0)
        yield* TestClock.adjust(Duration.days(3650))
        const updated = content(yield* update(clientId, token, { ...webClient, client_id: clientId }))
        assert.strictEqual(updated.client_secret_expires_at, 0)
        assert.isUndefined(updated.client_secret, "a secret that never expires is kept")
      }).pipe(Effect.provide(engine())))

    it.effect("a lifetime sets client_secret_expires_at (seconds), the same on get; public clients have none", () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(start + 999)
        const { clientId, info, token } = yield* registered(webClient)
        assert.strictEqual(info.client_secret_expires_at, seconds(start + 999 + 30 * day))
        yield* TestClock.adjust("1 day")
        assert.strictEqual(
          content(yield* get(clientId, token)).client_secret_expires_at,
          seconds(start + 999 + 30 * day)
        )
        const publicClient = yield* registered({ ...webClient, token_endpoint_auth_method: "none" })
        assert.isUndefined(publicClient.info.client_secret_expires_at)
      }).pipe(Effect.provide(engine({ clientSecretLifetime: "30 days" }))))

    it.effect("an update before expiry keeps the secret and its expiry; after expiry it issues a new one", () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(start)
        const { clientId, info, token } = yield* registered(webClient)
        const body = { ...webClient, client_id: clientId }
        yield* TestClock.adjust("29 days")
        const kept = content(yield* update(clientId, token, { ...body, client_secret: info.client_secret }))
        assert.isUndefined(kept.client_secret)
        assert.strictEqual(kept.client_secret_expires_at, seconds(start + 30 * day))
        yield* TestClock.adjust("1 day")
        const renewed = content(yield* update(clientId, token, body))
        assert.match(renewed.client_secret, /^[A-Za-z0-9_-]{86}$/)
        assert.notStrictEqual(renewed.client_secret, info.client_secret)
        assert.strictEqual(renewed.client_secret_expires_at, seconds(start + 60 * day))
        assert.strictEqual(content(yield* get(clientId, token)).client_secret_expires_at, seconds(start + 60 * day))
        // the old secret is no longer the client's
        const stale = yield* update(clientId, token, { ...body, client_secret: info.client_secret })
        assert.strictEqual(stale.action, "BAD_REQUEST")
        assert.strictEqual(
          (yield* update(clientId, token, { ...body, client_secret: renewed.client_secret })).action,
          "UPDATED"
        )
      }).pipe(Effect.provide(engine({ clientSecretLifetime: Duration.days(30) }))))
  })

  describe("new client secret on update", () => {
    it.effect("rotateClientSecret: every update of a confidential client issues a new secret; the old one dies", () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(start)
        const { clientId, info, token } = yield* registered(webClient)
        const body = { ...webClient, client_id: clientId }
        yield* TestClock.adjust("1 hour")
        const first = content(yield* update(clientId, token, body))
        assert.match(first.client_secret, /^[A-Za-z0-9_-]{86}$/)
        assert.notStrictEqual(first.client_secret, info.client_secret)
        assert.strictEqual(first.client_secret_expires_at, seconds(start + 3_600_000 + 7 * day))
        const second = content(yield* update(clientId, token, { ...body, client_secret: first.client_secret }))
        assert.notStrictEqual(second.client_secret, first.client_secret)
        assert.strictEqual(
          (yield* update(clientId, token, { ...body, client_secret: first.client_secret })).action,
          "BAD_REQUEST"
        )
        // a confidential client turned public loses its secret and its expiry
        const toPublic = content(yield* update(clientId, token, { ...body, token_endpoint_auth_method: "none" }))
        assert.isUndefined(toPublic.client_secret)
        assert.isUndefined(toPublic.client_secret_expires_at)
      }).pipe(Effect.provide(engine({ rotateClientSecret: true, clientSecretLifetime: "7 days" }))))

    it.effect("without it, an update keeps the secret (not repeated in the answer)", () =>
      Effect.gen(function*() {
        const { clientId, info, token } = yield* registered(webClient)
        const updated = content(yield* update(clientId, token, { ...webClient, client_id: clientId }))
        assert.isUndefined(updated.client_secret)
        const body = { ...webClient, client_id: clientId, client_secret: info.client_secret }
        assert.strictEqual((yield* update(clientId, token, body)).action, "UPDATED")
      }).pipe(Effect.provide(engine())))
  })
})

describe("Engine.config: client secrets", () => {
  const read = (entries: ReadonlyArray<readonly [string, string]>) =>
    Effect.withConfigProvider(
      Engine.config,
      ConfigProvider.fromMap(new Map([["DCR_REGISTRATION_ENDPOINT", registrationEndpoint], ...entries]))
    )

  it.effect("DCR_CLIENT_SECRET_LIFETIME and DCR_ROTATE_CLIENT_SECRET", () =>
    Effect.gen(function*() {
      const defaults = yield* read([])
      assert.isTrue(Duration.equals(Duration.decode(defaults.clientSecretLifetime!), Duration.zero))
      assert.isFalse(defaults.rotateClientSecret)
      const set = yield* read([["DCR_CLIENT_SECRET_LIFETIME", "90d"], ["DCR_ROTATE_CLIENT_SECRET", "true"]])
      assert.isTrue(Duration.equals(Duration.decode(set.clientSecretLifetime!), Duration.days(90)))
      assert.isTrue(set.rotateClientSecret)
      const error = yield* Effect.flip(read([["DCR_CLIENT_SECRET_LIFETIME", "soon"]]))
      assert.include(String(error), "DCR_CLIENT_SECRET_LIFETIME")
    }))

  it.effect("the configured lifetime reaches the answers", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(start)
      const engine = Engine.layerConfig().pipe(
        Layer.provide(SqliteClientStore.layer({ filename: ":memory:" })),
        Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(
          new Map([["DCR_REGISTRATION_ENDPOINT", registrationEndpoint], ["DCR_CLIENT_SECRET_LIFETIME", "12h"]])
        )))
      )
      const { info } = yield* registered(webClient).pipe(Effect.provide(engine))
      assert.strictEqual(info.client_secret_expires_at, seconds(start + 12 * 3_600_000))
    }))
})
