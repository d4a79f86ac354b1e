/**
 * The Node.js fast path for `POST {register path}`: reads the body and runs the `registration`
 * group's own register logic straight from the Node.js request, on a runtime captured once, and
 * writes the `RawResponse` with the group's CORS headers in one `writeHead` + `end` (Content-Length,
 * a single write). It skips
 * the generic request pipeline, which costs more than the registration itself (BENCHMARKS.md);
 * when tracing is on it opens the `http.server` span from `traceparent` as the platform does.
 *
 * @internal
 */
import type * as Headers from "@effect/platform/Headers"
import * as HttpTraceContext from "@effect/platform/HttpTraceContext"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as FiberRef from "effect/FiberRef"
import * as FiberRefs from "effect/FiberRefs"
import * as HashMap from "effect/HashMap"
import * as Option from "effect/Option"
import * as Runtime from "effect/Runtime"
import type * as Http from "node:http"
import * as BearerToken from "../BearerToken.js"
import { PayloadTooLarge } from "../RequestError.js"
import type { BodyReadError } from "../RequestError.js"
import type * as FastPathService from "./fastPathService.js"
import * as Observability from "./observability.js"
import * as RequestBody from "./requestBody.js"
import * as Responses from "./responses.js"

/** Writes a `RawResponse`, with `extra` headers if any, in one `writeHead` + `end`. @internal */
export const writeRaw = (
  target: Http.ServerResponse,
  response: Responses.RawResponse,
  extra?: ReadonlyArray<string> | undefined
): void => {
  if (target.headersSent || target.destroyed) return
  const body = response.body
  if (body === undefined) {
    target.writeHead(
      response.status,
      (extra === undefined ? response.headers : [...response.headers, ...extra]) as Array<string>
    )
    target.end()
  } else {
    const length = String(Buffer.byteLength(body))
    target.writeHead(
      response.status,
      extra === undefined
        ? [...response.headers, "content-length", length]
        : [...response.headers, ...extra, "content-length", length]
    )
    target.end(body)
  }
}

/** A listener that answers `POST {path}` and returns `true`, or returns `false` untouched. @internal */
export type Handler = (request: Http.IncomingMessage, response: Http.ServerResponse) => boolean

const pathOf = (url: string): string => {
  const query = url.indexOf("?")
  return query === -1 ? url : url.slice(0, query)
}

/** The platform tracer's request attributes that need no request wrapper (headers are not recorded). */
const spanAttributes = (request: Http.IncomingMessage): Record<string, unknown> => {
  const attributes: Record<string, unknown> = {
    "http.request.method": "POST",
    "url.path": pathOf(request.url ?? ""),
    "url.scheme": "encrypted" in request.socket ? "https" : "http"
  }
  const query = (request.url ?? "").indexOf("?")
  if (query !== -1) attributes["url.query"] = request.url!.slice(query + 1)
  if (request.headers["user-agent"] !== undefined) attributes["user_agent.original"] = request.headers["user-agent"]
  if (request.socket.remoteAddress !== undefined) attributes["client.address"] = request.socket.remoteAddress
  return attributes
}

/**
 * Builds the listener on the current runtime, once. With `observe` (the settings of the
 * `Observability.middleware` given to `serve`), each request gets its request id (as a log
 * annotation set in the fiber's initial refs, not an Effect step), latency metric (recorded from
 * the status written) and access log line as on the platform's pipeline.
 *
 * @internal
 */
export const makeHandler = (
  service: FastPathService.Service,
  observe?: Observability.Settings | undefined
): Effect.Effect<Handler> =>
  Effect.map(Effect.runtime<never>(), (runtime) => {
    const runCallback = Runtime.runCallback(runtime)
    const traced = FiberRefs.getOrDefault(runtime.fiberRefs, FiberRef.currentTracerEnabled)
    const annotations = FiberRefs.getOrDefault(runtime.fiberRefs, FiberRef.currentLogAnnotations)
    const { cors, maxBytes, path } = service

    /** The runtime of one request: the captured one with `request_id` among the log annotations. */
    const withRequestId = (id: string) =>
      Runtime.runCallback(Runtime.make({
        context: runtime.context,
        runtimeFlags: runtime.runtimeFlags,
        fiberRefs: FiberRefs.updateAs(runtime.fiberRefs, {
          fiberId: FiberId.none,
          fiberRef: FiberRef.currentLogAnnotations,
          value: HashMap.set(annotations, "request_id", id)
        })
      }))

    const run = (
      request: Http.IncomingMessage,
      response: Http.ServerResponse,
      token: string | undefined,
      result: string | PayloadTooLarge | BodyReadError,
      start: number,
      id: string | undefined
    ) => {
      let effect = service.register(
        token,
        { contentType: request.headers["content-type"], text: result },
        { address: request.socket.remoteAddress, headers: request.headers }
      )
      if (observe?.accessLog === true) {
        effect = Effect.tap(
          effect,
          (raw) => Observability.log(observe, "POST", path, request.url ?? path, raw.status, start, id!)
        )
      }
      if (traced) {
        effect = effect.pipe(
          Effect.tap((raw) => Effect.annotateCurrentSpan("http.response.status_code", raw.status)),
          Effect.withSpan("http.server POST", {
            parent: Option.getOrUndefined(HttpTraceContext.fromHeaders(request.headers as Headers.Headers)),
            kind: "server",
            captureStackTrace: false,
            attributes: spanAttributes(request)
          })
        )
      }
      ;(id === undefined ? runCallback : withRequestId(id))(effect, {
        onExit: (exit) => {
          const raw = Exit.isSuccess(exit) ? exit.value : Responses.serverError
          const headers = cors.response(request.headers.origin)
          writeRaw(response, raw, id === undefined ? headers : [...(headers ?? []), Observability.requestIdHeader, id])
          if (observe !== undefined) Observability.record("POST", path, raw.status, start)
        }
      })
    }

    return (request, response) => {
      if (request.method !== "POST" || pathOf(request.url ?? "") !== path) return false
      const start = observe === undefined ? 0 : performance.now()
      const id = observe === undefined
        ? undefined
        : Observability.requestId(request.headers[Observability.requestIdHeader])
      const token = BearerToken.parse(request.headers["authorization"])
      if (RequestBody.declaresMoreThan(request.headers["content-length"], maxBytes)) {
        request.resume()
        run(request, response, token, new PayloadTooLarge({ limit: maxBytes }), start, id)
      } else {
        RequestBody.readNodeCallback(
          request,
          maxBytes,
          (result) => run(request, response, token, result, start, id)
        )
      }
      return true
    }
  })
