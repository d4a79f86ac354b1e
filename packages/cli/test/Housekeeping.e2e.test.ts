/**
 * End to end: `effect-dcr clients unused` and `clients prune` (the BUILT command line) on a SQLite
 * file. Clients registered "long ago" are written through the engine's own store with an old
 * creation time (the command line runs on the real clock); one of them has a recorded use. The
 * suite builds first, like Clients.e2e.test.ts. Then `serve` with DCR_PRUNE_UNUSED_CLIENTS_AFTER prunes
 * on its own.
 */
import * as SqliteClientStore from "@effect-dcr/engine/SqliteClientStore"
import { build, cli, serve } from "@effect-dcr/testing/Cli"
import * as TempDirectory from "@effect-dcr/testing/TempDirectory"
import { assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { join } from "node:path"

beforeAll(build, 180_000)

const day = 86_400_000

/** `cli`, asserting exit status 0. */
const ok = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  Effect.tap(cli(args, env), (result) => assert.strictEqual(result.code, 0, `${args.join(" ")}: ${result.stderr}`))

const listedIds = (env: Record<string, string>) =>
  Effect.map(
    ok(["clients", "list", "--json"], env),
    (result) => (JSON.parse(result.stdout) as Array<{ readonly clientId: string }>).map((row) => row.clientId).sort()
  )

/** A new database file with one client, registered just now through the CLI. */
const withRecentClient = Effect.gen(function*() {
  const dir = yield* TempDirectory.make("effect-dcr-housekeeping-")
  const filename = join(dir, "dcr.sqlite")
  const env = { DCR_DATABASE_URL: `sqlite:${filename}` }
  const registered = yield* ok([
    "register",
    JSON.stringify({ client_name: "recent", redirect_uris: ["https://app.example.com/cb"] })
  ], env)
  return { env, filename, recentId: JSON.parse(registered.stdout).client_id as string }
})

// The tests are independent (each its own directory, database and processes): they run concurrently.
describe.concurrent("effect-dcr clients unused / prune (built) end to end", () => {
  it.scopedLive(
    "lists and prunes only the clients registered before the cutoff and never used",
    () =>
      Effect.gen(function*() {
        const { env, filename, recentId } = yield* withRecentClient

        // three clients registered ten days ago and never used, one used yesterday: copies of the real row
        const now = Date.now()
        const oldIds = ["100000000000201", "100000000000202", "100000000000203"]
        const usedId = "100000000000204"
        yield* Effect.scoped(Effect.gen(function*() {
          const store = yield* SqliteClientStore.make({ filename })
          const model = Option.getOrThrow(yield* store.find(recentId))
          for (const [i, clientId] of [...oldIds, usedId].entries()) {
            yield* store.insert({
              ...model,
              clientId,
              client: JSON.stringify({
                ...JSON.parse(model.client),
                clientId: Number(clientId),
                clientName: `old ${i}`
              }),
              registrationAccessTokenHash: `hash-${clientId}`,
              createdAt: now - 10 * day,
              modifiedAt: now - 10 * day
            }, { uniqueSoftwareId: false })
          }
          assert.isTrue(yield* store.recordUse(usedId, now - day, now - day))
        })).pipe(Effect.orDie)

        // unused: JSON for scripts, a table by default (7 days unless --older-than); read-only, so two at a time
        const [unusedJson, table, older, stale] = yield* Effect.all([
          ok(["clients", "unused", "--json"], env),
          ok(["clients", "unused"], env),
          ok(["clients", "unused", "--older-than", "11d", "--json"], env),
          ok(["clients", "unused", "--not-used-for", "12h", "--json"], env)
        ], { concurrency: 2 })
        const unused = JSON.parse(unusedJson.stdout) as Array<Record<string, any>>
        assert.deepStrictEqual(unused.map((row) => row.clientId), oldIds)
        assert.deepStrictEqual(unused.map((row) => row.clientName), ["old 0", "old 1", "old 2"])
        assert.deepStrictEqual(unused.map((row) => row.lastUsed), [null, null, null])
        assert.match(table.stdout, /^client_id\s+name\s+type\s+created\s+last used$/m)
        assert.match(table.stdout, /^100000000000201\s+old 0\s+confidential\s+\S+\s+never$/m)
        assert.include(table.stderr, "3 clients registered more than 7d ago and never used")
        assert.deepStrictEqual(JSON.parse(older.stdout), [])
        assert.deepStrictEqual(JSON.parse(stale.stdout).map((row: Record<string, any>) => row.clientId), [
          ...oldIds,
          usedId
        ])

        // prune: --older-than is required and must be a positive duration
        yield* Effect.forEach(
          [["clients", "prune"], ["clients", "prune", "--older-than", "0"], [
            "clients",
            "prune",
            "--older-than",
            "soon"
          ]],
          (args) => Effect.map(cli(args, env), (refused) => assert.notStrictEqual(refused.code, 0, args.join(" "))),
          { concurrency: 2, discard: true }
        )
        assert.deepStrictEqual(yield* listedIds(env), [...oldIds, usedId, recentId].sort())

        // a dry run counts, deletes nothing
        const dry = yield* ok(["clients", "prune", "--older-than", "7d", "--dry-run"], env)
        assert.include(dry.stderr, "Would delete 3 clients registered more than 7d ago and never used")
        assert.deepStrictEqual(yield* listedIds(env), [...oldIds, usedId, recentId].sort())

        // the real thing: the used client and the recent one stay
        const pruned = yield* ok(["clients", "prune", "--older-than", "7d", "--json"], env)
        assert.deepStrictEqual(JSON.parse(pruned.stdout), { unused: 3, deleted: 3, dryRun: false })
        assert.deepStrictEqual(yield* listedIds(env), [usedId, recentId].sort())
        const again = yield* ok(["clients", "prune", "--older-than", "7d"], env)
        assert.include(again.stderr, "Deleted 0 clients")
      }),
    120_000
  )

  it.scopedLive(
    "serve with DCR_PRUNE_UNUSED_CLIENTS_AFTER prunes the never-used old clients; refused with Authlete",
    () =>
      Effect.gen(function*() {
        const { env, filename, recentId } = yield* withRecentClient
        const oldId = "100000000000301"
        yield* Effect.scoped(Effect.gen(function*() {
          const store = yield* SqliteClientStore.make({ filename })
          const model = Option.getOrThrow(yield* store.find(recentId))
          yield* store.insert({
            ...model,
            clientId: oldId,
            registrationAccessTokenHash: `hash-${oldId}`,
            createdAt: Date.now() - 30 * day
          }, { uniqueSoftwareId: false })
        })).pipe(Effect.orDie)
        assert.deepStrictEqual(yield* listedIds(env), [oldId, recentId].sort())

        const pruning = { ...env, DCR_PRUNE_UNUSED_CLIENTS_AFTER: "7d" }
        yield* serve(pruning)
        // the first run starts with the server
        let left: ReadonlyArray<string> = []
        for (let attempt = 0; attempt < 100; attempt++) {
          left = yield* listedIds(env)
          if (left.length === 1) break
          yield* Effect.sleep("100 millis")
        }
        assert.deepStrictEqual(left, [recentId])

        const authlete = { ...pruning, AUTHLETE_SERVICE_ID: "1", AUTHLETE_SERVICE_ACCESS_TOKEN: "x" }
        const refused = yield* cli(["serve"], authlete)
        assert.notStrictEqual(refused.code, 0)
        assert.include(refused.stderr + refused.stdout, "DCR_PRUNE_UNUSED_CLIENTS_AFTER applies to the embedded engine")
        const zero = yield* cli(["serve"], { ...env, DCR_PRUNE_UNUSED_CLIENTS_AFTER: "0" })
        assert.notStrictEqual(zero.code, 0)
        assert.include(zero.stderr + zero.stdout, "DCR_PRUNE_UNUSED_CLIENTS_AFTER")
      }),
    120_000
  )
})
