import { DynamicClientRegistration } from "@effect-dcr/client"
import type { DynamicClientRegistrationError } from "@effect-dcr/client"
import { RegistrationApi } from "@effect-dcr/http-server"
import * as NodeRegistrationServer from "@effect-dcr/http-server/NodeRegistrationServer"
import type {
  DeleteRequest,
  DeleteResponse,
  GetRequest,
  GetResponse,
  RegisterRequest,
  RegisterResponse,
  UpdateRequest,
  UpdateResponse
} from "@effect-dcr/schema"
import * as TempDirectory from "@effect-dcr/testing/TempDirectory"
import type { HttpApi } from "@effect/platform"
import { HttpApiBuilder, HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { assert } from "@effect/vitest"
import type { Option } from "effect"
import { Cause, Context, Effect, HashMap, Layer, Logger, Tracer } from "effect"
import { createServer, request as httpRequest } from "node:http"

// ---------------------------------------------------------------------------------------------
// Servers
// ---------------------------------------------------------------------------------------------

/**
 * Which Node.js server a test runs on: the stock platform server (`NodeHttpServer.layer`), or
 * `NodeRegistrationServer.layer` with its internal register fast path. Endpoint tests run on both,
 * so both answer identically.
 */
export type Flavour = "platform" | "node-fast"

export const flavours = ["platform", "node-fast"] as const satisfies ReadonlyArray<Flavour>

const loopback = { port: 0, host: "127.0.0.1" } as const

/** The server layer of a flavour, on an ephemeral loopback port. */
export const serverLayer = (flavour: Flavour) =>
  flavour === "platform" ? NodeHttpServer.layer(createServer, loopback) : NodeRegistrationServer.layer(loopback)

const baseOf = (context: Context.Context<HttpServer.HttpServer>): string => {
  const address = Context.get(context, HttpServer.HttpServer).address
  return address._tag === "TcpAddress" ? `http://127.0.0.1:${address.port}` : ""
}

/**
 * Listens with the chosen server for the enclosing scope, before anything is served (so the base
 * URL is known first, e.g. for the issuer). `serve(api)` then serves an `HttpApi` layer there with
 * `HttpApiBuilder.serve(middleware?)`; the api's requirements come from the caller's context.
 */
export const listenWith = (flavour: Flavour) =>
  Effect.gen(function*() {
    const context = yield* Layer.build(serverLayer(flavour))
    const base = baseOf(context)
    const serve = <E, R>(api: Layer.Layer<HttpApi.Api, E, R>) =>
      Layer.build(HttpApiBuilder.serve().pipe(Layer.provide(api), Layer.provide(Layer.succeedContext(context))))
    return { base, context, serve }
  })

/** The stock platform server, for tests that are not about the server flavour. */
export const listen = listenWith("platform")

/**
 * Serves `RegistrationApi.layer({ issuer: base, ...options })` on the chosen server; the
 * `DynamicClientRegistration` backend comes from the caller's context. Answers the base URL.
 */
export const serveWith = (
  flavour: Flavour,
  options?: Partial<RegistrationApi.Paths & RegistrationApi.Options> | undefined
) =>
  Effect.gen(function*() {
    const server = yield* listenWith(flavour)
    yield* server.serve(RegistrationApi.layer({ issuer: server.base, ...options }))
    return server.base
  })

/** A temporary directory, removed when the enclosing scope closes. */
export const tempDirectory = TempDirectory.make("effect-dcr-http-")

// ---------------------------------------------------------------------------------------------
// HTTP calls
// ---------------------------------------------------------------------------------------------

/** `fetch` POST of `body` as `application/json` (unless `headers` says otherwise). */
export const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  Effect.promise(() =>
    fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body })
  )

export const readJson = (response: Response) =>
  Effect.promise(() => response.json() as Promise<Record<string, unknown>>)

export const readText = (response: Response) => Effect.promise(() => response.text())

export const assertNoStoreJson = (response: Response) => {
  assert.strictEqual(response.headers.get("content-type"), "application/json")
  assert.strictEqual(response.headers.get("cache-control"), "no-store")
  assert.strictEqual(response.headers.get("pragma"), "no-cache")
}

/**
 * POSTs a chunked body (no Content-Length) of `total` bytes and answers the response: status,
 * body, and whether the whole response arrived before the connection closed. Fails if the request
 * errors (a reset) before a complete response.
 */
export const postChunked = (url: string, total: number, headers: Record<string, string> = {}) =>
  Effect.async<{ readonly status: number; readonly body: string; readonly completeBeforeClose: boolean }, Error>(
    (resume) => {
      let done = false
      const req = httpRequest(
        url,
        { method: "POST", headers: { "content-type": "application/json", ...headers } },
        (res) => {
          let body = ""
          let ended = false
          res.setEncoding("utf8")
          res.on("data", (c) => (body += c))
          res.on("end", () => {
            ended = true
          })
          res.on("close", () => {
            if (done) return
            done = true
            resume(Effect.succeed({ status: res.statusCode ?? 0, body, completeBeforeClose: ended }))
          })
        }
      )
      req.on("error", (e) => {
        if (done) return
        done = true
        resume(Effect.fail(e))
      })
      const chunk = Buffer.alloc(16 * 1024, 0x20)
      let sent = 0
      const write = () => {
        while (sent < total) {
          sent += chunk.length
          if (!req.write(chunk)) return req.once("drain", write)
        }
        req.end()
      }
      write()
      return Effect.sync(() => req.destroy())
    }
  )

// ---------------------------------------------------------------------------------------------
// Backends, logs, spans
// ---------------------------------------------------------------------------------------------

type Call =
  | { readonly operation: "register"; readonly request: RegisterRequest }
  | { readonly operation: "get"; readonly request: GetRequest }
  | { readonly operation: "update"; readonly request: UpdateRequest }
  | { readonly operation: "delete"; readonly request: DeleteRequest }

type Err = DynamicClientRegistrationError.DynamicClientRegistrationError

/** A scripted backend that records every call it receives. */
export const fakeBackend = (script: {
  readonly register?: (request: RegisterRequest) => Effect.Effect<RegisterResponse, Err>
  readonly get?: (request: GetRequest) => Effect.Effect<GetResponse, Err>
  readonly update?: (request: UpdateRequest) => Effect.Effect<UpdateResponse, Err>
  readonly delete?: (request: DeleteRequest) => Effect.Effect<DeleteResponse, Err>
}) => {
  const calls: Array<Call> = []
  const unexpected = Effect.dieMessage("unexpected call")
  const layer = Layer.succeed(DynamicClientRegistration.DynamicClientRegistration, {
    register: (request) => {
      calls.push({ operation: "register", request })
      return script.register ? script.register(request) : unexpected
    },
    get: (request) => {
      calls.push({ operation: "get", request })
      return script.get ? script.get(request) : unexpected
    },
    update: (request) => {
      calls.push({ operation: "update", request })
      return script.update ? script.update(request) : unexpected
    },
    delete: (request) => {
      calls.push({ operation: "delete", request })
      return script.delete ? script.delete(request) : unexpected
    }
  })
  return { calls, layer }
}

/** A logger that keeps every line (message, annotations and cause) as text, for leak checks. */
export const capturingLogger = () => {
  const lines: Array<string> = []
  const logger = Logger.make(({ annotations, cause, logLevel, message }) => {
    const annotated = HashMap.toEntries(annotations).map(([k, v]) => `${k}=${String(v)}`).join(" ")
    lines.push(
      `${logLevel.label} ${JSON.stringify(message)} ${annotated} ${
        Cause.isEmpty(cause) ? "" : Cause.pretty(cause, { renderErrorCause: true })
      }`
    )
  })
  return { lines, layer: Logger.replace(Logger.defaultLogger, logger) }
}

/** A span as recorded: its name, kind, parent and (read at the end) attributes. */
export interface RecordedSpan {
  readonly name: string
  readonly kind: Tracer.SpanKind
  readonly spanId: string
  readonly traceId: string
  readonly parent: Option.Option<Tracer.AnySpan>
  readonly attributes: ReadonlyMap<string, unknown>
}

/** A tracer that keeps every span it opens (the native tracer's spans, so attributes are kept). */
export const recordingTracer = () => {
  const spans: Array<RecordedSpan> = []
  const native = Effect.runSync(Effect.tracer)
  const tracer = Tracer.make({
    span(name, parent, context, links, startTime, kind, options) {
      const span = native.span(name, parent, context, links, startTime, kind, options)
      spans.push(span)
      return span
    },
    context: (f) => f()
  })
  const named = (name: string) => spans.filter((span) => span.name === name)
  return { spans, tracer, named }
}

// ---------------------------------------------------------------------------------------------
// Authlete-compatible API fixtures
// ---------------------------------------------------------------------------------------------

export const registrationEndpoint = "https://as.example.com/register"

export const webClient = {
  client_name: "Example App",
  redirect_uris: ["https://app.example.com/callback"]
}

/** The parsed `responseContent` of a backend answer (asserting it is there). */
export const content = (response: { readonly responseContent?: string | undefined }): Record<string, any> => {
  assert.isDefined(response.responseContent)
  return JSON.parse(response.responseContent!)
}
