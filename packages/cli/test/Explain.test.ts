/**
 * `explain` and the registration policy settings as the command line runs them (`Commands.run`),
 * in-process: `explain` prints what would be registered and each step, stores nothing, and agrees
 * with `serve` over real HTTP on loopback under the same DCR_POLICY / DCR_POLICIES.
 */
import { serveInProcess } from "@effect-dcr/testing/Cli"
import * as TempDirectory from "@effect-dcr/testing/TempDirectory"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import type { Console } from "effect"
import { ConfigProvider, Effect, Exit } from "effect"
import { Commands } from "effect-dcr"
import { existsSync, writeFileSync } from "node:fs"
import { join } from "node:path"

const tempDirectory = TempDirectory.make("effect-dcr-explain-")

/** A console that keeps standard output and standard error apart. */
const capture = Effect.map(Effect.console, (console) => {
  const out: Array<string> = []
  const err: Array<string> = []
  const keep = (lines: Array<string>) => (...args: ReadonlyArray<unknown>) =>
    Effect.sync(() => {
      lines.push(args.join(" "))
    })
  const captured: Console.Console = { ...console, log: keep(out), error: keep(err) }
  return { out, err, console: captured }
})

const run = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  Effect.gen(function*() {
    const { console, err, out } = yield* capture
    const exit = yield* Commands.run(["node", "effect-dcr", ...args]).pipe(
      Effect.provide(NodeContext.layer),
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))),
      Effect.withConsole(console),
      Effect.exit
    )
    return { exit, stdout: out.join("\n"), stderr: err.join("\n") }
  })

const policy = JSON.stringify({
  default: { client_name: "Unnamed" },
  allowedGrantTypes: ["authorization_code", "refresh_token"],
  maxRedirectUris: 2
})
const policies = JSON.stringify({ partners: { allowedGrantTypes: ["authorization_code"] } })

describe("effect-dcr explain", () => {
  it.scopedLive("registered: the metadata that would be registered, each step on stderr, nothing stored", () =>
    Effect.gen(function*() {
      const dir = yield* tempDirectory
      const database = join(dir, "dcr.sqlite")
      const file = join(dir, "policy.json")
      writeFileSync(file, policy)
      const env = { DCR_DATABASE_URL: `sqlite:${database}`, DCR_POLICY: `@${file}` }
      const metadata = { redirect_uris: ["https://app.example.com/cb"], scope: "openid", x_unknown: 1 }
      const { exit, stderr, stdout } = yield* run(["explain", JSON.stringify(metadata)], env)
      assert.isTrue(Exit.isSuccess(exit), stderr)
      const explanation = JSON.parse(stdout)
      assert.strictEqual(explanation.registered.client_name, "Unnamed")
      assert.strictEqual(explanation.registered.scope, "openid", "serve keeps scope by default")
      assert.isUndefined(explanation.registered.x_unknown)
      assert.deepStrictEqual(explanation.steps.map((s: { rule: string }) => s.rule), [
        "default/default",
        "defaults",
        "uri-rules",
        "default/allowedGrantTypes",
        "default/maxRedirectUris",
        "storage"
      ])
      assert.include(stderr, "default/default: client_name added")
      assert.include(stderr, "storage: x_unknown removed")
      assert.include(stderr, "nothing was stored")
      assert.isFalse(existsSync(database), "explain does not open the database")
    }))

  it.scopedLive("refused: the error and the step on stderr, exit failure; --policy names a named policy", () =>
    Effect.gen(function*() {
      const dir = yield* tempDirectory
      const env = { DCR_DATABASE_URL: `sqlite:${join(dir, "dcr.sqlite")}`, DCR_POLICY: policy, DCR_POLICIES: policies }
      const bad = yield* run(["explain", JSON.stringify({ redirect_uris: ["javascript:alert(1)"] })], env)
      assert.isTrue(Exit.isFailure(bad.exit))
      assert.strictEqual(JSON.parse(bad.stdout).error.error, "invalid_redirect_uri")
      assert.include(
        bad.stderr,
        "uri-rules: refused (invalid_redirect_uri) redirect_uris[0]: must not use the \"javascript\" scheme"
      )
      const refresh = JSON.stringify({
        redirect_uris: ["https://a.example/cb"],
        grant_types: ["authorization_code", "refresh_token"]
      })
      const plain = yield* run(["explain", refresh], env)
      assert.isTrue(Exit.isSuccess(plain.exit), plain.stderr)
      const partners = yield* run(["explain", "--policy", "partners", refresh], env)
      assert.isTrue(Exit.isFailure(partners.exit))
      assert.include(partners.stderr, "partners/allowedGrantTypes: refused (invalid_client_metadata)")
      const unknown = yield* run(["explain", "--policy", "nope", refresh], env)
      assert.isTrue(Exit.isFailure(unknown.exit))
      assert.include(unknown.stderr, "the registration policy \"nope\" is not configured")
    }))

  it.scopedLive("a bad DCR_POLICY stops the command naming the variable", () =>
    Effect.gen(function*() {
      const { exit, stderr } = yield* run(["explain", "{}"], { DCR_POLICY: "{\"maxRedirectUri\":1}" })
      assert.isTrue(Exit.isFailure(exit))
      assert.include(stderr, "DCR_POLICY")
    }))
})

describe("serve with DCR_POLICY / DCR_ALLOW_LOOPBACK_HTTP (in-process, real HTTP)", () => {
  it.scopedLive("serve refuses what explain refuses, and registers what it accepts", () =>
    Effect.gen(function*() {
      const dir = yield* tempDirectory
      const env = {
        DCR_DATABASE_URL: `sqlite:${join(dir, "dcr.sqlite")}`,
        DCR_POLICY: policy,
        DCR_ALLOW_LOOPBACK_HTTP: "false"
      }
      const { registrationEndpoint: endpoint } = yield* serveInProcess(Commands.run, [], env)
      const post = (metadata: unknown) =>
        Effect.promise(async () => {
          const response = await fetch(endpoint, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(metadata)
          })
          return { status: response.status, json: await response.json() as Record<string, any> }
        })
      const cases = [
        { redirect_uris: ["https://app.example.com/cb"] },
        { redirect_uris: ["https://a.example/1", "https://a.example/2", "https://a.example/3"] },
        { redirect_uris: ["http://127.0.0.1:8080/cb"], token_endpoint_auth_method: "none" },
        { application_type: "native", redirect_uris: ["http://127.0.0.1:8080/cb"], token_endpoint_auth_method: "none" },
        { redirect_uris: ["https://app.example.com/cb"], grant_types: ["client_credentials", "authorization_code"] }
      ]
      for (const metadata of cases) {
        const answer = yield* post(metadata)
        const explained = yield* run(["explain", JSON.stringify(metadata)], env)
        const explanation = JSON.parse(explained.stdout)
        if (explanation.error === undefined) {
          assert.strictEqual(answer.status, 201, JSON.stringify(answer.json))
          const echoed: Record<string, unknown> = { ...answer.json }
          for (
            const credential of [
              "client_id",
              "client_id_issued_at",
              "client_secret",
              "client_secret_expires_at",
              "registration_access_token",
              "registration_client_uri"
            ]
          ) {
            delete echoed[credential]
          }
          assert.deepStrictEqual(echoed, explanation.registered, JSON.stringify(metadata))
        } else {
          assert.strictEqual(answer.status, 400)
          assert.deepStrictEqual(answer.json, explanation.error)
        }
      }
      assert.strictEqual(
        (yield* post(cases[2])).json.error,
        "invalid_redirect_uri",
        "DCR_ALLOW_LOOPBACK_HTTP=false: a web client's loopback http is refused"
      )
      assert.strictEqual((yield* post(cases[3])).status, 201, "a native client's loopback http is still accepted")
    }))
})
