import { DynamicClientRegistration } from "@effect-dcr/client"
import type { DynamicClientRegistrationError } from "@effect-dcr/client"
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
import { NodeRegistrationServer } from "@effect-dcr/http-server"
import type { HttpApp } from "@effect/platform"
import { HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Cause, Context, Effect, HashMap, Layer, Logger } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { createServer } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"

/**
 * Listens on an ephemeral loopback port for the enclosing scope. Answers the base URL and
 * `serveApp`, which serves an app there (the app's services must be provided to it).
 */
export const listen = Effect.gen(function*() {
  const context = yield* Layer.build(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" }))
  const address = Context.get(context, HttpServer.HttpServer).address
  const base = address._tag === "TcpAddress" ? `http://127.0.0.1:${address.port}` : ""
  const serveApp = <E, R>(app: HttpApp.Default<E, R>) => Effect.provide(HttpServer.serveEffect(app), context)
  return { base, serveApp }
})

/**
 * Which Node.js server a test runs on: the stock platform server, or `NodeRegistrationServer` with
 * its `POST /register` fast path. Endpoint tests run on both, so both answer identically.
 */
export type Flavour = "platform" | "node-fast"

/** `serve` on the chosen server; `options` tells the fast path where the endpoint is mounted. */
export const serveWith = <E, R>(
  flavour: Flavour,
  app: HttpApp.Default<E, R>,
  options?: NodeRegistrationServer.Options | undefined
) =>
  Effect.gen(function*() {
    const listen = { port: 0, host: "127.0.0.1" }
    const context = yield* Layer.build(
      flavour === "platform"
        ? NodeHttpServer.layer(createServer, listen)
        : NodeRegistrationServer.layer(listen, options)
    )
    const address = Context.get(context, HttpServer.HttpServer).address
    yield* Effect.provide(HttpServer.serveEffect(app), context)
    return address._tag === "TcpAddress" ? `http://127.0.0.1:${address.port}` : ""
  })

/** Serves `app` on an ephemeral loopback port for the enclosing scope; returns its base URL. */
export const serve = <E, R>(app: HttpApp.Default<E, R>) =>
  Effect.gen(function*() {
    const { base, serveApp } = yield* listen
    yield* serveApp(app)
    return base
  })

/** A temporary directory, removed when the enclosing scope closes. */
export const tempDirectory = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "effect-dcr-http-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

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
    lines.push(`${logLevel.label} ${JSON.stringify(message)} ${annotated} ${Cause.isEmpty(cause) ? "" : Cause.pretty(cause, { renderErrorCause: true })}`)
  })
  return { lines, layer: Logger.replace(Logger.defaultLogger, logger) }
}

