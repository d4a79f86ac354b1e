/**
 * Shutdown: SIGTERM to a real `serve` holding a silent connection (never a byte), a slow body that
 * never completes, an idle keep-alive connection, and a POST and a PUT whose bodies are half sent:
 * the bodies completed after the signal are answered normally (201, 200: the store closes only
 * after the HTTP server has drained), the silent and idle connections are closed at once, the slow
 * one at the deadline, new connections are refused, and the process exits 0 within the deadline
 * (DCR_SHUTDOWN_TIMEOUT, with slack for a loaded machine).
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { connect, type Socket } from "node:net"
import { join } from "node:path"
import { build, exited, figure, Hygiene, json, kill, must, send, type Serve, serve, tempDirectory } from "./support.js"

const deadlineSeconds = 3
/** Slack over the deadline for a loaded CI machine; a shutdown that hangs takes forever, not this. */
const slackSeconds = 7

const hygiene = new Hygiene()
const dir = tempDirectory()
let server: Serve | undefined

beforeAll(() => {
  build()
}, 180_000)

afterAll(async () => {
  if (server !== undefined) await kill(server)
  dir.remove()
})

interface Raw {
  readonly socket: Socket
  /** Everything the server sent. */
  readonly received: () => string
  /** Resolves with the time (ms, performance.now) the connection closed. */
  readonly closed: Promise<number>
}

/** A raw TCP connection to the server; resolves once connected. */
const open = (base: string): Promise<Raw> => {
  const url = new URL(base)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname)
    let received = ""
    socket.on("data", (chunk) => (received += chunk.toString("utf8")))
    const closed = new Promise<number>((done) => socket.once("close", () => done(performance.now())))
    socket.once("error", () => {})
    socket.once("connect", () => resolve({ socket, received: () => received, closed }))
    socket.once("error", reject)
  })
}

const statusOf = (text: string): number | undefined => {
  const match = /^HTTP\/1\.1 (\d{3})/.exec(text)
  return match === null ? undefined : Number(match[1])
}

/** Headers and the first half of a JSON body; `finish` sends the rest. */
const halfSent = async (base: string, method: string, path: string, body: string, token?: string) => {
  const raw = await open(base)
  const head = `${method} ${path} HTTP/1.1\r\nhost: ${new URL(base).host}\r\ncontent-type: application/json\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\n${
      token === undefined ? "" : `authorization: Bearer ${token}\r\n`
    }\r\n`
  const half = Math.floor(body.length / 2)
  raw.socket.write(head + body.slice(0, half))
  return { ...raw, finish: () => raw.socket.write(body.slice(half)) }
}

/** Resolves once `raw` received a complete response (headers and a Content-Length body). */
const answered = (raw: Raw, timeout: number) =>
  new Promise<string>((resolve) => {
    const check = () => {
      const text = raw.received()
      const end = text.indexOf("\r\n\r\n")
      const length = /content-length: (\d+)/i.exec(text)?.[1]
      if (end !== -1 && length !== undefined && Buffer.byteLength(text.slice(end + 4)) >= Number(length)) {
        clearInterval(timer)
        resolve(text)
      }
    }
    const timer = setInterval(check, 20)
    setTimeout(() => {
      clearInterval(timer)
      resolve(raw.received())
    }, timeout)
    raw.socket.on("data", check)
  })

describe("reliability: shutdown", () => {
  it(
    "SIGTERM with silent, slow, idle and in-flight connections: in-flight answered, exit 0 within the deadline",
    async () => {
      server = await serve(
        {
          DCR_DATABASE_URL: `sqlite:${join(dir.path, "shutdown.sqlite")}`,
          DCR_SHUTDOWN_TIMEOUT: `${deadlineSeconds} seconds`
        },
        hygiene,
        "shutdown serve"
      )
      const base = server.base
      const created = await must(
        `${base}/register`,
        json("POST", { client_name: "before", redirect_uris: ["https://rp.example/cb"] })
      )
      assert.strictEqual(created.status, 201, created.body)
      hygiene.addFromBody(created.body)
      const client = JSON.parse(created.body) as { client_id: string; registration_access_token: string }

      const silent = await open(base)
      const slow = await open(base)
      slow.socket.write(
        `POST /register HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"client_name":"`
      )
      const idle = await open(base)
      idle.socket.write(`GET /.well-known/oauth-authorization-server HTTP/1.1\r\nhost: x\r\n\r\n`)
      assert.strictEqual(statusOf(await answered(idle, 5_000)), 200, "the idle connection had one request answered")
      const post = await halfSent(
        base,
        "POST",
        "/register",
        JSON.stringify({ client_name: "in flight", redirect_uris: ["https://rp.example/cb"] })
      )
      const put = await halfSent(
        base,
        "PUT",
        `/register/${client.client_id}`,
        JSON.stringify({
          client_id: client.client_id,
          client_name: "updated in flight",
          redirect_uris: ["https://rp.example/cb"]
        }),
        client.registration_access_token
      )
      // let the server parse the in-flight requests' headers (they are then requests in flight, not idle sockets)
      await new Promise((resolve) => setTimeout(resolve, 300))

      const signalled = performance.now()
      server.child.kill("SIGTERM")
      await new Promise((resolve) => setTimeout(resolve, 100))
      post.finish()
      put.finish()
      const [postAnswer, putAnswer] = await Promise.all([answered(post, 10_000), answered(put, 10_000)])
      const refused = await send(`${base}/.well-known/oauth-authorization-server`, { timeout: 2_000 })
      const exit = await Promise.race([
        exited(server),
        new Promise<"hang">((resolve) => setTimeout(() => resolve("hang"), (deadlineSeconds + slackSeconds) * 1000))
      ])
      const ended = performance.now()
      const closedAt = async (raw: Raw) => {
        const at = await Promise.race([raw.closed, new Promise<undefined>((resolve) => setTimeout(resolve, 1_000))])
        return at === undefined ? "open" : `${((at - signalled) / 1000).toFixed(2)} s`
      }
      const fates = {
        silent: await closedAt(silent),
        idle: await closedAt(idle),
        slow: `${await closedAt(slow)} (${statusOf(slow.received()) ?? "no answer"})`
      }
      figure(
        "shutdown",
        `SIGTERM → exit ${exit === "hang" ? "HANG" : `${exit.code ?? exit.signal}`} after ${
          ((ended - signalled) / 1000).toFixed(2)
        } s (deadline ${deadlineSeconds} s); in-flight POST ${statusOf(postAnswer)}, PUT ${statusOf(putAnswer)}; ` +
          `closed: silent ${fates.silent}, idle ${fates.idle}, slow body ${fates.slow}; new connection: ${
            refused._tag === "Error" ? refused.message : refused._tag
          }`
      )
      assert.notStrictEqual(
        exit,
        "hang",
        `no exit within ${deadlineSeconds + slackSeconds} s:\n${server.output.stderr}`
      )
      assert.deepStrictEqual(exit, { code: 0, signal: null }, server.output.stderr)
      assert.strictEqual(statusOf(postAnswer), 201, postAnswer)
      hygiene.addFromBody(postAnswer.slice(postAnswer.indexOf("\r\n\r\n") + 4))
      assert.strictEqual(statusOf(putAnswer), 200, putAnswer)
      assert.strictEqual(refused._tag, "Error", "no new connection is accepted after SIGTERM")
      assert.notStrictEqual(fates.silent, "open")
      assert.notStrictEqual(fates.idle, "open")

      // the in-flight update is in the file
      server = await serve(
        { DCR_DATABASE_URL: `sqlite:${join(dir.path, "shutdown.sqlite")}` },
        hygiene,
        "shutdown serve 2"
      )
      const read = await must(`${server.base}/register/${client.client_id}`, {
        headers: { authorization: `Bearer ${client.registration_access_token}` }
      })
      assert.strictEqual(JSON.parse(read.body).client_name, "updated in flight")
      const scan = hygiene.scan()
      figure(
        "shutdown secret hygiene",
        `${scan.lines} log lines at debug level, ${hygiene.secrets.size} secrets, ${scan.found.length} found`
      )
      assert.deepStrictEqual(scan.found, [])
    },
    60_000
  )
})
