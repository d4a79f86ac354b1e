// Registration-endpoint benchmark: effect-dcr against oidc-provider and a bare node:http server,
// in one run, on this machine, over loopback. Each server runs in its own process; autocannon
// drives it from this process. Usage (from the repository root, after `pnpm build`):
//
//   node scripts/bench/register.mjs [--duration 10] [--warmup 3] [--connections 32] [--only name,name]
//
// Prints a Markdown table (requests/s, latency) and the machine it ran on.
import autocannon from "autocannon"
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { cpus, tmpdir, totalmem } from "node:os"
import { createServer } from "node:net"
import { join } from "node:path"
import { parseArgs } from "node:util"

const { values: args } = parseArgs({
  options: {
    duration: { type: "string", default: "10" },
    warmup: { type: "string", default: "3" },
    connections: { type: "string", default: "32" },
    only: { type: "string" }
  }
})

const root = new URL("../../", import.meta.url).pathname
const here = new URL("./", import.meta.url).pathname

/** A typical MCP-style public client registration. */
const body = JSON.stringify({
  client_name: "bench client",
  redirect_uris: ["http://127.0.0.1:33418/callback"],
  grant_types: ["authorization_code", "refresh_token"],
  response_types: ["code"],
  token_endpoint_auth_method: "none"
})

/** A port the OS just handed out as free on loopback. */
const freePort = () =>
  new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once("error", reject)
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address()
      probe.close(() => resolve(port))
    })
  })

const targets = [
  {
    name: "bare node:http",
    path: "/register",
    start: (port) => spawn(process.execPath, [join(here, "servers/bare.mjs")], { env: { ...process.env, PORT: String(port) } })
  },
  {
    name: "oidc-provider",
    path: "/reg",
    start: (port) => spawn(process.execPath, [join(here, "servers/oidc-provider.mjs")], { env: { ...process.env, PORT: String(port) } })
  },
  ...[["SQLite file", (dir) => `sqlite:${join(dir, "bench.sqlite")}`], ["in-memory SQLite", () => "sqlite::memory:"]].map(
    ([label, url]) => ({
      name: `effect-dcr (engine, ${label})`,
      path: "/register",
      start: (port, dir) =>
        spawn(process.execPath, [join(root, "packages/cli/dist/bin.js"), "serve"], {
          env: {
            ...process.env,
            HOST: "127.0.0.1",
            PORT: String(port),
            DCR_DATABASE_URL: url(dir),
            DCR_SERVICE_ACCESS_TOKEN: "bench-service-token"
          }
        })
    })
  )
].filter((t) => !args.only || args.only.split(",").some((o) => t.name.startsWith(o.trim())))

const waitUntilServing = async (url, child) => {
  const deadline = Date.now() + 30_000
  let exited = false
  child.once("exit", () => (exited = true))
  while (Date.now() < deadline && !exited) {
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        signal: AbortSignal.timeout(5_000)
      })
      if (res.status === 201) return
    } catch {}
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`server for ${url} did not start`)
}

const run = (url, duration) =>
  new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        connections: Number(args.connections),
        duration
      },
      (err, result) => (err ? reject(err) : resolve(result))
    )
  })

const results = []
for (const target of targets) {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), "effect-dcr-bench-"))
  const child = target.start(port, dir)
  let stderr = ""
  child.stderr.on("data", (c) => (stderr += c))
  child.stdout.on("data", (c) => (stderr += c))
  const url = `http://127.0.0.1:${port}${target.path}`
  try {
    await waitUntilServing(url, child)
    await run(url, Number(args.warmup))
    const r = await run(url, Number(args.duration))
    const non2xx = r.non2xx + r.errors + r.timeouts
    results.push({ name: target.name, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, total: r.requests.total, non2xx })
    console.error(`${target.name}: ${r.requests.average.toFixed(0)} req/s (non-2xx/errors: ${non2xx})`)
  } catch (e) {
    console.error(`${target.name} failed: ${e.message}\n${stderr.slice(-2000)}`)
    results.push({ name: target.name, error: e.message })
  } finally {
    child.kill("SIGTERM")
    await new Promise((r) => (child.exitCode !== null ? r() : child.once("exit", r)))
    rmSync(dir, { recursive: true, force: true })
  }
}

const base = (name) => results.find((r) => r.name.startsWith(name))?.rps
const oidc = base("oidc-provider")
const bare = base("bare")
console.log(`\nMachine: ${cpus()[0]?.model ?? "unknown CPU"} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`)
console.log(`Load: autocannon, ${args.connections} connections, ${args.warmup} s warm-up then ${args.duration} s measured, POST of a ${body.length}-byte public-client registration\n`)
console.log("| server | req/s | p50 ms | p99 ms | × oidc-provider | × bare | non-2xx |")
console.log("|---|---:|---:|---:|---:|---:|---:|")
for (const r of results) {
  if (r.error) {
    console.log(`| ${r.name} | failed: ${r.error} | | | | | |`)
    continue
  }
  const x = (b) => (b ? (r.rps / b).toFixed(2) : "–")
  console.log(`| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${x(oidc)} | ${x(bare)} | ${r.non2xx} |`)
}
