/**
 * The command line as the tests run it. The BUILT bin (`node packages/cli/dist/bin.js`): built by one
 * test worker at a time, one-shot commands, and `serve` as a child process waited for until it is
 * ready (its banner, or its JSON ready line with `DCR_LOG_FORMAT=json`), killed with the scope. And
 * `serve` in-process (the command's own `run`, its console kept), until the same banner.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as ConfigProvider from "effect/ConfigProvider"
import type * as Console from "effect/Console"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import type * as Scope from "effect/Scope"
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { createHash } from "node:crypto"
import { mkdirSync, rmSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** The repository's root directory. */
export const root: string = new URL("../../../", import.meta.url).pathname

/** The built command line. */
export const bin: string = join(root, "packages/cli/dist/bin.js")

/** The line `serve` prints once it accepts requests (text log format). */
export const readyLine = "Ready. Press Ctrl+C to stop."

/** The message of the line `serve` logs once it accepts requests (`DCR_LOG_FORMAT=json`). */
export const readyMessage = "effect-dcr serving; ready"

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

/**
 * The environment of a child: this process's without any `DCR_*` variable (a developer's own
 * settings, or `DCR_TEST_POSTGRES_URL`, never reach the command), plus `env`.
 */
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
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c))
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c))
    child.once("close", (code) => resume(Effect.succeed({ code, stdout, stderr })))
    child.stdin.end(input ?? "")
  })

/** How a process ended. */
export interface Exit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

/** A `serve` process: what it printed so far, its end, and waiting for a text. */
export interface Process {
  readonly child: ChildProcess
  /** Everything it printed so far (complete once `exited` has answered). */
  readonly output: { readonly stdout: string; readonly stderr: string }
  /** Its end, once its output is complete too (at once when it has ended). */
  readonly exited: Effect.Effect<Exit>
  /** Waits until its standard output contains `text`; answers it. Fails when the process ends first. */
  readonly printed: (text: string) => Effect.Effect<string, Error>
}

/** A `serve` process that is ready, and where. */
export interface Server extends Process {
  /** Where it listens: `http://127.0.0.1:<port>`. */
  readonly base: string
  readonly port: number
  readonly registrationEndpoint: string
}

/** A process with the end it has reached, once its output is complete too (`undefined` before). */
interface Launched extends Process {
  readonly ended: () => Exit | undefined
}

const launch = (env: Record<string, string>): Launched => {
  const child = spawn(process.execPath, [bin, "serve"], {
    cwd: root,
    env: childEnv({ HOST: "127.0.0.1", PORT: "0", ...env }),
    stdio: ["ignore", "pipe", "pipe"]
  })
  const output = { stdout: "", stderr: "" }
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (output.stdout += chunk))
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (output.stderr += chunk))
  let ended: Exit | undefined
  // "close", not "exit": the output is complete then
  const closed = new Promise<Exit>((resolve) =>
    child.once("close", (code: number | null, signal: NodeJS.Signals | null) => resolve(ended = { code, signal }))
  )
  const launched: Launched = {
    child,
    output,
    exited: Effect.promise(() => closed),
    ended: () => ended,
    printed: (text) =>
      Effect.map(until(launched, JSON.stringify(text), () => output.stdout.includes(text)), () => output.stdout)
  }
  return launched
}

/** Resolves once `check()` holds (re-checked on every chunk of output); fails if the process ends first, or after 30 s. */
const until = (server: Launched, what: string, check: () => boolean) =>
  Effect.async<void, Error>((resume) => {
    const { child, ended, output } = server
    const printed = () => `${output.stdout}\n${output.stderr}`
    const finish = (result: Effect.Effect<void, Error>) => {
      cleanup()
      resume(result)
    }
    const onData = () => {
      if (check()) finish(Effect.void)
    }
    const onClose = () => {
      const exit = ended()
      finish(
        check() ? Effect.void : Effect.fail(
          new Error(`serve ended (${exit?.code ?? exit?.signal}) before printing ${what}:\n${printed()}`)
        )
      )
    }
    const timer = setTimeout(
      () => finish(Effect.fail(new Error(`serve printed no ${what} in 30 s:\n${printed()}`))),
      30_000
    )
    const cleanup = () => {
      clearTimeout(timer)
      child.stdout!.off("data", onData)
      child.stderr!.off("data", onData)
      child.off("close", onClose)
    }
    child.stdout!.on("data", onData)
    child.stderr!.on("data", onData)
    child.once("close", onClose)
    if (check()) finish(Effect.void)
    else if (ended() !== undefined) onClose()
    return Effect.sync(cleanup)
  })

/** Waits until `serve` is ready; where it listens, from its banner or (`json`) its ready line. */
const ready = (server: Launched, json: boolean): Effect.Effect<Server, Error> => {
  const readyJson = () =>
    server.output.stdout.split("\n").map((line) => {
      try {
        return JSON.parse(line) as { message?: unknown; annotations?: Record<string, unknown> }
      } catch {
        return undefined
      }
    }).find((line) => line?.message === readyMessage)
  return until(
    server,
    json ? `the ready line ("${readyMessage}")` : `"${readyLine}"`,
    json ? () => readyJson() !== undefined : () => server.output.stdout.includes(readyLine)
  ).pipe(
    Effect.map(() => {
      const [base, registrationEndpoint] = json
        ? [readyJson()!.annotations?.url, readyJson()!.annotations?.registration_endpoint].map(String)
        : ["Listening on", "Registration endpoint"].map((label) =>
          new RegExp(`${label}:\\s+(\\S+)`).exec(server.output.stdout)?.[1] ?? ""
        )
      const { ended: _, ...rest } = server
      return { ...rest, base: base!, port: Number(new URL(base!).port), registrationEndpoint: registrationEndpoint! }
    })
  )
}

/** Ends the process with `signal` (default SIGKILL) unless it has ended; answers its end. */
export const stop = (server: Process, signal: NodeJS.Signals = "SIGKILL"): Effect.Effect<Exit> =>
  Effect.suspend(() => {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill(signal)
    return server.exited
  })

/**
 * Starts `effect-dcr serve` with `env` (on `HOST=127.0.0.1`, `PORT=0` unless given) and waits until
 * it is ready; the caller stops it (`stop`). Fails, the process killed, when it ends first or is not
 * ready within 30 s.
 */
export const start = (env: Record<string, string>): Effect.Effect<Server, Error> =>
  Effect.suspend(() => {
    const server = launch(env)
    return ready(server, env.DCR_LOG_FORMAT === "json").pipe(Effect.onError(() => stop(server)))
  })

/** `start`, the process killed (and waited for) when the scope closes. */
export const serve = (env: Record<string, string>): Effect.Effect<Server, Error, Scope.Scope> =>
  Effect.acquireRelease(start(env), (server) => stop(server))

/** `effect-dcr serve` with `env`, not waited for (a start that must fail); killed when the scope closes. */
export const spawnServe = (env: Record<string, string>): Effect.Effect<Process, never, Scope.Scope> =>
  Effect.acquireRelease(Effect.sync(() => launch(env)), (server) => stop(server))

/**
 * Runs `serve --port 0 <args>` in this process through the command line's `run` (its `Commands.run`)
 * with `env` as its configuration, until the scope closes; once it printed its banner, answers its
 * registration endpoint and every line it printed (the list grows while it runs).
 */
export const serveInProcess = (
  run: (argv: ReadonlyArray<string>) => Effect.Effect<unknown, unknown, NodeContext.NodeContext>,
  args: ReadonlyArray<string>,
  env: Record<string, string> = {}
): Effect.Effect<
  { readonly registrationEndpoint: string; readonly lines: ReadonlyArray<string> },
  never,
  Scope.Scope
> =>
  Effect.gen(function*() {
    const lines: Array<string> = []
    const isReady = yield* Deferred.make<void>()
    const keep = (...args: ReadonlyArray<unknown>) =>
      Effect.suspend(() => {
        const line = args.join(" ")
        lines.push(line)
        return line.startsWith(readyLine) ? Deferred.succeed(isReady, undefined) : Effect.void
      })
    const console = yield* Effect.map(Effect.console, (console): Console.Console => ({
      ...console,
      log: keep,
      error: keep
    }))
    const fiber = yield* run(["node", "effect-dcr", "serve", "--port", "0", ...args]).pipe(
      Effect.provide(NodeContext.layer),
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))),
      Effect.withConsole(console),
      Effect.forkScoped
    )
    yield* Effect.raceFirst(
      Deferred.await(isReady),
      Effect.flatMap(Fiber.await(fiber), (exit) => Effect.dieMessage(`serve stopped: ${exit}\n${lines.join("\n")}`))
    )
    const registrationEndpoint = lines.map((line) => /Registration endpoint:\s+(\S+)/.exec(line)?.[1]).find((url) =>
      url !== undefined
    )
    if (registrationEndpoint === undefined) {
      return yield* Effect.dieMessage(`no registration endpoint:\n${lines.join("\n")}`)
    }
    return { registrationEndpoint, lines }
  })
