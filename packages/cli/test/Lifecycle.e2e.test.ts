/**
 * The BUILT `effect-dcr serve` as a process: how it starts (loud about a bad configuration, checks the
 * Authlete credentials, `/api` only when asked, a private database), how it holds connections (the
 * limits), and how it stops (a silent connection cannot keep it alive; requests in flight at SIGTERM
 * are answered normally). Each test reproduces a failure listed in issue 10.
 */
import { build, serve, spawnServe } from "@effect-dcr/testing/Cli"
import * as TempDirectory from "@effect-dcr/testing/TempDirectory"
import { assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { mkdirSync, readFileSync, statSync } from "node:fs"
import * as Net from "node:net"
import { join } from "node:path"

beforeAll(build, 180_000)

const tempDirectory = TempDirectory.make("effect-dcr-lifecycle-")

/** A `serve` that must refuse to start: its exit code and what it printed. */
const refused = (env: Record<string, string>) =>
  Effect.gen(function*() {
    const server = yield* spawnServe(env)
    const exit = yield* server.exited
    return { ...exit, stdout: server.output.stdout, stderr: server.output.stderr }
  })

/** A raw TCP connection: what it received, and when it closed. */
const connect = (port: number) =>
  Effect.gen(function*() {
    const socket = yield* Effect.acquireRelease(
      Effect.async<Net.Socket, Error>((resume) => {
        const socket = Net.connect(port, "127.0.0.1")
        socket.once("connect", () => resume(Effect.succeed(socket)))
        socket.once("error", (error) => resume(Effect.fail(error)))
      }),
      (socket) => Effect.sync(() => socket.destroy())
    )
    let received = ""
    socket.setEncoding("utf8")
    socket.on("data", (chunk) => (received += chunk))
    socket.on("error", () => {})
    const closedAt = Effect.async<string>((resume) => {
      if (socket.closed) return resume(Effect.succeed(received))
      socket.once("close", () => resume(Effect.succeed(received)))
    })
    const receivedText = (text: string) =>
      Effect.async<string>((resume) => {
        const check = () => {
          if (!received.includes(text)) return
          socket.off("data", check)
          resume(Effect.succeed(received))
        }
        socket.on("data", check)
        check()
      })
    return { socket, closed: closedAt, receivedText }
  })

const fetchJson = (url: string, init?: RequestInit) =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    const text = await response.text()
    return { status: response.status, headers: response.headers, text }
  })

const metadata = { client_name: "lifecycle", redirect_uris: ["http://127.0.0.1:7777/cb"] }

const json = (body: unknown, token?: string): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json", ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
  body: JSON.stringify(body)
})

/** Headers of a request whose body (`body`) the caller sends later; `expect: 100-continue` says when it was received. */
const head = (method: string, path: string, body: string, token?: string) =>
  `${method} ${path} HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\nexpect: 100-continue\r\n` +
  `${token === undefined ? "" : `authorization: Bearer ${token}\r\n`}content-length: ${Buffer.byteLength(body)}\r\n\r\n`

const mode = (path: string) => statSync(path).mode & 0o777

// The tests of each group are independent (each its own directory and processes): they run concurrently.
describe.concurrent("serve: stopping", () => {
  it.scopedLive(
    "SIGTERM: a silent connection is closed at once, a slow POST and PUT in flight get their normal 201 and 200, exit 0",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDirectory
        const server = yield* serve({ DCR_DATABASE_URL: `sqlite:${join(dir, "dcr.sqlite")}` })
        const created = yield* fetchJson(`${server.base}/register`, json(metadata))
        assert.strictEqual(created.status, 201, created.text)
        const client = JSON.parse(created.text) as { client_id: string; registration_access_token: string }

        const silent = yield* connect(server.port)
        const postBody = JSON.stringify({ ...metadata, client_name: "in flight" })
        const post = yield* connect(server.port)
        post.socket.write(head("POST", "/register", postBody))
        const putBody = JSON.stringify({ ...metadata, client_id: client.client_id, client_name: "updated in flight" })
        const put = yield* connect(server.port)
        put.socket.write(head("PUT", `/register/${client.client_id}`, putBody, client.registration_access_token))
        // 100 Continue: the server has the request and handed it to the app; the bodies are still to come
        yield* post.receivedText("100 Continue")
        yield* put.receivedText("100 Continue")

        server.child.kill("SIGTERM")
        yield* server.printed("Stopping")
        assert.strictEqual(yield* silent.closed, "", "the silent connection is closed, unanswered")
        post.socket.write(postBody)
        put.socket.write(putBody)
        const posted = yield* post.closed
        const putted = yield* put.closed
        assert.match(posted, /HTTP\/1\.1 201 Created/, posted)
        assert.include(posted, `"client_name":"in flight"`)
        assert.match(putted, /HTTP\/1\.1 200 OK/, putted)
        assert.include(putted, `"client_name":"updated in flight"`)
        assert.deepStrictEqual(yield* server.exited, { code: 0, signal: null }, server.output.stderr)
        assert.strictEqual(server.output.stderr, "")

        // both were committed before the store closed
        const again = yield* serve({ DCR_DATABASE_URL: `sqlite:${join(dir, "dcr.sqlite")}` })
        const read = yield* fetchJson(`${again.base}/register/${client.client_id}`, {
          headers: { authorization: `Bearer ${client.registration_access_token}` }
        })
        assert.strictEqual(JSON.parse(read.text).client_name, "updated in flight")
      }),
    120_000
  )

  it.scopedLive(
    "a request still unfinished at DCR_SHUTDOWN_TIMEOUT is cut, and the process exits 0",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDirectory
        const server = yield* serve({
          DCR_DATABASE_URL: `sqlite:${join(dir, "dcr.sqlite")}`,
          DCR_SHUTDOWN_TIMEOUT: "1 second"
        })
        const stuck = yield* connect(server.port)
        stuck.socket.write(head("POST", "/register", "{}".repeat(50)))
        yield* stuck.receivedText("100 Continue")
        server.child.kill("SIGTERM")
        yield* stuck.closed
        assert.deepStrictEqual(yield* server.exited, { code: 0, signal: null }, server.output.stderr)
      }),
    120_000
  )
})

describe.concurrent("serve: connection limits", () => {
  it.scopedLive(
    "from the environment: silent and slow connections are closed, the per-address cap holds",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDirectory
        const server = yield* serve({
          DCR_DATABASE_URL: `sqlite:${join(dir, "dcr.sqlite")}`,
          DCR_HEADERS_TIMEOUT: "1s",
          DCR_REQUEST_TIMEOUT: "2s",
          DCR_MAX_CONNECTIONS_PER_ADDRESS: "3"
        })
        const silent = yield* connect(server.port)
        const slow = yield* connect(server.port)
        slow.socket.write(head("POST", "/register", "{}".repeat(50)))
        yield* slow.receivedText("100 Continue")
        const busy = yield* connect(server.port)
        busy.socket.write("GET /.well-known/oauth-authorization-server HTTP/1.1\r\nhost: localhost\r\n\r\n")
        yield* busy.receivedText("registration_endpoint")
        const fourth = yield* connect(server.port)
        assert.strictEqual(yield* fourth.closed, "", "over the per-address cap: closed on arrival")

        assert.notInclude(yield* silent.closed, "HTTP/1.1 2", "closed after DCR_HEADERS_TIMEOUT")
        assert.match(yield* slow.closed, /HTTP\/1\.1 408 /, "answered 408 after DCR_REQUEST_TIMEOUT")
      }),
    120_000
  )
})

describe.concurrent("serve: starting", () => {
  it.scopedLive(
    "the Authlete-compatible /api is served only when asked; a generated token goes to a 0600 file",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDirectory
        const database = { DCR_DATABASE_URL: `sqlite:${join(dir, "dcr.sqlite")}` }
        const plain = yield* serve(database)
        assert.notInclude(plain.output.stdout, "/api/")
        const notServed = yield* fetchJson(`${plain.base}/api/1/client/registration`, json({ json: "{}" }, "x"))
        assert.strictEqual(notServed.status, 404)
        // and the database is private
        assert.strictEqual(mode(join(dir, "dcr.sqlite")), 0o600)
        assert.strictEqual(mode(join(dir, "dcr.sqlite-wal")), 0o600)
        plain.child.kill("SIGTERM")
        yield* plain.exited

        const tokenFile = join(dir, "secrets", "service-access-token")
        const asked = yield* serve({ ...database, DCR_AUTHLETE_API: "true", DCR_SERVICE_ACCESS_TOKEN_FILE: tokenFile })
        assert.include(asked.output.stdout, `${asked.base}/api/1/client/registration`)
        assert.include(asked.output.stdout, tokenFile)
        assert.strictEqual(mode(tokenFile), 0o600)
        const token = readFileSync(tokenFile, "utf8").trim()
        assert.match(token, /^[A-Za-z0-9_-]{43}$/)
        assert.notInclude(asked.output.stdout, token, "the token is never printed")
        const registered = yield* fetchJson(
          `${asked.base}/api/1/client/registration`,
          json({ json: JSON.stringify(metadata) }, token)
        )
        assert.strictEqual(registered.status, 200, registered.text)
        assert.strictEqual(JSON.parse(registered.text).action, "CREATED")
        asked.child.kill("SIGTERM")
        yield* asked.exited

        const chosen = yield* serve({ ...database, DCR_SERVICE_ACCESS_TOKEN: "chosen-service-token" })
        assert.include(chosen.output.stdout, "/api/1/client/registration", "a chosen token serves the API")
        assert.notInclude(chosen.output.stdout, "chosen-service-token")
        const get = yield* fetchJson(
          `${chosen.base}/api/1/client/registration/get`,
          json({ clientId: "1", token: "t" }, "chosen-service-token")
        )
        assert.strictEqual(get.status, 200, get.text)
      }),
    120_000
  )

  it.scopedLive("refuses to start on a bad configuration, naming the variable", () =>
    Effect.gen(function*() {
      const dir = yield* tempDirectory
      const database = { DCR_DATABASE_URL: `sqlite:${join(dir, "dcr.sqlite")}` }
      // (every refusal in-process: ServeSettings.test.ts; these through the process, as an operator sees them)
      const cases: ReadonlyArray<readonly [Record<string, string>, ReadonlyArray<string>]> = [
        [{ AUTHLETE_SERVICE_ACCESS_TOKEN: "secret-token" }, ["AUTHLETE_SERVICE_ACCESS_TOKEN", "AUTHLETE_SERVICE_ID"]],
        [{ DCR_ISSUER: "https://user:pw@as.example.com" }, ["DCR_ISSUER", "userinfo"]]
      ]
      for (const [env, names] of cases) {
        const result = yield* refused({ ...database, ...env })
        assert.strictEqual(result.code, 1, JSON.stringify(env))
        assert.notInclude(result.stdout, "Ready", JSON.stringify(env))
        for (const name of names) assert.include(result.stderr, name, JSON.stringify(env))
        assert.notInclude(result.stderr, "secret-token")
      }

      // a directory where the database file should be: the storage error is shown
      mkdirSync(join(dir, "a-directory"))
      const directory = yield* refused({ DCR_DATABASE_URL: `sqlite:${join(dir, "a-directory")}` })
      assert.strictEqual(directory.code, 1)
      assert.include(directory.stderr, "Cannot open the SQLite database")
      assert.match(directory.stderr, /unable to open database file|directory/i)
    }), 120_000)

  it.scopedLive(
    "checks the Authlete credentials at startup (against a local Authlete-compatible server)",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDirectory
        // the embedded engine's /api speaks Authlete's API: the stand-in for Authlete
        const authlete = yield* serve({
          DCR_DATABASE_URL: `sqlite:${join(dir, "authlete.sqlite")}`,
          DCR_SERVICE_ID: "715948317",
          DCR_SERVICE_ACCESS_TOKEN: "the-right-token"
        })
        const against = (token: string) => ({
          AUTHLETE_BASE_URL: authlete.base,
          AUTHLETE_SERVICE_ID: "715948317",
          AUTHLETE_SERVICE_ACCESS_TOKEN: token
        })

        const wrong = yield* refused(against("a-wrong-token"))
        assert.strictEqual(wrong.code, 1)
        assert.notInclude(wrong.stdout, "Ready")
        assert.include(wrong.stderr, "startup check of Authlete")
        assert.include(wrong.stderr, "AUTHLETE_SERVICE_ACCESS_TOKEN")
        assert.include(wrong.stderr, "401")
        assert.notInclude(wrong.stderr, "a-wrong-token")

        const unchecked = yield* serve({ ...against("a-wrong-token"), DCR_CHECK_BACKEND: "false" })
        assert.include(unchecked.output.stdout, "Authlete")
        unchecked.child.kill("SIGTERM")
        yield* unchecked.exited

        const right = yield* serve(against("the-right-token"))
        const created = yield* fetchJson(`${right.base}/register`, json(metadata))
        assert.strictEqual(created.status, 201, created.text)
      }),
    120_000
  )

  it.scopedLive("CORS: a browser preflight and registration from an allowed origin", () =>
    Effect.gen(function*() {
      const dir = yield* tempDirectory
      const server = yield* serve({
        DCR_DATABASE_URL: `sqlite:${join(dir, "dcr.sqlite")}`,
        DCR_CORS_ORIGINS: "https://app.example, http://localhost:6274"
      })
      const preflight = yield* fetchJson(`${server.base}/register`, {
        method: "OPTIONS",
        headers: { origin: "http://localhost:6274", "access-control-request-method": "POST" }
      })
      assert.strictEqual(preflight.status, 204)
      assert.strictEqual(preflight.headers.get("access-control-allow-origin"), "http://localhost:6274")
      assert.strictEqual(preflight.headers.get("access-control-allow-methods"), "POST, OPTIONS")
      const created = yield* fetchJson(`${server.base}/register`, {
        ...json(metadata),
        headers: { "content-type": "application/json", origin: "http://localhost:6274" }
      })
      assert.strictEqual(created.status, 201)
      assert.strictEqual(created.headers.get("access-control-allow-origin"), "http://localhost:6274")
      assert.strictEqual(created.headers.get("access-control-expose-headers"), "WWW-Authenticate, Retry-After")
      assert.isNull(created.headers.get("access-control-allow-credentials"))
    }), 120_000)
})
