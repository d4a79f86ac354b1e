/**
 * End to end, on the BUILT command line: what an operator relies on. Every line `serve` writes in
 * DCR_LOG_FORMAT=json parses as JSON (start, access log, warnings, errors, stop, a failed start), with
 * no secret in any; /healthz and /readyz; X-Request-Id on every response; traces (the caller's
 * traceparent continued on the fast path and on a platform route) and metrics arriving at a loopback
 * OTLP/HTTP receiver, in JSON and in protobuf.
 */
import * as Cli from "@effect-dcr/testing/Cli"
import * as Loopback from "@effect-dcr/testing/Loopback"
import { freshSchema, skipReason } from "@effect-dcr/testing/Postgres"
import * as TempDirectory from "@effect-dcr/testing/TempDirectory"
import { assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { writeFileSync } from "node:fs"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import * as Pg from "pg"

beforeAll(Cli.build, 180_000)

const tempDirectory = TempDirectory.make("effect-dcr-operating-")

/** `effect-dcr serve` in json format, until its ready line (where it listens: `base`). */
const serve = (env: Record<string, string>) => Cli.serve({ DCR_LOG_FORMAT: "json", ...env })

interface LogLine {
  readonly message: string
  readonly logLevel: string
  readonly annotations: Record<string, unknown>
}

/** Every non-empty line as JSON (a line that does not parse fails the test, naming it). */
const parseLines = (text: string): Array<LogLine> =>
  text.split("\n").filter((line) => line !== "").map((line) => {
    try {
      return JSON.parse(line) as LogLine
    } catch {
      throw new Error(`not a JSON line: ${line}`)
    }
  })

const request = (url: string, init?: RequestInit) =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    const text = await response.text()
    return {
      status: response.status,
      requestId: response.headers.get("x-request-id"),
      body: text === "" ? undefined : JSON.parse(text) as Record<string, any>
    }
  })

const metadata = JSON.stringify({ client_name: "operating", redirect_uris: ["https://app.example/cb"] })
const registration = (headers: Record<string, string> = {}) => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: metadata
})

/** A port where nothing listens. */
const closedPort = Effect.async<number>((resume) => {
  const server = Http.createServer()
  server.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as AddressInfo
    server.close(() => resume(Effect.succeed(port)))
  })
})

// The tests of each group are independent (each its own directory, receiver and processes): they run concurrently.
describe.concurrent("serve in DCR_LOG_FORMAT=json", () => {
  it.scopedLive("every line is JSON: start, access log, warnings, errors, stop; no secret in any line", () =>
    Effect.gen(function*() {
      const dir = yield* tempDirectory
      const server = yield* serve({
        DCR_DATABASE_URL: `sqlite:${join(dir, "dcr.sqlite")}`,
        DCR_ACCESS_LOG: "true",
        DCR_UNKNOWN_SETTING_FOR_THE_TEST: "1"
      })
      const health = yield* request(`${server.base}/healthz`, { headers: { "x-request-id": "probe-7" } })
      assert.deepStrictEqual(health, { status: 200, requestId: "probe-7", body: { status: "ok" } })
      const ready = yield* request(`${server.base}/readyz`)
      assert.deepStrictEqual(ready.body, { status: "ready" })
      const created = yield* request(`${server.base}/register`, registration({ "x-request-id": "reg-1" }))
      assert.strictEqual(created.status, 201)
      assert.strictEqual(created.requestId, "reg-1")
      const secrets = [created.body!.registration_access_token, created.body!.client_secret] as Array<string>
      const denied = yield* request(`${server.base}/register/${created.body!.client_id}`, {
        headers: { authorization: "Bearer not-the-token-but-secret-looking" }
      })
      assert.strictEqual(denied.status, 401)
      const missing = yield* request(`${server.base}/nowhere`)
      assert.strictEqual(missing.status, 404)
      assert.match(missing.requestId!, /^[0-9a-f-]{36}$/)
      server.child.kill("SIGTERM")
      assert.strictEqual((yield* server.exited).code, 0)

      const out = parseLines(server.output.stdout)
      const err = parseLines(server.output.stderr)
      const access = out.filter((line) => line.annotations["http.route"] !== undefined)
      assert.deepStrictEqual(
        access.map((line) => line.message),
        ["GET /healthz 200", "GET /readyz 200", "POST /register 201", "GET /register/:client_id 401", "GET * 404"]
      )
      assert.strictEqual(access[2]!.annotations["request_id"], "reg-1")
      assert.isTrue(out.some((line) => line.message.startsWith("Stopping:")), server.output.stdout)
      assert.isTrue(err.every((line) => line.logLevel === "WARN" || line.logLevel === "ERROR"))
      assert.isTrue(err.some((line) => line.message.includes("DCR_UNKNOWN_SETTING_FOR_THE_TEST")))
      for (const secret of [...secrets, "not-the-token-but-secret-looking"]) {
        assert.notInclude(server.output.stdout + server.output.stderr, secret)
      }
    }))

  it.scopedLive("a failing backend: 500 and an error line on stderr with the request id; /readyz 503 and a warning", () =>
    Effect.gen(function*() {
      const port = yield* closedPort
      const server = yield* serve({
        AUTHLETE_SERVICE_ID: "1",
        AUTHLETE_SERVICE_ACCESS_TOKEN: "authlete-secret-for-the-log-test",
        AUTHLETE_BASE_URL: `http://127.0.0.1:${port}`,
        AUTHLETE_TIMEOUT: "2 seconds",
        DCR_CHECK_BACKEND: "false"
      })
      const failed = yield* request(`${server.base}/register`, registration({ "x-request-id": "fails-1" }))
      assert.deepStrictEqual(failed.body, { error: "server_error" })
      assert.strictEqual(failed.requestId, "fails-1")
      const notReady = yield* request(`${server.base}/readyz`)
      assert.deepStrictEqual({ status: notReady.status, body: notReady.body }, {
        status: 503,
        body: { status: "unavailable" }
      })
      server.child.kill("SIGTERM")
      yield* server.exited

      const err = parseLines(server.output.stderr)
      const error = err.find((line) => line.logLevel === "ERROR")
      assert.isDefined(error, server.output.stderr)
      assert.strictEqual(error!.annotations["request_id"], "fails-1")
      assert.isTrue(err.some((line) => line.logLevel === "WARN" && line.message.includes("authlete is not ready")))
      parseLines(server.output.stdout)
      assert.notInclude(server.output.stdout + server.output.stderr, "authlete-secret-for-the-log-test")
    }))

  it.scopedLive("a failed start is a JSON error line on stderr and exit status 1", () =>
    Effect.gen(function*() {
      const dir = yield* tempDirectory
      // a file where the database's directory should be
      yield* Effect.sync(() => writeFileSync(join(dir, "a-file"), ""))
      const server = yield* Cli.spawnServe({
        DCR_LOG_FORMAT: "json",
        DCR_DATABASE_URL: `sqlite:${join(dir, "a-file")}/dcr.sqlite`
      })
      assert.strictEqual((yield* server.exited).code, 1)
      const err = parseLines(server.output.stderr)
      assert.isTrue(err.some((line) => line.logLevel === "ERROR" && line.message.startsWith("error: ")))
      parseLines(server.output.stdout)
    }))
})

// ---------------------------------------------------------------------------------------------
// OpenTelemetry
// ---------------------------------------------------------------------------------------------

interface Post {
  readonly path: string
  readonly contentType: string
  readonly body: Buffer
}

/** A loopback OTLP/HTTP receiver: keeps every POST, answers 200 `{}`. */
const receiver = Effect.gen(function*() {
  const posts: Array<Post> = []
  const server = Http.createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      posts.push({ path: req.url ?? "", contentType: req.headers["content-type"] ?? "", body: Buffer.concat(chunks) })
      res.writeHead(200, { "content-type": "application/json" })
      res.end("{}")
    })
  })
  const { url } = yield* Loopback.listen(server)
  return { url, posts }
})

const traceId = "4bf92f3577b34da6a3ce929d0e0e4736"
const parentSpanId = "00f067aa0ba902b7"
const traceparent = { traceparent: `00-${traceId}-${parentSpanId}-01` }

interface JsonSpan {
  readonly traceId: string
  readonly parentSpanId?: string
  readonly name: string
}

const spansOf = (posts: ReadonlyArray<Post>): Array<JsonSpan> =>
  posts.filter((post) => post.path === "/v1/traces").flatMap((post) =>
    (JSON.parse(post.body.toString("utf8")).resourceSpans as Array<any>).flatMap((resource) =>
      (resource.scopeSpans as Array<any>).flatMap((scope) => scope.spans as Array<JsonSpan>)
    )
  )

const metricNamesOf = (posts: ReadonlyArray<Post>): Set<string> =>
  new Set(
    posts.filter((post) => post.path === "/v1/metrics").flatMap((post) =>
      (JSON.parse(post.body.toString("utf8")).resourceMetrics as Array<any>).flatMap((resource) =>
        (resource.scopeMetrics as Array<any>).flatMap((scope) => (scope.metrics as Array<any>).map((m) => m.name))
      )
    )
  )

/** Polls `check` every 50 ms for up to 20 s. */
const eventually = (what: string, check: () => boolean) =>
  Effect.async<void, Error>((resume) => {
    const started = Date.now()
    const timer = setInterval(() => {
      if (check()) {
        clearInterval(timer)
        resume(Effect.void)
      } else if (Date.now() - started > 20_000) {
        clearInterval(timer)
        resume(Effect.fail(new Error(`timed out waiting for ${what}`)))
      }
    }, 50)
    return Effect.sync(() => clearInterval(timer))
  })

const otelEnv = (endpoint: string, dir: string, protocol?: string) => ({
  DCR_DATABASE_URL: `sqlite:${join(dir, "dcr.sqlite")}`,
  OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
  ...(protocol === undefined ? {} : { OTEL_EXPORTER_OTLP_PROTOCOL: protocol }),
  OTEL_EXPORTER_OTLP_HEADERS: "x-api-key=otlp-secret-for-the-test",
  OTEL_SERVICE_NAME: "dcr-under-test",
  OTEL_METRIC_EXPORT_INTERVAL: "200",
  OTEL_BSP_SCHEDULE_DELAY: "100",
  DCR_RATE_LIMIT_REGISTRATIONS: "2/hour"
})

describe.concurrent("serve with OTEL_EXPORTER_OTLP_ENDPOINT", () => {
  it.scopedLive("exports spans that continue the caller's trace on every route, and the metrics (OTLP/HTTP JSON)", () =>
    Effect.gen(function*() {
      const dir = yield* tempDirectory
      const otlp = yield* receiver
      const server = yield* serve(otelEnv(otlp.url, dir, "http/json"))
      const created = yield* request(`${server.base}/register`, registration(traceparent))
      assert.strictEqual(created.status, 201)
      const read = yield* request(`${server.base}/register/${created.body!.client_id}`, {
        headers: { authorization: `Bearer ${created.body!.registration_access_token}`, ...traceparent }
      })
      assert.strictEqual(read.status, 200)
      yield* request(`${server.base}/register`, registration())
      const limited = yield* request(`${server.base}/register`, registration())
      assert.strictEqual(limited.status, 429)
      yield* request(`${server.base}/healthz`, { headers: traceparent })

      yield* eventually("the server spans of both routes", () => {
        const caller = spansOf(otlp.posts).filter((span) => span.traceId === traceId)
        return caller.filter((span) => span.parentSpanId === parentSpanId).length >= 2 &&
          caller.some((span) => span.name === "Engine.register") && caller.some((span) => span.name === "Engine.get")
      })
      const expected = ["http.server.request.duration", "dcr.operations", "dcr.rate_limited", "dcr.store.duration"]
      yield* eventually("the metrics", () => expected.every((name) => metricNamesOf(otlp.posts).has(name)))
      server.child.kill("SIGTERM")
      assert.strictEqual((yield* server.exited).code, 0)

      const caller = spansOf(otlp.posts).filter((span) => span.traceId === traceId)
      const roots = caller.filter((span) => span.parentSpanId === parentSpanId).map((span) => span.name).sort()
      assert.deepStrictEqual(roots, ["http.server GET", "http.server POST"], "the health probe is not traced")
      const resource = JSON.parse(otlp.posts.find((post) => post.path === "/v1/traces")!.body.toString("utf8"))
        .resourceSpans[0].resource.attributes as Array<{ key: string; value: { stringValue?: string } }>
      assert.deepStrictEqual(resource.find((a) => a.key === "service.name")?.value.stringValue, "dcr-under-test")
      assert.isTrue(otlp.posts.every((post) => post.contentType.startsWith("application/json")))
      assert.notInclude(server.output.stdout + server.output.stderr, "otlp-secret-for-the-test")
    }))

  it.scopedLive("exports in protobuf by default (the trace id's bytes arrive in the body)", () =>
    Effect.gen(function*() {
      const dir = yield* tempDirectory
      const otlp = yield* receiver
      const server = yield* serve(otelEnv(otlp.url, dir))
      assert.strictEqual((yield* request(`${server.base}/register`, registration(traceparent))).status, 201)
      const bytes = Buffer.from(traceId, "hex")
      yield* eventually(
        "a protobuf trace export with the caller's trace id",
        () =>
          otlp.posts.some((post) =>
            post.path === "/v1/traces" && post.contentType === "application/x-protobuf" && post.body.includes(bytes)
          )
      )
      yield* eventually(
        "a protobuf metrics export",
        () => otlp.posts.some((post) => post.path === "/v1/metrics" && post.contentType === "application/x-protobuf")
      )
      server.child.kill("SIGTERM")
      yield* server.exited
    }))
})

// ---------------------------------------------------------------------------------------------
// Readiness on PostgreSQL, as compose.yaml runs it
// ---------------------------------------------------------------------------------------------

const describePg = skipReason === undefined ? describe : describe.skip

describePg(`two instances on PostgreSQL${skipReason === undefined ? "" : ` (skipped: ${skipReason})`}`, () => {
  it.scopedLive("both ready and sharing the clients; /readyz 503 on both once the clients table is gone", () =>
    Effect.gen(function*() {
      // a schema of the test's own, dropped with its scope once both servers are stopped
      const url = Redacted.value((yield* freshSchema).url)
      const first = yield* serve({ DCR_DATABASE_URL: url })
      const second = yield* serve({ DCR_DATABASE_URL: url })
      for (const server of [first, second]) {
        assert.deepStrictEqual((yield* request(`${server.base}/readyz`)).body, { status: "ready" })
      }
      const created = yield* request(`${first.base}/register`, registration())
      assert.strictEqual(created.status, 201)
      const read = yield* request(`${second.base}/register/${created.body!.client_id}`, {
        headers: { authorization: `Bearer ${created.body!.registration_access_token}` }
      })
      assert.strictEqual(read.status, 200)
      yield* Effect.promise(async () => {
        const client = new Pg.Client({ connectionString: url })
        await client.connect()
        try {
          await client.query("DROP TABLE dcr_clients")
        } finally {
          await client.end()
        }
      })
      for (const server of [first, second]) {
        const answer = yield* request(`${server.base}/readyz`)
        assert.deepStrictEqual({ status: answer.status, body: answer.body }, {
          status: 503,
          body: { status: "unavailable" }
        })
        assert.deepStrictEqual((yield* request(`${server.base}/healthz`)).body, { status: "ok" })
      }
      for (const server of [first, second]) {
        server.child.kill("SIGTERM")
        yield* server.exited
        assert.isTrue(
          parseLines(server.output.stderr).some((line) => line.message.includes("postgresql is not ready")),
          server.output.stderr
        )
      }
    }))
})
