// Shared by the HTTP benchmarks: free loopback ports, the servers under test (each its own
// process), their peak memory, autocannon as a promise, and the machine line.
import autocannon from "autocannon"
import { spawn } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs"
import { createServer } from "node:net"
import { cpus, tmpdir, totalmem } from "node:os"
import { join, resolve } from "node:path"
import { importFrom } from "./resolve.mjs"

export const here = new URL("../", import.meta.url).pathname
export const repoRoot = new URL("../../../", import.meta.url).pathname

/** `--root DIR`: the tree whose built packages are measured (default: this repository). */
export const rootOf = (dir) => resolve(dir ?? repoRoot)

/** A typical MCP-style public client registration. */
export const registration = {
  client_name: "bench client",
  redirect_uris: ["http://127.0.0.1:33418/callback"],
  grant_types: ["authorization_code", "refresh_token"],
  response_types: ["code"],
  token_endpoint_auth_method: "none"
}
export const registrationBody = JSON.stringify(registration)

/** A port the OS just handed out as free on loopback. */
export const freePort = () =>
  new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once("error", reject)
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address()
      probe.close(() => resolve(port))
    })
  })

const MiB = 2 ** 20
const statusFields = ["VmRSS", "VmHWM", "RssAnon", "RssFile", "RssShmem"]

/** `/proc/<pid>/status` memory fields in bytes (Linux), or undefined once the process is gone. */
export const procMemory = (pid) => {
  try {
    const text = readFileSync(`/proc/${pid}/status`, "utf8")
    const out = {}
    for (const field of statusFields) {
      const m = text.match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"))
      if (m) out[field] = Number(m[1]) * 1024
    }
    return out
  } catch {
    return undefined
  }
}

/** CPU seconds (user + system) the process has used so far, from /proc/<pid>/stat. */
export const procCpuSeconds = (pid) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return (Number(fields[11]) + Number(fields[12])) / 100 // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN
  }
}

export const mib = (bytes) => (bytes === undefined ? "–" : (bytes / MiB).toFixed(0))

/**
 * The node flags the server runs with in `root`, so the benchmark runs it as `pnpm start` does:
 * those of the "start" script (`node [flags] packages/cli/dist/bin.js serve`) and of the bin's
 * shebang (`#!/usr/bin/env -S node [flags]`), if any.
 */
export const startFlags = (root) => {
  const read = (file) => existsSync(join(root, file)) ? readFileSync(join(root, file), "utf8") : ""
  const start = read("package.json") === "" ? "" : JSON.parse(read("package.json")).scripts?.start ?? ""
  const fromStart = start.match(/\bnode((?:\s+-\S+)*)\s+\S*packages\/cli\/dist\/bin\.js\s+serve\b/)?.[1] ?? ""
  const shebang = read("packages/cli/dist/bin.js").split("\n", 1)[0]
  const fromShebang = shebang.match(/^#!\S*env\s+-S\s+node((?:\s+-\S+)*)\s*$/)?.[1] ?? ""
  return `${fromStart} ${fromShebang}`.split(/\s+/).filter(Boolean)
}

const effectDcr = (key, label, url) => ({
  key,
  name: `effect-dcr (engine, ${label})`,
  kind: "effect-dcr",
  path: "/register",
  itemPath: (id) => `/register/${id}`,
  script: (root) => [...startFlags(root), join(root, "packages/cli/dist/bin.js"), "serve"],
  env: (port, dir, database) => ({
    HOST: "127.0.0.1",
    PORT: String(port),
    DCR_DATABASE_URL: url(dir, database),
    DCR_SERVICE_ACCESS_TOKEN: "bench-service-token"
  })
})

/**
 * The PostgreSQL server of the PostgreSQL targets: BENCH_POSTGRES_URL, else the one these machines
 * run. Each run gets a new schema (`search_path` in the URL), dropped when the target stops.
 * (Deliberately not @effect-dcr/testing/Postgres: the benchmark runs as plain Node.js outside the
 * test runner, on the `pg` of the tree it measures, which may be another checkout given by --root.)
 */
export const postgresUrl = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test"

const postgresSchema = {
  /** Creates a schema with the measured tree's `pg`; answers the URL whose connections use it. */
  create: async (root) => {
    const { default: pg } = await importFrom(join(root, "packages/engine"), "pg")
    const schema = `effect_dcr_bench_${process.pid}_${Date.now().toString(36)}`
    const client = new pg.Client({ connectionString: postgresUrl })
    await client.connect()
    try {
      await client.query(`CREATE SCHEMA ${schema}`)
    } finally {
      await client.end()
    }
    const url = `${postgresUrl}${postgresUrl.includes("?") ? "&" : "?"}options=${
      encodeURIComponent(`-c search_path=${schema}`)
    }`
    return { root, schema, url }
  },
  drop: async ({ root, schema }) => {
    const { default: pg } = await importFrom(join(root, "packages/engine"), "pg")
    const client = new pg.Client({ connectionString: postgresUrl })
    await client.connect()
    try {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    } finally {
      await client.end()
    }
  }
}

const effectDcrPostgres = (key, label, instances) => ({
  ...effectDcr(key, label, (_dir, database) => database.url),
  database: postgresSchema,
  instances,
  extra: true
})

const oidcProvider = (key, name, env) => ({
  key,
  name,
  kind: "oidc-provider",
  path: "/reg",
  itemPath: (id) => `/reg/${id}`,
  script: () => [join(here, "servers/oidc-provider.mjs")],
  env: (port) => ({ PORT: String(port), ...env })
})

/**
 * Every server the benchmarks know. `extra` ones run only when named with `--only`.
 * - oidc-provider's default adapter is an LRU of 1 000 entries (it keeps the last ~500 clients);
 *   the "Map adapter" variant keeps every client, as a registration server must (and as the
 *   management benchmark needs).
 */
export const allTargets = [
  {
    key: "bare",
    name: "bare node:http",
    kind: "bare",
    path: "/register",
    script: () => [join(here, "servers/bare.mjs")],
    env: (port) => ({ PORT: String(port) })
  },
  oidcProvider("oidc", "oidc-provider", {}),
  { ...oidcProvider("oidc-map", "oidc-provider (Map adapter)", { OIDC_ADAPTER: "map" }), extra: true },
  effectDcr("file", "SQLite file", (dir) => `sqlite:${join(dir, "bench.sqlite")}`),
  effectDcr("memory", "in-memory SQLite", () => "sqlite::memory:"),
  {
    ...effectDcr("stock", "SQLite file, stock platform server", (dir) => `sqlite:${join(dir, "bench.sqlite")}`),
    script: (root) => [...startFlags(root), join(here, "servers/effect-dcr-stock.mjs")],
    env: (port, dir) => ({ PORT: String(port), DCR_DATABASE_URL: `sqlite:${join(dir, "bench.sqlite")}` }),
    extra: true
  },
  effectDcrPostgres("pg", "PostgreSQL", 1),
  effectDcrPostgres("pg2", "PostgreSQL, 2 instances", 2)
]

/**
 * Targets selected by a comma-separated list of keys (bare, oidc, oidc-map, file, memory, stock,
 * pg, pg2) or name prefixes; without a list, the ones not marked extra (pg and pg2 need the
 * PostgreSQL server at BENCH_POSTGRES_URL, so they run only when named).
 */
export const selectTargets = (only, targets = allTargets) => {
  if (!only) return targets.filter((t) => !t.extra)
  const prefixes = only.split(",").map((o) => o.trim()).filter((o) => o.length > 0)
  const plain = targets.filter((t) => !t.extra)
  // an extra target needs a prefix that picks it out (not just the plain target of the same name)
  return targets.filter((t) =>
    prefixes.some((o) =>
      o === t.key || (t.name.startsWith(o) && (!t.extra || !plain.some((p) => p.name.startsWith(o))))
    )
  )
}

/**
 * Starts `target` as its own process on a fresh loopback port. (Deliberately not
 * @effect-dcr/testing/Cli's `serve`: the targets include servers that print no effect-dcr banner,
 * so readiness is a first successful registration, and effect-dcr may come from another tree.) `nodeOptions` (a string, as in
 * NODE_OPTIONS), `nodeArgs` (flags before the script, for those NODE_OPTIONS refuses, e.g.
 * --trace-gc) and `env` apply to effect-dcr servers only unless `all` is set. The returned handle
 * samples the process's RSS every `sampleMs` and, on `stop()`, reports VmHWM (the kernel's peak
 * RSS of the process), the largest sample, and the SQLite file sizes for file targets.
 */
export const startServer = async (target, options = {}) => {
  if ((target.instances ?? 1) > 1 || target.database !== undefined) return startInstances(target, options)
  return startOne(target, options)
}

/**
 * A target with a database of its own (`target.database`: created before, dropped after) and
 * `target.instances` processes sharing it, each on its own port. The handle is `startOne`'s, over
 * all of them: `urls` (one per instance; `url` is the first), `ready` waits for each, `cpu` is
 * their sum, `memory` reports the largest instance (per-process figures), `stop` stops them all
 * and drops the database.
 */
const startInstances = async (target, options) => {
  const database = await target.database?.create(options.root ?? repoRoot)
  const servers = []
  try {
    for (let i = 0; i < (target.instances ?? 1); i++) servers.push(await startOne(target, { ...options, database }))
  } catch (error) {
    for (const server of servers) await server.stop()
    if (database !== undefined) await target.database.drop(database)
    throw error
  }
  const largest = (memories) => memories.reduce((a, b) => ((b.hwm ?? 0) > (a.hwm ?? 0) ? b : a))
  return {
    ...servers[0],
    servers,
    urls: servers.map((server) => server.url),
    output: () => servers.map((server, i) => `[instance ${i + 1}]\n${server.output()}`).join("\n"),
    ready: () => Promise.all(servers.map((server) => server.ready())).then(() => undefined),
    cpu: () => servers.reduce((sum, server) => sum + server.cpu(), 0),
    memory: () => largest(servers.map((server) => server.memory())),
    stop: async () => {
      const memories = []
      for (const server of servers) memories.push(await server.stop())
      if (database !== undefined) await target.database.drop(database)
      return largest(memories)
    }
  }
}

const startOne = async (
  target,
  { root, nodeOptions = "", nodeArgs = [], env = {}, all = false, sampleMs = 100, log, database } = {}
) => {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), "effect-dcr-bench-"))
  const applies = all || target.kind === "effect-dcr"
  const childEnv = {
    ...process.env,
    NODE_OPTIONS: applies ? nodeOptions : "",
    ...(applies ? env : {}),
    ...target.env(port, dir, database)
  }
  const argv = [...(applies ? nodeArgs : []), ...target.script(root)]
  childEnv.BENCH_ROOT = root
  const child = spawn(process.execPath, argv, { env: childEnv, stdio: ["ignore", "pipe", "pipe"] })
  let output = ""
  const keep = (c) => {
    if (log) log.write(c)
    output += c
    if (output.length > 64_000) output = output.slice(-32_000)
  }
  child.stdout.on("data", keep)
  child.stderr.on("data", keep)
  let exited = false
  child.once("exit", () => (exited = true))
  const peak = { VmRSS: 0, RssAnon: 0, RssFile: 0, RssShmem: 0 }
  const timer = setInterval(() => {
    const m = procMemory(child.pid)
    if (m) { for (const k of Object.keys(peak)) peak[k] = Math.max(peak[k], m[k] ?? 0) }
  }, sampleMs)
  timer.unref()
  const base = `http://127.0.0.1:${port}`
  const handle = {
    target,
    child,
    port,
    base,
    url: `${base}${target.path}`,
    dir,
    output: () => output,
    /** Polls with a registration until the server answers 201 (`target.readyStatus`; 30 s at most). */
    ready: async () => {
      const deadline = Date.now() + 30_000
      while (Date.now() < deadline && !exited) {
        try {
          const res = await fetch(handle.url, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: registrationBody,
            signal: AbortSignal.timeout(5_000)
          })
          await res.arrayBuffer()
          if (res.status === (target.readyStatus ?? 201)) return
        } catch {
          // not listening yet: try again
        }
        await new Promise((r) => setTimeout(r, 200))
      }
      throw new Error(`${target.name} did not start${exited ? ` (exit ${child.exitCode})` : ""}`)
    },
    /** CPU seconds used by the server so far (take the difference around a measured window). */
    cpu: () => procCpuSeconds(child.pid),
    /** Memory now (and the file sizes), without stopping. */
    memory: () => {
      const m = procMemory(child.pid) ?? {}
      const files = {}
      for (const f of ["bench.sqlite", "bench.sqlite-wal", "bench.sqlite-shm"]) {
        const p = join(dir, f)
        if (existsSync(p)) files[f] = statSync(p).size
      }
      return {
        hwm: m.VmHWM,
        rss: m.VmRSS,
        sampled: { ...peak, VmRSS: Math.max(peak.VmRSS, m.VmRSS ?? 0) },
        files
      }
    },
    /** SIGTERM, wait for the exit, delete the temporary directory; returns `memory()` taken before. */
    stop: async () => {
      clearInterval(timer)
      const mem = handle.memory()
      if (!exited) {
        child.kill("SIGTERM")
        const killer = setTimeout(() => child.kill("SIGKILL"), 10_000)
        await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once("exit", r)))
        clearTimeout(killer)
      }
      rmSync(dir, { recursive: true, force: true })
      return mem
    }
  }
  return handle
}

/** autocannon as a promise. */
export const cannon = (options) =>
  new Promise((resolve, reject) => {
    autocannon(options, (err, result) => (err ? reject(err) : resolve(result)))
  })

/**
 * The registration load on a started server: waits until it answers, warms up for `warmup`
 * seconds, then measures `duration` seconds; returns autocannon's result and the server's CPU µs
 * per request over the measured window.
 */
export const measureRegistrations = async (server, { connections, duration, warmup }) => {
  const urls = server.urls ?? [server.url]
  // several instances: the connections split between them, one autocannon each, at the same time
  const load = (seconds) =>
    Promise.all(urls.map((url, i) =>
      cannon({
        url,
        method: "POST",
        headers: { "content-type": "application/json" },
        body: registrationBody,
        connections: Math.floor(connections / urls.length) + (i < connections % urls.length ? 1 : 0),
        duration: seconds
      })
    )).then(combine)
  await server.ready()
  await load(warmup)
  const cpu0 = server.cpu()
  const result = await load(duration)
  return { result, cpuUs: ((server.cpu() - cpu0) * 1e6) / result.requests.total }
}

/**
 * autocannon results of simultaneous runs as one: counts and rates summed; latency percentiles are
 * the largest of the runs (exact percentiles of the union are not recoverable from the summaries).
 */
const combine = (results) => {
  if (results.length === 1) return results[0]
  const sum = (f) => results.reduce((total, r) => total + (f(r) ?? 0), 0)
  const max = (f) => Math.max(...results.map(f))
  return {
    ...results[0],
    requests: { ...results[0].requests, average: sum((r) => r.requests.average), total: sum((r) => r.requests.total) },
    latency: { ...results[0].latency, p50: max((r) => r.latency.p50), p99: max((r) => r.latency.p99) },
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    mismatches: sum((r) => r.mismatches)
  }
}

export const failures = (r) => r.non2xx + r.errors + r.timeouts + (r.mismatches ?? 0)

export const machine = () =>
  `Machine: ${cpus()[0]?.model ?? "unknown CPU"} × ${cpus().length}, ${
    (totalmem() / 2 ** 30).toFixed(0)
  } GiB, Node ${process.version}`

/** Commit of a tree, for the record. */
export const describeTree = async (root) => {
  const { execFileSync } = await import("node:child_process")
  try {
    const sha = execFileSync("git", ["-C", root, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim()
    const dirty = execFileSync("git", ["-C", root, "status", "--porcelain", "--", "packages"], { encoding: "utf8" })
      .trim()
    return `${root} at ${sha}${dirty ? " (packages/ modified)" : ""}`
  } catch {
    return root
  }
}
