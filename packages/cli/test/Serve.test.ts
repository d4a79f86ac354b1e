/**
 * `serve` as the command line runs it (`Commands.run`), in-process, over real HTTP on loopback: the
 * settings reach the engine from the environment and from flags.
 */
import { serveInProcess } from "@effect-dcr/testing/Cli"
import * as TempDirectory from "@effect-dcr/testing/TempDirectory"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Commands } from "effect-dcr"
import { join } from "node:path"

/** Runs `serve --port 0 <args>` on a new database with `env` as its environment until the scope closes; answers its endpoint. */
const serve = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  Effect.gen(function*() {
    const dir = yield* TempDirectory.make("effect-dcr-serve-")
    const database = ["--database", `sqlite:${join(dir, "dcr.sqlite")}`]
    const { lines, registrationEndpoint } = yield* serveInProcess(Commands.run, [...database, ...args], env)
    return { endpoint: registrationEndpoint, lines }
  })

const register = (endpoint: string, metadata: Record<string, unknown>, token?: string) =>
  Effect.promise(async () => {
    const response = await fetch(endpoint, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` })
      },
      body: JSON.stringify(metadata)
    })
    return { status: response.status, json: await response.json() as Record<string, unknown> }
  })

const client = { client_name: "serve test", redirect_uris: ["http://127.0.0.1:8000/cb"], scope: "read write" }

describe("serve (in-process, real HTTP)", () => {
  it.scopedLive("DCR_INITIAL_ACCESS_TOKENS=a,b: a register without a token is 401, either token is accepted", () =>
    Effect.gen(function*() {
      const { endpoint, lines } = yield* serve([], { DCR_INITIAL_ACCESS_TOKENS: "tok-a,tok-b" })
      assert.isTrue(lines.some((line) => line.includes("2 initial access token")), lines.join("\n"))
      assert.isFalse(lines.some((line) => line.includes("tok-a")), "a token is never printed")
      const none = yield* register(endpoint, client)
      assert.strictEqual(none.status, 401)
      assert.strictEqual(none.json.error, "invalid_token")
      assert.strictEqual((yield* register(endpoint, client, "tok-c")).status, 401)
      assert.strictEqual((yield* register(endpoint, client, "tok-a")).status, 201)
      assert.strictEqual((yield* register(endpoint, client, "tok-b")).status, 201)
    }))

  it.scopedLive("the singular DCR_INITIAL_ACCESS_TOKEN is an alias: enforced the same way", () =>
    Effect.gen(function*() {
      const { endpoint } = yield* serve([], { DCR_INITIAL_ACCESS_TOKEN: "single" })
      assert.strictEqual((yield* register(endpoint, client)).status, 401)
      assert.strictEqual((yield* register(endpoint, client, "single")).status, 201)
    }))

  it.scopedLive("--initial-access-tokens overrides the environment", () =>
    Effect.gen(function*() {
      const { endpoint } = yield* serve(["--initial-access-tokens", "from-flag"], {
        DCR_INITIAL_ACCESS_TOKENS: "from-env"
      })
      assert.strictEqual((yield* register(endpoint, client)).status, 401)
      assert.strictEqual((yield* register(endpoint, client, "from-env")).status, 401)
      assert.strictEqual((yield* register(endpoint, client, "from-flag")).status, 201)
    }))

  it.scopedLive("serve keeps scope by default; --scope-used-as-requestable false drops it (Authlete's default)", () =>
    Effect.gen(function*() {
      const kept = yield* register((yield* serve([])).endpoint, client)
      assert.strictEqual(kept.status, 201)
      assert.strictEqual(kept.json.scope, "read write")
      const dropped = yield* register((yield* serve(["--scope-used-as-requestable", "false"])).endpoint, client)
      assert.strictEqual(dropped.status, 201)
      assert.isUndefined(dropped.json.scope)
    }))

  it.scopedLive("engine options reach the engine: DCR_ROTATE_REGISTRATION_ACCESS_TOKEN via the environment", () =>
    Effect.gen(function*() {
      const { endpoint } = yield* serve([], { DCR_ROTATE_REGISTRATION_ACCESS_TOKEN: "true" })
      const created = yield* register(endpoint, client)
      const token = created.json.registration_access_token as string
      const updated = yield* Effect.promise(async () => {
        const response = await fetch(created.json.registration_client_uri as string, {
          method: "PUT",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          body: JSON.stringify({ ...client, client_id: created.json.client_id })
        })
        return { status: response.status, json: await response.json() as Record<string, unknown> }
      })
      assert.strictEqual(updated.status, 200)
      assert.notStrictEqual(updated.json.registration_access_token, token, "rotated")
    }))

  it.scopedLive("a misconfigured setting stops the start, naming the variable", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(serve([], { DCR_DUPLICATE_SOFTWARE_ID_BLOCKED: "perhaps" }))
      assert.isTrue(exit._tag === "Failure")
      assert.include(String(exit), "DCR_DUPLICATE_SOFTWARE_ID_BLOCKED")
    }))
})
