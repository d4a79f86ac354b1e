/**
 * The packages as a user gets them: `pnpm pack` each one, check what the tarballs hold, install
 * them with npm into clean consumer projects in a temporary directory, import them under Node.js
 * ESM and type-check a program against them with `moduleResolution` NodeNext and Bundler.
 *
 * - "library": schema, client, engine and http-server without the optional peers: importing the
 *   engine needs no SQLite driver, importing http-server needs no `@effect/platform-node`, and the
 *   Node-only entries fail with ERR_MODULE_NOT_FOUND naming what to install.
 * - "cli": every tarball (the CLI depends on the others): `effect-dcr --version` is the package's
 *   version, and importing the engine does not load better-sqlite3 although it is installed.
 *
 * npm runs with --prefer-offline and --ignore-scripts (no native build), so the installs take
 * seconds once its cache holds the dependencies.
 *
 * The other workspace packages (the private test helpers, the examples, the scripts) are never
 * packed: the first test checks that every package under packages/ is either one of these or
 * private, and outside the changesets' release group.
 */
import { build } from "@effect-dcr/testing/Cli"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import * as Fs from "node:fs"
import { createRequire } from "node:module"
import * as Os from "node:os"
import * as Path from "node:path"

const root = Path.resolve(new URL("../..", import.meta.url).pathname)
const require = createRequire(import.meta.url)
const tsc = require.resolve("typescript/bin/tsc")
const packages = ["schema", "client", "engine", "http-server", "cli"] as const

interface Manifest {
  readonly name: string
  readonly version: string
  readonly license?: string
  readonly private?: boolean
  readonly repository?: { readonly url: string; readonly directory: string }
  readonly homepage?: string
  readonly bugs?: { readonly url: string }
  readonly bin?: Record<string, string>
  readonly dependencies?: Record<string, string>
  readonly peerDependencies?: Record<string, string>
}

const readJson = <A>(file: string): A => JSON.parse(Fs.readFileSync(file, "utf8")) as A
const rootManifest = readJson<Manifest>(Path.join(root, "package.json"))

/** Runs a command to completion (asynchronously: the test worker stays responsive); its stdout. */
const run = (command: string, args: ReadonlyArray<string>, cwd: string): Promise<string> =>
  new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd, encoding: "utf8", timeout: 240_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        error === null
          ? resolve(stdout)
          : reject(new Error(`${command} ${args.join(" ")} failed in ${cwd}:\n${stdout}${stderr}`))
    )
  })

/** npm, bounded: the registry only for what its cache lacks, no install scripts, no audit. */
const npmInstall = (cwd: string, specs: ReadonlyArray<string>) =>
  run("npm", [
    "install",
    "--prefer-offline",
    "--ignore-scripts",
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
    ...specs
  ], cwd)

const node = (cwd: string, script: string) => run(process.execPath, ["--input-type=module", "-e", script], cwd)

let dir: string
const tarballs = new Map<string, string>()
const manifests = new Map<string, Manifest>()

beforeAll(async () => {
  // the bin and every dist it imports (one worker builds at a time: the cli e2e tests build too)
  build()
  dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-dcr-pack-"))
  const packs = Path.join(dir, "packs")
  Fs.mkdirSync(packs)
  for (const pkg of packages) {
    const cwd = Path.join(root, "packages", pkg)
    await run("pnpm", ["pack", "--pack-destination", packs], cwd)
    const manifest = readJson<Manifest>(Path.join(cwd, "package.json"))
    const file = Fs.readdirSync(packs).find((name) =>
      name === `${manifest.name.replace("@", "").replace("/", "-")}-${manifest.version}.tgz`
    )
    assert.isDefined(file, `no tarball for ${manifest.name} in ${Fs.readdirSync(packs)}`)
    tarballs.set(pkg, Path.join(packs, file!))
    const unpacked = Path.join(dir, "unpacked", pkg)
    Fs.mkdirSync(unpacked, { recursive: true })
    await run("tar", ["xzf", tarballs.get(pkg)!, "-C", unpacked], root)
    manifests.set(pkg, readJson<Manifest>(Path.join(unpacked, "package", "package.json")))
  }
}, 300_000)

afterAll(() => {
  if (dir !== undefined) Fs.rmSync(dir, { recursive: true, force: true })
})

const consumer = (name: string) => {
  const cwd = Path.join(dir, name)
  Fs.mkdirSync(cwd)
  Fs.writeFileSync(
    Path.join(cwd, "package.json"),
    JSON.stringify({ name: `consumer-${name}`, private: true, type: "module" }, null, 2)
  )
  return cwd
}

/** Type-checks `source` in `cwd` under NodeNext and under Bundler (tsc from this repository). */
const typeCheck = async (cwd: string, source: string, types: ReadonlyArray<string>) => {
  Fs.writeFileSync(Path.join(cwd, "index.ts"), source)
  const base = {
    strict: true,
    exactOptionalPropertyTypes: true,
    noEmit: true,
    skipLibCheck: false,
    target: "ES2022",
    lib: ["ES2022", "DOM"],
    types
  }
  const configs = {
    "tsconfig.nodenext.json": { ...base, module: "NodeNext", moduleResolution: "NodeNext" },
    "tsconfig.bundler.json": { ...base, module: "ESNext", moduleResolution: "Bundler" }
  }
  for (const [file, compilerOptions] of Object.entries(configs)) {
    Fs.writeFileSync(Path.join(cwd, file), JSON.stringify({ compilerOptions, files: ["index.ts"] }, null, 2))
    await run(process.execPath, [tsc, "-p", file], cwd)
  }
}

describe("the packages as published", () => {
  it("each tarball holds dist, README, LICENSE and CHANGELOG, and a manifest fit to publish", async () => {
    const license = Fs.readFileSync(Path.join(root, "LICENSE"), "utf8")
    const versions = new Set<string>()
    for (const pkg of packages) {
      const files = (await run("tar", ["tzf", tarballs.get(pkg)!], root)).split("\n")
      for (const file of ["README.md", "LICENSE", "CHANGELOG.md", "dist/index.js", "dist/index.d.ts"]) {
        assert.include(files, `package/${file}`, `${pkg}: ${file}`)
      }
      assert.isFalse(files.some((file) => file.startsWith("package/test/")), `${pkg}: tests are not shipped`)
      const unpacked = Path.join(dir, "unpacked", pkg, "package")
      assert.strictEqual(Fs.readFileSync(Path.join(unpacked, "LICENSE"), "utf8"), license, `${pkg}: the LICENSE`)
      const manifest = manifests.get(pkg)!
      versions.add(manifest.version)
      assert.isUndefined(manifest.private, `${pkg} is publishable`)
      assert.strictEqual(manifest.license, "MIT")
      assert.strictEqual(manifest.repository?.url, rootManifest.repository?.url, `${pkg}: repository`)
      assert.strictEqual(manifest.repository?.directory, `packages/${pkg}`)
      assert.strictEqual(manifest.bugs?.url, rootManifest.bugs?.url, `${pkg}: bugs`)
      assert.isString(manifest.homepage)
      const specifiers = JSON.stringify([manifest.dependencies, manifest.peerDependencies])
      assert.notInclude(specifiers, "workspace:", `${pkg}: workspace: specifiers are replaced`)
    }
    assert.strictEqual(versions.size, 1, "the packages are released together under one version")
    const cli = manifests.get("cli")!
    assert.strictEqual(cli.name, "effect-dcr", "npx effect-dcr")
    assert.deepStrictEqual(cli.bin, { "effect-dcr": "./dist/bin.js" })

    // every other package under packages/ (the test helpers) is private: never packed or published
    const changesets = Fs.readFileSync(Path.join(root, ".changeset", "config.json"), "utf8")
    for (const pkg of Fs.readdirSync(Path.join(root, "packages")).filter((pkg) => !packages.includes(pkg as never))) {
      const manifest = readJson<Manifest>(Path.join(root, "packages", pkg, "package.json"))
      assert.strictEqual(manifest.private, true, `packages/${pkg} is neither released here nor private`)
      assert.notInclude(changesets, `"${manifest.name}"`, `packages/${pkg} is not in a release group`)
    }
  })

  it("the library packages install without the optional peers, import under Node ESM and type-check", async () => {
    const cwd = consumer("library")
    await npmInstall(cwd, ["schema", "client", "engine", "http-server"].map((pkg) => tarballs.get(pkg)!))
    for (const absent of ["@effect/platform-node", "@effect/sql-sqlite-node", "better-sqlite3"]) {
      assert.isFalse(Fs.existsSync(Path.join(cwd, "node_modules", absent)), `${absent} is not installed`)
    }
    const output = await node(
      cwd,
      `
      const entries = ["@effect-dcr/schema", "@effect-dcr/client", "@effect-dcr/engine", "@effect-dcr/http-server"]
      const names = {}
      for (const entry of entries) names[entry] = Object.keys(await import(entry)).sort()
      const missing = {}
      for (const entry of ["@effect-dcr/http-server/NodeRegistrationServer", "@effect-dcr/engine/SqliteClientStore"]) {
        try { await import(entry); missing[entry] = "loaded" } catch (e) { missing[entry] = e.code + " " + e.message.split("\\n")[0] }
      }
      console.log(JSON.stringify({ names, missing }))
      `
    )
    const { missing, names } = JSON.parse(output) as {
      names: Record<string, Array<string>>
      missing: Record<string, string>
    }
    assert.includeMembers(names["@effect-dcr/http-server"]!, ["HealthApi", "Observability", "RegistrationApi"])
    assert.includeMembers(names["@effect-dcr/engine"]!, ["ClientStore", "Engine"])
    assert.notInclude(names["@effect-dcr/engine"]!, "SqliteClientStore")
    assert.includeMembers(names["@effect-dcr/client"]!, ["DynamicClientRegistration", "Readiness"])
    assert.match(
      missing["@effect-dcr/http-server/NodeRegistrationServer"]!,
      /^ERR_MODULE_NOT_FOUND .*@effect\/platform-node/
    )
    assert.match(missing["@effect-dcr/engine/SqliteClientStore"]!, /^ERR_MODULE_NOT_FOUND .*@effect\//)

    await typeCheck(
      cwd,
      `import { Readiness } from "@effect-dcr/client"
import { Engine } from "@effect-dcr/engine"
import { HealthApi, Observability, RegistrationApi } from "@effect-dcr/http-server"
import { ClientMetadata } from "@effect-dcr/schema"
import { HttpApiBuilder } from "@effect/platform"
import { Layer, Schema } from "effect"

const issuer = "https://as.example.com"
const api = RegistrationApi.make({ issuer }).add(HealthApi.group)
export const App = HttpApiBuilder.api(api).pipe(
  Layer.provide(RegistrationApi.layerGroup(api, { issuer })),
  Layer.provide(HealthApi.layerGroup(api)),
  Layer.provide(Readiness.layerAlwaysReady)
)
export const Serve = HttpApiBuilder.serve(Observability.middleware({ accessLog: true }))
export const backend = Engine.layer({ registrationEndpoint: \`\${issuer}/register\` })
export const decode = Schema.decodeUnknownEither(ClientMetadata)
export const path: \`/\${string}\` = RegistrationApi.registrationPath({ path: "/oauth/register" })
// @ts-expect-error the types are real: a number is not Paths
RegistrationApi.registrationPath(42)
`,
      []
    )
  }, 240_000)

  it(
    "the CLI installs with everything: effect-dcr --version, and the engine loads no SQLite driver until asked",
    async () => {
      const cwd = consumer("cli")
      const typesNode = readJson<Manifest>(Path.join(root, "node_modules", "@types", "node", "package.json")).version
      await npmInstall(cwd, [...packages.map((pkg) => tarballs.get(pkg)!), `@types/node@${typesNode}`])
      const version = (await run(Path.join(cwd, "node_modules", ".bin", "effect-dcr"), ["--version"], cwd)).trim()
      assert.strictEqual(version, manifests.get("cli")!.version)
      const loaded = await node(
        cwd,
        `
      import { createRequire } from "node:module"
      const cache = createRequire(import.meta.url).cache
      const sqlite = () => Object.keys(cache).some((file) => file.includes("better-sqlite3"))
      await import("@effect-dcr/engine")
      await import("effect-dcr")
      const before = sqlite()
      await import("@effect-dcr/engine/SqliteClientStore")
      console.log(JSON.stringify({ before, after: sqlite() }))
      `
      )
      assert.deepStrictEqual(JSON.parse(loaded), { before: false, after: true })

      await typeCheck(
        cwd,
        `import { Server } from "effect-dcr"
import * as SqliteClientStore from "@effect-dcr/engine/SqliteClientStore"
import * as NodeRegistrationServer from "@effect-dcr/http-server/NodeRegistrationServer"
import { Layer } from "effect"

export const store = SqliteClientStore.layer({ filename: ":memory:" })
export const listen = NodeRegistrationServer.layer({ port: 0, host: "127.0.0.1" })
export const app = Server.app({ issuer: "http://127.0.0.1:3000" })
export const both = Layer.merge(store, listen)
`,
        ["node"]
      )
    },
    240_000
  )
})
