/**
 * The operator operations (`Operator`) on every store (`_stores.ts`), against the engine on the same
 * database: clients registered through the engine, then listed, shown, given a new secret or a new
 * registration access token, and deleted, all without the client's token; the engine's own get and
 * update then see the change.
 */
import { ClientStore, Engine, Operator } from "@effect-dcr/engine"
import { assert, it } from "@effect/vitest"
import { Effect, Layer, Option, Redacted, TestClock } from "effect"
import { createHash } from "node:crypto"
import { content, get, publicClient, registered, registrationEndpoint, update, webClient } from "./_helpers.js"
import { forEachStore, type StoreTarget } from "./_stores.js"

const sha256 = (text: string) => createHash("sha256").update(text).digest("base64url")

const hour = 3_600_000
const options: Operator.Options = { registrationEndpoint, clientSecretLifetime: "1 hour" }

/** The engine and its store on one new database (the test's scope). */
const onDatabase = (store: StoreTarget) =>
  Effect.map(
    store.database,
    (db) => ({
      db,
      layer: Engine.layer({ registrationEndpoint, clientSecretLifetime: "1 hour" }).pipe(Layer.provideMerge(db.open()))
    })
  )

const reason = (error: Operator.OperatorError | ClientStore.ClientStoreError) =>
  error._tag === "OperatorError" ? error.reason : error._tag

const findRecord = (clientId: string) =>
  Effect.flatMap(ClientStore.ClientStore, (store) => Effect.map(store.find(clientId), Option.getOrThrow))

forEachStore("Operator", (store) => {
  it.scoped("list summarises every client in id order (no secret, no hash); show answers GET's body without credentials", () =>
    Effect.gen(function*() {
      const { layer } = yield* onDatabase(store)
      yield* Effect.gen(function*() {
        assert.deepStrictEqual(yield* Operator.list({ limit: 10 }), [])
        const web = yield* registered({ ...webClient, software_id: "sw-1" })
        const cli = yield* registered(publicClient)
        const listed = yield* Operator.list({ limit: 10 })
        const expected = [
          {
            clientId: web.clientId,
            clientName: "Example App",
            clientType: "CONFIDENTIAL",
            softwareId: "sw-1",
            registrationPolicy: undefined,
            createdAt: 0,
            modifiedAt: 0,
            clientSecretExpiresAt: hour,
            registrationAccessTokenRevoked: false,
            lastUsedAt: undefined
          },
          {
            clientId: cli.clientId,
            clientName: "CLI tool",
            clientType: "PUBLIC",
            softwareId: undefined,
            registrationPolicy: undefined,
            createdAt: 0,
            modifiedAt: 0,
            clientSecretExpiresAt: undefined,
            registrationAccessTokenRevoked: false,
            lastUsedAt: undefined
          }
        ].sort((a, b) => a.clientId < b.clientId ? -1 : 1)
        assert.deepStrictEqual(listed, expected)
        assert.deepStrictEqual(yield* Operator.list({ limit: 1, after: expected[0]!.clientId }), expected.slice(1))

        for (const client of [web, cli]) {
          const shown = yield* Operator.show(options, client.clientId)
          const { client_secret: _secret, registration_access_token: _token, ...expectedInfo } = content(
            yield* get(client.clientId, client.token)
          )
          assert.deepStrictEqual(shown, expectedInfo)
          assert.notProperty(shown, "client_secret")
          assert.notProperty(shown, "registration_access_token")
        }
        assert.strictEqual((yield* Operator.show(options, web.clientId)).client_secret_expires_at, hour / 1000)
        assert.strictEqual(reason(yield* Effect.flip(Operator.show(options, "100000000000000"))), "NotFound")
      }).pipe(Effect.provide(layer))
    }))

  it.scoped("reissueToken: the old token dies at once, the new one works; it also recovers a revoked token", () =>
    Effect.gen(function*() {
      const { db, layer } = yield* onDatabase(store)
      yield* Effect.gen(function*() {
        const web = yield* registered(webClient)
        const other = yield* registered(publicClient)
        const before = yield* findRecord(web.clientId)
        yield* TestClock.adjust(5_000)
        const token = Redacted.value(yield* Operator.reissueToken(web.clientId))
        // 256 random bits in base64url, with or without the `{client_id}.` prefix
        assert.match(token, /^(?:[0-9]+\.)?[A-Za-z0-9_-]{43}$/)
        assert.strictEqual((yield* get(web.clientId, web.token)).action, "UNAUTHORIZED")
        const info = content(yield* get(web.clientId, token))
        assert.strictEqual(info.registration_access_token, token)
        const after = yield* findRecord(web.clientId)
        assert.strictEqual(after.registrationAccessTokenHash, sha256(token))
        // the secret and the metadata are unchanged, the modification time moved in the row and its client
        assert.strictEqual(after.clientSecretHash, before.clientSecretHash)
        assert.strictEqual(after.clientSecretExpiresAt, before.clientSecretExpiresAt)
        assert.strictEqual(after.modifiedAt, 5_000)
        assert.strictEqual(JSON.parse(after.client).modifiedAt, 5_000)
        assert.strictEqual(info.client_name, "Example App")

        // RFC 7592 §2 misuse: the token presented for another client is revoked
        assert.strictEqual((yield* get(web.clientId, other.token)).action, "UNAUTHORIZED")
        assert.strictEqual((yield* get(other.clientId, other.token)).action, "UNAUTHORIZED")
        const revoked = (yield* Operator.list({ limit: 10 })).find((c) => c.clientId === other.clientId)!
        assert.isTrue(revoked.registrationAccessTokenRevoked)
        const recovered = Redacted.value(yield* Operator.reissueToken(other.clientId))
        assert.strictEqual((yield* get(other.clientId, recovered)).action, "OK")
        assert.isFalse(
          (yield* Operator.list({ limit: 10 })).find((c) => c.clientId === other.clientId)!
            .registrationAccessTokenRevoked
        )

        assert.strictEqual(reason(yield* Effect.flip(Operator.reissueToken("100000000000000"))), "NotFound")
        const dump = yield* db.dump
        assert.notInclude(dump, token)
        assert.notInclude(dump, recovered)
      }).pipe(Effect.provide(layer))
    }))

  it.scoped("rotateSecret: a new secret (hash stored, old one gone) expiring after the lifetime; public clients refused", () =>
    Effect.gen(function*() {
      const { db, layer } = yield* onDatabase(store)
      yield* Effect.gen(function*() {
        const web = yield* registered(webClient)
        const oldSecret = web.info.client_secret as string
        yield* TestClock.adjust(10_000)
        const rotated = yield* Operator.rotateSecret(options, web.clientId)
        const secret = Redacted.value(rotated.clientSecret)
        assert.match(secret, /^[A-Za-z0-9_-]{86}$/)
        assert.notStrictEqual(secret, oldSecret)
        assert.strictEqual(rotated.clientSecretExpiresAt, 10_000 + hour)
        const record = yield* findRecord(web.clientId)
        assert.strictEqual(record.clientSecretHash, sha256(secret))
        assert.strictEqual(record.clientSecretExpiresAt, 10_000 + hour)
        assert.strictEqual(JSON.parse(record.client).modifiedAt, 10_000)
        const dump = yield* db.dump
        assert.notInclude(dump, secret)
        // (a SQLite file may keep the old row's bytes in free pages or the WAL: the store's answer is what counts)
        assert.notStrictEqual(record.clientSecretHash, sha256(oldSecret))
        // the registration access token still works; the engine checks a presented secret against the new hash
        const info = content(yield* get(web.clientId, web.token))
        assert.strictEqual(info.client_secret_expires_at, (10_000 + hour) / 1000)
        assert.notProperty(info, "client_secret")
        const body = { ...webClient, client_id: web.clientId }
        assert.strictEqual(
          (yield* update(web.clientId, web.token, { ...body, client_secret: oldSecret })).action,
          "BAD_REQUEST"
        )
        assert.strictEqual(
          (yield* update(web.clientId, web.token, { ...body, client_secret: secret })).action,
          "UPDATED"
        )

        const cli = yield* registered(publicClient)
        assert.strictEqual(reason(yield* Effect.flip(Operator.rotateSecret(options, cli.clientId))), "PublicClient")
        assert.isUndefined((yield* findRecord(cli.clientId)).clientSecretHash)
        assert.strictEqual(reason(yield* Effect.flip(Operator.rotateSecret(options, "100000000000000"))), "NotFound")
      }).pipe(Effect.provide(layer))
    }))

  it.scoped("rotateSecret without a lifetime: the new secret never expires", () =>
    Effect.gen(function*() {
      const { layer } = yield* onDatabase(store)
      yield* Effect.gen(function*() {
        const web = yield* registered(webClient)
        const rotated = yield* Operator.rotateSecret({ registrationEndpoint }, web.clientId)
        assert.isUndefined(rotated.clientSecretExpiresAt)
        assert.isUndefined((yield* findRecord(web.clientId)).clientSecretExpiresAt)
        assert.strictEqual(content(yield* get(web.clientId, web.token)).client_secret_expires_at, 0)
      }).pipe(Effect.provide(layer))
    }))

  it.scoped("remove deletes without the token; the token then fails, a second remove is NotFound", () =>
    Effect.gen(function*() {
      const { layer } = yield* onDatabase(store)
      yield* Effect.gen(function*() {
        const web = yield* registered(webClient)
        const kept = yield* registered(publicClient)
        yield* Operator.remove(web.clientId)
        assert.strictEqual((yield* get(web.clientId, web.token)).action, "UNAUTHORIZED")
        assert.deepStrictEqual((yield* Operator.list({ limit: 10 })).map((c) => c.clientId), [kept.clientId])
        assert.strictEqual(reason(yield* Effect.flip(Operator.remove(web.clientId))), "NotFound")
        assert.strictEqual((yield* get(kept.clientId, kept.token)).action, "OK")
      }).pipe(Effect.provide(layer))
    }))

  it.scoped("a client whose token hash keeps changing under the operation is a Conflict after a few attempts, nothing written", () =>
    Effect.gen(function*() {
      const { layer } = yield* onDatabase(store)
      yield* Effect.gen(function*() {
        const web = yield* registered(webClient)
        const before = yield* findRecord(web.clientId)
        // every compare-and-set loses, as if the client rotated its token between each read and write
        const losing = Layer.effect(
          ClientStore.ClientStore,
          Effect.map(ClientStore.ClientStore, (real) => ({
            ...real,
            replace: () => Effect.succeed(false),
            delete: () => Effect.succeed(false)
          }))
        )
        for (
          const operation of [
            Effect.asVoid(Operator.reissueToken(web.clientId)),
            Effect.asVoid(Operator.rotateSecret(options, web.clientId)),
            Operator.remove(web.clientId)
          ]
        ) {
          const error = yield* Effect.flip(Effect.provide(operation, losing))
          assert.strictEqual(reason(error), "Conflict")
          assert.include(error.message, "changed concurrently")
        }
        assert.deepStrictEqual(yield* findRecord(web.clientId), before)
        assert.strictEqual((yield* get(web.clientId, web.token)).action, "OK")
      }).pipe(Effect.provide(layer))
    }))
})
