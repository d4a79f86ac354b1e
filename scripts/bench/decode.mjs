// Decoding Authlete `Client` JSON: our schema (Schema.decodeUnknownSync(Client) from
// packages/schema/dist of --root) against the official SDK's zod schema (Client$inboundSchema of
// @authlete/typescript-sdk 0.0.3-beta, zod 3). Inputs: every Client in
// packages/schema/test/fixtures/authlete/*.json (a file's `client`, or the file itself when it is
// a Client), already JSON-parsed, so only validation and construction are measured. Usage (after
// `pnpm build` in the measured tree):
//
//   node scripts/bench/decode.mjs [--ms 1000] [--reps 5] [--root DIR]
//
// Each repetition decodes the fixtures round-robin for --ms milliseconds per decoder; the best
// repetition is reported (ops/s = decoded Clients per second), per fixture and for the whole set.
import { Client$inboundSchema } from "@authlete/typescript-sdk/models"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { describeTree, machine, rootOf } from "./lib/harness.mjs"
import { importFrom } from "./lib/resolve.mjs"

const { values: args } = parseArgs({
  options: {
    ms: { type: "string", default: "1000" },
    reps: { type: "string", default: "5" },
    root: { type: "string" }
  }
})
const root = rootOf(args.root)
const schemaDir = join(root, "packages/schema")
const schemaModule = await import(join(schemaDir, "dist/index.js"))
const { Schema } = await importFrom(schemaDir, "effect")
// `Client` is exported flat today; accept a namespace (`Client.Client`) too.
const Client = Schema.isSchema(schemaModule.Client) ? schemaModule.Client : schemaModule.Client?.Client
if (!Schema.isSchema(Client)) throw new Error("no Client schema in packages/schema/dist/index.js")

const fixtureDir = join(schemaDir, "test/fixtures/authlete")
const fixtures = readdirSync(fixtureDir)
  .filter((f) => f.endsWith(".json"))
  .map((f) => {
    const json = JSON.parse(readFileSync(join(fixtureDir, f), "utf8"))
    const client = json.client ?? (("clientId" in json || "number" in json) ? json : undefined)
    return client && { name: f.replace(/\.json$/, ""), client }
  })
  .filter(Boolean)

const ours = Schema.decodeUnknownSync(Client)
const zod = (input) => Client$inboundSchema.parse(input)
const decoders = { "effect-dcr Schema": ours, "SDK zod": zod }

// Only inputs both accept are timed (else the comparison is about error paths); the others are listed.
const rejected = []
const accepted = fixtures.filter(({ name, client }) => {
  const refusers = Object.entries(decoders).filter(([, decode]) => {
    try {
      decode(client)
      return false
    } catch {
      return true
    }
  })
  if (refusers.length > 0) rejected.push(`${name} (rejected by ${refusers.map(([d]) => d).join(", ")})`)
  return refusers.length === 0
})

let sink = 0
/** Decodes `inputs` round-robin for `ms`; decoded per second. */
const once = (decode, inputs, ms) => {
  let n = 0
  const t0 = performance.now()
  const end = t0 + ms
  while (performance.now() < end) {
    for (let k = 0; k < 100; k++) sink ^= decode(inputs[(n + k) % inputs.length]) === undefined ? 1 : 0
    n += 100
  }
  return n / ((performance.now() - t0) / 1000)
}

const sets = [
  ["all accepted fixtures (round-robin)", accepted.map((f) => f.client)],
  ...accepted.map((f) => [f.name, [f.client]])
]
// warm-up: every decoder on every set, so that neither is measured while V8 still compiles it
for (const [, inputs] of sets) for (const decode of Object.values(decoders)) once(decode, inputs, Number(args.ms) / 2)
const rows = []
for (const [name, inputs] of sets) {
  const row = { name, bytes: Math.round(inputs.reduce((s, c) => s + JSON.stringify(c).length, 0) / inputs.length) }
  const names = Object.keys(decoders)
  for (const d of names) row[d] = 0
  for (let rep = 0; rep < Number(args.reps); rep++) {
    // alternate the order, so a drift in machine speed does not favour one decoder
    for (const d of rep % 2 === 0 ? names : [...names].reverse()) {
      row[d] = Math.max(row[d], once(decoders[d], inputs, Number(args.ms)))
    }
  }
  rows.push(row)
  console.error(`${name}: ${names.map((d) => `${d} ${row[d].toFixed(0)}/s`).join(", ")}`)
}

console.log(`\n${machine()}`)
console.log(
  `Measured: ${await describeTree(
    root
  )}; SDK @authlete/typescript-sdk 0.0.3-beta (zod 3); best of ${args.reps} × ${args.ms} ms\n`
)
console.log("| input | JSON bytes | effect-dcr Schema ops/s | SDK zod ops/s | × SDK |")
console.log("|---|---:|---:|---:|---:|")
for (const r of rows) {
  console.log(
    `| ${r.name} | ${r.bytes} | ${r["effect-dcr Schema"].toFixed(0)} | ${r["SDK zod"].toFixed(0)} | ${
      (r["effect-dcr Schema"] / r["SDK zod"]).toFixed(2)
    } |`
  )
}
if (rejected.length > 0) console.log(`\nNot timed: ${rejected.join("; ")}`)
if (sink === 42) console.log("")
