import * as CliConfig from "@effect/cli/CliConfig"
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as ValidationError from "@effect/cli/ValidationError"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import type { Console } from "effect"
import { ConfigProvider, Effect, Either, Redacted } from "effect"
import { ServerConfig, Settings } from "effect-dcr"
import { stripVTControlCharacters } from "node:util"

const provider = (env: Record<string, string>) => ConfigProvider.fromMap(new Map(Object.entries(env)))

/** A console that keeps what is printed (the CLI prints its validation errors there). */
const quietConsole = (lines: Array<string>) =>
  Effect.map(Effect.console, (console): Console.Console => ({
    ...console,
    log: (...args) => Effect.sync(() => void lines.push(args.join(" "))),
    error: (...args) => Effect.sync(() => void lines.push(args.join(" ")))
  }))

/**
 * Runs `serve <args>` with `env` as the environment, `serve` replaced by a handler that keeps the
 * settings: the values, or the message of the validation error.
 */
const parse = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  Effect.gen(function*() {
    let values: Settings.Values | undefined
    const serve = Command.make("serve", { settings: Settings.options }, ({ settings }) =>
      Effect.sync(() => {
        values = settings
      }))
    const lines: Array<string> = []
    const console = yield* quietConsole(lines)
    const result = yield* Command.run(serve, { name: "effect-dcr", version: "0" })(["node", "effect-dcr", ...args])
      .pipe(
        Effect.provide(NodeContext.layer),
        Effect.withConfigProvider(provider(env)),
        Effect.withConsole(console),
        Effect.either
      )
    if (Either.isLeft(result)) {
      const error = result.left
      return Either.left(
        ValidationError.isValidationError(error) && "error" in error
          ? HelpDoc.toAnsiText(error.error as HelpDoc.HelpDoc)
          : String(error)
      )
    }
    assert.isDefined(values, `serve ran: ${lines.join("\n")}`)
    return Either.right(values!)
  })

const parseOk = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  Effect.flatMap(
    parse(args, env),
    (result) => Either.isRight(result) ? Effect.succeed(result.right) : Effect.die(new Error(result.left))
  )

const parseError = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  Effect.flatMap(
    parse(args, env),
    (result) =>
      Either.isLeft(result)
        ? Effect.succeed(result.left)
        : Effect.die(new Error(`accepted: ${JSON.stringify(args)} ${JSON.stringify(env)}`))
  )

const load = (env: Record<string, string>) => ServerConfig.load.pipe(Effect.withConfigProvider(provider(env)))

/** Texts tried for a setting until its parser accepts one. */
const candidates = [
  "true",
  "8080",
  "us",
  "7 seconds",
  "https://as.example.com",
  "sqlite:.data/other.sqlite",
  "30/minute",
  "x,y",
  "name=value"
]

const isToggle = (setting: Settings.Setting<unknown>) => setting.toggle

/** A text the setting's own variable accepts. */
const validText = (setting: Settings.Setting<unknown>) =>
  Effect.gen(function*() {
    for (
      const text of [...(setting.example === undefined ? [] : [setting.example]), setting.shownDefault, ...candidates]
    ) {
      const read = yield* Effect.either(Effect.withConfigProvider(setting.config, provider({ [setting.env]: text })))
      if (Either.isRight(read)) return text
    }
    return assert.fail(
      `${setting.env} accepts none of its example, its default and the test's candidates: give it an example`
    )
  })

describe("Settings", () => {
  it("every setting has its own variable and flag", () => {
    const envs = Settings.all.flatMap((setting) => [setting.env, ...setting.aliases])
    const flags = Settings.all.flatMap((setting) => [setting.flag, ...setting.flagAliases])
    assert.strictEqual(new Set(envs).size, envs.length, "variables are unique")
    assert.strictEqual(new Set(flags).size, flags.length, "flags are unique")
    for (const setting of Settings.all) {
      if (setting.env.startsWith("DCR_")) assert.strictEqual(setting.flag, Settings.flagName(setting.env), setting.env)
    }
    assert.strictEqual(Settings.flagName("DCR_INITIAL_ACCESS_TOKENS"), "initial-access-tokens")
    assert.strictEqual(Settings.flagName("AUTHLETE_REGION"), "authlete-region")
  })

  it.effect("no flags: the same values as ServerConfig.load reads from the environment", () =>
    Effect.gen(function*() {
      for (const env of [{}, { HOST: "0.0.0.0", PORT: "0", DCR_ISSUER: "https://as.example.com/t/" }]) {
        const fromFlags = yield* Effect.flatMap(parseOk([], env), ServerConfig.make)
        assert.deepStrictEqual(fromFlags, yield* load(env))
      }
    }))

  it.effect("serve's defaults: scope kept, redirect URIs required, 401 on token failures, registration open", () =>
    Effect.gen(function*() {
      const { engine, host, port } = yield* parseOk([])
      assert.strictEqual(host, "127.0.0.1")
      assert.strictEqual(port, 3000)
      assert.isTrue(engine.dcrScopeUsedAsRequestable)
      assert.isTrue(engine.requireRedirectUrisForDefaultGrant)
      assert.isTrue(engine.unauthorizedOnClientConfigSupported)
      assert.isFalse(engine.rotateRegistrationAccessToken)
      assert.isFalse(engine.dcrDuplicateSoftwareIdBlocked)
      assert.deepStrictEqual(engine.initialAccessTokens, [])
    }))

  it.effect("flags override the environment", () =>
    Effect.gen(function*() {
      const env = {
        HOST: "0.0.0.0",
        PORT: "4000",
        DCR_ISSUER: "https://env.example.com",
        DCR_DATABASE_URL: "sqlite:env.sqlite",
        DCR_ROTATE_REGISTRATION_ACCESS_TOKEN: "false",
        DCR_SCOPE_USED_AS_REQUESTABLE: "true",
        DCR_INITIAL_ACCESS_TOKENS: "a,b"
      }
      const values = yield* parseOk([
        "--host",
        "127.0.0.2",
        "--port",
        "0",
        "--issuer",
        "https://flag.example.com/",
        "--database",
        "sqlite:flag.sqlite",
        "--rotate-registration-access-token",
        "--scope-used-as-requestable",
        "false",
        "--initial-access-tokens",
        "c"
      ], env)
      assert.strictEqual(values.host, "127.0.0.2")
      assert.strictEqual(values.port, 0)
      assert.strictEqual(values.issuer, "https://flag.example.com")
      assert.deepStrictEqual(values.database, { _tag: "Sqlite", filename: "flag.sqlite" })
      assert.isTrue(values.engine.rotateRegistrationAccessToken)
      assert.isFalse(values.engine.dcrScopeUsedAsRequestable)
      assert.deepStrictEqual(values.engine.initialAccessTokens.map(Redacted.value), ["c"])
      const unflagged = yield* parseOk(["--port", "0"], env)
      assert.strictEqual(unflagged.host, "0.0.0.0", "a setting without its flag still comes from the environment")
      assert.deepStrictEqual(unflagged.engine.initialAccessTokens.map(Redacted.value), ["a", "b"])
      assert.deepStrictEqual(
        (yield* parseOk(["--database-url", "sqlite:long.sqlite"])).database,
        { _tag: "Sqlite", filename: "long.sqlite" }
      )
    }))

  it.effect("each flag accepts what its variable accepts, parsed by the same Config", () =>
    Effect.gen(function*() {
      for (const setting of Settings.all) {
        if (isToggle(setting)) {
          const env = yield* parseOk([], { [setting.env]: "true" })
          assert.deepStrictEqual(yield* parseOk([`--${setting.flag}`]), env, setting.flag)
          assert.deepStrictEqual(
            yield* parseOk([`--${setting.flag}`, "false"], { [setting.env]: "true" }),
            yield* parseOk([], { [setting.env]: "false" }),
            setting.flag
          )
          continue
        }
        const text = yield* validText(setting)
        assert.deepStrictEqual(
          yield* parseOk([`--${setting.flag}`, text]),
          yield* parseOk([], { [setting.env]: text }),
          setting.flag
        )
      }
    }))

  it.effect("a misconfiguration stops the start with a message naming the variable (or the flag)", () =>
    Effect.gen(function*() {
      for (const setting of Settings.all) {
        for (const bad of ["", isToggle(setting) ? "maybe" : undefined]) {
          if (bad === undefined) continue
          const fromEnv = yield* parseError([], { [setting.env]: bad })
          assert.include(fromEnv, setting.env, `${setting.env}=${JSON.stringify(bad)}`)
          const loaded = yield* Effect.flip(load({ [setting.env]: bad }))
          assert.include(String(loaded), setting.env, `ServerConfig.load with ${setting.env}=${JSON.stringify(bad)}`)
        }
        if (!isToggle(setting)) {
          const fromFlag = yield* parseError([`--${setting.flag}`, ""])
          assert.include(fromFlag, `--${setting.flag}`)
          assert.include(fromFlag, setting.env)
        }
      }
    }))

  it.effect("specific refusals: ports, URLs, regions, durations, databases", () =>
    Effect.gen(function*() {
      for (
        const [env, name] of [
          [{ PORT: "http" }, "PORT"],
          [{ PORT: "70000" }, "PORT"],
          [{ DCR_ISSUER: "not a url" }, "DCR_ISSUER"],
          [{ DCR_REGISTRATION_MANAGEMENT_ENDPOINT: "/relative" }, "DCR_REGISTRATION_MANAGEMENT_ENDPOINT"],
          [{ AUTHLETE_REGION: "mars" }, "AUTHLETE_REGION"],
          [{ AUTHLETE_TIMEOUT: "soon" }, "AUTHLETE_TIMEOUT"],
          [{ DCR_DATABASE_URL: "mysql://db/dcr" }, "DCR_DATABASE_URL"],
          [{ DCR_SUPPORTED_CUSTOM_CLIENT_METADATA: " , " }, "DCR_SUPPORTED_CUSTOM_CLIENT_METADATA"]
        ] as const
      ) {
        assert.include(yield* parseError([], env), name, JSON.stringify(env))
      }
      assert.include(yield* parseError(["--port", "http"]), "--port")
    }))

  it.effect("initial access tokens: one name everywhere, the singular as an alias, never both, never empty", () =>
    Effect.gen(function*() {
      const tokens = (values: Settings.Values) => values.engine.initialAccessTokens.map(Redacted.value)
      assert.deepStrictEqual(tokens(yield* parseOk([], { DCR_INITIAL_ACCESS_TOKENS: "a, b,," })), ["a", "b"])
      assert.deepStrictEqual(tokens(yield* parseOk([], { DCR_INITIAL_ACCESS_TOKEN: "s" })), ["s"])
      assert.isTrue(
        Redacted.isRedacted((yield* parseOk([], { DCR_INITIAL_ACCESS_TOKEN: "s" })).engine.initialAccessTokens[0])
      )
      const both = yield* parseError([], { DCR_INITIAL_ACCESS_TOKENS: "a", DCR_INITIAL_ACCESS_TOKEN: "b" })
      assert.include(both, "DCR_INITIAL_ACCESS_TOKENS and DCR_INITIAL_ACCESS_TOKEN")
      assert.include(yield* parseError([], { DCR_INITIAL_ACCESS_TOKENS: " , " }), "holds no token")
      assert.notInclude(
        String(
          yield* Effect.flip(
            load({ DCR_INITIAL_ACCESS_TOKENS: "sekrit", AUTHLETE_SERVICE_ID: "1", AUTHLETE_SERVICE_ACCESS_TOKEN: "t" })
          )
        ),
        "sekrit"
      )
      const authlete = yield* Effect.flip(
        load({ DCR_INITIAL_ACCESS_TOKENS: "a", AUTHLETE_SERVICE_ID: "1", AUTHLETE_SERVICE_ACCESS_TOKEN: "t" })
      )
      assert.include(String(authlete), "DCR_INITIAL_ACCESS_TOKENS", "not silently ignored with Authlete")
    }))

  it("serve --help lists every setting: flag, variable, default and meaning", () => {
    const serve = Command.make("serve", { settings: Settings.options })
    const help = stripVTControlCharacters(HelpDoc.toAnsiText(Command.getHelp(serve, CliConfig.defaultConfig)))
    for (const setting of Settings.all) {
      assert.include(help, `--${setting.flag}`)
      for (const alias of setting.flagAliases) assert.include(help, `--${alias}`)
      for (const name of [setting.env, ...setting.aliases]) assert.include(help, name)
      assert.include(help, `Default: ${setting.shownDefault}.`, setting.env)
      assert.include(help, setting.description.split(" ").slice(0, 4).join(" "), setting.env)
    }
  })

  it("the engine's settings are reported as having no effect when Authlete is the backend", () => {
    assert.deepStrictEqual(
      Settings.ignoredWithAuthlete({ DCR_ROTATE_REGISTRATION_ACCESS_TOKEN: "true", HOST: "0.0.0.0", DCR_ISSUER: "x" }),
      ["DCR_ROTATE_REGISTRATION_ACCESS_TOKEN has no effect with Authlete as the backend: configure the Authlete service instead"]
    )
    for (const setting of Object.values(Settings.engine) as ReadonlyArray<Settings.Setting<unknown>>) {
      assert.lengthOf(Settings.ignoredWithAuthlete({ [setting.env]: "x" }), 1, setting.env)
    }
  })

  it("unknown DCR_* variables are reported, with the nearest known name", () => {
    const warnings = Settings.unknownVariables({
      DCR_ISUER: "https://as.example.com",
      DCR_SCOPE_AS_REQUESTABLE: "true",
      DCR_INITIAL_ACCESS_TOKEN: "alias is known",
      DCR_ISSUER: "known",
      DCR_REGISTRATION_ENDPOINT: "https://as.example.com/register",
      DCR_COMPLETELY_DIFFERENT_THING: "1",
      HOME: "/root",
      AUTHLETE_API_KEY: "not ours"
    })
    assert.deepStrictEqual(warnings, [
      "Unknown environment variable DCR_COMPLETELY_DIFFERENT_THING",
      "Unknown environment variable DCR_ISUER (did you mean DCR_ISSUER?)",
      `DCR_REGISTRATION_ENDPOINT is not read by serve: ${Settings.notReadByServe.DCR_REGISTRATION_ENDPOINT}`,
      "Unknown environment variable DCR_SCOPE_AS_REQUESTABLE (did you mean DCR_SCOPE_USED_AS_REQUESTABLE?)"
    ])
    assert.deepStrictEqual(
      Settings.unknownVariables(
        Object.fromEntries(Settings.all.flatMap((s) => [s.env, ...s.aliases]).map((n) => [n, "x"]))
      ),
      []
    )
  })
})
