/**
 * What every test of the BUILT command line shares: where it is, one build at a time across the
 * parallel test workers, a scoped temporary directory, a one-shot command, and `serve` until ready.
 */
import { Effect } from "effect"
import { execFileSync, spawn } from "node:child_process"
import { createHash } from "node:crypto"
import { mkdirSync, mkdtempSync, rmSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"

export const root = new URL("../../../", import.meta.url).pathname
export const bin = join(root, "packages/cli/dist/bin.js")

const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)

/**
 * Builds the command line (incremental: a no-op when dist is up to date; CI has built it already).
 * The test files run in parallel workers: one builds at a time (a lock directory), so no worker
 * starts `serve` from a dist that another is rewriting.
 */
export const build = (): void => {
  const lock = join(tmpdir(), `effect-dcr-build-${createHash("sha256").update(root).digest("hex").slice(0, 12)}.lock`)
  const until = Date.now() + 170_000
  for (;;) {
    try {
      mkdirSync(lock)
      break
    } catch {
      if (Date.now() > until) break // a lock left by a killed run: build anyway
      sleepSync(200)
    }
  }
  try {
    const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc")
    execFileSync(process.execPath, [tsc, "-b", "packages/cli/tsconfig.src.json"], { cwd: root, stdio: "inherit" })
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
}

/** A temporary directory, removed with the scope. */
export const tempDirectory = (prefix = "effect-dcr-e2e-") =>
  Effect.acquireRelease(
    Effect.sync(() => mkdtempSync(join(tmpdir(), prefix))),
    (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
  )

/** The environment of a child: this process's without any `DCR_*` variable, plus `env`. */
export const childEnv = (env: Record<string, string>): Record<string, string | undefined> => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("DCR_"))),
  ...env
})

/** Runs a one-shot command of the bin to completion (`input` on its standard input). */
export const cli = (args: ReadonlyArray<string>, env: Record<string, string>, input?: string) =>
  Effect.async<{ code: number | null; stdout: string; stderr: string }>((resume) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, env: childEnv(env) })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (c) => (stdout += c))
    child.stderr.on("data", (c) => (stderr += c))
    child.once("exit", (code) => resume(Effect.succeed({ code, stdout, stderr })))
    child.stdin.end(input ?? "")
  })

/** Starts `effect-dcr serve` (killed with the scope); answers its registration endpoint once it is ready. */
export const serve = (env: Record<string, string>) =>
  Effect.gen(function*() {
    const child = yield* Effect.acquireRelease(
      Effect.sync(() =>
        spawn(process.execPath, [bin, "serve"], {
          cwd: root,
          env: childEnv({ HOST: "127.0.0.1", PORT: "0", ...env }),
          stdio: ["ignore", "pipe", "pipe"]
        })
      ),
      (child) => Effect.sync(() => child.kill("SIGKILL"))
    )
    let output = ""
    child.stdout!.on("data", (chunk) => (output += chunk))
    child.stderr!.on("data", (chunk) => (output += chunk))
    yield* Effect.async<void, Error>((resume) => {
      const timer = setTimeout(() => resume(Effect.fail(new Error(`serve did not start: ${output}`))), 30_000)
      const check = () => {
        if (output.includes("Ready. Press Ctrl+C to stop.")) {
          clearTimeout(timer)
          resume(Effect.void)
        }
      }
      child.stdout!.on("data", check)
      child.once("exit", (code) => {
        clearTimeout(timer)
        resume(Effect.fail(new Error(`serve exited with ${code}: ${output}`)))
      })
    })
    return /Registration endpoint:\s+(\S+)/.exec(output)![1]!
  })
