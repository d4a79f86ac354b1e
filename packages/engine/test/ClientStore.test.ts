/**
 * The `ClientStore` contract, run against every store (`_stores.ts`): inserts (also concurrent and
 * batched), collisions, the unique `software_id`, compare-and-set, durability across a restart and
 * a close. `storeContract.ts` holds the rest (revocation, initial access tokens).
 */
import { ClientStore } from "@effect-dcr/engine"
import { assert, it } from "@effect/vitest"
import { Cause, Context, Effect, Either, Exit, Fiber, Layer, Option, Scope } from "effect"
import { forEachStore, record } from "./_stores.js"

const plain = { uniqueSoftwareId: false }

forEachStore("ClientStore", (store) => {
  it.effect("insert then find returns the same record", () =>
    Effect.gen(function*() {
      const clients = yield* ClientStore.ClientStore
      const r = record("100000000000001", {
        clientSecretHash: "secret-hash",
        clientSecretExpiresAt: 1_800_000_000_000,
        softwareId: "sw"
      })
      yield* clients.insert(r, plain)
      assert.deepStrictEqual(yield* clients.find(r.clientId), Option.some(r))
      assert.deepStrictEqual(yield* clients.find("999999999999999"), Option.none())
    }).pipe(Effect.provide(store.fresh())))

  it.effect("a duplicate client id is a ClientIdCollision and leaves the first row intact", () =>
    Effect.gen(function*() {
      const clients = yield* ClientStore.ClientStore
      yield* clients.insert(record("100000000000002"), plain)
      const error = yield* Effect.flip(clients.insert(record("100000000000002", { client: "{}" }), plain))
      assert.strictEqual(error._tag, "ClientIdCollision")
      const found = yield* clients.find("100000000000002")
      assert.strictEqual(Option.getOrThrow(found).client, record("100000000000002").client)
    }).pipe(Effect.provide(store.fresh())))

  it.effect("duplicate software_id is refused only when asked", () =>
    Effect.gen(function*() {
      const clients = yield* ClientStore.ClientStore
      yield* clients.insert(record("100000000000003", { softwareId: "app" }), { uniqueSoftwareId: true })
      yield* clients.insert(record("100000000000004", { softwareId: "app" }), plain)
      const error = yield* Effect.flip(
        clients.insert(record("100000000000005", { softwareId: "app" }), { uniqueSoftwareId: true })
      )
      assert.strictEqual(error._tag, "DuplicateSoftwareId")
      assert.isTrue(Option.isNone(yield* clients.find("100000000000005")))
      yield* clients.insert(record("100000000000006", { softwareId: "other" }), { uniqueSoftwareId: true })
      yield* clients.insert(record("100000000000007"), { uniqueSoftwareId: true })
      assert.isTrue(Option.isSome(yield* clients.find("100000000000004")))
      assert.isTrue(Option.isSome(yield* clients.find("100000000000006")))
    }).pipe(Effect.provide(store.fresh())))

  it.effect("list orders by id as bytes (not numerically), after excludes its id, a deleted client is gone", () =>
    Effect.gen(function*() {
      const clients = yield* ClientStore.ClientStore
      // ids of other lengths than the engine's 15 digits: "9" sorts after "10" as bytes; "B" before
      // "a" (a linguistic collation would put "a" first)
      for (const id of ["9", "a", "10", "100000000000011", "B", "2"]) yield* clients.insert(record(id), plain)
      const ids = (page: ReadonlyArray<ClientStore.ClientRecord>) => page.map((r) => r.clientId)
      assert.deepStrictEqual(ids(yield* clients.list({ limit: 1000 })), ["10", "100000000000011", "2", "9", "B", "a"])
      assert.deepStrictEqual(ids(yield* clients.list({ limit: 2, after: "10" })), ["100000000000011", "2"])
      assert.isTrue(yield* clients.delete("2", record("2").registrationAccessTokenHash))
      assert.deepStrictEqual(ids(yield* clients.list({ limit: 5, after: "100000000000011" })), ["9", "B", "a"])
      assert.strictEqual(ClientStore.listLimit(1e9), ClientStore.maxListLimit)
      assert.strictEqual(ClientStore.listLimit(Number.NaN), 1)
    }).pipe(Effect.provide(store.fresh())))

  it.effect("replace and delete are compare-and-set on the token hash", () =>
    Effect.gen(function*() {
      const clients = yield* ClientStore.ClientStore
      const r = record("100000000000008", { softwareId: "s1", clientSecretHash: "sh" })
      yield* clients.insert(r, plain)
      const next = {
        client: "{\"clientName\":\"new\"}",
        registrationAccessTokenHash: "rotated",
        clientSecretHash: undefined,
        clientSecretExpiresAt: 1_900_000_000_000,
        softwareId: undefined,
        modifiedAt: r.modifiedAt + 5
      }
      assert.isFalse(yield* clients.replace(r.clientId, "wrong-hash", next))
      assert.isFalse(yield* clients.replace("100000000000999", r.registrationAccessTokenHash, next))
      assert.isTrue(yield* clients.replace(r.clientId, r.registrationAccessTokenHash, next))
      const found = Option.getOrThrow(yield* clients.find(r.clientId))
      assert.deepStrictEqual(found, { ...next, clientId: r.clientId, createdAt: r.createdAt })
      assert.isFalse(yield* clients.replace(r.clientId, r.registrationAccessTokenHash, next))
      assert.isFalse(yield* clients.delete(r.clientId, r.registrationAccessTokenHash))
      assert.isTrue(yield* clients.delete(r.clientId, "rotated"))
      assert.isTrue(Option.isNone(yield* clients.find(r.clientId)))
      assert.isFalse(yield* clients.delete(r.clientId, "rotated"))
    }).pipe(Effect.provide(store.fresh())))

  it.effect("of concurrent replaces (or a replace and a delete) on the same token, exactly one wins", () =>
    Effect.gen(function*() {
      const clients = yield* ClientStore.ClientStore
      const r = record("100000000000009")
      yield* clients.insert(r, plain)
      const results = yield* Effect.all(
        Array.from({ length: 20 }, (_, i) =>
          i === 7
            ? clients.delete(r.clientId, r.registrationAccessTokenHash)
            : clients.replace(r.clientId, r.registrationAccessTokenHash, {
              ...r,
              registrationAccessTokenHash: `next-${i}`,
              modifiedAt: r.modifiedAt + i
            })),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(results.filter((won) => won).length, 1)
      const winner = results.indexOf(true)
      const found = yield* clients.find(r.clientId)
      if (winner === 7) assert.isTrue(Option.isNone(found))
      else assert.strictEqual(Option.getOrThrow(found).registrationAccessTokenHash, `next-${winner}`)
    }).pipe(Effect.provide(store.fresh())))

  it.scoped("the data survives a restart on the same database", () =>
    Effect.gen(function*() {
      const database = yield* store.database
      yield* Effect.flatMap(ClientStore.ClientStore, (clients) => clients.insert(record("100000000000020"), plain))
        .pipe(Effect.provide(database.open()))
      const found = yield* Effect.flatMap(ClientStore.ClientStore, (clients) => clients.find("100000000000020"))
        .pipe(Effect.provide(database.open()))
      assert.deepStrictEqual(found, Option.some(record("100000000000020")))
    }))

  it.scoped("concurrent inserts are all committed and readable after a restart", () =>
    Effect.gen(function*() {
      const database = yield* store.database
      const ids = Array.from({ length: 200 }, (_, i) => String(200_000_000_000_000 + i))
      yield* Effect.flatMap(ClientStore.ClientStore, (clients) =>
        Effect.all(ids.map((id) => clients.insert(record(id), plain)), { concurrency: "unbounded" })).pipe(
          Effect.provide(database.open())
        )
      const found = yield* Effect.flatMap(ClientStore.ClientStore, (clients) =>
        Effect.forEach(ids, clients.find))
        .pipe(Effect.provide(database.open()))
      assert.deepStrictEqual(found, ids.map((id) => Option.some(record(id))))
    }))

  it.scoped("maxBatchSize 1 and a small maxBatchSize still commit every row", () =>
    Effect.gen(function*() {
      const database = yield* store.database
      for (const [maxBatchSize, offset] of [[1, 0], [7, 100], [0, 200]] as const) {
        const ids = Array.from({ length: 30 }, (_, i) => String(250_000_000_000_000 + offset + i))
        const found = yield* Effect.flatMap(ClientStore.ClientStore, (clients) =>
          Effect.zipRight(
            Effect.all(ids.map((id) => clients.insert(record(id), plain)), { concurrency: "unbounded" }),
            Effect.forEach(ids, clients.find)
          )).pipe(Effect.provide(database.open({ maxBatchSize })))
        assert.deepStrictEqual(found, ids.map((id) => Option.some(record(id))), `maxBatchSize ${maxBatchSize}`)
      }
    }))

  it.effect("a client id collision among concurrent inserts fails only that row", () =>
    Effect.gen(function*() {
      const clients = yield* ClientStore.ClientStore
      yield* clients.insert(record("300000000000000"), plain)
      const rows = Array.from({ length: 40 }, (_, i) =>
        i === 10 || i === 25
          ? record("300000000000000", { client: "{\"late\":" + i + "}" })
          : i === 30
          ? record("300000000000105", { client: "{\"twin\":true}" })
          : record(String(300_000_000_000_100 + i)))
      const results = yield* Effect.all(rows.map((r) => Effect.either(clients.insert(r, plain))), {
        concurrency: "unbounded"
      })
      const failed = results.flatMap((result, i) => Either.isLeft(result) ? [[i, result.left._tag] as const] : [])
      // rows 10 and 25 collide with the committed row, row 30 with row 5 of the same batch
      assert.deepStrictEqual(failed, [[10, "ClientIdCollision"], [25, "ClientIdCollision"], [30, "ClientIdCollision"]])
      for (const [i, r] of rows.entries()) {
        if (i === 10 || i === 25 || i === 30) continue
        assert.deepStrictEqual(yield* clients.find(r.clientId), Option.some(r))
      }
      assert.strictEqual(
        Option.getOrThrow(yield* clients.find("300000000000000")).client,
        record("300000000000000").client
      )
    }).pipe(Effect.provide(store.fresh())))

  it.effect("of concurrent inserts with the same unique software_id exactly one wins", () =>
    Effect.gen(function*() {
      const clients = yield* ClientStore.ClientStore
      const rows = Array.from(
        { length: 30 },
        (_, i) => record(String(400_000_000_000_000 + i), { softwareId: i % 3 === 0 ? "shared" : `own-${i}` })
      )
      const results = yield* Effect.all(
        rows.map((r) => Effect.either(clients.insert(r, { uniqueSoftwareId: true }))),
        { concurrency: "unbounded" }
      )
      const winners = rows.filter((_, i) => Either.isRight(results[i]!))
      assert.strictEqual(winners.filter((r) => r.softwareId === "shared").length, 1)
      assert.strictEqual(winners.length, 21)
      results.forEach((result, i) => {
        if (Either.isLeft(result)) {
          assert.strictEqual(result.left._tag, "DuplicateSoftwareId")
          assert.strictEqual(rows[i]!.softwareId, "shared")
        }
      })
      for (const [i, r] of rows.entries()) {
        assert.strictEqual(Option.isSome(yield* clients.find(r.clientId)), Either.isRight(results[i]!))
      }
    }).pipe(Effect.provide(store.fresh())))

  it.scoped("closing the layer writes what is queued; later inserts fail with ClientStoreError", () =>
    Effect.gen(function*() {
      const database = yield* store.database
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(database.open(), scope)
      const clients = Context.get(context, ClientStore.ClientStore)
      const ids = Array.from({ length: 50 }, (_, i) => String(500_000_000_000_000 + i))
      const fibers = yield* Effect.forEach(ids, (id) => Effect.fork(clients.insert(record(id), plain)))
      // let the fibers queue their rows, then close while they wait for the writer
      yield* Effect.yieldNow()
      yield* Scope.close(scope, Exit.void)
      const exits = yield* Effect.forEach(fibers, Fiber.await)
      const late = yield* Effect.flip(clients.insert(record("500000000000999"), plain))
      assert.strictEqual(late._tag, "ClientStoreError")
      const found = yield* Effect.flatMap(ClientStore.ClientStore, (reopened) => Effect.forEach(ids, reopened.find))
        .pipe(Effect.provide(database.open()))
      exits.forEach((exit, i) => {
        if (Exit.isSuccess(exit)) assert.isTrue(Option.isSome(found[i]!), `row ${i} answered but not committed`)
        else assert.strictEqual(Cause.squash(exit.cause) instanceof ClientStore.ClientStoreError, true)
      })
      assert.isTrue(exits.every(Exit.isSuccess), "rows queued before the close are written")
    }))
})
