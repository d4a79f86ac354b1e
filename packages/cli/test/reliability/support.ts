/**
 * The reliability suite's tools: the BUILT `effect-dcr serve` as a child process (at debug level,
 * every output line kept), raw HTTP over loopback with a per-request timeout, the secrets seen during
 * a run and the scan of the logs for them, and the one-line figures each part prints.
 */
import * as Cli from "@effect-dcr/testing/Cli"
import * as TempDirectory from "@effect-dcr/testing/TempDirectory"
import { Effect } from "effect"
import { request as httpRequest } from "node:http"

export { build } from "@effect-dcr/testing/Cli"

/** A temporary directory; `remove` deletes it. */
export const tempDirectory = () => TempDirectory.makeSync("effect-dcr-reliability-")

/** Prints one figure of the suite, e.g. `[reliability] fuzz: 4000 requests, 0 5xx, 0 hangs`. */
export const figure = (part: string, text: string): void => {
  process.stdout.write(`[reliability] ${part}: ${text}\n`)
}

// ---------------------------------------------------------------------------------------------
// Secrets and logs
// ---------------------------------------------------------------------------------------------

/** Every output line of every server a part started, and every secret it saw. */
export class Hygiene {
  readonly outputs: Array<{ readonly name: string; readonly text: () => string }> = []
  readonly secrets = new Set<string>()

  /** Keeps a secret (ignoring short strings, which would match by chance). */
  add(secret: string | undefined): void {
    if (typeof secret === "string" && secret.length >= 16) this.secrets.add(secret)
  }

  /** Keeps the credentials of a registration response body (RFC 7591 or Authlete's). */
  addFromBody(body: string): void {
    let json: unknown
    try {
      json = JSON.parse(body)
    } catch {
      return
    }
    this.walk(json)
  }

  private walk(value: unknown): void {
    if (Array.isArray(value)) return value.forEach((v) => this.walk(v))
    if (typeof value !== "object" || value === null) return
    for (const [key, member] of Object.entries(value)) {
      if (
        typeof member === "string" &&
        /^(client_secret|clientSecret|registration_access_token|registrationAccessToken|token|accessToken)$/.test(key)
      ) {
        this.add(member)
      }
      if (key === "responseContent" && typeof member === "string") this.addFromBody(member)
      else this.walk(member)
    }
  }

  /** Every line of every output with a secret in it (`name: line`). */
  scan(): { readonly lines: number; readonly found: ReadonlyArray<string> } {
    let lines = 0
    const found: Array<string> = []
    for (const output of this.outputs) {
      for (const line of output.text().split("\n")) {
        lines++
        for (const secret of this.secrets) {
          if (line.includes(secret)) found.push(`${output.name}: ${line.slice(0, 200)}`)
        }
      }
    }
    return { lines, found }
  }
}

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

/** A running `serve` (`@effect-dcr/testing/Cli`): its child, output, base URL and end. */
export type Serve = Cli.Server

/**
 * Starts `effect-dcr serve` on a free loopback port at debug level with the access log on; resolves once it is
 * ready. Its output is added to `hygiene`.
 */
export const serve = async (env: Record<string, string>, hygiene: Hygiene, name = "serve"): Promise<Serve> => {
  // debug level and one access-log line per request: more lines to scan for secrets
  const server = await Effect.runPromise(Cli.start({ DCR_LOG_LEVEL: "debug", DCR_ACCESS_LOG: "true", ...env }))
  hygiene.outputs.push({ name, text: () => `${server.output.stdout}\n${server.output.stderr}` })
  return server
}

/** Resolves with the exit when the process ends. */
export const exited = (server: Serve): Promise<Cli.Exit> => Effect.runPromise(server.exited)

/** Kills the process (SIGKILL) if it still runs, and waits for its exit. */
export const kill = async (server: Serve): Promise<void> => {
  await Effect.runPromise(Cli.stop(server))
}

// ---------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------

export type Answer =
  | {
    readonly _tag: "Response"
    readonly status: number
    readonly headers: Record<string, string | Array<string> | undefined>
    readonly body: string
  }
  | { readonly _tag: "Hang" }
  | { readonly _tag: "Error"; readonly message: string }

export interface Request {
  readonly method?: string | undefined
  readonly headers?: Record<string, string> | undefined
  readonly body?: string | Buffer | undefined
  /** Per-request timeout: no complete answer by then is a hang. Default 10 s. */
  readonly timeout?: number | undefined
}

/** One request with Node's client on a fresh connection (no pooling); never rejects. */
export const send = (url: string, request: Request = {}): Promise<Answer> =>
  new Promise((resolve) => {
    let settled = false
    const settle = (answer: Answer) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(answer)
    }
    // an explicit Content-Length: Node's client sends a DELETE / OPTIONS body without one otherwise
    const headers = request.body === undefined
      ? request.headers
      : { "content-length": String(Buffer.byteLength(request.body)), ...request.headers }
    const req = httpRequest(url, { method: request.method ?? "GET", headers, agent: false }, (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (chunk: Buffer) => chunks.push(chunk))
      res.on("end", () =>
        settle({
          _tag: "Response",
          status: res.statusCode!,
          headers: res.headers,
          body: Buffer.concat(chunks).toString("utf8")
        }))
      res.on("error", (error) => settle({ _tag: "Error", message: error.message }))
    })
    const timer = setTimeout(() => {
      settle({ _tag: "Hang" })
      req.destroy()
    }, request.timeout ?? 10_000)
    req.on("error", (error) => settle({ _tag: "Error", message: error.message }))
    req.end(request.body)
  })

/** `send`, expecting a response (fails the test on a hang or a transport error). */
export const must = async (url: string, request: Request = {}) => {
  const answer = await send(url, request)
  if (answer._tag !== "Response") {
    throw new Error(`${request.method ?? "GET"} ${url}: ${answer._tag} ${"message" in answer ? answer.message : ""}`)
  }
  return answer
}

/** A JSON POST/PUT. */
export const json = (method: string, body: unknown, token?: string): Request => ({
  method,
  headers: {
    "content-type": "application/json",
    ...(token === undefined ? {} : { authorization: `Bearer ${token}` })
  },
  body: typeof body === "string" ? body : JSON.stringify(body)
})
