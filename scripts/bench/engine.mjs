// In-process engine benchmark: Engine.register on SQLite (file or :memory:), without HTTP.
// Usage (after `pnpm build`): node scripts/bench/engine.mjs [n=5000] [modes=seq-file,seq-mem,c32-file,c32-mem]
// modes: seq = one runPromise at a time; cN = N concurrent runPromise loops; fx = the loop inside one
// Effect; fxN = Effect.forEach with concurrency N. Prints the best of REPS (default 3) repetitions.
import { Effect, ManagedRuntime } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DynamicClientRegistration } from "../../packages/client/dist/DynamicClientRegistration.js"
import { Engine } from "../../packages/engine/dist/index.js"

const n = Number(process.argv[2] ?? 5000)
const modes = (process.argv[3] ?? "seq-file,seq-mem,c32-file,c32-mem").split(",")
const body = JSON.stringify({
  client_name: "bench client",
  redirect_uris: ["http://127.0.0.1:33418/callback"],
  grant_types: ["authorization_code", "refresh_token"],
  response_types: ["code"],
  token_endpoint_auth_method: "none"
})
const req = { json: body }
const one = Effect.flatMap(DynamicClientRegistration, (dcr) => dcr.register(req))

for (const mode of modes) {
  const [conc, where] = mode.split("-")
  const dir = mkdtempSync(join(tmpdir(), "engine-bench-"))
  const filename = where === "file" ? join(dir, "b.sqlite") : ":memory:"
  const rt = ManagedRuntime.make(
    Engine.layerSqlite({ filename, registrationEndpoint: "https://as.example.com/register" })
  )
  const run = async (count) => {
    if (conc.startsWith("fx")) {
      // the loop inside one fiber tree: no runPromise per register
      const c = conc === "fx" ? 1 : Number(conc.slice(2))
      const check = Effect.flatMap(one, (r) => r.action === "CREATED" ? Effect.void : Effect.die(r.responseContent))
      await rt.runPromise(Effect.forEach(Array.from({ length: count }), () => check, { concurrency: c, discard: true }))
    } else if (conc === "seq") {
      for (let i = 0; i < count; i++) {
        const r = await rt.runPromise(one)
        if (r.action !== "CREATED") throw new Error(r.responseContent)
      }
    } else {
      const c = Number(conc.slice(1))
      let left = count
      await Promise.all(Array.from({ length: c }, async () => {
        while (left-- > 0) {
          const r = await rt.runPromise(one)
          if (r.action !== "CREATED") throw new Error(r.responseContent)
        }
      }))
    }
  }
  await run(Math.min(1000, n)) // warm-up
  let us = Infinity
  let cpu = Infinity
  for (let rep = 0; rep < Number(process.env.REPS ?? 3); rep++) {
    const t0 = process.hrtime.bigint()
    const c0 = process.cpuUsage()
    await run(n)
    const c = process.cpuUsage(c0)
    us = Math.min(us, Number(process.hrtime.bigint() - t0) / 1000 / n)
    cpu = Math.min(cpu, (c.user + c.system) / n)
  }
  console.log(
    `${mode.padEnd(9)} wall ${us.toFixed(1).padStart(7)} µs/register  cpu ${
      cpu.toFixed(1).padStart(7)
    } µs/register (best of reps)  ${(1e6 / us).toFixed(0).padStart(6)} reg/s`
  )
  await rt.dispose()
  rmSync(dir, { recursive: true, force: true })
}
