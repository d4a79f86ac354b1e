// Management-path benchmark (RFC 7592): GET / PUT / DELETE {registration endpoint}/{client_id}
// with the registration access token, effect-dcr against oidc-provider (its client configuration
// endpoint /reg/{id}, an unbounded Map adapter so every client stays readable, no token rotation
// on either side). Usage (after `pnpm build` in the measured tree):
//
//   node scripts/bench/manage.mjs [--clients 20000] [--duration 8] [--warmup 2] [--connections 50]
//                                 [--only file,oidc-map] [--root DIR] [--node-options=...] [--json FILE]
//
// Per server: start it, register --clients public clients (not measured), then
// - GET and PUT: --warmup s then --duration s, each request on the next client of the pool (round
//   robin, so no client has two requests in flight);
// - DELETE: every client once — the first 10 % as warm-up, the rest measured.
// req/s is completed requests / elapsed time; server CPU µs/req as in register.mjs; peak RSS as in
// register.mjs.
import { writeFileSync } from "node:fs"
import { parseArgs } from "node:util"
import {
  cannon,
  describeTree,
  failures,
  machine,
  mib,
  registration,
  registrationBody,
  rootOf,
  selectTargets,
  startServer
} from "./lib/harness.mjs"

const { values: args } = parseArgs({
  options: {
    clients: { type: "string", default: "20000" },
    duration: { type: "string", default: "8" },
    warmup: { type: "string", default: "2" },
    connections: { type: "string", default: "50" },
    only: { type: "string", default: "file,oidc-map" },
    root: { type: "string" },
    "node-options": { type: "string", default: "" },
    "node-args": { type: "string", default: "" },
    json: { type: "string" }
  }
})
const root = rootOf(args.root)
const connections = Number(args.connections)
const clients = Number(args.clients)

/** Registers `n` clients through the server itself; returns [{ id, token }]. */
const preRegister = async (server, n) => {
  const pool = []
  const r = await cannon({
    url: server.url,
    connections,
    amount: n,
    requests: [{
      method: "POST",
      headers: { "content-type": "application/json" },
      body: registrationBody,
      onResponse: (status, body) => {
        if (status !== 201) return
        const json = JSON.parse(body)
        pool.push({ id: json.client_id, token: json.registration_access_token })
      }
    }]
  })
  if (pool.length !== n) throw new Error(`pre-registration: ${pool.length} of ${n} clients (${failures(r)} failed)`)
  return pool
}

const request = (req, target, method, pool, next) => {
  const c = pool[next() % pool.length]
  const headers = { authorization: `Bearer ${c.token}` }
  if (method !== "PUT") return { ...req, method, path: target.itemPath(c.id), headers }
  headers["content-type"] = "application/json"
  return {
    ...req,
    method,
    path: target.itemPath(c.id),
    headers,
    body: JSON.stringify({ ...registration, client_id: c.id })
  }
}

const drive = async (server, method, pool, opts) => {
  let i = 0
  const cpu0 = server.cpu()
  const t0 = performance.now()
  const r = await cannon({
    url: server.base,
    connections,
    ...opts,
    requests: [{ setupRequest: (req) => request(req, server.target, method, pool, () => i++) }]
  })
  r.elapsed = (performance.now() - t0) / 1000
  r.cpuUs = ((server.cpu() - cpu0) * 1e6) / r.requests.total
  return r
}

const summary = (r) => ({
  statuses: Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([k, v]) => [k, v.count])),
  errors: r.errors,
  rps: r.requests.total / r.elapsed,
  p50: r.latency.p50,
  p99: r.latency.p99,
  cpuUs: r.cpuUs,
  total: r.requests.total,
  failed: failures(r)
})

const results = []
for (const target of selectTargets(args.only)) {
  const server = await startServer(target, {
    root,
    nodeOptions: args["node-options"],
    nodeArgs: args["node-args"].split(" ").filter(Boolean)
  })
  try {
    await server.ready()
    const pool = await preRegister(server, clients)
    const row = { name: target.name }
    for (const method of ["GET", "PUT"]) {
      await drive(server, method, pool, { duration: Number(args.warmup) })
      row[method] = summary(await drive(server, method, pool, { duration: Number(args.duration) }))
    }
    const warm = Math.floor(pool.length / 10)
    await drive(server, "DELETE", pool.slice(0, warm), { amount: warm })
    row.DELETE = summary(await drive(server, "DELETE", pool.slice(warm), { amount: pool.length - warm }))
    const mem = await server.stop()
    row.hwm = mem.hwm
    results.push(row)
    console.error(
      `${target.name}: ` +
        ["GET", "PUT", "DELETE"].map((m) =>
          `${m} ${row[m].rps.toFixed(0)} req/s p99 ${row[m].p99} ms (statuses ${JSON.stringify(row[m].statuses)}, ${
            row[m].errors
          } errors)`
        ).join(", ") +
        `, peak RSS ${mib(mem.hwm)} MiB`
    )
  } catch (e) {
    await server.stop()
    console.error(`${target.name} failed: ${e.stack}\n${server.output().slice(-2000)}`)
    results.push({ name: target.name, error: e.message })
  }
}

const oidc = results.find((r) => r.name.startsWith("oidc-provider") && !r.error)
console.log(`\n${machine()}`)
console.log(`Measured: ${await describeTree(root)}`)
console.log(
  `Load: autocannon, ${connections} connections; ${clients} clients registered first; GET/PUT ${args.warmup} s warm-up then ${args.duration} s; DELETE of every client (10 % warm-up)\n`
)
console.log("| server | method | req/s | p50 ms | p99 ms | × oidc-provider | server CPU µs/req | non-2xx |")
console.log("|---|---|---:|---:|---:|---:|---:|---:|")
for (const r of results) {
  if (r.error) {
    console.log(`| ${r.name} | failed: ${r.error} | | | | | | |`)
    continue
  }
  for (const m of ["GET", "PUT", "DELETE"]) {
    const x = oidc ? (r[m].rps / oidc[m].rps).toFixed(2) : "–"
    console.log(
      `| ${r.name} | ${m} | ${r[m].rps.toFixed(0)} | ${r[m].p50} | ${r[m].p99} | ${x} | ${r[m].cpuUs.toFixed(0)} | ${
        r[m].failed
      } |`
    )
  }
}
console.log(
  `\nPeak RSS (whole run): ${results.filter((r) => !r.error).map((r) => `${r.name} ${mib(r.hwm)} MiB`).join(", ")}`
)
if (args.json) writeFileSync(args.json, JSON.stringify({ args, root, results }, null, 2))
