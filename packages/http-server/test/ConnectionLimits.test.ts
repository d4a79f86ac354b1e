/**
 * `NodeRegistrationServer`'s connection limits and its draining close, over real loopback sockets
 * with small limits: silent, slow and idle connections are closed, the caps refuse what exceeds
 * them, and a close lets the requests in flight finish before the backend goes away.
 */
import { RegistrationApi } from "@effect-dcr/http-server"
import * as NodeRegistrationServer from "@effect-dcr/http-server/NodeRegistrationServer"
import { HttpApiBuilder, HttpServer } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Context, Deferred, Effect, Exit, Fiber, Layer, Scope } from "effect"
import * as Net from "node:net"
import { fakeBackend } from "./support.js"

const created = { action: "CREATED" as const, responseContent: `{"client_id":"7"}` }
const updated = { action: "UPDATED" as const, responseContent: `{"client_id":"7","client_name":"b"}` }

/** A raw TCP connection: everything it received, and when it closed. */
const connect = (port: number) =>
  Effect.gen(function*() {
    const closed = yield* Deferred.make<string>()
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
    socket.once("close", () => Deferred.unsafeDone(closed, Exit.succeed(received)))
    /** Resolves with the text received so far once it contains `text`. */
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
    return { socket, closed: Deferred.await(closed), received: () => received, receivedText }
  })

const get = (path: string, headers = "") => `GET ${path} HTTP/1.1\r\nhost: localhost\r\n${headers}\r\n`

/** A registration server with `limits` on an ephemeral port, in its own scope (closed by `close`). */
const start = (limits: NodeRegistrationServer.Limits, backend = fakeBackend({}).layer) =>
  Effect.gen(function*() {
    const scope = yield* Scope.make()
    const context = yield* Layer.buildWithScope(
      NodeRegistrationServer.layer({ port: 0, host: "127.0.0.1", ...limits }),
      scope
    )
    const port = (Context.get(context, HttpServer.HttpServer).address as HttpServer.TcpAddress).port
    const base = `http://127.0.0.1:${port}`
    yield* Layer.buildWithScope(
      HttpApiBuilder.serve().pipe(
        Layer.provide(RegistrationApi.layer({ issuer: base })),
        Layer.provide(backend),
        Layer.provide(Layer.succeedContext(context))
      ),
      scope
    )
    yield* Effect.addFinalizer(() => Scope.close(scope, Exit.void))
    return { port, base, close: Scope.close(scope, Exit.void) }
  })

describe("NodeRegistrationServer connection limits", () => {
  it.scopedLive("a connection that sends nothing is closed after headersTimeout", () =>
    Effect.gen(function*() {
      const { port } = yield* start({ headersTimeout: "200 millis", requestTimeout: "5 seconds" })
      const silent = yield* connect(port)
      const received = yield* silent.closed
      assert.notInclude(received, "HTTP/1.1 2")
    }))

  it.scopedLive("a connection that sends part of its headers is answered 408 after headersTimeout", () =>
    Effect.gen(function*() {
      const { port } = yield* start({ headersTimeout: "200 millis", requestTimeout: "5 seconds" })
      const slow = yield* connect(port)
      slow.socket.write("POST /register HTTP/1.1\r\nhost: localhost\r\n")
      assert.match(yield* slow.closed, /^HTTP\/1\.1 408 /)
    }))

  it.scopedLive("a body that trickles in is answered 408 after requestTimeout", () =>
    Effect.gen(function*() {
      const backend = fakeBackend({ register: () => Effect.succeed(created) })
      const { port } = yield* start({ headersTimeout: "200 millis", requestTimeout: "400 millis" }, backend.layer)
      const slow = yield* connect(port)
      slow.socket.write(
        "POST /register HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"
      )
      assert.match(yield* slow.closed, /^HTTP\/1\.1 408 /)
      assert.strictEqual(backend.calls.length, 0)
    }))

  it.scopedLive("an idle keep-alive connection is closed after keepAliveTimeout", () =>
    Effect.gen(function*() {
      const { port } = yield* start({ keepAliveTimeout: "100 millis" })
      const client = yield* connect(port)
      client.socket.write(get("/.well-known/oauth-authorization-server"))
      assert.match(yield* client.receivedText("registration_endpoint"), /^HTTP\/1\.1 200 .*[\s\S]*keep-alive/i)
      yield* client.closed
    }))

  it.scopedLive("maxConnectionsPerAddress: a further connection from the same address is closed on arrival", () =>
    Effect.gen(function*() {
      const { port } = yield* start({ maxConnectionsPerAddress: 2 })
      const first = yield* connect(port)
      const second = yield* connect(port)
      // both are served (and so were accepted before the third arrives)
      for (const client of [first, second]) {
        client.socket.write(get("/.well-known/oauth-authorization-server"))
        yield* client.receivedText("registration_endpoint")
      }
      const third = yield* connect(port)
      third.socket.write(get("/.well-known/oauth-authorization-server"))
      assert.strictEqual(yield* third.closed, "", "closed without an answer")
      // a slot freed by a close is available again
      first.socket.destroy()
      yield* first.closed
      const fourth = yield* connect(port)
      fourth.socket.write(get("/.well-known/oauth-authorization-server"))
      yield* fourth.receivedText("registration_endpoint")
    }))

  it.scopedLive("maxConnections: a connection over the total is closed on arrival", () =>
    Effect.gen(function*() {
      const { port } = yield* start({ maxConnections: 2, maxConnectionsPerAddress: 0 })
      const first = yield* connect(port)
      const second = yield* connect(port)
      for (const client of [first, second]) {
        client.socket.write(get("/.well-known/oauth-authorization-server"))
        yield* client.receivedText("registration_endpoint")
      }
      const third = yield* connect(port)
      third.socket.write(get("/.well-known/oauth-authorization-server"))
      assert.strictEqual(yield* third.closed, "", "closed without an answer")
    }))

  it.effect("refuses invalid limits with a message naming the option", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [NodeRegistrationServer.Limits, string]> = [
        [{ maxConnections: -1 }, "maxConnections must be a whole number"],
        [{ maxConnectionsPerAddress: 1.5 }, "maxConnectionsPerAddress must be a whole number"],
        [{ requestTimeout: "soon" as any }, "requestTimeout must be a finite duration"],
        [{ shutdownTimeout: Infinity }, "shutdownTimeout must be a finite duration"],
        [{ headersTimeout: "2 seconds", requestTimeout: "1 second" }, "headersTimeout (2000 ms) must not exceed"]
      ]
      for (const [limits, message] of cases) {
        const exit = yield* Effect.exit(Effect.scoped(Layer.build(
          NodeRegistrationServer.layer({ port: 0, host: "127.0.0.1", ...limits })
        )))
        assert.isTrue(Exit.isFailure(exit))
        if (Exit.isFailure(exit)) assert.include(Cause.pretty(exit.cause, { renderErrorCause: true }), message)
      }
    }))
})

describe("NodeRegistrationServer close", () => {
  /**
   * A backend whose register and update wait for `release`, and that records when its layer is
   * released: a call after that fails the way a closed store does.
   */
  const slowBackend = Effect.gen(function*() {
    const events: Array<string> = []
    let open = true
    const answer = <A>(value: A) => Effect.suspend(() => open ? Effect.succeed(value) : Effect.dieMessage("closed"))
    const backend = fakeBackend({
      register: () => Effect.tap(answer(created), () => events.push("register answered")),
      update: () => Effect.tap(answer(updated), () => events.push("update answered"))
    })
    const layer = Layer.scopedContext(Effect.acquireRelease(
      Effect.map(Layer.build(backend.layer), (context) => context),
      () =>
        Effect.sync(() => {
          open = false
          events.push("backend released")
        })
    ))
    return { events, layer }
  })

  const slowPost = (path: string, method = "POST", headers = "") =>
    `${method} ${path} HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\n` +
    `expect: 100-continue\r\n${headers}content-length: 2\r\n\r\n`

  it.scopedLive(
    "stops accepting, closes silent and idle connections at once, lets POST and PUT in flight finish, then releases the backend",
    () =>
      Effect.gen(function*() {
        const backend = yield* slowBackend
        const server = yield* start({ shutdownTimeout: "30 seconds" }, backend.layer)

        const idle = yield* connect(server.port)
        idle.socket.write(get("/.well-known/oauth-authorization-server"))
        yield* idle.receivedText("registration_endpoint")
        const post = yield* connect(server.port)
        post.socket.write(slowPost("/register"))
        const put = yield* connect(server.port)
        put.socket.write(slowPost("/register/7", "PUT", "authorization: Bearer t\r\n"))
        // the 100 Continue says each request was received and handed to the app
        yield* post.receivedText("100 Continue")
        yield* put.receivedText("100 Continue")
        const silent = yield* connect(server.port)

        const closing = yield* Effect.fork(server.close)
        // silent and idle connections are closed at once, while the two requests are still in flight
        assert.strictEqual(yield* silent.closed, "")
        yield* idle.closed
        assert.deepStrictEqual(backend.events, [])
        const refused = yield* Effect.exit(connect(server.port))
        assert.isTrue(Exit.isFailure(refused), "no new connections")

        post.socket.write("{}")
        put.socket.write("{}")
        const posted = yield* post.closed
        const putted = yield* put.closed
        assert.match(posted, /HTTP\/1\.1 201 Created/)
        assert.include(posted, created.responseContent)
        assert.match(posted, /connection: close/i)
        assert.match(putted, /HTTP\/1\.1 200 OK/)
        assert.include(putted, updated.responseContent)
        yield* Fiber.join(closing)
        assert.deepStrictEqual(backend.events.slice(-1), ["backend released"])
        assert.sameMembers(backend.events.slice(0, 2), ["register answered", "update answered"])
      })
  )

  it.scopedLive("destroys the connections of requests still unfinished at shutdownTimeout", () =>
    Effect.gen(function*() {
      const backend = yield* slowBackend
      const server = yield* start({ shutdownTimeout: "200 millis", requestTimeout: "1 minute" }, backend.layer)
      const stuck = yield* connect(server.port)
      stuck.socket.write(slowPost("/register"))
      yield* stuck.receivedText("100 Continue")
      yield* server.close
      yield* stuck.closed
      assert.deepStrictEqual(backend.events, ["backend released"])
    }))
})
