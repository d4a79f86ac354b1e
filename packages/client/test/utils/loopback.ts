/**
 * A real node:http server on 127.0.0.1 (ephemeral port) that records every request and lets a
 * test decide how (or whether) to answer. Closed with the scope.
 */
import * as Loopback from "@effect-dcr/testing/Loopback"
import { Deferred, Effect, FiberId, Queue } from "effect"
import type { Scope } from "effect"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"

export interface Captured {
  readonly method: string
  readonly url: string
  readonly headers: Http.IncomingHttpHeaders
  readonly body: string
  /** Resolves when the server side of this request's socket is closed. */
  readonly socketClosed: Deferred.Deferred<void>
}

export type Handler = (request: Captured, response: Http.ServerResponse) => void

export const answerJson =
  (status: number, body: unknown, headers: Record<string, string> = {}): Handler => (_, res) => {
    res.writeHead(status, { "content-type": "application/json", ...headers })
    res.end(JSON.stringify(body))
  }

export const neverAnswer: Handler = () => {}

export const destroyAfterReading: Handler = (_, res) => {
  res.socket?.destroy()
}

export const loopback = (handler: Handler): Effect.Effect<
  { readonly url: string; readonly requests: Queue.Queue<Captured> },
  never,
  Scope.Scope
> =>
  Effect.gen(function*() {
    const requests = yield* Queue.unbounded<Captured>()
    const server = Http.createServer((req, res) => {
      const chunks: Array<Buffer> = []
      req.on("data", (chunk: Buffer) => chunks.push(chunk))
      req.on("end", () => {
        const socketClosed = Deferred.unsafeMake<void>(FiberId.none)
        if (req.socket.destroyed) Deferred.unsafeDone(socketClosed, Effect.void)
        else req.socket.once("close", () => Deferred.unsafeDone(socketClosed, Effect.void))
        const captured: Captured = {
          method: req.method ?? "",
          url: req.url ?? "",
          headers: req.headers,
          body: Buffer.concat(chunks).toString("utf8"),
          socketClosed
        }
        Queue.unsafeOffer(requests, captured)
        handler(captured, res)
      })
    })
    const { url } = yield* Loopback.listen(server)
    return { url, requests }
  })

/** A port on 127.0.0.1 where nothing listens (bound, then released). */
export const closedPort: Effect.Effect<number> = Effect.async<number>((resume) => {
  const server = Http.createServer()
  server.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as AddressInfo
    server.close(() => resume(Effect.succeed(port)))
  })
})
