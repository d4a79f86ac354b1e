/**
 * One `HttpMiddleware` for what an operator needs on every response: an `X-Request-Id` (the
 * caller's when it is sane, else a fresh UUID) echoed on the response and put on every log line of
 * the request as `request_id`; the `http.server.request.duration` metric by route; and, when asked,
 * an access log line per request. `NodeRegistrationServer` recognises it and applies the same
 * definition on its fast path, so `POST /register` is observed too.
 *
 * @since 0.1.0
 */
import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Internal from "./internal/observability.js"

/**
 * The request id header, `x-request-id`.
 *
 * @since 0.1.0
 * @category constants
 */
export const requestIdHeader: string = Internal.requestIdHeader

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * Log one info line per answered request: method, route template, path (without the query),
   * status, duration in milliseconds, request id, and the trace and span ids when tracing is on.
   * Default `false`.
   */
  readonly accessLog?: boolean | undefined
  /**
   * Routes served outside the `HttpApi` definition, as `[method, path template]`, so that they are
   * named in the metric and the log (e.g. `["GET", "/openapi.json"]`); other unknown requests are
   * labelled `*`.
   */
  readonly routes?: ReadonlyArray<readonly [method: string, path: `/${string}`]> | undefined
}

const TypeId: unique symbol = Symbol.for("@effect-dcr/http-server/Observability")

/**
 * The middleware `middleware` makes: an `HttpMiddleware` that keeps the app's error and context
 * types and carries its settings, so a server
 * with a fast path can apply the same ones.
 *
 * @since 0.1.0
 * @category models
 */
export interface Middleware {
  <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R>
  /** @internal */
  readonly [TypeId]: Internal.Settings
}

/**
 * The middleware, for `HttpApiBuilder.serve(Observability.middleware(options))` (or
 * `HttpServer.serve`). The route template is read from the served `HttpApi`.
 *
 * @example
 * ```ts
 * import { HttpApiBuilder } from "@effect/platform"
 * import { Observability } from "@effect-dcr/http-server"
 *
 * const Serve = HttpApiBuilder.serve(Observability.middleware({ accessLog: true }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const middleware = (options?: Options | undefined): Middleware => {
  const settings: Internal.Settings = { accessLog: options?.accessLog === true, routes: options?.routes ?? [] }
  const apply = <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R> =>
    Effect.withFiberRuntime((fiber) => {
      const context = fiber.currentContext
      const request = Context.unsafeGet(context, HttpServerRequest.HttpServerRequest)
      const start = performance.now()
      const id = Internal.requestId(request.headers[Internal.requestIdHeader])
      const route = Internal.route(context, settings, request.method, request.url)
      const respond = HttpApp.appendPreResponseHandler((_, response) =>
        Effect.suspend(() => {
          Internal.record(request.method, route, response.status, start)
          return Effect.as(
            Internal.log(settings, request.method, route, request.url, response.status, start, id),
            HttpServerResponse.setHeader(response, Internal.requestIdHeader, id)
          )
        })
      )
      return Effect.zipRight(respond, app).pipe(Effect.annotateLogs("request_id", id))
    })
  return Object.assign(apply, { [TypeId]: settings })
}

/**
 * The settings of a middleware made by `middleware`, or `undefined` for any other middleware.
 *
 * @internal
 */
export const settingsOf = (middleware: unknown): Internal.Settings | undefined =>
  typeof middleware === "function" && TypeId in middleware
    ? (middleware as unknown as Middleware)[TypeId]
    : undefined
