/**
 * Housekeeping on every store (`_stores.ts`), with clients registered through the engine: the
 * registry records a successful authentication's last use (at most once per granularity), the
 * operator lists and prunes the clients registered long ago and never used, and the last-use
 * migration applies to a database of the previous version that already holds clients.
 */
import { ClientRegistry, ClientStore, Engine, Housekeeping, Operator } from "@effect-dcr/engine"
import * as SqliteClientStore from "@effect-dcr/engine/SqliteClientStore"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Layer, Option, Ref, Stream, TestClock } from "effect"
import { publicClient, registered, registrationEndpoint, webClient } from "./_helpers.js"
import { forEachStore, record, type StoreDatabase, type StoreTarget } from "./_stores.js"

const tokenEndpoint = "https://as.example.com/token"
const minute = 60_000
const hour = 60 * minute
const day = 24 * hour

/** The engine, the registry and the store on one new database of `store` (the test's scope). */
const onDatabase = (store: StoreTarget) =>
  Effect.map(
    store.database,
    (db) => ({
      db,
      layer: Layer.mergeAll(Engine.layer({ registrationEndpoint }), ClientRegistry.layer({ tokenEndpoint })).pipe(
        Layer.provideMerge(db.open())
      )
    })
  )

const lastUsedAt = (clientId: string) =>
  Effect.flatMap(
    ClientStore.ClientStore,
    (store) => Effect.map(store.find(clientId), (found) => Option.getOrThrow(found).lastUsedAt)
  )

/** A public client's token request credentials. */
const asPublic = (clientId: string): ClientRegistry.ClientCredentials => ({
  parameters: new URLSearchParams({ client_id: clientId, grant_type: "authorization_code" })
})

const basic = (id: string, secret: string): ClientRegistry.ClientCredentials => ({
  authorization: "Basic " + Buffer.from(`${id}:${secret}`).toString("base64"),
  parameters: new URLSearchParams({ grant_type: "client_credentials" })
})

const authenticate = (credentials: ClientRegistry.ClientCredentials) =>
  Effect.flatMap(ClientRegistry.ClientRegistry, (registry) => registry.authenticate(credentials))

const unusedIds = (options: Operator.UnusedOptions) =>
  Effect.map(
    Stream.runCollect(Operator.unused(options)),
    (all) => Chunk.toReadonlyArray(all).map((client) => client.clientId)
  )

/**
 * The database as the version before the last-use column left it: without that column and its
 * migration (and, on PostgreSQL, without the later migration 6's byte-order collation of client ids).
 */
const previousVersion = (store: StoreTarget, db: StoreDatabase) =>
  db.exec(
    store.name === "SQLite"
      ? ["ALTER TABLE dcr_clients DROP COLUMN last_used_at", "DELETE FROM effect_dcr_migrations WHERE migration_id = 7"]
      : [
        "ALTER TABLE dcr_clients DROP COLUMN last_used_at",
        "ALTER TABLE dcr_clients ALTER COLUMN client_id TYPE text COLLATE \"default\"",
        "DELETE FROM effect_dcr_migrations WHERE migration_id >= 5"
      ]
  )

forEachStore("Housekeeping", (store) => {
  it.scoped("a successful authentication records the last use, at most once an hour; a failed one or find does not", () =>
    Effect.gen(function*() {
      const { layer } = yield* onDatabase(store)
      yield* Effect.gen(function*() {
        yield* TestClock.setTime(10 * day)
        const cli = yield* registered(publicClient)
        const web = yield* registered(webClient)
        const secret = web.info.client_secret as string
        assert.isUndefined(yield* lastUsedAt(cli.clientId))
        // find (anyone can name a client id) and a failed authentication are no use
        assert.isTrue(Option.isSome(yield* Effect.flatMap(ClientRegistry.ClientRegistry, (r) => r.find(web.clientId))))
        yield* Effect.flip(authenticate(basic(web.clientId, secret.slice(0, -1) + (secret.endsWith("A") ? "B" : "A"))))
        assert.isUndefined(yield* lastUsedAt(web.clientId))

        yield* TestClock.adjust(5 * minute)
        yield* authenticate(asPublic(cli.clientId))
        yield* authenticate(basic(web.clientId, secret))
        assert.strictEqual(yield* lastUsedAt(cli.clientId), 10 * day + 5 * minute)
        assert.strictEqual(yield* lastUsedAt(web.clientId), 10 * day + 5 * minute)
        // within the hour: not written again
        yield* TestClock.adjust(59 * minute)
        yield* authenticate(asPublic(cli.clientId))
        assert.strictEqual(yield* lastUsedAt(cli.clientId), 10 * day + 5 * minute)
        // past it: written
        yield* TestClock.adjust(2 * minute)
        yield* authenticate(asPublic(cli.clientId))
        assert.strictEqual(yield* lastUsedAt(cli.clientId), 10 * day + 66 * minute)
        // racing authentications of a stale client: each succeeds, the time is the same
        yield* TestClock.adjust(2 * hour)
        yield* Effect.all(Array.from({ length: 8 }, () => authenticate(asPublic(cli.clientId))), {
          concurrency: "unbounded"
        })
        assert.strictEqual(yield* lastUsedAt(cli.clientId), 10 * day + 186 * minute)
      }).pipe(Effect.provide(layer))
    }))

  it.scoped("unused and prune take only the never-used clients registered before the cutoff, window by window", () =>
    Effect.gen(function*() {
      const { layer } = yield* onDatabase(store)
      yield* Effect.gen(function*() {
        const old = yield* Effect.all(
          Array.from({ length: 7 }, (_, i) => registered({ ...publicClient, client_name: `old ${i}` }))
        )
        const usedOld = yield* registered(publicClient)
        yield* TestClock.adjust(6 * day)
        const recent = yield* registered(publicClient)
        yield* TestClock.adjust(2 * day)
        yield* authenticate(asPublic(usedOld.clientId))
        const oldIds = old.map((c) => c.clientId).sort()

        // 9 clients, windows of 2: five store calls, the same answer as one window
        assert.deepStrictEqual(yield* unusedIds({ olderThan: "7 days", batchSize: 2 }), oldIds)
        assert.deepStrictEqual(yield* unusedIds({ olderThan: "7 days" }), oldIds)
        assert.deepStrictEqual(yield* unusedIds({ olderThan: "9 days" }), [])
        // with notUsedFor, a client not used for that long counts too
        assert.deepStrictEqual(
          yield* unusedIds({ olderThan: "7 days", notUsedFor: "1 hour" }),
          oldIds
        )
        yield* TestClock.adjust(2 * hour)
        assert.deepStrictEqual(
          yield* unusedIds({ olderThan: "7 days", notUsedFor: "1 hour" }),
          [...oldIds, usedOld.clientId].sort()
        )
        const summary = (yield* Stream.runCollect(Operator.unused({ olderThan: "7 days" }))).pipe(Chunk.unsafeHead)
        assert.strictEqual(summary.clientName?.startsWith("old "), true)
        assert.isUndefined(summary.lastUsedAt)

        // a dry run counts and deletes nothing
        assert.deepStrictEqual(yield* Operator.prune({ olderThan: "7 days", batchSize: 3, dryRun: true }), {
          unused: 7,
          deleted: 0
        })
        assert.strictEqual((yield* Operator.list({ limit: 100 })).length, 9)
        assert.deepStrictEqual(yield* Operator.prune({ olderThan: "7 days", batchSize: 3 }), { unused: 7, deleted: 7 })
        const left = (yield* Operator.list({ limit: 100 })).map((c) => c.clientId).sort()
        assert.deepStrictEqual(left, [usedOld.clientId, recent.clientId].sort())
        assert.deepStrictEqual(yield* Operator.prune({ olderThan: "7 days" }), { unused: 0, deleted: 0 })
      }).pipe(Effect.provide(layer))
    }))

  it.scoped("Housekeeping.layer prunes at once and then on its interval, for as long as its scope is open", () =>
    Effect.gen(function*() {
      const { layer } = yield* onDatabase(store)
      yield* Effect.gen(function*() {
        yield* registered(publicClient) // never used: pruned by the first run
        const used = yield* registered(publicClient)
        yield* TestClock.adjust(8 * day)
        yield* authenticate(asPublic(used.clientId))
        const second = yield* registered(publicClient)
        const ids = Effect.map(Operator.list({ limit: 100 }), (all) => all.map((c) => c.clientId).sort())
        /** The ids once the forked run has done its database work (real time: the store's I/O is real), or after 3 s. */
        const idsBecome = (expected: ReadonlyArray<string>, advance = 0) =>
          Effect.gen(function*() {
            for (let attempt = 0; attempt < 300; attempt++) {
              const now = yield* ids
              if (JSON.stringify(now) === JSON.stringify(expected)) return now
              yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 10)))
              if (advance > 0) yield* TestClock.adjust(advance)
            }
            return yield* ids
          })
        yield* Effect.scoped(Effect.gen(function*() {
          yield* Layer.build(Housekeeping.layer({ olderThan: "7 days", interval: "1 day" }))
          // the first run starts at once
          assert.deepStrictEqual(
            yield* idsBecome([used.clientId, second.clientId].sort()),
            [used.clientId, second.clientId].sort()
          )
          // a week and a day later, the second one is old enough: a scheduled run takes it. The clock
          // keeps moving a day per poll: a move made before the first run has gone to sleep on the
          // schedule (its database work is real I/O) does not wake it, the next one does.
          yield* TestClock.adjust(8 * day)
          assert.deepStrictEqual(yield* idsBecome([used.clientId], day), [used.clientId])
        }))
        // closed: no more runs
        const third = yield* registered(publicClient)
        yield* TestClock.adjust(30 * day)
        yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 100)))
        assert.deepStrictEqual(yield* ids, [used.clientId, third.clientId].sort())
      }).pipe(Effect.provide(layer))
    }))

  it.scoped("the last-use migration applies to a database of the previous version with clients in it", () =>
    Effect.gen(function*() {
      const db = yield* store.database
      const clients = [record("100000000000101"), record("100000000000102", { registrationPolicy: "p" })]
      yield* Effect.gen(function*() {
        const clientStore = yield* ClientStore.ClientStore
        for (const r of clients) yield* clientStore.insert(r, { uniqueSoftwareId: false })
      }).pipe(Effect.provide(db.open()))
      // (re-adding the column would fail if it were still there)
      yield* previousVersion(store, db)
      yield* Effect.gen(function*() {
        const clientStore = yield* ClientStore.ClientStore
        for (const r of clients) assert.deepStrictEqual(yield* clientStore.find(r.clientId), Option.some(r))
        assert.isTrue(yield* clientStore.recordUse("100000000000101", 1_800_000_000_000, 1_800_000_000_000))
        assert.strictEqual(yield* lastUsedAt("100000000000101"), 1_800_000_000_000)
        const page = yield* clientStore.listUnused({ createdBefore: 1_800_000_000_000, limit: 10 })
        assert.deepStrictEqual(page.clients, [clients[1]])
      }).pipe(Effect.provide(db.open()))
    }))
})

describe("ClientRegistry last use", () => {
  it.scoped("a failed last-use write is logged, the authentication still succeeds; lastUseGranularity is honoured", () =>
    Effect.gen(function*() {
      const writes = yield* Ref.make(0)
      const failing = yield* Ref.make(true)
      const counted = Layer.effect(
        ClientStore.ClientStore,
        Effect.map(ClientStore.ClientStore, (store) =>
          ClientStore.ClientStore.of({
            ...store,
            recordUse: (clientId, usedAt, staleBefore) =>
              Effect.zipRight(
                Ref.update(writes, (n) => n + 1),
                Effect.flatMap(Ref.get(failing), (fail) =>
                  fail
                    ? Effect.fail(
                      new ClientStore.ClientStoreError({ operation: "recordUse", cause: new Error("busy") })
                    )
                    : store.recordUse(clientId, usedAt, staleBefore))
              )
          }))
      ).pipe(Layer.provideMerge(SqliteClientStore.layer({ filename: ":memory:" })))
      const layer = Layer.mergeAll(
        Engine.layer({ registrationEndpoint }),
        ClientRegistry.layer({ tokenEndpoint, lastUseGranularity: "1 minute" })
      ).pipe(Layer.provideMerge(counted))
      yield* Effect.gen(function*() {
        const cli = yield* registered(publicClient)
        const authenticated = yield* authenticate(asPublic(cli.clientId))
        assert.strictEqual(authenticated.clientId, cli.clientId)
        assert.strictEqual(yield* Ref.get(writes), 1)
        assert.isUndefined(yield* lastUsedAt(cli.clientId))
        yield* Ref.set(failing, false)
        yield* authenticate(asPublic(cli.clientId))
        assert.strictEqual(yield* lastUsedAt(cli.clientId), 0)
        // a one-minute granularity: nothing written within the minute, written after it
        yield* TestClock.adjust(59_000)
        yield* authenticate(asPublic(cli.clientId))
        assert.strictEqual(yield* Ref.get(writes), 2)
        yield* TestClock.adjust(2_000)
        yield* authenticate(asPublic(cli.clientId))
        assert.strictEqual(yield* Ref.get(writes), 3)
        assert.strictEqual(yield* lastUsedAt(cli.clientId), 61_000)
      }).pipe(Effect.provide(layer))
    }))
})
