/**
 * What only the PostgreSQL store has to show: several instances (pools) on one database at once,
 * its migrations under a concurrent start, its batching, its timeouts. The contract it shares with
 * SQLite is in ClientStore.test.ts.
 */
import { ClientStore, InitialAccessTokenStore } from "@effect-dcr/engine"
import * as PgClientStore from "@effect-dcr/engine/PgClientStore"
import { adminQuery, freshSchema, skipReason } from "@effect-dcr/testing/Postgres"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Context, Effect, Either, Exit, Layer, Option, Redacted } from "effect"
import type { Scope } from "effect"
import * as Pg from "pg"
import { record } from "./_stores.js"

const describePg = skipReason === undefined ? describe : describe.skip

/** `count` instances of the store on one new schema, opened at once; closed with the scope. */
const instances = (count: number, options: Omit<PgClientStore.Options, "url"> = {}) =>
  Effect.gen(function*() {
    const { schema, url } = yield* freshSchema
    const contexts = yield* Effect.all(
      Array.from({ length: count }, () => Layer.build(PgClientStore.layer({ url, maxConnections: 3, ...options }))),
      { concurrency: "unbounded" }
    )
    return {
      schema,
      url,
      clients: contexts.map(Context.get(ClientStore.ClientStore)),
      tokens: contexts.map(Context.get(InitialAccessTokenStore.InitialAccessTokenStore))
    }
  })

const rows = <A>(schema: string, text: string): Effect.Effect<ReadonlyArray<A>> =>
  Effect.map(adminQuery(text.replaceAll("$schema", schema)), (result) => result.rows as Array<A>)

const plain = { uniqueSoftwareId: false }

describePg(`PgClientStore${skipReason === undefined ? "" : ` (skipped: ${skipReason})`}`, () => {
  it.scoped("several instances starting at once run the migrations once", () =>
    Effect.gen(function*() {
      const { clients, schema } = yield* instances(5)
      const applied = yield* rows<{ readonly migration_id: number }>(
        schema,
        "SELECT migration_id FROM $schema.effect_dcr_migrations ORDER BY migration_id"
      )
      // each migration recorded once, in order, none missing
      const ids = applied.map((row) => row.migration_id)
      assert.isAtLeast(ids.length, 2)
      assert.deepStrictEqual(ids, ids.map((_, i) => i + 1))
      yield* clients[0]!.insert(record("100000000000001"), plain)
      assert.isTrue(Option.isSome(yield* clients[4]!.find("100000000000001")))
    }))

  it.scoped("list pages along the primary key's index: client ids are in byte order (\"C\"), as in SQLite", () =>
    Effect.gen(function*() {
      const { clients, schema } = yield* instances(1)
      const ids = ["b", "B", "a", "_", "a-1", "A", "1"]
      for (const id of ids) yield* clients[0]!.insert(record(id), plain)
      const page = yield* clients[0]!.list({ limit: 4 })
      assert.deepStrictEqual(page.map((c) => c.clientId), ["1", "A", "B", "_"])
      const next = yield* clients[0]!.list({ limit: 4, after: "_" })
      assert.deepStrictEqual(next.map((c) => c.clientId), ["a", "a-1", "b"])
      // byte order needs no sort (sequential scans priced out): the primary key's index has that order
      const results = yield* adminQuery(
        `SET enable_seqscan = off; EXPLAIN SELECT client_id FROM ${schema}.dcr_clients WHERE client_id COLLATE "C" > '_' ORDER BY client_id COLLATE "C" LIMIT 4`
      )
      const explained = (results as unknown as ReadonlyArray<Pg.QueryResult<{ readonly "QUERY PLAN": string }>>).at(-1)!
      const plan = explained.rows.map((row) => row["QUERY PLAN"]).join("\n")
      assert.include(plan, "Index")
      assert.notInclude(plan, "Sort")
    }))

  it.scoped("a unique software_id is atomic across instances: of racing registrations exactly one wins", () =>
    Effect.gen(function*() {
      const { clients } = yield* instances(3)
      for (let round = 0; round < 10; round++) {
        const results = yield* Effect.all(
          Array.from({ length: 6 }, (_, i) =>
            Effect.either(
              clients[i % 3]!.insert(
                record(String(200_000_000_000_000 + round * 10 + i), { softwareId: `app-${round}` }),
                {
                  uniqueSoftwareId: true
                }
              )
            )),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(results.filter(Either.isRight).length, 1, `round ${round}`)
        for (const result of results) {
          if (Either.isLeft(result)) assert.strictEqual(result.left._tag, "DuplicateSoftwareId")
        }
      }
    }))

  it.scoped("the same client id from two instances: one insert wins, the other is a ClientIdCollision", () =>
    Effect.gen(function*() {
      const { clients } = yield* instances(2)
      for (let round = 0; round < 10; round++) {
        const id = String(300_000_000_000_000 + round)
        const results = yield* Effect.all(
          clients.map((store, i) => Effect.either(store.insert(record(id, { client: `{"from":${i}}` }), plain))),
          { concurrency: "unbounded" }
        )
        const won = results.findIndex(Either.isRight)
        assert.notStrictEqual(won, -1)
        const lost = results[1 - won]!
        assert.isTrue(Either.isLeft(lost) && lost.left._tag === "ClientIdCollision")
        assert.strictEqual(Option.getOrThrow(yield* clients[1 - won]!.find(id)).client, `{"from":${won}}`)
      }
    }))

  it.scoped("compare-and-set across instances: of racing updates and deletes on one token exactly one wins", () =>
    Effect.gen(function*() {
      const { clients } = yield* instances(2)
      for (let round = 0; round < 10; round++) {
        const r = record(String(400_000_000_000_000 + round))
        yield* clients[0]!.insert(r, plain)
        const results = yield* Effect.all(
          Array.from({ length: 8 }, (_, i) =>
            i === 5
              ? clients[1]!.delete(r.clientId, r.registrationAccessTokenHash)
              : clients[i % 2]!.replace(r.clientId, r.registrationAccessTokenHash, {
                ...r,
                registrationAccessTokenHash: `next-${i}`,
                modifiedAt: r.modifiedAt + 1
              })),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(results.filter((won) => won).length, 1, `round ${round}`)
        const winner = results.indexOf(true)
        for (const store of clients) {
          const found = yield* store.find(r.clientId)
          if (winner === 5) assert.isTrue(Option.isNone(found))
          else assert.strictEqual(Option.getOrThrow(found).registrationAccessTokenHash, `next-${winner}`)
        }
      }
    }))

  it.scoped("initial access token uses are taken atomically across instances", () =>
    Effect.gen(function*() {
      const { tokens } = yield* instances(2)
      yield* tokens[0]!.create({
        id: "0123456789abcdef",
        tokenHash: "token-hash",
        policy: undefined,
        createdAt: 1_700_000_000_000,
        expiresAt: 1_800_000_000_000,
        maxUses: 5
      })
      const taken = yield* Effect.all(
        Array.from({ length: 24 }, (_, i) => tokens[i % 2]!.consume("token-hash", 1_700_000_000_001)),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(taken.filter(Option.isSome).length, 5)
      const [listed] = yield* tokens[1]!.list
      assert.strictEqual(listed?.uses, 5)
    }))

  it.effect("concurrent inserts share a few transactions; maxBatchSize 1 writes each alone", () =>
    Effect.gen(function*() {
      const transactions = (maxBatchSize: number | undefined, offset: number) =>
        Effect.gen(function*() {
          const { clients, schema } = yield* instances(1, { maxBatchSize })
          const ids = Array.from({ length: 200 }, (_, i) => String(500_000_000_000_000 + offset + i))
          yield* Effect.all(ids.map((id) => clients[0]!.insert(record(id), plain)), { concurrency: "unbounded" })
          // every row carries the id of the transaction that inserted it
          const counted = yield* rows<{ readonly count: number }>(
            schema,
            "SELECT count(DISTINCT xmin::text)::int AS count FROM $schema.dcr_clients"
          )
          return counted[0]!.count
        }).pipe(Effect.scoped)
      const batched = yield* transactions(undefined, 0)
      assert.isAtLeast(batched, 1)
      assert.isAtMost(batched, 10, `200 concurrent inserts took ${batched} transactions`)
      assert.strictEqual(yield* transactions(1, 1_000), 200)
    }))

  it.scoped("a blocked statement ends at statementTimeout, a wait for a busy pool at connectTimeout", () =>
    Effect.gen(function*() {
      const { schema, url } = yield* freshSchema
      const clients = yield* Effect.map(
        Layer.build(PgClientStore.layer({
          url,
          maxConnections: 1,
          statementTimeout: "400 millis",
          connectTimeout: "100 millis"
        })),
        Context.get(ClientStore.ClientStore)
      )
      yield* clients.insert(record("600000000000001"), plain)
      // another session holds a lock the store's statements wait for
      const blocker = yield* holdLock(url, `LOCK TABLE ${schema}.dcr_clients IN ACCESS EXCLUSIVE MODE`)
      const [blocked, waiting] = yield* Effect.all(
        [Effect.flip(clients.find("600000000000001")), Effect.flip(clients.find("600000000000001"))],
        { concurrency: "unbounded" }
      )
      assert.strictEqual(blocked._tag, "ClientStoreError")
      assert.include(String((blocked.cause as Error).message), "statement timeout")
      assert.strictEqual(waiting._tag, "ClientStoreError")
      assert.include(String((waiting.cause as Error).message), "timeout")
      yield* blocker.release
      assert.isTrue(Option.isSome(yield* clients.find("600000000000001")))
    }))

  it.effect("a server that does not answer is a ClientStoreError at open, without the password", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(
        Layer.build(PgClientStore.layer({
          url: Redacted.make("postgres://dcr:s3cret-password@127.0.0.1:1/dcr"),
          connectTimeout: "2 seconds"
        })).pipe(Effect.scoped)
      )
      assert.isTrue(Exit.isFailure(exit))
      if (Exit.isFailure(exit)) {
        const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined
        assert.strictEqual(error?._tag, "ClientStoreError")
        assert.strictEqual(error?.operation, "open")
        assert.notInclude(JSON.stringify(error) + String(error) + String(error?.cause), "s3cret")
      }
    }))

  it.scoped("layerUrlConfig opens the database named by DCR_DATABASE_URL and refuses a SQLite URL", () =>
    Effect.gen(function*() {
      const { url } = yield* freshSchema
      const open = (value: string) =>
        Layer.build(PgClientStore.layerUrlConfig()).pipe(
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["DCR_DATABASE_URL", value]]))),
          Effect.scoped,
          Effect.exit
        )
      assert.isTrue(Exit.isSuccess(yield* open(Redacted.value(url))))
      assert.isTrue(Exit.isFailure(yield* open("sqlite::memory:")))
    }))
})

/** Opens a session on `url`, runs `statement` inside a transaction and keeps it open until `release`. */
const holdLock = (url: Redacted.Redacted<string>, statement: string) =>
  Effect.gen(function*() {
    const client = new Pg.Client({ connectionString: Redacted.value(url) })
    yield* Effect.promise(() => client.connect())
    yield* Effect.promise(() => client.query("BEGIN").then(() => client.query(statement)))
    let released = false
    const release = Effect.promise(async () => {
      if (released) return
      released = true
      await client.query("COMMIT").finally(() => client.end())
    })
    yield* Effect.addFinalizer(() => release)
    return { release }
  }) satisfies Effect.Effect<unknown, unknown, Scope.Scope>
