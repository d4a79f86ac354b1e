import { ClientStore } from "@effect-dcr/engine"
import * as SqliteClientStore from "@effect-dcr/engine/SqliteClientStore"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as SqlClient from "@effect/sql/SqlClient"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Either, Exit, Layer, Option } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { record } from "./_stores.js"

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "effect-dcr-store-"))

// The contract every store meets is in ClientStore.test.ts and storeContract.ts; here what is SQLite's own.
describe("SqliteClientStore", () => {
  it.effect("a file store survives a restart, in WAL mode, with migrations applied once", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      const filename = path.join(dir, "dcr.sqlite")
      const layer = SqliteClientStore.layer({ filename })
      yield* Effect.flatMap(ClientStore.ClientStore, (store) =>
        store.insert(record("100000000000010"), { uniqueSoftwareId: false }))
        .pipe(Effect.provide(layer))
      assert.isTrue(fs.existsSync(filename))
      const found = yield* Effect.flatMap(ClientStore.ClientStore, (store) =>
        store.find("100000000000010")).pipe(
          Effect.provide(layer)
        )
      assert.deepStrictEqual(found, Option.some(record("100000000000010")))
      // WAL journal mode is persistent in the file header (bytes 18 and 19 are 2 in WAL mode)
      const header = fs.readFileSync(filename).subarray(0, 20)
      assert.strictEqual(header[18], 2)
      assert.strictEqual(header[19], 2)
      fs.rmSync(dir, { recursive: true, force: true })
    }))

  it.effect("the connection gets the WAL checkpoint interval: the default, or the one configured", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      const interval = (options?: SqliteClientStore.ConnectionOptions) =>
        Effect.gen(function*() {
          yield* ClientStore.ClientStore
          const sql = yield* SqlClient.SqlClient
          const rows = yield* sql<{ readonly wal_autocheckpoint: number }>`PRAGMA wal_autocheckpoint`
          return rows[0]!.wal_autocheckpoint
        }).pipe(
          Effect.provide(
            SqliteClientStore.layerFromSqlClient(options).pipe(
              Layer.provideMerge(SqliteClient.layer({ filename: path.join(dir, "wal.sqlite") }))
            )
          )
        )
      assert.strictEqual(yield* interval(), SqliteClientStore.defaultWalAutocheckpoint)
      assert.strictEqual(yield* interval({ walAutocheckpoint: 250 }), 250)
      assert.strictEqual(yield* interval({ walAutocheckpoint: 0 }), 0)
      fs.rmSync(dir, { recursive: true, force: true })
    }))

  it.effect("the connection gets the page cache size: the default (2 000 KiB), or the one configured", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      const cache = (options?: SqliteClientStore.ConnectionOptions) =>
        Effect.gen(function*() {
          yield* ClientStore.ClientStore
          const sql = yield* SqlClient.SqlClient
          const rows = yield* sql<{ readonly cache_size: number }>`PRAGMA cache_size`
          return rows[0]!.cache_size
        }).pipe(
          Effect.provide(
            SqliteClientStore.layerFromSqlClient(options).pipe(
              Layer.provideMerge(SqliteClient.layer({ filename: path.join(dir, "cache.sqlite") }))
            )
          )
        )
      assert.strictEqual(yield* cache(), -SqliteClientStore.defaultCacheSizeKib)
      assert.strictEqual(yield* cache({ cacheSizeKib: 8_000 }), -8_000)
      fs.rmSync(dir, { recursive: true, force: true })
    }))

  it.effect("a file that cannot be opened is a ClientStoreError, not a defect", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(
        Layer.build(SqliteClientStore.layer({ filename: "/nonexistent-dir/sub/dcr.sqlite" })).pipe(Effect.scoped)
      )
      assert.isTrue(Exit.isFailure(exit))
      if (Exit.isFailure(exit)) {
        const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined
        assert.strictEqual(error?._tag, "ClientStoreError")
        assert.strictEqual(error?.operation, "open")
      }
    }))
})

describe("SqliteClientStore.layerUrlConfig", () => {
  it.effect("layerUrlConfig opens the database named by DCR_DATABASE_URL", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      const filename = path.join(dir, "from-url.sqlite")
      const layer = SqliteClientStore.layerUrlConfig().pipe(
        Layer.provide(
          Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["DCR_DATABASE_URL", `sqlite:${filename}`]])))
        )
      )
      yield* Effect.flatMap(ClientStore.ClientStore, (store) =>
        store.insert(record("100000000000020"), { uniqueSoftwareId: false }))
        .pipe(Effect.provide(layer))
      assert.isTrue(fs.existsSync(filename))
      const bad = SqliteClientStore.layerUrlConfig().pipe(
        Layer.provide(
          Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["DCR_DATABASE_URL", "postgres://x/y"]])))
        )
      )
      const exit = yield* Effect.exit(Layer.build(bad).pipe(Effect.scoped))
      assert.isTrue(Exit.isFailure(exit))
      fs.rmSync(dir, { recursive: true, force: true })
    }))
})

/** Commit frames in a WAL file (frame header bytes 4..7 are non-zero only on the last frame of a commit). */
const walCommits = (walFile: string): number => {
  if (!fs.existsSync(walFile)) return 0
  const wal = fs.readFileSync(walFile)
  if (wal.length < 32) return 0
  const pageSize = wal.readUInt32BE(8)
  const salt1 = wal.readUInt32BE(16)
  const salt2 = wal.readUInt32BE(20)
  let commits = 0
  for (let offset = 32; offset + 24 + pageSize <= wal.length; offset += 24 + pageSize) {
    // frames left over from before the last WAL reset carry the old salts
    if (wal.readUInt32BE(offset + 8) !== salt1 || wal.readUInt32BE(offset + 12) !== salt2) break
    if (wal.readUInt32BE(offset + 4) !== 0) commits++
  }
  return commits
}

describe("SqliteClientStore group commit", () => {
  it.effect("concurrent inserts share a few commits, all committed and readable after a restart", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      const filename = path.join(dir, "dcr.sqlite")
      const layer = SqliteClientStore.layer({ filename })
      const ids = Array.from({ length: 200 }, (_, i) => String(200_000_000_000_000 + i))
      const commits = yield* Effect.gen(function*() {
        const store = yield* ClientStore.ClientStore
        const before = walCommits(filename + "-wal")
        yield* Effect.all(ids.map((id) => store.insert(record(id), { uniqueSoftwareId: false })), {
          concurrency: "unbounded"
        })
        return walCommits(filename + "-wal") - before
      }).pipe(Effect.provide(layer))
      assert.isAbove(commits, 0)
      assert.isBelow(commits, 20, `200 concurrent inserts took ${commits} commits`)
      const found = yield* Effect.flatMap(
        ClientStore.ClientStore,
        (store) => Effect.forEach(ids, (id) => store.find(id))
      ).pipe(Effect.provide(layer))
      assert.deepStrictEqual(found, ids.map((id) => Option.some(record(id))))
      fs.rmSync(dir, { recursive: true, force: true })
    }))

  it.effect("inserts started by separate event-loop callbacks of one turn (like HTTP requests) share a commit", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      const filename = path.join(dir, "dcr.sqlite")
      const ids = Array.from({ length: 50 }, (_, i) => String(260_000_000_000_000 + i))
      const { commits, results } = yield* Effect.gen(function*() {
        const store = yield* ClientStore.ClientStore
        const before = walCommits(filename + "-wal")
        // one macrotask per insert, the way Node runs one I/O callback per request; fibers run in the
        // microtasks drained after each callback
        const results = yield* Effect.promise(() =>
          new Promise<ReadonlyArray<Either.Either<void, unknown>>>((resolve) => {
            const started: Array<Promise<Either.Either<void, unknown>>> = []
            for (const id of ids) {
              setImmediate(() => {
                started.push(Effect.runPromise(Effect.either(store.insert(record(id), { uniqueSoftwareId: false }))))
              })
            }
            setImmediate(() => resolve(Promise.all(started)))
          })
        )
        return { commits: walCommits(filename + "-wal") - before, results }
      }).pipe(Effect.provide(SqliteClientStore.layer({ filename })))
      assert.isTrue(results.every(Either.isRight))
      assert.isAbove(commits, 0)
      assert.isAtMost(commits, 3, `50 inserts from separate callbacks took ${commits} commits`)
      fs.rmSync(dir, { recursive: true, force: true })
    }))

  it.effect("maxBatchSize bounds the batch: 1 writes every row in its own commit", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      const filename = path.join(dir, "dcr.sqlite")
      const ids = Array.from({ length: 30 }, (_, i) => String(250_000_000_000_000 + i))
      const commitsWith = (maxBatchSize: number, offset: number) =>
        Effect.gen(function*() {
          const store = yield* ClientStore.ClientStore
          const before = walCommits(filename + "-wal")
          yield* Effect.all(ids.map((id) => store.insert(record(id + offset), { uniqueSoftwareId: false })), {
            concurrency: "unbounded"
          })
          return walCommits(filename + "-wal") - before
        }).pipe(Effect.provide(SqliteClientStore.layer({ filename, maxBatchSize })))
      assert.strictEqual(yield* commitsWith(1, 0), 30)
      const bounded = yield* commitsWith(10, 1)
      assert.isAtLeast(bounded, 3)
      assert.isBelow(bounded, 30)
      // an invalid size falls back to the default instead of stalling the writer
      assert.isBelow(yield* commitsWith(0, 2), 30)
      fs.rmSync(dir, { recursive: true, force: true })
    }))

  it.effect("a storage error rolls the batch back and answers every caller with ClientStoreError; the writer goes on", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const store = yield* ClientStore.ClientStore
      // a storage failure on one row that is not a constraint the store knows (a trigger's RAISE)
      yield* sql.unsafe(
        "CREATE TRIGGER fail_one BEFORE INSERT ON dcr_clients WHEN NEW.client_id = '700000000000005' BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
      )
      const ids = Array.from({ length: 10 }, (_, i) => String(700_000_000_000_000 + i))
      const results = yield* Effect.all(
        ids.map((id) => Effect.either(store.insert(record(id), { uniqueSoftwareId: false }))),
        { concurrency: "unbounded" }
      )
      for (const result of results) {
        assert.isTrue(Either.isLeft(result))
        if (Either.isLeft(result)) assert.strictEqual(result.left._tag, "ClientStoreError")
      }
      for (const id of ids) assert.isTrue(Option.isNone(yield* store.find(id)), `row ${id} survived the rollback`)
      yield* store.insert(record("700000000000100"), { uniqueSoftwareId: false })
      assert.isTrue(Option.isSome(yield* store.find("700000000000100")))
    }).pipe(
      Effect.provide(
        SqliteClientStore.layerFromSqlClient().pipe(
          Layer.provideMerge(SqliteClient.layer({ filename: ":memory:" }))
        )
      )
    ))

  it.effect("an insert inside the caller's transaction joins it (no deadlock with the writer)", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const store = yield* ClientStore.ClientStore
      const rolledBack = yield* sql.withTransaction(
        Effect.zipRight(
          store.insert(record("600000000000001"), { uniqueSoftwareId: false }),
          Effect.fail("abort" as const)
        )
      ).pipe(Effect.flip)
      assert.strictEqual(rolledBack, "abort")
      assert.isTrue(Option.isNone(yield* store.find("600000000000001")))
      yield* sql.withTransaction(store.insert(record("600000000000002"), { uniqueSoftwareId: false }))
      yield* store.insert(record("600000000000003"), { uniqueSoftwareId: false })
      assert.isTrue(Option.isSome(yield* store.find("600000000000002")))
      assert.isTrue(Option.isSome(yield* store.find("600000000000003")))
    }).pipe(
      Effect.provide(
        SqliteClientStore.layerFromSqlClient().pipe(
          Layer.provideMerge(SqliteClient.layer({ filename: ":memory:" }))
        )
      )
    ))
})
