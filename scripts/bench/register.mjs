// Registration-endpoint benchmark: effect-dcr against oidc-provider and a bare node:http server,
// in one run, on this machine, over loopback. Each server runs in its own process; autocannon
// drives it from this process. Usage (after `pnpm build` in the measured tree):
//
//   node scripts/bench/register.mjs [--duration 10] [--warmup 3] [--connections 50] [--rounds 1] [--only name,name]
//                                   [--root DIR] [--node-options="--max-semi-space-size=4"] [--node-args=--trace-gc]
//                                   [--env KEY=VALUE ...] [--log FILE] [--json FILE]
//
// --root DIR      the tree whose built CLI is measured (DIR/packages/cli/dist/bin.js serve, with the
//                 node flags of DIR's `pnpm start` script, if any); default this repository. The other servers come from this scripts/ directory.
// --node-options=...  NODE_OPTIONS for the effect-dcr servers only (memory experiments; use the
//                 "=" form, since the value starts with a dash).
// --node-args=...  flags before the script for the effect-dcr servers (space-separated), for those
//                 NODE_OPTIONS refuses (--trace-gc, --heapsnapshot-signal=SIGUSR2 …).
// --env K=V       extra environment for the effect-dcr servers (repeatable).
// --rounds N      run the whole list N times (ratios are taken within a round; the VM is noisy).
// --only          keys (bare, oidc, oidc-map, file, memory, pg, pg2) or name prefixes, comma-separated;
//                 oidc-map (oidc-provider with an unbounded Map adapter) runs only when named, and so do
//                 pg (effect-dcr on PostgreSQL) and pg2 (two effect-dcr instances on one PostgreSQL
//                 database, the connections split between them, one autocannon each; its p50/p99 are
//                 the larger of the two, its CPU the sum, its RSS the larger instance's). They use
//                 BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test), a new schema
//                 per run, dropped afterwards.
//
// Prints a Markdown table: requests/s, latency, the ratios, the server's CPU time per request
// (user + system of the server process over the measured window / requests: less sensitive to a
// busy machine than req/s), and the peak RSS of each server
// process (VmHWM from /proc/<pid>/status at the end of the run; "sampled" is the largest VmRSS
// seen every 100 ms) over its whole life (start-up, warm-up and measured window).
import { createWriteStream, writeFileSync } from "node:fs"
import { parseArgs } from "node:util"
import {
  describeTree,
  failures,
  machine,
  measureRegistrations,
  mib,
  registrationBody,
  rootOf,
  selectTargets,
  startFlags,
  startServer
} from "./lib/harness.mjs"

const { values: args } = parseArgs({
  options: {
    duration: { type: "string", default: "10" },
    warmup: { type: "string", default: "3" },
    connections: { type: "string", default: "50" },
    rounds: { type: "string", default: "1" },
    only: { type: "string" },
    root: { type: "string" },
    "node-options": { type: "string", default: "" },
    "node-args": { type: "string", default: "" },
    env: { type: "string", multiple: true, default: [] },
    log: { type: "string" },
    json: { type: "string" }
  }
})

const root = rootOf(args.root)
const env = Object.fromEntries(args.env.map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]))
const log = args.log ? createWriteStream(args.log) : undefined
const connections = Number(args.connections)

const results = []
for (let round = 1; round <= Number(args.rounds); round++) {
  for (const target of selectTargets(args.only)) {
    const server = await startServer(target, {
      root,
      nodeOptions: args["node-options"],
      nodeArgs: args["node-args"].split(" ").filter(Boolean),
      env,
      log
    })
    try {
      const { cpuUs, result: r } = await measureRegistrations(server, {
        connections,
        duration: Number(args.duration),
        warmup: Number(args.warmup)
      })
      const mem = await server.stop()
      results.push({
        round,
        name: target.name,
        rps: r.requests.average,
        p50: r.latency.p50,
        p99: r.latency.p99,
        cpuUs,
        total: r.requests.total,
        failed: failures(r),
        hwm: mem.hwm,
        sampled: mem.sampled,
        files: mem.files
      })
      const files = Object.entries(mem.files).map(([f, s]) => `${f} ${mib(s)} MiB`).join(", ")
      console.error(
        `${target.name}: ${r.requests.average.toFixed(0)} req/s, p99 ${r.latency.p99} ms, ${
          cpuUs.toFixed(0)
        } CPU µs/req, non-2xx/errors ${failures(r)}, ` +
          `peak RSS ${mib(mem.hwm)} MiB (anon ${mib(mem.sampled.RssAnon)}, file ${mib(mem.sampled.RssFile)} sampled)` +
          (files ? `, ${files}` : "")
      )
    } catch (e) {
      await server.stop()
      console.error(`${target.name} failed: ${e.message}\n${server.output().slice(-2000)}`)
      results.push({ round, name: target.name, error: e.message })
    }
  }
}
log?.end()

const base = (round, name) => results.find((r) => r.round === round && r.name === name && !r.error)?.rps
console.log(`\n${machine()}`)
console.log(
  `Measured: ${await describeTree(root)}; effect-dcr as \`pnpm start\` runs it: node ${
    [...startFlags(root), "packages/cli/dist/bin.js serve"].join(" ")
  }${args["node-options"] ? `; effect-dcr NODE_OPTIONS="${args["node-options"]}"` : ""}${
    args["node-args"] ? `; node ${args["node-args"]}` : ""
  }${args.env.length ? `; env ${args.env.join(" ")}` : ""}`
)
console.log(
  `Load: autocannon, ${connections} connections, ${args.warmup} s warm-up then ${args.duration} s measured, POST of a ${registrationBody.length}-byte public-client registration\n`
)
console.log(
  "| run | server | req/s | p50 ms | p99 ms | × oidc-provider | × bare | server CPU µs/req | peak RSS MiB | non-2xx |"
)
console.log("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for (const r of results) {
  if (r.error) {
    console.log(`| ${r.round} | ${r.name} | failed: ${r.error} | | | | | | | |`)
    continue
  }
  const x = (b) => (b ? (r.rps / b).toFixed(2) : "–")
  const oidc = base(r.round, "oidc-provider")
  const bare = base(r.round, "bare node:http")
  console.log(
    `| ${r.round} | ${r.name} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${x(oidc)} | ${x(bare)} | ${
      r.cpuUs.toFixed(0)
    } | ${mib(r.hwm)} | ${r.failed} |`
  )
}
if (args.json) writeFileSync(args.json, JSON.stringify({ args, root, results }, null, 2))
