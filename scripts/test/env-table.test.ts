import * as ServerConfig from "@effect-dcr/cli/ServerConfig"
import * as Settings from "@effect-dcr/cli/Settings"
import { AuthleteClient } from "@effect-dcr/client"
import { Engine } from "@effect-dcr/engine"
import { assert, describe, it } from "@effect/vitest"
import type { Config } from "effect"
import { ConfigError, ConfigProvider, ConfigProviderPathPatch, Effect, Either, HashSet } from "effect"
import * as Fs from "node:fs"

// The README's table of environment variables (section "## The server") against the variables the config code
// reads, and against `Settings` (serve's one table: each row's variable, flags and default). The names read are
// found by running each config against a recording provider, not by reading the source.

/** Texts tried, in order, for a variable that is present; the first one the variable's parser accepts is served. */
const candidates = ["true", "1", "us", "10 seconds", "http://localhost:3000", "sqlite:.data/test.sqlite", "x"]

/** A provider that records every variable looked up; the variables in `present` get a value their parser accepts. */
const recording = (present: ReadonlySet<string>, seen: Set<string>) =>
  ConfigProvider.fromFlat(ConfigProvider.makeFlat({
    load: <A>(path: ReadonlyArray<string>, primitive: Config.Config.Primitive<A>) => {
      const name = path.join("_")
      seen.add(name)
      if (present.has(name)) {
        for (const text of candidates) {
          const parsed = primitive.parse(text)
          if (Either.isRight(parsed)) return Effect.succeed([parsed.right])
        }
      }
      return Effect.fail(ConfigError.MissingData([...path], `Expected ${name} to exist`))
    },
    enumerateChildren: (path) => {
      seen.add(path.join("_"))
      return Effect.succeed(HashSet.empty<string>())
    },
    patch: ConfigProviderPathPatch.empty
  }))

/**
 * Every variable a config can read: runs it with none set, with all known ones set, and with all but one set
 * (to follow `orElse` and "both set" branches), until no run finds a new name.
 */
const variablesRead = (config: Effect.Effect<unknown, ConfigError.ConfigError>): ReadonlySet<string> => {
  const known = new Set<string>()
  for (;;) {
    const size = known.size
    const runs: Array<ReadonlySet<string>> = [new Set(), new Set(known)]
    for (const name of known) runs.push(new Set([...known].filter((n) => n !== name)), new Set([name]))
    for (const present of runs) {
      Effect.runSync(Effect.either(Effect.withConfigProvider(config, recording(present, known))))
    }
    if (known.size === size) return known
  }
}

/** The rows of the table under "## The server" in README.md, as cells. */
const tableRows = (): ReadonlyArray<ReadonlyArray<string>> => {
  const readme = Fs.readFileSync(new URL("../../README.md", import.meta.url), "utf8")
  const section = readme.split(/^## /m).find((s) => s.startsWith("The server\n"))
  assert.isDefined(section, "README.md has no \"## The server\" section")
  return section!.split("\n").filter((line) => line.startsWith("|")).map((line) =>
    line.replace(/^\|/, "").replace(/\|\s*$/, "").split("|").map((cell) => cell.trim())
  )
}

/** The backquoted variable names in a cell. */
const namesIn = (cell: string): ReadonlyArray<string> =>
  [...cell.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map(([, name]) => name!)

/** The variable names in the first column of the table. */
const documented = (): ReadonlySet<string> => new Set(tableRows().flatMap((row) => namesIn(row[0] ?? "")))

const configs: ReadonlyArray<readonly [string, Effect.Effect<unknown, ConfigError.ConfigError>]> = [
  ["ServerConfig.load (Settings)", ServerConfig.load],
  ["Engine.config", Engine.config],
  ["AuthleteClient.envConfig", AuthleteClient.envConfig]
]

describe("README environment variables", () => {
  const readBy = configs.map(([label, config]) => [label, variablesRead(config)] as const)
  const table = documented()

  it("the recording provider finds the variables behind defaults and orElse branches", () => {
    const [, server] = readBy[0]!
    for (const name of ["HOST", "PORT", "DCR_DATABASE_URL", "AUTHLETE_BASE_URL", "AUTHLETE_REGION"]) {
      assert.isTrue(server.has(name), `ServerConfig.load reads ${name}`)
    }
  })

  it("every variable the config code reads is in the table", () => {
    const missing = readBy.flatMap(([label, names]) =>
      [...names].filter((name) => !table.has(name)).map((name) => `${name} (${label})`)
    )
    assert.deepStrictEqual(missing, [])
  })

  it("every variable in the table is read by the config code", () => {
    const read = new Set(readBy.flatMap(([, names]) => [...names]))
    assert.deepStrictEqual([...table].filter((name) => !read.has(name)), [])
  })

  it("each serve setting has its row: the variable (and its aliases), its flags, its default", () => {
    const rows = tableRows()
    const problems: Array<string> = []
    for (const setting of Settings.all) {
      const row = rows.find((cells) => namesIn(cells[0] ?? "").includes(setting.env))
      if (row === undefined) {
        problems.push(`${setting.env}: no row`)
        continue
      }
      const [names = "", flags = "", shown = ""] = row
      for (const alias of setting.aliases) {
        if (!namesIn(names).includes(alias)) problems.push(`${setting.env}: alias ${alias} not in its row`)
      }
      const listed = [...flags.matchAll(/`--([a-z0-9-]+)`/g)].map(([, flag]) => flag!)
      const expected = [setting.flag, ...setting.flagAliases]
      if (listed.join(" ") !== expected.join(" ")) {
        problems.push(`${setting.env}: flags ${listed.join(" ")} in the README, ${expected.join(" ")} in Settings`)
      }
      if (shown.replaceAll("`", "") !== setting.shownDefault) {
        problems.push(`${setting.env}: default "${shown}" in the README, "${setting.shownDefault}" in Settings`)
      }
    }
    assert.deepStrictEqual(problems, [])
  })

  it("every variable of Engine.config is a serve setting (or says why serve does not read it)", () => {
    const serve = new Set(Settings.all.flatMap((setting) => [setting.env, ...setting.aliases]))
    const engine = readBy.find(([label]) => label === "Engine.config")![1]
    assert.deepStrictEqual([...engine].filter((name) => !serve.has(name) && !(name in Settings.notReadByServe)), [])
  })

  it("a variable without a serve flag is one serve does not read", () => {
    for (const row of tableRows().slice(2)) {
      if ((row[1] ?? "").includes("`--")) continue
      for (const name of namesIn(row[0] ?? "")) assert.property(Settings.notReadByServe, name, name)
    }
  })
})
