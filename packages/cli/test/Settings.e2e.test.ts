/**
 * End to end on the BUILT command line (`node packages/cli/dist/bin.js`): `serve --help` made from the
 * settings, the unknown `DCR_*` warning, a misconfiguration stopping the start (the authorization
 * server's metadata among them), the partial-discovery line, metadata from `@file` and from standard
 * input. The suite builds first (incremental `tsc -b`, as Cli.e2e.test.ts).
 */
import { build, cli, serve, stop } from "@effect-dcr/testing/Cli"
import * as TempDirectory from "@effect-dcr/testing/TempDirectory"
import { assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Settings } from "effect-dcr"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { stripVTControlCharacters } from "node:util"

beforeAll(build, 180_000)

const tempDirectory = TempDirectory.make("effect-dcr-settings-")

/** Starts `serve`, waits until it is ready, then stops it with SIGTERM; answers its exit code and all it printed. */
const serveOnce = (env: Record<string, string>) =>
  Effect.gen(function*() {
    const server = yield* serve(env)
    const { code } = yield* stop(server, "SIGTERM")
    return { code, output: `${server.output.stdout}\n${server.output.stderr}` }
  }).pipe(Effect.scoped)

const metadata = { client_name: "from a file", redirect_uris: ["http://127.0.0.1:7777/cb"], scope: "read" }

// The tests are independent (each its own directory and processes): they run concurrently.
describe.concurrent("settings, end to end (built bin)", () => {
  it.effect("serve --help lists every setting with its variable, default and meaning", () =>
    Effect.gen(function*() {
      const help = yield* cli(["serve", "--help"], {})
      assert.strictEqual(help.code, 0, help.stderr)
      const text = stripVTControlCharacters(help.stdout)
      for (const setting of Settings.all) {
        assert.include(text, `--${setting.flag}`)
        for (const name of [setting.env, ...setting.aliases]) assert.include(text, name)
        assert.include(text, `Default: ${setting.shownDefault}.`, setting.env)
      }
    }), 60_000)

  it.live(
    "an unknown DCR_* variable is reported at startup (did you mean …), and serve still starts",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDirectory
        const { code, output } = yield* serveOnce({
          DCR_DATABASE_URL: `sqlite:${join(dir, "dcr.sqlite")}`,
          DCR_ISUER: "https://as.example.com",
          DCR_INITIAL_ACCESS_TOKEN: "alias-not-unknown"
        })
        assert.strictEqual(code, 0, output)
        assert.include(output, "Unknown environment variable DCR_ISUER (did you mean DCR_ISSUER?)")
        assert.notInclude(output, "Unknown environment variable DCR_INITIAL_ACCESS_TOKEN")
        assert.notInclude(output, "alias-not-unknown", "a token's value is never printed")
      }).pipe(Effect.scoped),
    60_000
  )

  it.effect(
    "a misconfiguration stops the start with exit 1 and a message naming the variable or the flag",
    () =>
      Effect.forEach(
        [
          [[], { DCR_ROTATE_REGISTRATION_ACCESS_TOKEN: "maybe" }, "DCR_ROTATE_REGISTRATION_ACCESS_TOKEN"],
          [[], { DCR_INITIAL_ACCESS_TOKENS: "a", DCR_INITIAL_ACCESS_TOKEN: "b" }, "DCR_INITIAL_ACCESS_TOKEN"],
          [[], { AUTHLETE_SERVICE_ID: "1" }, "AUTHLETE_SERVICE_ACCESS_TOKEN"],
          [["--port", "http"], {}, "--port"]
        ] as const,
        ([args, env, name]) =>
          Effect.map(cli(["serve", ...args], env), (result) => {
            assert.strictEqual(result.code, 1, `${JSON.stringify([args, env])}: ${result.stdout}${result.stderr}`)
            assert.include(result.stdout + result.stderr, name, JSON.stringify([args, env]))
            assert.notInclude(result.stdout, "Ready.")
          }),
        { concurrency: 2, discard: true }
      ),
    60_000
  )

  it.effect(
    "DCR_AUTHORIZATION_SERVER_METADATA that is not RFC 8414 metadata, or states another issuer, stops the start",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDirectory
        // each case its own database file: they run two at a time
        const base = (i: number) => ({
          HOST: "127.0.0.1",
          PORT: "0",
          DCR_DATABASE_URL: `sqlite:${join(dir, `${i}.sqlite`)}`
        })
        const complete = {
          authorization_endpoint: "https://as.example.com/authorize",
          token_endpoint: "https://as.example.com/token",
          response_types_supported: ["code"]
        }
        const { token_endpoint: _, ...noTokenEndpoint } = complete
        const file = join(dir, "as-metadata.json")
        writeFileSync(file, JSON.stringify(noTokenEndpoint))
        const cases = [
          [[], { DCR_AUTHORIZATION_SERVER_METADATA: "{not json" }, "not valid JSON"],
          [[], { DCR_AUTHORIZATION_SERVER_METADATA: "[]" }, "must be a JSON object"],
          [[], { DCR_AUTHORIZATION_SERVER_METADATA: `@${join(dir, "absent.json")}` }, "cannot read the file"],
          [[], { DCR_AUTHORIZATION_SERVER_METADATA: `@${file}` }, "token_endpoint is missing"],
          [
            [],
            {
              DCR_AUTHORIZATION_SERVER_METADATA: JSON.stringify({ ...complete, response_types_supported: undefined })
            },
            "response_types_supported is missing"
          ],
          [
            [],
            {
              DCR_AUTHORIZATION_SERVER_METADATA: JSON.stringify({
                ...complete,
                token_endpoint: "http://as.example.com/t"
              })
            },
            "token_endpoint must be an https URL"
          ],
          [
            [],
            {
              DCR_ISSUER: "https://dcr.example.com",
              DCR_AUTHORIZATION_SERVER_METADATA: JSON.stringify({ ...complete, issuer: "https://as.example.com" })
            },
            "is not this server's issuer https://dcr.example.com"
          ],
          // without DCR_ISSUER the issuer is the listen address, known once listening
          [
            [],
            { DCR_AUTHORIZATION_SERVER_METADATA: JSON.stringify({ ...complete, issuer: "https://as.example.com" }) },
            "DCR_ISSUER is unset"
          ],
          [
            [],
            {
              DCR_ISSUER: "https://as.example.com",
              DCR_AUTHORIZATION_SERVER_METADATA: JSON.stringify({
                ...complete,
                registration_endpoint: "https://as.example.com/oauth/register"
              })
            },
            "registration_endpoint"
          ],
          [["--authorization-server-metadata", "[]"], {}, "--authorization-server-metadata"]
        ] as const
        yield* Effect.forEach(cases, ([args, env, reason], i) =>
          Effect.map(cli(["serve", ...args], { ...base(i), ...env }), (result) => {
            const output = result.stdout + result.stderr
            assert.strictEqual(result.code, 1, `${JSON.stringify([args, env])}: ${output}`)
            assert.include(output, "DCR_AUTHORIZATION_SERVER_METADATA", JSON.stringify(env))
            assert.include(output, reason, JSON.stringify(env))
            assert.notInclude(result.stdout, "Ready.")
          }), { concurrency: 2, discard: true })
      }).pipe(Effect.scoped),
    90_000
  )

  it.live(
    "without DCR_AUTHORIZATION_SERVER_METADATA, serve says at startup that discovery is partial (one line)",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDirectory
        const database = `sqlite:${join(dir, "dcr.sqlite")}`
        const partial = yield* serveOnce({ DCR_DATABASE_URL: database })
        assert.strictEqual(partial.code, 0, partial.output)
        const lines = partial.output.split("\n").filter((line) => line.includes("Discovery is partial"))
        assert.strictEqual(lines.length, 1, partial.output)
        assert.include(lines[0], "DCR_AUTHORIZATION_SERVER_METADATA")
        const complete = yield* serveOnce({
          DCR_DATABASE_URL: database,
          DCR_AUTHORIZATION_SERVER_METADATA: JSON.stringify({
            authorization_endpoint: "https://as.example.com/authorize",
            token_endpoint: "https://as.example.com/token",
            response_types_supported: ["code"]
          })
        })
        assert.strictEqual(complete.code, 0, complete.output)
        assert.notInclude(complete.output, "Discovery is partial")
      }).pipe(Effect.scoped),
    60_000
  )

  it.effect(
    "register and update take the metadata inline, from @file or from - (standard input)",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDirectory
        const env = { DCR_DATABASE_URL: `sqlite:${join(dir, "dcr.sqlite")}`, DCR_ISSUER: "https://as.example.com" }
        const file = join(dir, "client.json")
        writeFileSync(file, JSON.stringify(metadata))
        const fromFile = yield* cli(["register", `@${file}`], env)
        assert.strictEqual(fromFile.code, 0, fromFile.stderr)
        const info = JSON.parse(fromFile.stdout)
        assert.strictEqual(info.client_name, "from a file")
        assert.strictEqual(info.scope, "read", "the CLI keeps scope too (same settings as serve)")

        const fromStdin = yield* cli(["register", "-"], env, JSON.stringify({ ...metadata, client_name: "from stdin" }))
        assert.strictEqual(fromStdin.code, 0, fromStdin.stderr)
        assert.strictEqual(JSON.parse(fromStdin.stdout).client_name, "from stdin")

        const update = { ...metadata, client_id: info.client_id, client_name: "updated from stdin" }
        const updated = yield* cli(
          ["update", info.client_id, "-", "--token", info.registration_access_token],
          env,
          JSON.stringify(update)
        )
        assert.strictEqual(updated.code, 0, updated.stderr)
        assert.strictEqual(JSON.parse(updated.stdout).client_name, "updated from stdin")

        const missing = yield* cli(["register", `@${join(dir, "absent.json")}`], env)
        assert.strictEqual(missing.code, 1)
        assert.include(missing.stdout + missing.stderr, "absent.json")
      }).pipe(Effect.scoped),
    60_000
  )
})
