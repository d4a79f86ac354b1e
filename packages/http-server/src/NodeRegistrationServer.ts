/**
 * A Node.js `HttpServer` (in place of `NodeHttpServer.layer`) that serves an `HttpApi` containing
 * `RegistrationApi.group` with an internal fast path for its register endpoint: same definition,
 * same logic, same responses, a fraction of the per-request cost. Everything else goes through the
 * platform's handler. It refuses to start where the fast path would bypass middleware.
 *
 * @since 0.1.0
 */
import { makeRegistrationError } from "@effect-dcr/schema"
import type * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import type * as Etag from "@effect/platform/Etag"
import * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import type * as HttpPlatform from "@effect/platform/HttpPlatform"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerError from "@effect/platform/HttpServerError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { identity, type LazyArg } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import type * as Net from "node:net"
import * as FastPath from "./internal/fastPath.js"
import { RegisterFastPath } from "./internal/fastPathService.js"
import * as Responses from "./internal/responses.js"

const unavailable = Responses.error(
  503,
  makeRegistrationError("temporarily_unavailable", "The server is shutting down.")
)

/** The fast path's service, when the served app is an `HttpApi` with the `registration` group. */
const fastPathService = Effect.gen(function*() {
  const api = yield* Effect.serviceOption(HttpApi.Api)
  if (Option.isNone(api)) return Option.none()
  const service = Context.getOption(api.value.context, RegisterFastPath)
  if (Option.isNone(service)) return service
  const middleware = yield* Effect.serviceOption(HttpApiBuilder.Middleware)
  const global = Option.isSome(middleware) ? yield* middleware.value.retrieve : identity
  const definition = api.value.api as unknown as HttpApi.HttpApi.AnyWithProps
  const group = definition.groups["registration"]
  if (
    global !== identity || definition.middlewares.size > 0 || group === undefined || group.middlewares.size > 0 ||
    (group.endpoints["register"]?.middlewares.size ?? 0) > 0
  ) {
    return yield* Effect.dieMessage(
      "NodeRegistrationServer: the register fast path cannot apply HttpApi middleware; serve this API with NodeHttpServer.layer instead"
    )
  }
  return service
})

/**
 * An `HttpServer` on a Node.js `http.Server`. Listens when built; requests that arrive before
 * `serve` wait for it (answered 503 if the server closes first); closes, waiting for requests in
 * flight, when its scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  evaluate: LazyArg<Http.Server>,
  listen: Net.ListenOptions
): Effect.Effect<HttpServer.HttpServer, HttpServerError.ServeError, Scope.Scope> =>
  Effect.gen(function*() {
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
          for (const [, response] of waiting) FastPath.writeRaw(response, unavailable)
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
          const service = yield* fastPathService
          if (Option.isSome(service) && middleware !== undefined) {
            return yield* Effect.dieMessage(
              "NodeRegistrationServer: the register fast path cannot apply the middleware given to serve; serve with NodeHttpServer.layer instead"
            )
          }
          const rest = yield* (middleware === undefined
            ? NodeHttpServer.makeHandler(app)
            : NodeHttpServer.makeHandler(app, middleware as any))
          let handler = rest
          if (Option.isSome(service)) {
            const fast = yield* FastPath.makeHandler(service.value)
            handler = (request, response) => {
              if (!fast(request, response)) rest(request, response)
            }
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
 * `make` as a layer with the Node.js platform services, in place of
 * `NodeHttpServer.layer(createServer, listen)`.
 *
 * @example
 * ```ts
 * import { Engine } from "@effect-dcr/engine"
 * import { RegistrationApi } from "@effect-dcr/http-server"
 * import * as NodeRegistrationServer from "@effect-dcr/http-server/NodeRegistrationServer"
 * import { HttpApiBuilder } from "@effect/platform"
 * import { Layer } from "effect"
 *
 * const issuer = "http://127.0.0.1:3000"
 * const Main = HttpApiBuilder.serve().pipe(
 *   Layer.provide(RegistrationApi.layer({ issuer })),
 *   Layer.provide(Engine.layerSqlite({ filename: "dcr.sqlite", registrationEndpoint: `${issuer}/register` })),
 *   Layer.provide(NodeRegistrationServer.layer({ port: 3000, host: "127.0.0.1" }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  listen: Net.ListenOptions
): Layer.Layer<
  HttpServer.HttpServer | HttpPlatform.HttpPlatform | Etag.Generator | NodeContext.NodeContext,
  HttpServerError.ServeError
> =>
  Layer.merge(Layer.scoped(HttpServer.HttpServer, make(() => Http.createServer(), listen)), NodeHttpServer.layerContext)
