/**
 * What every answered request goes through, on the platform's pipeline (`Observability.middleware`)
 * and on the Node.js fast path alike: the request id (accepted or generated), the route template,
 * the latency metric and the access log line.
 *
 * @internal
 */
import * as HttpApi from "@effect/platform/HttpApi"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as FindMyWay from "find-my-way-ts"
import { randomUUID } from "node:crypto"
import * as Metrics from "../Metrics.js"

/** The request id header, accepted from the caller and echoed on every response. @internal */
export const requestIdHeader = "x-request-id"

/** The route of a request that matches no known route. @internal */
export const unmatchedRoute = "*"

/** At most 128 of `A–Z a–z 0–9 - _ . : / + = @ ~`: a UUID, ULID, base64 or an upstream proxy's id fits. */
const validRequestId = /^[\w.:/+=@~-]{1,128}$/

/** The caller's `X-Request-Id` when it is sane, else a fresh UUID. @internal */
export const requestId = (header: string | ReadonlyArray<string> | undefined): string =>
  typeof header === "string" && validRequestId.test(header) ? header : randomUUID()

/** @internal */
export interface Settings {
  /** Log one line per answered request. */
  readonly accessLog: boolean
  /** Route templates served outside the `HttpApi` definition (e.g. `GET /openapi.json`). */
  readonly routes: ReadonlyArray<readonly [method: string, path: `/${string}`]>
}

const matchers = new WeakMap<object, FindMyWay.Router<string>>()

const matcherOf = (definition: HttpApi.HttpApi.AnyWithProps, settings: Settings): FindMyWay.Router<string> => {
  let router = matchers.get(definition)
  if (router === undefined) {
    router = FindMyWay.make<string>()
    const add = (method: string, path: `/${string}`) => {
      if (!router!.has(method, path)) router!.on(method, path, path)
    }
    for (const group of Object.values(definition.groups)) {
      for (const endpoint of Object.values(group.endpoints)) add(endpoint.method, endpoint.path)
    }
    for (const [method, path] of settings.routes) add(method, path)
    matchers.set(definition, router)
  }
  return router
}

/**
 * The route template of a request to the `HttpApi` in `context` (a `HEAD` also matches `GET`, as
 * the platform's router does), or `unmatchedRoute`.
 *
 * @internal
 */
export const route = (
  context: Context.Context<never>,
  settings: Settings,
  method: string,
  url: string
): string => {
  const api = Context.getOption(context, HttpApi.Api)
  if (Option.isNone(api)) return unmatchedRoute
  const router = matcherOf(api.value.api as unknown as HttpApi.HttpApi.AnyWithProps, settings)
  const found = router.find(method, url) ?? (method === "HEAD" ? router.find("GET", url) : undefined)
  return found === undefined ? unmatchedRoute : found.handler
}

const pathOf = (url: string): string => {
  const query = url.indexOf("?")
  return query === -1 ? url : url.slice(0, query)
}

/** Records an answered request in the latency metric. @internal */
export const record = (method: string, route: string, status: number, start: number): void =>
  Metrics.recordRequest(method, route, status, (performance.now() - start) / 1000)

/**
 * The access log line of an answered request (method, route, path without the query, status,
 * duration, request id, and the trace and span ids when a span is open); nothing without
 * `accessLog`. No header or body is ever logged.
 *
 * @internal
 */
export const log = (
  settings: Settings,
  method: string,
  route: string,
  url: string,
  status: number,
  start: number,
  id: string
): Effect.Effect<void> => {
  if (!settings.accessLog) return Effect.void
  const millis = performance.now() - start
  return Effect.flatMap(Effect.currentSpan.pipe(Effect.option), (span) => {
    const annotations: Record<string, unknown> = {
      "http.request.method": method,
      "http.route": route,
      "url.path": pathOf(url),
      "http.response.status_code": status,
      "duration_ms": Math.round(millis * 1000) / 1000,
      "request_id": id
    }
    if (Option.isSome(span)) {
      annotations["trace_id"] = span.value.traceId
      annotations["span_id"] = span.value.spanId
    }
    return Effect.logInfo(`${method} ${route} ${status}`).pipe(Effect.annotateLogs(annotations))
  })
}
