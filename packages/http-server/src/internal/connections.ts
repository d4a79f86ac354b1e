/**
 * Connection limits and the draining close of a Node.js `http.Server`. The limits are Node's own
 * (`maxConnections`, `headersTimeout`, `requestTimeout`, `keepAliveTimeout`, checked often enough to
 * matter) plus a cap per client address. The close stops accepting, closes at once every connection
 * with no request in progress (idle, silent, still sending headers), lets the requests in flight
 * finish with `Connection: close`, and destroys what is left at the deadline.
 *
 * @internal
 */
import type * as Http from "node:http"
import type * as Net from "node:net"
import { addressKey } from "./rateLimiter.js"

/** The limits in milliseconds and counts; `0` switches one off (a `shutdownTimeout` of 0 gives no grace). @internal */
export interface Limits {
  readonly maxConnections: number
  readonly maxConnectionsPerAddress: number
  readonly headersTimeout: number
  readonly requestTimeout: number
  readonly keepAliveTimeout: number
  readonly shutdownTimeout: number
}

/** How often Node looks for expired requests: a quarter of the shorter timeout, 25 ms to 1 s. */
const checkingInterval = (limits: Limits): number => {
  const timeouts = [limits.headersTimeout, limits.requestTimeout].filter((ms) => ms > 0)
  return timeouts.length === 0 ? 1000 : Math.max(25, Math.min(1000, Math.floor(Math.min(...timeouts) / 4)))
}

/**
 * The key the per-address cap counts by: the rate limits' own (`addressKey`), so an IPv6 client is
 * counted by its /64 as there, and an IPv4-mapped address as its IPv4 form.
 */
const addressOf = (socket: Net.Socket): string | undefined => {
  const address = socket.remoteAddress
  return address === undefined ? undefined : addressKey(address)
}

/** During a close, every new response ends its connection. */
const closeAfterResponse = (_request: Http.IncomingMessage, response: Http.ServerResponse) => {
  response.shouldKeepAlive = false
}

/** @internal */
export interface Connections {
  /** Closes the server as described above; calls back once it is closed (every later call too). */
  readonly close: (onClosed: () => void) => void
}

/**
 * Applies `limits` to `server` (before it listens) and tracks its connections.
 *
 * @internal
 */
export const make = (server: Http.Server, limits: Limits): Connections => {
  server.maxConnections = limits.maxConnections === 0 ? Infinity : limits.maxConnections
  server.headersTimeout = limits.headersTimeout
  server.requestTimeout = limits.requestTimeout
  server.keepAliveTimeout = limits.keepAliveTimeout // a `createServer` option that Node reads when the server starts listening
  ;(server as { connectionsCheckingInterval?: number }).connectionsCheckingInterval = checkingInterval(limits)

  const sockets = new Set<Net.Socket>()
  const perAddress = new Map<string, number>()
  const cap = limits.maxConnectionsPerAddress

  server.on("connection", (socket: Net.Socket) => {
    const address = cap > 0 ? addressOf(socket) : undefined
    if (address !== undefined) {
      const count = (perAddress.get(address) ?? 0) + 1
      if (count > cap) {
        socket.destroy()
        return
      }
      perAddress.set(address, count)
    }
    sockets.add(socket)
    socket.once("close", () => {
      sockets.delete(socket)
      if (address === undefined) return
      const count = perAddress.get(address)! - 1
      if (count === 0) perAddress.delete(address)
      else perAddress.set(address, count)
    })
  })

  let closed = false
  let waiting: Array<() => void> | undefined
  const close = (onClosed: () => void): void => {
    if (closed) return onClosed()
    if (waiting !== undefined) {
      waiting.push(onClosed)
      return
    }
    waiting = [onClosed]
    let deadline: ReturnType<typeof setTimeout> | undefined
    const done = () => {
      closed = true
      if (deadline !== undefined) clearTimeout(deadline)
      const callbacks = waiting!
      waiting = []
      for (const callback of callbacks) callback()
    }
    if (!server.listening) return done()
    server.prependListener("request", closeAfterResponse)
    server.close(done)
    for (const socket of sockets) {
      // Node's own bookkeeping (`closeIdleConnections` reads it too): the response in progress on
      // this connection, `null` when no request has been received on it (idle, silent, slow headers).
      const current = (socket as unknown as { readonly _httpMessage?: Http.ServerResponse | null })._httpMessage
      if (current == null) socket.destroy()
      else if (!current.headersSent) current.shouldKeepAlive = false
      else if (current.writableEnded) socket.end()
      else current.once("finish", () => socket.end())
    }
    if (sockets.size > 0) {
      deadline = setTimeout(() => {
        server.closeAllConnections()
        for (const socket of sockets) socket.destroy()
      }, limits.shutdownTimeout)
    }
  }

  return { close }
}
