// Interleaved A/B benchmark: two or more effect-dcr configurations of one tree run side by side,
// each in its own process, and the registration load visits them in short slices, in turn (the
// order rotating every round), so that the VM's drift from minute to minute falls on all of them
// alike. This is how a cost of a few per cent is told from the machine's noise, which a series of
// separate runs cannot do here (BENCHMARKS.md). Usage (after `pnpm build`):
//
//   node scripts/bench/ab.mjs --variant 'name[@DIR]:KEY=VALUE,KEY=VALUE' --variant 'name:…' [--server bare]
//                             [--rounds 12]
//                             [--slice 2] [--warmup 3] [--connections 50] [--header 'Name: value' …]
//                             [--root DIR] [--json FILE]
//
// A variant is effect-dcr (SQLite file) built in --root, or in DIR when given as 'name@DIR:…' (another
// tree, e.g. a git worktree of an earlier commit); with no settings ('name:') it runs with the
// defaults. --server KEY adds another server of the harness (bare, oidc) as one more variant. --header adds a request header to
// every request of every variant (e.g. 'origin: https://app.example', so that CORS answers). Prints, per variant, the requests
// per second and the server's CPU µs per request summed over its slices, and against the first
// variant: the ratio of the sums and the median and range of the per-round ratios, and each server's peak RSS
// (VmHWM over its whole life: start-up, warm-up and every slice).
import { writeFileSync } from "node:fs"
import { parseArgs } from "node:util"
import {
  cannon,
  describeTree,
  failures,
  machine,
  mib,
  registrationBody,
  rootOf,
  selectTargets,
  startServer
} from "./lib/harness.mjs"

const { values: args } = parseArgs({
  options: {
    variant: { type: "string", multiple: true, default: [] },
    rounds: { type: "string", default: "12" },
    slice: { type: "string", default: "2" },
    warmup: { type: "string", default: "3" },
    connections: { type: "string", default: "50" },
    header: { type: "string", multiple: true, default: [] },
    server: { type: "string", multiple: true, default: [] },
    root: { type: "string" },
    json: { type: "string" }
  }
})

const root = rootOf(args.root)
const [effectDcr] = selectTargets("file")
const variants = [
  ...args.variant.map((spec) => {
    const colon = spec.indexOf(":")
    if (colon < 1) throw new Error(`--variant ${spec}: expected 'name[@DIR]:KEY=VALUE,…'`)
    const [name, dir] = spec.slice(0, colon).split("@")
    const env = Object.fromEntries(
      spec.slice(colon + 1).split(",").filter(Boolean).map((
        kv
      ) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)])
    )
    return { name, target: effectDcr, root: dir === undefined ? root : rootOf(dir), env }
  }),
  ...args.server.map((key) => {
    const [target] = selectTargets(key)
    if (target === undefined) throw new Error(`--server ${key}: unknown`)
    return { name: target.name, target, root, env: {} }
  })
]
if (variants.length < 2) throw new Error("give at least two variants (--variant, --server)")
const connections = Number(args.connections)
const slice = Number(args.slice)
const headers = {
  "content-type": "application/json",
  ...Object.fromEntries(
    args.header.map((h) => [h.slice(0, h.indexOf(":")).trim().toLowerCase(), h.slice(h.indexOf(":") + 1).trim()])
  )
}

const load = (server, seconds) =>
  cannon({
    url: server.url,
    method: "POST",
    headers,
    body: registrationBody,
    connections,
    duration: seconds
  })

const servers = []
try {
  for (const variant of variants) {
    servers.push(await startServer(variant.target, { root: variant.root, env: variant.env }))
  }
  for (const server of servers) {
    await server.ready()
    await load(server, Number(args.warmup))
  }
  const totals = variants.map(() => ({ requests: 0, cpu: 0, seconds: 0, failures: 0, perRound: [] }))
  for (let round = 0; round < Number(args.rounds); round++) {
    for (let k = 0; k < servers.length; k++) {
      const i = (k + round) % servers.length
      const cpu0 = servers[i].cpu()
      const started = performance.now()
      const result = await load(servers[i], slice)
      const cpu = servers[i].cpu() - cpu0
      const total = totals[i]
      total.requests += result.requests.total
      total.cpu += cpu
      total.seconds += (performance.now() - started) / 1000
      total.failures += failures(result)
      total.perRound.push({ rps: result.requests.total / slice, cpuUs: (cpu * 1e6) / result.requests.total })
    }
  }
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b)
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
  }
  const pct = (x) => `${x >= 1 ? "+" : "−"}${(Math.abs(x - 1) * 100).toFixed(1)} %`
  console.log(machine())
  for (const dir of new Set(variants.map((v) => v.root))) console.log(await describeTree(dir))
  console.log(
    `${args.rounds} rounds of ${slice} s per variant, ${connections} connections, order rotating, headers ${
      JSON.stringify(headers)
    }; ratios against ${variants[0].name}\n`
  )
  console.log(
    "| variant | req/s | CPU µs/req | req/s vs first | CPU/req vs first | per-round CPU/req ratio: median (min–max) | peak RSS MiB | non-2xx+errors |"
  )
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|")
  const rows = totals.map((t, i) => {
    const rps = t.requests / (slice * t.perRound.length)
    const cpuUs = (t.cpu * 1e6) / t.requests
    const first = totals[0]
    const ratios = t.perRound.map((r, j) => r.cpuUs / first.perRound[j].cpuUs)
    const row = {
      variant: variants[i].name,
      root: variants[i].root,
      env: variants[i].env,
      rps,
      cpuUs,
      rpsVsFirst: rps / (first.requests / (slice * first.perRound.length)),
      cpuVsFirst: cpuUs / ((first.cpu * 1e6) / first.requests),
      roundRatioMedian: median(ratios),
      roundRatioMin: Math.min(...ratios),
      roundRatioMax: Math.max(...ratios),
      peakRssMiB: Number(mib(servers[i].memory().hwm)),
      failures: t.failures
    }
    console.log(
      `| ${row.variant} | ${rps.toFixed(0)} | ${cpuUs.toFixed(1)} | ${i === 0 ? "–" : pct(row.rpsVsFirst)} | ${
        i === 0 ? "–" : pct(row.cpuVsFirst)
      } | ${
        i === 0
          ? "–"
          : `${pct(row.roundRatioMedian)} (${pct(row.roundRatioMin)} … ${pct(row.roundRatioMax)})`
      } | ${row.peakRssMiB} | ${t.failures} |`
    )
    return row
  })
  if (args.json) writeFileSync(args.json, JSON.stringify({ rounds: Number(args.rounds), slice, rows }, null, 2))
} finally {
  for (const server of servers) await server.stop()
}
