/**
 * End to end: the BUILT command line (`node packages/cli/dist/bin.js`), as `pnpm start` runs it.
 *
 * The suite builds first (`tsc -b packages/cli/tsconfig.src.json`, incremental: a no-op when dist is
 * up to date). CI runs `pnpm check`, which emits every package's dist, before the tests anyway.
 */
import { build, cli, serve, type Server } from "@effect-dcr/testing/Cli"
import * as TempDirectory from "@effect-dcr/testing/TempDirectory"
import { assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"

beforeAll(build, 180_000)

const tempDirectory = TempDirectory.make("effect-dcr-e2e-")

/** Where a generated service access token went, as the banner says. */
const serviceTokenFile = (server: Server) =>
  /Service access token:\s+in (\S+) \(mode 0600/.exec(server.output.stdout)?.[1]

const metadata = {
  client_name: "e2e",
  redirect_uris: ["http://127.0.0.1:7777/callback"],
  token_endpoint_auth_method: "none"
}

// The tests are independent (each its own directory, database and processes): they run concurrently.
describe.concurrent("effect-dcr (built) end to end", () => {
  it.scopedLive(
    "serve: prints mode and URLs, registers over HTTP, stops cleanly on SIGTERM, keeps the data",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDirectory
        const env = { DCR_DATABASE_URL: `sqlite:${join(dir, "nested", "dcr.sqlite")}` }
        const tokenFile = join(dir, "service-access-token")
        const first = yield* serve({ ...env, DCR_AUTHLETE_API: "true", DCR_SERVICE_ACCESS_TOKEN_FILE: tokenFile })
        assert.include(first.output.stdout, "embedded engine")
        assert.match(first.registrationEndpoint, /^http:\/\/127\.0\.0\.1:\d+\/register$/)
        assert.strictEqual(serviceTokenFile(first), tokenFile, "a generated service token goes to a file")
        const serviceToken = readFileSync(tokenFile, "utf8").trim()
        assert.match(serviceToken, /^[A-Za-z0-9_-]{43}$/)
        assert.notInclude(first.output.stdout, serviceToken)

        const created = yield* Effect.promise(async () => {
          const response = await fetch(first.registrationEndpoint, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(metadata)
          })
          return { status: response.status, json: await response.json() as Record<string, any> }
        })
        assert.strictEqual(created.status, 201)
        const { client_id, registration_access_token } = created.json

        const api = yield* Effect.promise(() =>
          fetch(`${first.base}/api/1/client/registration/get`, {
            method: "POST",
            headers: { "content-type": "application/json", authorization: `Bearer ${serviceToken}` },
            body: JSON.stringify({ clientId: client_id, token: registration_access_token })
          }).then((r) => r.json() as Promise<Record<string, any>>)
        )
        assert.strictEqual(api.action, "OK")

        first.child.kill("SIGTERM")
        const exit = yield* first.exited
        assert.deepStrictEqual(exit, { code: 0, signal: null }, first.output.stderr)
        assert.strictEqual(first.output.stderr, "")
        const wal = join(dir, "nested", "dcr.sqlite-wal")
        assert.isTrue(!existsSync(wal) || statSync(wal).size === 0, "SQLite was closed cleanly (WAL checkpointed)")

        const again = yield* serve({ ...env, DCR_SERVICE_ACCESS_TOKEN: "fixed-service-token" })
        assert.isUndefined(serviceTokenFile(again), "a configured service token is never written")
        assert.notInclude(again.output.stdout, "fixed-service-token")
        const read = yield* Effect.promise(() =>
          fetch(`${again.registrationEndpoint}/${client_id}`, {
            headers: { authorization: `Bearer ${registration_access_token}` }
          })
        )
        assert.strictEqual(read.status, 200, "the registration survived the restart")
        again.child.kill("SIGINT")
        assert.strictEqual((yield* again.exited).code, 0)
      }),
    120_000
  )

  it.scopedLive(
    "register / get / update / delete on the same SQLite file; non-zero exit on failure",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDirectory
        const env = { DCR_DATABASE_URL: `sqlite:${join(dir, "dcr.sqlite")}`, DCR_ISSUER: "https://as.example.com" }

        const registered = yield* cli(["register", JSON.stringify(metadata)], env)
        assert.strictEqual(registered.code, 0, registered.stderr)
        const info = JSON.parse(registered.stdout)
        assert.strictEqual(info.registration_client_uri, `https://as.example.com/register/${info.client_id}`)
        assert.include(registered.stderr, "CREATED")

        const read = yield* cli(["get", info.client_id, "--token", info.registration_access_token], env)
        assert.strictEqual(read.code, 0, read.stderr)
        assert.strictEqual(JSON.parse(read.stdout).client_name, "e2e")

        const wrong = yield* cli(["get", info.client_id, "--token", "wrong"], env)
        assert.strictEqual(wrong.code, 1)
        assert.strictEqual(JSON.parse(wrong.stdout).error, "invalid_token")
        assert.include(wrong.stderr, "UNAUTHORIZED")

        const updated = yield* cli([
          "update",
          info.client_id,
          JSON.stringify({ ...metadata, client_id: info.client_id, client_name: "e2e 2" }),
          "-t",
          info.registration_access_token
        ], env)
        assert.strictEqual(updated.code, 0, updated.stderr)
        assert.strictEqual(JSON.parse(updated.stdout).client_name, "e2e 2")

        const invalid = yield* cli(["register", "[1, 2]"], env)
        assert.strictEqual(invalid.code, 1)
        assert.strictEqual(JSON.parse(invalid.stdout).error, "invalid_client_metadata")

        const deleted = yield* cli(["delete", info.client_id, "--token", info.registration_access_token], env)
        assert.strictEqual(deleted.code, 0, deleted.stderr)
        assert.strictEqual(
          (yield* cli(["get", info.client_id, "--token", info.registration_access_token], env)).code,
          1
        )

        const help = yield* cli(["update", "--help"], env)
        assert.strictEqual(help.code, 0)
        assert.include(help.stdout, "--token")

        const badConfig = yield* cli(["get", "1", "--token", "x"], { DCR_DATABASE_URL: "mysql://nope" })
        assert.strictEqual(badConfig.code, 1)
        assert.include(badConfig.stderr, "DCR_DATABASE_URL")
      }),
    120_000
  )

  it.scopedLive(
    "serve fails with a clear message and exit 1 (port taken, database directory not creatable)",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDirectory
        const env = { DCR_DATABASE_URL: `sqlite:${join(dir, "dcr.sqlite")}` }
        const first = yield* serve(env)
        const port = new URL(first.base).port
        const second = yield* cli(["serve"], { ...env, HOST: "127.0.0.1", PORT: port })
        assert.strictEqual(second.code, 1)
        assert.include(second.stderr, "EADDRINUSE")

        writeFileSync(join(dir, "a-file"), "")
        const badDirectory = yield* cli(["serve"], {
          PORT: "0",
          DCR_DATABASE_URL: `sqlite:${join(dir, "a-file", "dcr.sqlite")}`
        })
        assert.strictEqual(badDirectory.code, 1)
        assert.include(badDirectory.stderr, "Cannot create the directory")
      }),
    120_000
  )
})
