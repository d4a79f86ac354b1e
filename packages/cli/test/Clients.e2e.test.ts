/**
 * End to end: `effect-dcr clients list / show / reissue-token / rotate-secret / delete` (the BUILT
 * command line) on the database of a running `serve` (a SQLite file, and a PostgreSQL schema unless
 * no server answers outside CI), over HTTP on loopback: what the operator changes, the server sees at
 * once. The suite builds first, like Iat.e2e.test.ts.
 */
import type { ClientStore } from "@effect-dcr/engine"
import * as SqliteClientStore from "@effect-dcr/engine/SqliteClientStore"
import { build, cli, serve } from "@effect-dcr/testing/Cli"
import { freshSchema, skipReason } from "@effect-dcr/testing/Postgres"
import * as TempDirectory from "@effect-dcr/testing/TempDirectory"
import { assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect, Option, Redacted } from "effect"
import type { Scope } from "effect"
import { createHash } from "node:crypto"
import { join } from "node:path"

beforeAll(build, 180_000)

const tempDirectory = TempDirectory.make("effect-dcr-clients-")

const sha256 = (text: string) => createHash("sha256").update(text).digest("base64url")

/** `cli`, asserting exit status 0. */
const ok = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  Effect.tap(cli(args, env), (result) => assert.strictEqual(result.code, 0, `${args.join(" ")}: ${result.stderr}`))

const request = (url: string, init: RequestInit = {}) =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    const text = await response.text()
    return { status: response.status, json: (text === "" ? {} : JSON.parse(text)) as Record<string, any> }
  })

const getClient = (endpoint: string, clientId: string, token: string) =>
  request(`${endpoint}/${clientId}`, { headers: { authorization: `Bearer ${token}` } })

/** A database the commands and `serve` share, and the engine's own store on it (to read rows). */
interface Database {
  readonly url: string
  readonly open: Effect.Effect<ClientStore.ClientStore["Type"], unknown, Scope.Scope>
}

const databases: ReadonlyArray<{
  readonly name: string
  readonly skip: string | undefined
  readonly make: Effect.Effect<Database, never, Scope.Scope>
}> = [
  {
    name: "SQLite",
    skip: undefined,
    make: Effect.map(tempDirectory, (dir) => {
      const filename = join(dir, "dcr.sqlite")
      return { url: `sqlite:${filename}`, open: SqliteClientStore.make({ filename }) }
    })
  },
  {
    name: "PostgreSQL",
    skip: skipReason,
    // a schema of the test's own, dropped with its scope (after the server is stopped)
    make: Effect.map(
      freshSchema,
      ({ url }) => ({
        url: Redacted.value(url),
        open: Effect.promise(() => import("@effect-dcr/engine/PgClientStore")).pipe(
          Effect.flatMap((PgClientStore) => PgClientStore.make({ url, maxConnections: 1 }))
        )
      })
    )
  }
]

/** The stored row, read through the engine's own store. */
const storedRecord = (database: Database, clientId: string) =>
  Effect.scoped(
    Effect.flatMap(database.open, (store) => Effect.map(store.find(clientId), Option.getOrUndefined))
  ).pipe(Effect.orDie)

const metadata = {
  client_name: "clients e2e",
  redirect_uris: ["https://app.example.com/callback"]
}

// The tests are independent (each its own directory, database and processes): they run concurrently.
describe.concurrent("effect-dcr clients (built) end to end", () => {
  for (const { make, name, skip } of databases) {
    it.scopedLive(
      `list / show / reissue-token / rotate-secret / delete on the ${name} database of a running serve${
        skip === undefined ? "" : ` (skipped: ${skip})`
      }`,
      (context) =>
        Effect.gen(function*() {
          if (skip !== undefined) return context.skip()
          const database = yield* make
          const env = { DCR_DATABASE_URL: database.url, DCR_CLIENT_SECRET_LIFETIME: "30d" }
          const { registrationEndpoint: endpoint } = yield* serve(env)
          const created = yield* request(endpoint, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(metadata)
          })
          assert.strictEqual(created.status, 201)
          const clientId = created.json.client_id as string
          const oldToken = created.json.registration_access_token as string
          const oldSecret = created.json.client_secret as string
          const secrets = () => [oldToken, oldSecret]

          // list: JSON for scripts, a table by default; never a secret (these three only read: two at a time)
          const [listing, table, shown] = yield* Effect.all([
            ok(["clients", "list", "--json"], env),
            ok(["clients", "list"], env),
            ok(["clients", "show", clientId], env)
          ], { concurrency: 2 })
          const rows = JSON.parse(listing.stdout) as Array<Record<string, any>>
          assert.strictEqual(rows.length, 1)
          assert.strictEqual(rows[0]!.clientId, clientId)
          assert.strictEqual(rows[0]!.clientName, "clients e2e")
          assert.strictEqual(rows[0]!.clientType, "CONFIDENTIAL")
          assert.strictEqual(rows[0]!.tokenRevoked, false)
          assert.match(table.stdout, /^client_id\s+name\s+type\s+created\s+secret expires\s+token$/m)
          assert.match(table.stdout, new RegExp(`^${clientId}\\s+clients e2e\\s+confidential\\s`, "m"))

          // show: the metadata as GET answers it, without secret or token
          const info = JSON.parse(shown.stdout) as Record<string, any>
          const served = (yield* getClient(endpoint, clientId, oldToken)).json
          for (
            const name of [
              "client_id",
              "client_name",
              "redirect_uris",
              "client_id_issued_at",
              "client_secret_expires_at"
            ]
          ) {
            assert.deepStrictEqual(info[name], served[name], name)
          }
          assert.notProperty(info, "client_secret")
          assert.notProperty(info, "registration_access_token")
          for (const output of [listing, table, shown]) {
            for (const secret of secrets()) {
              assert.notInclude(output.stdout + output.stderr, secret)
            }
          }

          // reissue-token: the new token works against the running server, the old one is 401
          const reissued = yield* ok(["clients", "reissue-token", clientId], env)
          const newToken = reissued.stdout.trim()
          // 256 random bits in base64url, with or without the `{client_id}.` prefix
          assert.match(newToken, /^(?:[0-9]+\.)?[A-Za-z0-9_-]{43}$/)
          assert.include(reissued.stderr, "shown only this once")
          assert.strictEqual((yield* getClient(endpoint, clientId, oldToken)).status, 401)
          const withNew = yield* getClient(endpoint, clientId, newToken)
          assert.strictEqual(withNew.status, 200)
          assert.strictEqual(withNew.json.registration_access_token, newToken)

          // rotate-secret: a new secret is printed; the stored hash is the new one's, the old one's is gone
          const before = (yield* storedRecord(database, clientId))!
          assert.strictEqual(before.clientSecretHash, sha256(oldSecret))
          const rotated = yield* ok(["clients", "rotate-secret", clientId, "--json"], env)
          const { client_secret: newSecret, client_secret_expires_at } = JSON.parse(rotated.stdout)
          assert.match(newSecret, /^[A-Za-z0-9_-]{86}$/)
          assert.notStrictEqual(newSecret, oldSecret)
          const after = (yield* storedRecord(database, clientId))!
          assert.strictEqual(after.clientSecretHash, sha256(newSecret))
          assert.strictEqual(after.registrationAccessTokenHash, sha256(newToken))
          assert.strictEqual(Math.floor(after.clientSecretExpiresAt! / 1000), client_secret_expires_at)
          assert.strictEqual(
            (yield* getClient(endpoint, clientId, newToken)).json.client_secret_expires_at,
            client_secret_expires_at
          )
          // the 30-day lifetime, counted from the rotation
          const days = (after.clientSecretExpiresAt! - after.modifiedAt) / 86_400_000
          assert.isTrue(Math.abs(days - 30) < 1 / 24, String(days))

          // delete: gone for the server too
          const deleted = yield* ok(["clients", "delete", clientId], env)
          assert.include(deleted.stderr, `Deleted client ${clientId}`)
          assert.strictEqual((yield* getClient(endpoint, clientId, newToken)).status, 401)
          assert.deepStrictEqual(JSON.parse((yield* ok(["clients", "list", "--json"], env)).stdout), [])
          assert.isUndefined(yield* storedRecord(database, clientId))
          const again = yield* cli(["clients", "show", clientId], env)
          assert.strictEqual(again.code, 1)
          assert.include(again.stderr, `No client ${clientId}`)
        }),
      120_000
    )
  }

  it.scopedLive(
    "a public client has no secret to rotate; the Authlete backend is refused with a message",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDirectory
        const env = { DCR_DATABASE_URL: `sqlite:${join(dir, "dcr.sqlite")}` }
        const registered = yield* ok([
          "register",
          JSON.stringify({ ...metadata, token_endpoint_auth_method: "none", redirect_uris: ["http://127.0.0.1:9/cb"] })
        ], env)
        const clientId = JSON.parse(registered.stdout).client_id as string
        const refused = yield* cli(["clients", "rotate-secret", clientId], env)
        assert.strictEqual(refused.code, 1)
        assert.strictEqual(refused.stdout, "")
        assert.include(refused.stderr, "is public")

        const authlete = { ...env, AUTHLETE_SERVICE_ID: "1", AUTHLETE_SERVICE_ACCESS_TOKEN: "x" }
        for (const args of [["list"], ["show", clientId], ["delete", clientId], ["reissue-token", clientId]]) {
          const answer = yield* cli(["clients", ...args], authlete)
          assert.strictEqual(answer.code, 1, args.join(" "))
          assert.strictEqual(answer.stdout, "")
          assert.include(answer.stderr, "only on the embedded engine's database")
          assert.include(answer.stderr, "Authlete")
        }
        // nothing was deleted behind the refusal
        assert.strictEqual(JSON.parse((yield* ok(["clients", "list", "--json"], env)).stdout).length, 1)
      }),
    120_000
  )
})
