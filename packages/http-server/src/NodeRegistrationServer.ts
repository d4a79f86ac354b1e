/**
 * A Node.js `HttpServer` with a fast path for the registration endpoint.
 *
 * `POST {path}` is the hot path of a registration server: every client registers, and MCP clients
 * re-register often. On the stock platform server each request pays for the generic request
 * pipeline (request wrapper, router, middleware, response handling), which costs more here than the
 * registration itself. This server answers `POST {path}` straight from the Node.js request on a
 * runtime captured once, with the same guards, backend call and response mapping as
 * `RegistrationRouter` (it shares `RequestBody`, `BearerToken` and `RegistrationRouter.responder`),
 * and hands every other request to the application served with `HttpServer.serve` as usual.
 *
 * It provides `HttpServer.HttpServer`, so it replaces `NodeHttpServer.layer` one for one. The
 * registration backend must be in the context of `HttpServer.serve`. WebSocket upgrades are not
 * served.
 *
 * @since 0.1.0
 */
import { DynamicClientRegistration } from "@effect-dcr/client"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerError from "@effect/platform/HttpServerError"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type { LazyArg } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Runtime from "effect/Runtime"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import type * as Net from "node:net"
import * as BearerToken from "./BearerToken.js"
import * as RegistrationResponse from "./RegistrationResponse.js"
import * as RegistrationRouter from "./RegistrationRouter.js"
import * as RequestBody from "./RequestBody.js"
import { BodyReadError, PayloadTooLarge, UnsupportedContentType } from "./RequestError.js"

/**
 * Where the registration endpoint is served and how (the same options as `RegistrationRouter`, whose
 * routes the application must also serve for the other methods and the RFC 7592 paths).
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends RegistrationRouter.Options {}

/**
 * A Node.js request listener that answers `POST {path}` and returns `true`, or returns `false`
 * without touching the request.
 *
 * @since 0.1.0
 * @category models
 */
export type FastHandler = (request: Http.IncomingMessage, response: Http.ServerResponse) => boolean

/**
 * Writes a platform response built from a Uint8Array or an empty body (the only kinds the
 * endpoints produce) to Node.js.
 */
const write = (target: Http.ServerResponse, response: HttpServerResponse.HttpServerResponse): void => {
  if (target.headersSent || target.destroyed) return
  const body = response.body
  const headers: Record<string, string | number> = { ...response.headers }
  switch (body._tag) {
    case "Uint8Array": {
      headers["content-type"] = body.contentType
      headers["content-length"] = body.body.length
      target.writeHead(response.status, headers)
      target.end(body.body)
      return
    }
    case "Empty": {
      target.writeHead(response.status, headers)
      target.end()
      return
    }
    default: {
      write(target, RegistrationResponse.serverError)
    }
  }
}

/**
 * Writes a `RawResponse` in one `writeHead` + `end`: the body goes as a string, so Node sends the
 * head and the body in a single write, with `Content-Length`.
 */
const writeRaw = (target: Http.ServerResponse, response: RegistrationResponse.RawResponse): void => {
  if (target.headersSent || target.destroyed) return
  const body = response.body
  if (body === undefined) {
    target.writeHead(response.status, response.headers as Array<string>)
    target.end()
  } else {
    target.writeHead(response.status, [...response.headers, "content-length", String(Buffer.byteLength(body))])
    target.end(body)
  }
}

const unavailable = RegistrationResponse.error(503, {
  error: "temporarily_unavailable",
  error_description: "The server is shutting down."
})

/**
 * Builds the fast `POST {path}` listener on the current runtime and `DynamicClientRegistration`
 * service, once.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeHandler = (
  options?: Options | undefined
): Effect.Effect<FastHandler, never, DynamicClientRegistration.DynamicClientRegistration> =>
  Effect.gen(function*() {
    const service = yield* DynamicClientRegistration.DynamicClientRegistration
    const runtime = yield* Effect.runtime<never>()
    const runCallback = Runtime.runCallback(runtime)
    const path = RegistrationRouter.normalisePath(options?.path ?? RegistrationRouter.defaultPath)
    const maxBytes = options?.maxBodySize ?? RequestBody.defaultMaxBytes
    const { registerRaw } = RegistrationRouter.responder(options)
    const unsupportedContentType = new UnsupportedContentType({ contentType: undefined }).response
    const tooLarge = new PayloadTooLarge({ limit: maxBytes }).response
    const unreadable = new BodyReadError({ cause: undefined }).response

    const answer = (target: Http.ServerResponse, json: string, token: string | undefined) =>
      runCallback(registerRaw(service, json, token), {
        onExit: (exit) => writeRaw(target, Exit.isSuccess(exit) ? exit.value : RegistrationResponse.rawServerError)
      })

    const handle = (request: Http.IncomingMessage, response: Http.ServerResponse): void => {
      if (!RequestBody.isJsonContentType(request.headers["content-type"])) {
        request.resume()
        return write(response, unsupportedContentType)
      }
      if (RequestBody.declaresMoreThan(request.headers["content-length"], maxBytes)) {
        request.resume()
        return write(response, tooLarge)
      }
      const token = BearerToken.parse(request.headers["authorization"])
      const chunks: Array<Buffer> = []
      let size = 0
      let done = false
      request.on("data", (chunk: Buffer) => {
        if (done) return
        size += chunk.length
        if (size > maxBytes) {
          done = true
          write(response, tooLarge)
        } else {
          chunks.push(chunk)
        }
      })
      request.on("end", () => {
        if (done) return
        done = true
        const json = size === 0 ? "" : (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)).toString("utf8")
        const malformed = RequestBody.checkObject(json)
        if (malformed !== undefined) return write(response, malformed.response)
        answer(response, json, token)
      })
      request.on("error", () => {
        if (done) return
        done = true
        write(response, unreadable)
      })
    }

    return (request, response) => {
      if (request.method !== "POST") return false
      const url = request.url ?? ""
      const query = url.indexOf("?")
      if ((query === -1 ? url : url.slice(0, query)) !== path) return false
      handle(request, response)
      return true
    }
  })

/**
 * An `HttpServer` on a Node.js `http.Server`: `POST {path}` takes the fast path, everything else
 * goes to the served application. Listens when built; requests that arrive before `serve` wait for
 * it (the stock server leaves them hanging); closes (waiting for requests in flight) when its scope
 * closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  evaluate: LazyArg<Http.Server>,
  listen: Net.ListenOptions,
  options?: Options | undefined
): Effect.Effect<HttpServer.HttpServer, HttpServerError.ServeError, Scope.Scope> =>
  Effect.gen(function*() {
    // Requests that arrive after `listen` but before `serve` installs the handler (while the
    // backend is still starting) wait here instead of hanging; they are answered once serving
    // starts, or with 503 if the server closes first.
    let waiting: Array<readonly [Http.IncomingMessage, Http.ServerResponse]> = []
    const hold = (request: Http.IncomingMessage, response: Http.ServerResponse) => {
      waiting.push([request, response])
    }
    const server = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const server = evaluate()
        server.on("request", hold)
        return server
      }),
      (server) =>
        Effect.async<void>((resume) => {
          for (const [, response] of waiting) write(response, unavailable)
          waiting = []
          if (!server.listening) return resume(Effect.void)
          server.close(() => resume(Effect.void))
          server.closeIdleConnections()
        })
    )
    yield* Effect.async<void, HttpServerError.ServeError>((resume) => {
      const onError = (cause: Error) => resume(Effect.fail(new HttpServerError.ServeError({ cause })))
      server.once("error", onError)
      server.listen(listen, () => {
        server.off("error", onError)
        resume(Effect.void)
      })
    })
    const address = server.address()!
    return HttpServer.make({
      address: typeof address === "string"
        ? { _tag: "UnixAddress", path: address }
        : { _tag: "TcpAddress", hostname: address.address === "::" ? "0.0.0.0" : address.address, port: address.port },
      serve: (app, middleware) =>
        Effect.gen(function*() {
          const service = yield* Effect.serviceOption(DynamicClientRegistration.DynamicClientRegistration)
          if (Option.isNone(service)) {
            return yield* Effect.dieMessage(
              "NodeRegistrationServer: provide DynamicClientRegistration to HttpServer.serve (the registration fast path needs it)"
            )
          }
          const fast = yield* makeHandler(options).pipe(
            Effect.provideService(DynamicClientRegistration.DynamicClientRegistration, service.value)
          )
          const rest = yield* (middleware === undefined
            ? NodeHttpServer.makeHandler(app)
            : NodeHttpServer.makeHandler(app, middleware as any))
          const handler = (request: Http.IncomingMessage, response: Http.ServerResponse) => {
            if (!fast(request, response)) rest(request, response)
          }
          yield* Effect.addFinalizer(() =>
            Effect.sync(() => {
              server.off("request", handler)
              server.on("request", hold)
            })
          )
          server.off("request", hold)
          server.on("request", handler)
          const held = waiting
          waiting = []
          for (const [request, response] of held) handler(request, response)
        })
    })
  })

/**
 * `make` as a layer, in place of `NodeHttpServer.layer(createServer, listen)`.
 *
 * @example
 * ```ts
 * import { NodeRegistrationServer, RegistrationRouter } from "@effect-dcr/http-server"
 * import { Engine } from "@effect-dcr/engine"
 * import { HttpServer } from "@effect/platform"
 * import { Layer } from "effect"
 *
 * const Main = HttpServer.serve(RegistrationRouter.router).pipe(
 *   Layer.provide(Engine.layerSqlite({ filename: "dcr.sqlite", registrationEndpoint: "http://127.0.0.1:3000/register" })),
 *   Layer.provide(NodeRegistrationServer.layer({ port: 3000, host: "127.0.0.1" }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  listen: Net.ListenOptions,
  options?: Options | undefined
): Layer.Layer<HttpServer.HttpServer, HttpServerError.ServeError> =>
  Layer.scoped(HttpServer.HttpServer, make(() => Http.createServer(), listen, options))
