// Where the effect-dcr server's memory goes under the registration benchmark, and what bounds it.
// Runs `effect-dcr serve` (SQLite file, as `pnpm start`) under the register load of register.mjs
// once per variant, rounds interleaved, and reports req/s, p99, peak RSS (VmHWM) with its anonymous
// and file-backed parts, the V8 heap from --trace-gc (largest committed heap, live heap after each
// mark-compact) and the SQLite files at the end. Usage (after `pnpm build` in the measured tree):
//
//   node scripts/bench/memory.mjs [--variants default,semi4,...] [--rounds 2] [--duration 10] [--warmup 3]
//                                 [--connections 50] [--root DIR] [--target file|memory] [--json FILE]
//
// Variants (names; see `variants` below): V8 flags through NODE_OPTIONS or on the command line
// (those NODE_OPTIONS refuses), and SQLite pragmas through
// BENCH_CACHE_SIZE / BENCH_MMAP_SIZE / BENCH_WAL_AUTOCHECKPOINT and BENCH_V8_FLAGS (passed to
// v8.setFlagsFromString at the top of bin.js), which only a tree built to read
// them honours (the baseline measured for issue 8 had them patched into its dist; see BENCHMARKS.md).
import { createWriteStream, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import {
  allTargets,
  describeTree,
  failures,
  machine,
  measureRegistrations,
  mib,
  rootOf,
  startServer
} from "./lib/harness.mjs"

const variants = {
  default: {},
  semi1: { nodeOptions: "--max-semi-space-size=1" },
  semi2: { nodeOptions: "--max-semi-space-size=2" },
  semi4: { nodeOptions: "--max-semi-space-size=4" },
  semi8: { nodeOptions: "--max-semi-space-size=8" },
  semi32: { nodeOptions: "--max-semi-space-size=32" },
  old64: { nodeOptions: "--max-old-space-size=64" },
  old96: { nodeOptions: "--max-old-space-size=96" },
  old128: { nodeOptions: "--max-old-space-size=128" },
  "semi8+old96": { nodeOptions: "--max-semi-space-size=8 --max-old-space-size=96" },
  "semi4+old64": { nodeOptions: "--max-semi-space-size=4 --max-old-space-size=64" },
  "semi1+old96": { nodeOptions: "--max-semi-space-size=1 --max-old-space-size=96" },
  "semi1+old128": { nodeOptions: "--max-semi-space-size=1 --max-old-space-size=128" },
  "semi2+old128": { nodeOptions: "--max-semi-space-size=2 --max-old-space-size=128" },
  "semi1+old128+cache2M": {
    nodeOptions: "--max-semi-space-size=1 --max-old-space-size=128",
    env: { BENCH_CACHE_SIZE: "-2000" }
  },
  // not allowed in NODE_OPTIONS: command-line flags (or v8.setFlagsFromString at start-up)
  heap128: { nodeArgs: ["--max-heap-size=128"] },
  optsize: { nodeArgs: ["--optimize-for-size"] },
  grow10: { nodeArgs: ["--heap-growing-percent=10"] },
  grow30: { nodeArgs: ["--heap-growing-percent=30"] },
  "semi8+old128": { nodeOptions: "--max-semi-space-size=8 --max-old-space-size=128" },
  "old128+cache2M": { nodeOptions: "--max-old-space-size=128", env: { BENCH_CACHE_SIZE: "-2000" } },
  "old96+cache2M": { nodeOptions: "--max-old-space-size=96", env: { BENCH_CACHE_SIZE: "-2000" } },
  "semi8+old96+cache2M": {
    nodeOptions: "--max-semi-space-size=8 --max-old-space-size=96",
    env: { BENCH_CACHE_SIZE: "-2000" }
  },
  "semi8+old128+cache2M": {
    nodeOptions: "--max-semi-space-size=8 --max-old-space-size=128",
    env: { BENCH_CACHE_SIZE: "-2000" }
  },
  "semi4+old96+cache2M": {
    nodeOptions: "--max-semi-space-size=4 --max-old-space-size=96",
    env: { BENCH_CACHE_SIZE: "-2000" }
  },
  "grow10+cache2M": { nodeArgs: ["--heap-growing-percent=10"], env: { BENCH_CACHE_SIZE: "-2000" } },
  "grow30+semi8": { nodeOptions: "--max-semi-space-size=8", nodeArgs: ["--heap-growing-percent=30"] },
  "cache2M": { env: { BENCH_CACHE_SIZE: "-2000" } },
  "cache0": { env: { BENCH_CACHE_SIZE: "0" } },
  "mmap64M": { env: { BENCH_MMAP_SIZE: String(64 * 2 ** 20) } },
  "wal1000": { env: { BENCH_WAL_AUTOCHECKPOINT: "1000" } },
  // v8.setFlagsFromString at the top of bin.js (patched in to test whether the CLI can set it itself)
  "setflags-heap128": { env: { BENCH_V8_FLAGS: "--max-heap-size=128" } },
  "setflags-old96": { env: { BENCH_V8_FLAGS: "--max-old-space-size=96" } },
  "setflags-grow10": { env: { BENCH_V8_FLAGS: "--heap-growing-percent=10" } }
}

const { values: args } = parseArgs({
  options: {
    variants: { type: "string", default: "default,semi4,semi8,old96,semi8+old96,optsize,cache2M,wal1000" },
    rounds: { type: "string", default: "2" },
    duration: { type: "string", default: "10" },
    warmup: { type: "string", default: "3" },
    connections: { type: "string", default: "50" },
    target: { type: "string", default: "file" },
    root: { type: "string" },
    json: { type: "string" }
  }
})
const root = rootOf(args.root)
const target = allTargets.find((t) => t.key === args.target)
const names = args.variants.split(",").map((v) => v.trim())
for (const n of names) {
  if (!(n in variants)) throw new Error(`unknown variant ${n}; known: ${Object.keys(variants).join(", ")}`)
}

/** --trace-gc lines: "... Scavenge 54.9 (156.1) -> 42.7 (156.1) MB ..." and "Mark-Compact …". */
const gcStats = (text) => {
  let committed = 0
  let used = 0
  const live = []
  let scavenges = 0
  for (
    const m of text.matchAll(
      /(Scavenge|Mark-Compact)(?: \([^)]*\))? ([\d.]+) \(([\d.]+)\) -> ([\d.]+) \(([\d.]+)\) MB/g
    )
  ) {
    used = Math.max(used, Number(m[2]))
    committed = Math.max(committed, Number(m[3]), Number(m[5]))
    if (m[1] === "Scavenge") scavenges++
    else live.push(Number(m[4]))
  }
  return { committed, used, live, scavenges }
}

const results = []
for (let round = 1; round <= Number(args.rounds); round++) {
  for (const name of names) {
    const v = variants[name]
    const logFile = join(tmpdir(), `effect-dcr-memory-${process.pid}-${name}.log`)
    const log = createWriteStream(logFile)
    const server = await startServer(target, {
      root,
      nodeOptions: v.nodeOptions ?? "",
      nodeArgs: ["--trace-gc", ...(v.nodeArgs ?? [])],
      env: v.env ?? {},
      log
    })
    try {
      const { cpuUs, result: r } = await measureRegistrations(server, {
        connections: Number(args.connections),
        duration: Number(args.duration),
        warmup: Number(args.warmup)
      })
      const mem = await server.stop()
      await new Promise((res) => log.end(res))
      const gc = gcStats(readFileSync(logFile, "utf8"))
      const row = {
        round,
        name,
        rps: r.requests.average,
        p99: r.latency.p99,
        cpuUs,
        failed: failures(r),
        hwm: mem.hwm,
        anon: mem.sampled.RssAnon,
        file: mem.sampled.RssFile,
        files: mem.files,
        gc
      }
      results.push(row)
      console.error(
        `${round} ${name}: ${row.rps.toFixed(0)} req/s p99 ${row.p99} ms ${cpuUs.toFixed(0)} CPU µs/req, peak RSS ${
          mib(row.hwm)
        } MiB (anon ${mib(row.anon)}, file ${mib(row.file)}), ` +
          `V8 heap committed ≤ ${gc.committed} MB, used ≤ ${gc.used} MB, live after mark-compact ${
            gc.live.join("/")
          } MB, ` +
          `wal ${mib(mem.files["bench.sqlite-wal"])} MiB db ${mib(mem.files["bench.sqlite"])} MiB`
      )
    } catch (e) {
      await server.stop()
      console.error(`${round} ${name} failed: ${e.message}\n${server.output().slice(-1500)}`)
      results.push({ round, name, error: e.message })
    } finally {
      rmSync(logFile, { force: true })
    }
  }
}

console.log(`\n${machine()}`)
console.log(
  `Measured: ${await describeTree(
    root
  )}, ${target.name}; register load: ${args.connections} connections, ${args.warmup} s + ${args.duration} s; every variant with --trace-gc\n`
)
console.log(
  "| run | variant | settings | req/s | p99 ms | CPU µs/req | peak RSS MiB | anon MiB | file MiB | V8 heap committed max MB | V8 live after mark-compact MB | -wal MiB |"
)
console.log("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for (const r of results) {
  const v = variants[r.name]
  const settings = [
    v.nodeOptions && `NODE_OPTIONS="${v.nodeOptions}"`,
    ...(v.nodeArgs ?? []),
    ...Object.entries(v.env ?? {}).map(([k, x]) => `${k}=${x}`)
  ].filter(Boolean).join(" ") || "–"
  if (r.error) {
    console.log(`| ${r.round} | ${r.name} | ${settings} | failed: ${r.error} | | | | | | | | |`)
    continue
  }
  const live = r.gc.live.length ? `${Math.min(...r.gc.live.slice(1))}–${Math.max(...r.gc.live.slice(1))}` : "–"
  console.log(
    `| ${r.round} | ${r.name} | ${settings} | ${r.rps.toFixed(0)} | ${r.p99} | ${r.cpuUs.toFixed(0)} | ${
      mib(r.hwm)
    } | ${mib(r.anon)} | ${mib(r.file)} | ${r.gc.committed.toFixed(0)} | ${live} | ${
      mib(r.files["bench.sqlite-wal"])
    } |`
  )
}
if (args.json) writeFileSync(args.json, JSON.stringify({ args, root, results }, null, 2))
