/**
 * End to end: `effect-dcr iat create / list / revoke` (the BUILT command line) and `serve` on the same
 * SQLite file, over HTTP on loopback. The suite builds first, like Cli.e2e.test.ts.
 */
import { build, cli, serve } from "@effect-dcr/testing/Cli"
import * as TempDirectory from "@effect-dcr/testing/TempDirectory"
import { assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"

beforeAll(build, 180_000)

const tempDirectory = TempDirectory.make("effect-dcr-iat-")

/** No rate limits: the tests send bursts from one address with one token on purpose. */
const unlimited = {
  DCR_RATE_LIMIT_REGISTRATIONS: "off",
  DCR_RATE_LIMIT_TOTAL_REGISTRATIONS: "off",
  DCR_RATE_LIMIT_FAILED_AUTH: "off"
}

const metadata = {
  client_name: "iat e2e",
  redirect_uris: ["http://127.0.0.1:7777/callback"],
  token_endpoint_auth_method: "none"
}

const post = (endpoint: string, token?: string) =>
  Effect.promise(async () => {
    const response = await fetch(endpoint, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` })
      },
      body: JSON.stringify(metadata)
    })
    return { status: response.status, json: await response.json() as Record<string, any> }
  })

const listed = (env: Record<string, string>) =>
  Effect.map(cli(["iat", "list", "--json"], env), (result) => {
    assert.strictEqual(result.code, 0, result.stderr)
    return JSON.parse(result.stdout) as Array<Record<string, any>>
  })

// The tests are independent (each its own directory, database and processes): they run concurrently.
describe.concurrent("effect-dcr iat (built) end to end", () => {
  it.scopedLive(
    "create prints the token once, only its hash is stored; serve admits it up to --max-uses; revoke kills it at once",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDirectory
        const env = { DCR_DATABASE_URL: `sqlite:${join(dir, "dcr.sqlite")}`, ...unlimited }

        const created = yield* cli(["iat", "create", "--expires", "7d", "--max-uses", "3"], env)
        assert.strictEqual(created.code, 0, created.stderr)
        const token = created.stdout.trim()
        assert.match(token, /^[A-Za-z0-9_-]{43}$/)
        assert.include(created.stderr, "shown only this once")
        assert.include(created.stderr, "DCR_REQUIRE_INITIAL_ACCESS_TOKEN=true", "an open endpoint is pointed out")
        const other = (yield* cli(["iat", "create", "--max-uses", "5"], env)).stdout.trim()

        const listing = yield* cli(["iat", "list", "--json"], env)
        const [first, second] = JSON.parse(listing.stdout) as Array<Record<string, any>>
        assert.strictEqual(first!.usesLeft, 3)
        assert.strictEqual(first!.maxUses, 3)
        assert.strictEqual(first!.status, "active")
        assert.strictEqual(Date.parse(first!.expires) - Date.parse(first!.created), 7 * 86_400_000)
        assert.strictEqual(second!.usesLeft, 5)
        const table = yield* cli(["iat", "list"], env)
        assert.match(table.stdout, /^id\s+created\s+expires\s+uses left\s+policy\s+status$/m)
        assert.include(table.stdout, first!.id)
        for (const output of [table.stdout, table.stderr, listing.stdout, listing.stderr]) {
          assert.notInclude(output, token)
          assert.notInclude(output, other)
        }

        const { registrationEndpoint: endpoint } = yield* serve({ ...env, DCR_REQUIRE_INITIAL_ACCESS_TOKEN: "true" })
        assert.strictEqual((yield* post(endpoint)).status, 401)
        for (let i = 0; i < 3; i++) assert.strictEqual((yield* post(endpoint, token)).status, 201)
        const usedUp = yield* post(endpoint, token)
        assert.strictEqual(usedUp.status, 401)
        assert.strictEqual(usedUp.json.error, "invalid_token")

        // revoked while serve runs: refused at once
        assert.strictEqual((yield* post(endpoint, other)).status, 201)
        const revoked = yield* cli(["iat", "revoke", second!.id], env)
        assert.strictEqual(revoked.code, 0, revoked.stderr)
        assert.strictEqual((yield* post(endpoint, other)).status, 401)
        const again = yield* cli(["iat", "revoke", second!.id], env)
        assert.strictEqual(again.code, 1)
        assert.include(again.stderr, "already revoked")
        const [usedUpRow, revokedRow] = yield* listed(env)
        assert.strictEqual(usedUpRow!.status, "used up")
        assert.strictEqual(usedUpRow!.usesLeft, 0)
        assert.strictEqual(revokedRow!.status, "revoked")
        assert.strictEqual(revokedRow!.usesLeft, 4)

        // no file of the database holds a token in clear
        for (const file of readdirSync(dir)) {
          const bytes = readFileSync(join(dir, file)).toString("latin1")
          assert.notInclude(bytes, token, file)
          assert.notInclude(bytes, other, file)
        }
      }),
    120_000
  )

  it.scopedLive(
    "two servers on one file, 40 concurrent registrations with a 10-use token: exactly 10 are created",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDirectory
        const env = { DCR_DATABASE_URL: `sqlite:${join(dir, "dcr.sqlite")}`, ...unlimited }
        const token = (yield* cli(["iat", "create", "--max-uses", "10"], env)).stdout.trim()
        const endpoints = (yield* Effect.all([serve(env), serve(env)], { concurrency: 2 })).map((server) =>
          server.registrationEndpoint
        )
        const answers = yield* Effect.all(
          Array.from({ length: 40 }, (_, i) => post(endpoints[i % 2]!, token)),
          { concurrency: "unbounded" }
        )
        const statuses = answers.map((answer) => answer.status)
        assert.strictEqual(statuses.filter((status) => status === 201).length, 10, JSON.stringify(statuses))
        assert.strictEqual(statuses.filter((status) => status === 401).length, 30, JSON.stringify(statuses))
        const [row] = yield* listed(env)
        assert.strictEqual(row!.usesLeft, 0)
      }),
    120_000
  )

  it.scopedLive(
    "--policy must name a configured policy; bad options and the Authlete backend are refused with a message",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDirectory
        const env = { DCR_DATABASE_URL: `sqlite:${join(dir, "dcr.sqlite")}` }
        const unknown = yield* cli(["iat", "create", "--policy", "partners"], env)
        assert.strictEqual(unknown.code, 1)
        assert.include(unknown.stderr, "Unknown registration policy \"partners\"")
        assert.strictEqual(unknown.stdout, "", "no token is printed")
        const policies = { ...env, DCR_POLICIES: JSON.stringify({ partners: { maxRedirectUris: 2 } }) }
        const known = yield* cli(["iat", "create", "--policy", "partners"], policies)
        assert.strictEqual(known.code, 0, known.stderr)
        assert.include(known.stderr, "policy partners")
        const misspelt = yield* cli(["iat", "create", "--policy", "partner"], policies)
        assert.strictEqual(misspelt.code, 1)
        assert.include(misspelt.stderr, "the configured ones are partners")
        for (const args of [["--expires", "soon"], ["--max-uses", "0"]]) {
          const bad = yield* cli(["iat", "create", ...args], env)
          assert.strictEqual(bad.code, 1, args.join(" "))
          assert.include(bad.stderr, args[0]!)
        }
        const rows = yield* listed(env)
        assert.deepStrictEqual(rows.map((row) => row.policy), ["partners"], "refused commands created nothing")
        const missing = yield* cli(["iat", "revoke", "0000000000000000"], env)
        assert.strictEqual(missing.code, 1)

        const authlete = yield* cli(["iat", "list"], {
          AUTHLETE_SERVICE_ID: "1",
          AUTHLETE_SERVICE_ACCESS_TOKEN: "x",
          AUTHLETE_BASE_URL: "http://127.0.0.1:9"
        })
        assert.strictEqual(authlete.code, 1)
        assert.include(authlete.stderr, "embedded engine")
      }),
    120_000
  )

  it.scopedLive(
    "a registration access token presented for an unknown client is dead afterwards (RFC 7592 §2)",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDirectory
        const { registrationEndpoint: endpoint } = yield* serve({
          DCR_DATABASE_URL: `sqlite:${join(dir, "dcr.sqlite")}`,
          ...unlimited
        })
        const { client_id, registration_access_token } = (yield* post(endpoint)).json
        const read = (clientId: string) =>
          Effect.promise(() =>
            fetch(`${endpoint}/${clientId}`, { headers: { authorization: `Bearer ${registration_access_token}` } })
              .then((response) => response.status)
          )
        assert.strictEqual(yield* read(client_id), 200)
        assert.strictEqual(yield* read("100000000000000"), 401)
        assert.strictEqual(yield* read(client_id), 401, "the owner's token was revoked")
      }),
    120_000
  )
})
