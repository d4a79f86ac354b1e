// Client-side benchmark: our AuthleteClient (packages/client/dist of --root, over
// NodeHttpClient.layerUndici) against the official @authlete/typescript-sdk and raw fetch, all
// calling one canned stub of Authlete's DCR API (servers/authlete-stub.mjs, its own process, on
// loopback). Usage (after `pnpm build` in the measured tree):
//
//   node scripts/bench/client.mjs [--duration 3] [--warmup 1] [--concurrency 32] [--rounds 2]
//                                 [--ops register,get] [--root DIR] [--json FILE]
//
// - ours:  ManagedRuntime of AuthleteClient.layer + NodeHttpClient.layerUndici; each operation is
//          one runPromise(DynamicClientRegistration.register({ json }) / get({ clientId, token }))
//          and its typed response (Client decoded by our schema);
// - sdk:   new Authlete({ serverURL, bearer }).dynamicClientRegistration.register / get (zod);
// - fetch: global fetch + res.json(), no validation (the floor).
// "seq" = one call at a time; "cN" = N calls in flight (N async loops). ops/s = calls / elapsed;
// p50/p99 per call. Ratios are taken within a round against the SDK and raw fetch.
import { Authlete } from "@authlete/typescript-sdk"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { describeTree, here, machine, rootOf, startServer } from "./lib/harness.mjs"
import { importFrom } from "./lib/resolve.mjs"

const { values: args } = parseArgs({
  options: {
    duration: { type: "string", default: "3" },
    warmup: { type: "string", default: "1" },
    concurrency: { type: "string", default: "32" },
    rounds: { type: "string", default: "2" },
    ops: { type: "string", default: "register,get" },
    root: { type: "string" },
    json: { type: "string" }
  }
})
const root = rootOf(args.root)
const clientDir = join(root, "packages/client")
const { AuthleteClient, DynamicClientRegistration } = await import(join(clientDir, "dist/index.js"))
const { Layer, ManagedRuntime, Redacted } = await importFrom(clientDir, "effect")
const { NodeHttpClient } = await importFrom(clientDir, "@effect/platform-node")

const serviceId = "715948317"
const bearer = "sat-bench-7Qm2x"
const clientId = "26837717140341"
const registrationAccessToken = "qs4Tu5TV7qqDYT93bFs6ISyhTByMF9o-54GY4JU5vTA"
const metadata = JSON.stringify({ client_name: "My Dynamic Client", redirect_uris: ["https://client.example.org/cb"] })

const stub = await startServer({
  name: "authlete stub",
  kind: "stub",
  path: `/api/${serviceId}/client/registration`,
  readyStatus: 200,
  script: () => [join(here, "servers/authlete-stub.mjs")],
  env: (port) => ({ PORT: String(port) })
}, { root })
await stub.ready()
const serverURL = stub.base

const rt = ManagedRuntime.make(
  AuthleteClient.layer({ baseUrl: serverURL, serviceId, serviceAccessToken: Redacted.make(bearer) }).pipe(
    Layer.provide(NodeHttpClient.layerUndici)
  )
)
const sdk = new Authlete({ serverURL, bearer })
const token = Redacted.make(registrationAccessToken)
const ourRegister = DynamicClientRegistration.register({ json: metadata })
const ourGet = DynamicClientRegistration.get({ clientId, token })
const rawHeaders = { authorization: `Bearer ${bearer}`, "content-type": "application/json", accept: "application/json" }
const rawUrl = `${serverURL}/api/${encodeURIComponent(serviceId)}/client/registration`
const rawRegisterBody = JSON.stringify({ json: metadata })
const rawGetBody = JSON.stringify({ clientId, token: registrationAccessToken })

const expect = (action) => (r) => {
  if (r.action !== action) throw new Error(`expected ${action}, got ${JSON.stringify(r).slice(0, 200)}`)
}
const impls = {
  ours: {
    register: () => rt.runPromise(ourRegister).then(expect("CREATED")),
    get: () => rt.runPromise(ourGet).then(expect("OK"))
  },
  sdk: {
    register: () =>
      sdk.dynamicClientRegistration.register({ serviceId, requestBody: { json: metadata } }).then(expect("CREATED")),
    get: () =>
      sdk.dynamicClientRegistration.get({ serviceId, requestBody: { clientId, token: registrationAccessToken } }).then(
        expect("OK")
      )
  },
  fetch: {
    register: () =>
      fetch(rawUrl, { method: "POST", headers: rawHeaders, body: rawRegisterBody }).then((r) => r.json()).then(
        expect("CREATED")
      ),
    get: () =>
      fetch(`${rawUrl}/get`, { method: "POST", headers: rawHeaders, body: rawGetBody }).then((r) => r.json()).then(
        expect("OK")
      )
  }
}

/** Runs `op` from `concurrency` loops for `seconds`; ops/s and per-call latency percentiles. */
const measure = async (op, concurrency, seconds) => {
  const latencies = []
  const deadline = performance.now() + seconds * 1000
  const t0 = performance.now()
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) {
      const s = performance.now()
      await op()
      latencies.push(performance.now() - s)
    }
  }))
  const elapsed = (performance.now() - t0) / 1000
  latencies.sort((a, b) => a - b)
  const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]
  return { ops: latencies.length / elapsed, p50: q(0.5), p99: q(0.99), n: latencies.length }
}

const modes = [["seq", 1], [`c${args.concurrency}`, Number(args.concurrency)]]
const results = []
try {
  for (let round = 1; round <= Number(args.rounds); round++) {
    for (const opName of args.ops.split(",")) {
      for (const [mode, c] of modes) {
        for (const [impl, ops] of Object.entries(impls)) {
          await measure(ops[opName], c, Number(args.warmup))
          const r = await measure(ops[opName], c, Number(args.duration))
          results.push({ round, op: opName, mode, impl, ...r })
          console.error(`${round} ${opName} ${mode} ${impl}: ${r.ops.toFixed(0)} ops/s, p99 ${r.p99.toFixed(2)} ms`)
        }
      }
    }
  }
} finally {
  await rt.dispose()
  await stub.stop()
}

console.log(`\n${machine()}`)
console.log(
  `Measured: ${await describeTree(
    root
  )}; SDK @authlete/typescript-sdk 0.0.3-beta; stub: servers/authlete-stub.mjs (own process)`
)
console.log(`${args.warmup} s warm-up then ${args.duration} s per cell\n`)
console.log("| run | op | mode | client | ops/s | p50 ms | p99 ms | × SDK | × raw fetch |")
console.log("|---|---|---|---|---:|---:|---:|---:|---:|")
for (const r of results) {
  const same = (impl) =>
    results.find((o) => o.round === r.round && o.op === r.op && o.mode === r.mode && o.impl === impl)
  const x = (impl) => (r.ops / same(impl).ops).toFixed(2)
  console.log(
    `| ${r.round} | ${r.op} | ${r.mode} | ${r.impl} | ${r.ops.toFixed(0)} | ${r.p50.toFixed(2)} | ${
      r.p99.toFixed(2)
    } | ${x("sdk")} | ${x("fetch")} |`
  )
}
if (args.json) writeFileSync(args.json, JSON.stringify({ args, root, results }, null, 2))
