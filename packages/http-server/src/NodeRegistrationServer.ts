/**
 * A Node.js `HttpServer` (in place of `NodeHttpServer.layer`) that serves an `HttpApi` containing
 * `RegistrationApi.group` with an internal fast path for its register endpoint: same definition,
 * same logic, same responses, a fraction of the per-request cost. Everything else goes through the
 * platform's handler. It refuses to start where the fast path would bypass middleware, except
 * `Observability.middleware`, which it applies on the fast path too. It limits connections (count,
 * per address, timeouts) and closes by draining, within a deadline.
 *
 * @since 0.1.0
 */
import { makeRegistrationError } from "@effect-dcr/schema"
import type * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import type * as Etag from "@effect/platform/Etag"
import * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import type * as HttpApp from "@effect/platform/HttpApp"
import type * as HttpPlatform from "@effect/platform/HttpPlatform"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerError from "@effect/platform/HttpServerError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { identity, type LazyArg } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import type * as Net from "node:net"
import * as Connections from "./internal/connections.js"
import * as FastPath from "./internal/fastPath.js"
import { RegisterFastPath } from "./internal/fastPathService.js"
import * as Responses from "./internal/responses.js"
import * as Observability from "./Observability.js"
import * as RegistrationResponse from "./RegistrationResponse.js"

const unavailable = Responses.error(
  503,
  makeRegistrationError("temporarily_unavailable", "The server is shutting down.")
)

/**
 * The router's misses that no route can catch (a path that does not percent-decode, a parameter
 * longer than the router's limit) fail with `RouteNotFound`, which the platform answers with an
 * empty 404: here they get the JSON `not_found` body, as every other unknown path.
 */
const answerRouteNotFound = <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R> =>
  Effect.catchIf(
    app,
    (error) => HttpServerError.isServerError(error) && error._tag === "RouteNotFound",
    () => Effect.succeed(RegistrationResponse.notFound)
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
 * The connection limits and the shutdown deadline. Each is on by default (`defaultLimits`); `0`
 * switches one off (a `shutdownTimeout` of `0` closes every connection at once).
 *
 * @since 0.1.0
 * @category models
 */
export interface Limits {
  /** The most open connections; further ones are closed on arrival. */
  readonly maxConnections?: number | undefined
  /**
   * The most open connections from one client address (the TCP peer; an IPv6 peer counted by its /64,
   * as the rate limits do); further ones are closed on arrival.
   */
  readonly maxConnectionsPerAddress?: number | undefined
  /** The time a connection has to send a request's headers (answered 408 and closed after it). */
  readonly headersTimeout?: Duration.DurationInput | undefined
  /** The time a connection has to send a whole request, body included (408 and closed after it). */
  readonly requestTimeout?: Duration.DurationInput | undefined
  /** How long an idle keep-alive connection stays open. */
  readonly keepAliveTimeout?: Duration.DurationInput | undefined
  /** At close, how long requests in flight have to finish before their connections are destroyed. */
  readonly shutdownTimeout?: Duration.DurationInput | undefined
}

/**
 * The default limits: 512 connections (each request in flight may hold a 64 KiB body, so at most
 * 32 MiB of bodies, within `pnpm start`'s 128 MiB heap), 64 per address, 10 s for the headers, 30 s
 * for the whole request, 5 s keep-alive, 10 s to drain at close.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultLimits: {
  readonly maxConnections: number
  readonly maxConnectionsPerAddress: number
  readonly headersTimeout: Duration.Duration
  readonly requestTimeout: Duration.Duration
  readonly keepAliveTimeout: Duration.Duration
  readonly shutdownTimeout: Duration.Duration
} = {
  maxConnections: 512,
  maxConnectionsPerAddress: 64,
  headersTimeout: Duration.seconds(10),
  requestTimeout: Duration.seconds(30),
  keepAliveTimeout: Duration.seconds(5),
  shutdownTimeout: Duration.seconds(10)
}

/**
 * Where to listen (`net.ListenOptions`) and the limits.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends Net.ListenOptions, Limits {}

const invalid = (message: string) =>
  Effect.fail(new HttpServerError.ServeError({ cause: new Error(`NodeRegistrationServer: ${message}`) }))

const count = (name: keyof Limits, value: number | undefined, fallback: number) => {
  const n = value ?? fallback
  return Number.isSafeInteger(n) && n >= 0
    ? Effect.succeed(n)
    : invalid(`${name} must be a whole number >= 0 (0: no limit), got ${n}`)
}

const millis = (name: keyof Limits, value: Duration.DurationInput | undefined, fallback: Duration.Duration) => {
  const duration = Duration.decodeUnknown(value ?? fallback)
  const ms = duration._tag === "Some" ? Duration.toMillis(duration.value) : NaN
  return Number.isFinite(ms) && ms >= 0 && ms <= 2 ** 31 - 1
    ? Effect.succeed(Math.round(ms))
    : invalid(`${name} must be a finite duration >= 0 (0: off), got ${String(value)}`)
}

const resolveLimits = (limits: Limits): Effect.Effect<Connections.Limits, HttpServerError.ServeError> =>
  Effect.gen(function*() {
    const resolved: Connections.Limits = {
      maxConnections: yield* count("maxConnections", limits.maxConnections, defaultLimits.maxConnections),
      maxConnectionsPerAddress: yield* count(
        "maxConnectionsPerAddress",
        limits.maxConnectionsPerAddress,
        defaultLimits.maxConnectionsPerAddress
      ),
      headersTimeout: yield* millis("headersTimeout", limits.headersTimeout, defaultLimits.headersTimeout),
      requestTimeout: yield* millis("requestTimeout", limits.requestTimeout, defaultLimits.requestTimeout),
      keepAliveTimeout: yield* millis("keepAliveTimeout", limits.keepAliveTimeout, defaultLimits.keepAliveTimeout),
      shutdownTimeout: yield* millis("shutdownTimeout", limits.shutdownTimeout, defaultLimits.shutdownTimeout)
    }
    if (
      resolved.headersTimeout > 0 && resolved.requestTimeout > 0 && resolved.headersTimeout > resolved.requestTimeout
    ) {
      return yield* invalid(
        `headersTimeout (${resolved.headersTimeout} ms) must not exceed requestTimeout (${resolved.requestTimeout} ms)`
      )
    }
    return resolved
  })

/**
 * An `HttpServer` on a Node.js `http.Server`, with `options`' limits. Listens when built; requests
 * that arrive before `serve` wait for it (answered 503 if the server closes first).
 *
 * It closes by draining: when the scope of `serve` closes (before the services the app was built
 * with, such as the client store), it stops accepting, closes every connection with no request in
 * progress (idle, silent, still sending headers), lets the requests in flight finish (their
 * connections close after the response), and destroys what remains after `shutdownTimeout`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  evaluate: LazyArg<Http.Server>,
  options: Options = {}
): Effect.Effect<HttpServer.HttpServer, HttpServerError.ServeError, Scope.Scope> =>
  Effect.gen(function*() {
    const {
      headersTimeout,
      keepAliveTimeout,
      maxConnections,
      maxConnectionsPerAddress,
      requestTimeout,
      shutdownTimeout,
      ...listen
    } = options
    const limits = yield* resolveLimits({
      headersTimeout,
      keepAliveTimeout,
      maxConnections,
      maxConnectionsPerAddress,
      requestTimeout,
      shutdownTimeout
    })
    let waiting: Array<readonly [Http.IncomingMessage, Http.ServerResponse]> = []
    const hold = (request: Http.IncomingMessage, response: Http.ServerResponse) => {
      waiting.push([request, response])
    }
    const { server, connections } = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const server = evaluate()
        const connections = Connections.make(server, limits)
        server.on("request", hold)
        return { server, connections }
      }),
      ({ connections }) =>
        Effect.async<void>((resume) => {
          for (const [, response] of waiting) FastPath.writeRaw(response, unavailable)
          waiting = []
          connections.close(() => resume(Effect.void))
        })
    )
    const drain = Effect.async<void>((resume) => connections.close(() => resume(Effect.void)))
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
          const observe = Observability.settingsOf(middleware)
          if (Option.isSome(service) && middleware !== undefined && observe === undefined) {
            return yield* Effect.dieMessage(
              "NodeRegistrationServer: the register fast path cannot apply the middleware given to serve (only Observability.middleware); serve with NodeHttpServer.layer instead"
            )
          }
          const routed = answerRouteNotFound(app)
          const rest = yield* (middleware === undefined
            ? NodeHttpServer.makeHandler(routed)
            : NodeHttpServer.makeHandler(routed, middleware as any))
          let handler = rest
          if (Option.isSome(service)) {
            const fast = yield* FastPath.makeHandler(service.value, observe)
            handler = (request, response) => {
              if (!fast(request, response)) rest(request, response)
            }
          }
          // The app's services (the backend, its store) are released after this scope: drain first.
          yield* Effect.addFinalizer(() =>
            Effect.zipRight(
              drain,
              Effect.sync(() => {
                server.off("request", handler)
                server.on("request", hold)
              })
            )
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
 * `NodeHttpServer.layer(createServer, listen)`: `options` are the listen options and the limits.
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
  options: Options
): Layer.Layer<
  HttpServer.HttpServer | HttpPlatform.HttpPlatform | Etag.Generator | NodeContext.NodeContext,
  HttpServerError.ServeError
> =>
  Layer.merge(
    Layer.scoped(HttpServer.HttpServer, make(() => Http.createServer(), options)),
    NodeHttpServer.layerContext
  )
