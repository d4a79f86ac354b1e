/**
 * Authlete faults: `serve` in Authlete mode against a fault-injecting stand-in of Authlete's API on
 * loopback (503 bursts, 429 with Retry-After, connection resets, answers slower than the timeout,
 * truncated and non-JSON bodies, an unknown action). Every request through `serve` gets an answer
 * (a clean 500 `server_error` when the fault is not retried), retries follow the client's promise
 * (README "Retries: register is not idempotent"), and no register that Authlete may have processed
 * is ever sent twice.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import { build, figure, Hygiene, json, kill, must, type Serve, serve } from "./support.js"

const timeoutMs = 1000
const serviceId = "715948317"
const authleteToken = "authlete-service-access-token-for-the-fault-test"

const fixture = (name: string) =>
  JSON.stringify(JSON.parse(
    readFileSync(new URL(`../../../schema/test/fixtures/authlete/${name}.json`, import.meta.url), "utf8")
  ))
const answers: Record<string, string> = {
  register: fixture("register-created"),
  get: fixture("get-ok"),
  update: fixture("update-updated"),
  delete: fixture("delete-deleted")
}

type Fault =
  | "ok"
  | "503"
  | "503-retry-after"
  | "429-retry-after"
  | "reset"
  | "slow"
  | "truncated"
  | "not-json"
  | "unknown-action"

/** Faults that answer before doing anything: Authlete did not process the request. */
const declined = new Set<Fault>(["503", "503-retry-after", "429-retry-after"])

interface Seen {
  readonly operation: string
  readonly fault: Fault
  readonly at: number
}

/** The stand-in: each operation answers its scripted faults in order, then `ok`. */
const makeStub = () => {
  const scripts = new Map<string, Array<Fault>>()
  const seen: Array<Seen> = []
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      const match = /^\/api\/[^/]+\/client\/registration(?:\/(get|update|delete))?$/.exec(req.url ?? "")
      if (req.method !== "POST" || match === null) {
        res.writeHead(req.method === "HEAD" ? 200 : 404, { "content-type": "application/json" })
        return res.end(req.method === "HEAD" ? undefined : `{"resultCode":"A000404","resultMessage":"not found"}`)
      }
      const operation = match[1] ?? "register"
      const fault = scripts.get(operation)?.shift() ?? "ok"
      seen.push({ operation, fault, at: performance.now() })
      const body = answers[operation]!
      switch (fault) {
        case "ok":
          res.writeHead(200, { "content-type": "application/json" })
          return res.end(body)
        case "503":
          res.writeHead(503, { "content-type": "text/html" })
          return res.end("<html>Service Unavailable</html>")
        case "503-retry-after":
          res.writeHead(503, { "content-type": "application/json", "retry-after": "1" })
          return res.end(`{"resultCode":"A001101","resultMessage":"busy"}`)
        case "429-retry-after":
          res.writeHead(429, { "content-type": "application/json", "retry-after": "1" })
          return res.end(`{"resultCode":"A001103","resultMessage":"too many requests"}`)
        case "reset":
          return req.socket.destroy()
        case "slow": {
          const timer = setTimeout(() => {
            if (!res.destroyed) {
              res.writeHead(200, { "content-type": "application/json" })
              res.end(body)
            }
          }, timeoutMs * 3)
          res.on("close", () => clearTimeout(timer))
          return
        }
        case "truncated":
          res.writeHead(200, { "content-type": "application/json", "content-length": String(body.length) })
          res.write(body.slice(0, 40))
          return setTimeout(() => req.socket.destroy(), 20)
        case "not-json":
          res.writeHead(200, { "content-type": "application/json" })
          return res.end("<html>Bad gateway</html>")
        case "unknown-action":
          res.writeHead(200, { "content-type": "application/json" })
          return res.end(`{"resultCode":"A000000","resultMessage":"?","action":"SURPRISE","responseContent":"{}"}`)
      }
    })
  }
  const server: Server = createServer(handle)
  return {
    server,
    seen,
    script: (operation: string, faults: ReadonlyArray<Fault>) => scripts.set(operation, [...faults]),
    listen: () =>
      new Promise<string>((resolve) =>
        server.listen(0, "127.0.0.1", () => {
          const address = server.address()
          resolve(`http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`)
        })
      )
  }
}

const hygiene = new Hygiene()
hygiene.add(authleteToken)
for (const body of Object.values(answers)) hygiene.addFromBody(body)
const stub = makeStub()
let dcr: Serve | undefined

beforeAll(() => {
  build()
}, 180_000)

afterAll(async () => {
  if (dcr !== undefined) await kill(dcr)
  stub.server.closeAllConnections()
  await new Promise((resolve) => stub.server.close(resolve))
})

interface Scenario {
  readonly operation: "register" | "get"
  readonly faults: ReadonlyArray<Fault>
  /** The status `serve` answers. */
  readonly status: number
  /** Requests Authlete receives (first attempt + retries). */
  readonly attempts: number
  /** The least delay between two attempts (a Retry-After honoured), ms. */
  readonly minGap?: number
}

const scenarios: ReadonlyArray<Scenario> = [
  { operation: "register", faults: ["503-retry-after", "503-retry-after"], status: 201, attempts: 3, minGap: 950 },
  { operation: "register", faults: ["429-retry-after"], status: 201, attempts: 2, minGap: 950 },
  { operation: "register", faults: ["503"], status: 500, attempts: 1 },
  { operation: "register", faults: ["reset"], status: 500, attempts: 1 },
  { operation: "register", faults: ["slow"], status: 500, attempts: 1 },
  { operation: "register", faults: ["truncated"], status: 500, attempts: 1 },
  { operation: "register", faults: ["not-json"], status: 500, attempts: 1 },
  { operation: "register", faults: ["unknown-action"], status: 500, attempts: 1 },
  { operation: "get", faults: ["503", "503"], status: 200, attempts: 3 },
  { operation: "get", faults: ["reset"], status: 200, attempts: 2 },
  { operation: "get", faults: ["slow"], status: 200, attempts: 2 },
  { operation: "get", faults: ["429-retry-after"], status: 200, attempts: 2, minGap: 950 },
  { operation: "get", faults: ["503", "503", "503", "503"], status: 500, attempts: 4 },
  { operation: "get", faults: ["not-json"], status: 500, attempts: 1 },
  { operation: "get", faults: ["unknown-action"], status: 500, attempts: 1 }
]

describe("reliability: Authlete faults", () => {
  it("retries as promised, a clean 500 otherwise, never a hang, never a duplicated register", async () => {
    const authlete = await stub.listen()
    dcr = await serve(
      {
        AUTHLETE_SERVICE_ID: serviceId,
        AUTHLETE_SERVICE_ACCESS_TOKEN: authleteToken,
        AUTHLETE_BASE_URL: authlete,
        AUTHLETE_TIMEOUT: `${timeoutMs} millis`,
        DCR_RATE_LIMIT_FAILED_AUTH: "off"
      },
      hygiene,
      "authlete-mode serve"
    )
    const rows: Array<string> = []
    const failures: Array<string> = []
    for (const scenario of scenarios) {
      stub.script(scenario.operation, scenario.faults)
      const before = stub.seen.length
      const started = performance.now()
      const answer = await must(
        scenario.operation === "register"
          ? `${dcr.base}/register`
          : `${dcr.base}/register/26837717140341`,
        scenario.operation === "register"
          ? { ...json("POST", { client_name: "x", redirect_uris: ["https://rp.example/cb"] }), timeout: 20_000 }
          : { headers: { authorization: "Bearer a-registration-access-token-for-the-fault-test" }, timeout: 20_000 }
      )
      const seconds = (performance.now() - started) / 1000
      const attempts = stub.seen.slice(before)
      const processed = attempts.filter((seen) => !declined.has(seen.fault)).length
      const gaps = attempts.slice(1).map((seen, i) => seen.at - attempts[i]!.at)
      const label = `${scenario.operation} [${scenario.faults.join(", ")}]`
      rows.push(`${label} → ${answer.status} after ${attempts.length} attempt(s) in ${seconds.toFixed(1)} s`)
      if (answer.status !== scenario.status) failures.push(`${label}: status ${answer.status} ${answer.body}`)
      if (attempts.length !== scenario.attempts) failures.push(`${label}: ${attempts.length} attempts`)
      if (scenario.operation === "register" && processed > 1) {
        failures.push(`${label}: register processed ${processed} times`)
      }
      if (scenario.minGap !== undefined && gaps.some((gap) => gap < scenario.minGap!)) {
        failures.push(`${label}: Retry-After not honoured (gaps ${gaps.map(Math.round).join(", ")} ms)`)
      }
      if (answer.status === 500 && JSON.parse(answer.body).error !== "server_error") {
        failures.push(`${label}: 500 without server_error: ${answer.body}`)
      }
      if (answer.status < 300) hygiene.addFromBody(answer.body)
    }
    figure("authlete faults", rows.join("; "))
    assert.deepStrictEqual(failures, [])
    // a broken Authlete never broke serve
    assert.strictEqual((await must(`${dcr.base}/.well-known/oauth-authorization-server`)).status, 200)
    const scan = hygiene.scan()
    figure(
      "authlete secret hygiene",
      `${scan.lines} log lines at debug level, ${hygiene.secrets.size} secrets, ${scan.found.length} found`
    )
    assert.deepStrictEqual(scan.found, [])
  }, 90_000)
})
