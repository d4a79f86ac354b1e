/**
 * The RFC 7591 registration endpoint and the RFC 7592 client configuration endpoint, depending only
 * on the `DynamicClientRegistration` tag, as an `HttpRouter` value or an `HttpLayerRouter` layer:
 *
 * - `POST {path}`: register (the bearer token, if any, is the initial access token)
 * - `GET | PUT | DELETE {path}/{client_id}`: read, replace, delete (bearer = registration access token)
 *
 * Requests are checked before the backend sees them (JSON content type, size limit, JSON object,
 * bearer token on management requests); the body text is passed on verbatim as `json`.
 *
 * @since 0.1.0
 */
import { DynamicClientRegistration, Tracing } from "@effect-dcr/client"
import type { DynamicClientRegistrationError } from "@effect-dcr/client"
import * as HttpLayerRouter from "@effect/platform/HttpLayerRouter"
import type * as HttpMethod from "@effect/platform/HttpMethod"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as BearerToken from "./BearerToken.js"
import * as RegistrationResponse from "./RegistrationResponse.js"
import * as RequestBody from "./RequestBody.js"
import { MethodNotAllowed, MissingToken, UnsupportedContentType } from "./RequestError.js"
import type { BodyReadError, PayloadTooLarge } from "./RequestError.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Where the registration endpoint is mounted. Default `/register`. */
  readonly path?: `/${string}` | undefined
  /** The largest accepted request body, in bytes. Default 64 KiB. */
  readonly maxBodySize?: number | undefined
  /** The realm advertised in `WWW-Authenticate` challenges. Default: none. */
  readonly realm?: string | undefined
}

/**
 * The default mount path, `/register`.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultPath = "/register" as const

/**
 * What a route needs from the request context: the platform provides the request and route
 * parameters; the application provides the `DynamicClientRegistration` backend.
 *
 * @since 0.1.0
 * @category models
 */
export type Requirements =
  | HttpServerRequest.HttpServerRequest
  | HttpRouter.RouteContext
  | DynamicClientRegistration.DynamicClientRegistration

/**
 * A route of the endpoints, independent of the router flavour.
 *
 * @since 0.1.0
 * @category models
 */
export interface Route {
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS"
  readonly path: `/${string}`
  readonly handler: Effect.Effect<HttpServerResponse.HttpServerResponse, never, Requirements>
}

type Operation = DynamicClientRegistrationError.Operation

const logBackendFailure = (operation: Operation, error: DynamicClientRegistrationError.DynamicClientRegistrationError) =>
  Effect.logError("Dynamic Client Registration backend failed; answering 500 server_error").pipe(
    Effect.annotateLogs({
      "dcr.operation": operation,
      "error.tag": error._tag,
      "error.message": error.message
    })
  )

const logDefect = (operation: Operation, cause: Cause.Cause<unknown>) =>
  Effect.logError("Dynamic Client Registration endpoint crashed; answering 500 server_error", cause).pipe(
    Effect.annotateLogs("dcr.operation", operation)
  )

const logUnusable = (operation: Operation, response: RegistrationResponse.ActionResponse) =>
  Effect.logError("Dynamic Client Registration backend answered an unusable response; answering 500 server_error")
    .pipe(
      Effect.annotateLogs({
        "dcr.operation": operation,
        "dcr.action": String(response.action),
        "dcr.responseContent": response.responseContent === undefined ? "absent" : "present"
      })
    )

const serverError = Effect.succeed(RegistrationResponse.serverError)

/**
 * What the endpoints answer once a backend call has returned: the action mapped to its response
 * (`toHttpServerResponse`), and every failure (backend error, unusable answer, defect) logged and
 * answered 500 `server_error`. Built once per options value and shared by every route, and by the
 * Node.js fast path (`NodeRegistrationServer`), so both answer identically.
 *
 * @since 0.1.0
 * @category constructors
 */
export const responder = (options?: Options | undefined) => {
  const realm = options?.realm
  const withToken: RegistrationResponse.Options = { tokenPresented: true, realm }
  const withoutToken: RegistrationResponse.Options = { tokenPresented: false, realm }

  const respond = (
    operation: Operation,
    response: RegistrationResponse.ActionResponse,
    tokenPresented: boolean
  ): Effect.Effect<HttpServerResponse.HttpServerResponse> =>
    RegistrationResponse.isUnusable(response)
      ? Effect.as(logUnusable(operation, response), RegistrationResponse.serverError)
      : Effect.succeed(RegistrationResponse.toHttpServerResponse(response, tokenPresented ? withToken : withoutToken))

  const recover = (operation: Operation) =>
  (
    error: DynamicClientRegistrationError.DynamicClientRegistrationError | PayloadTooLarge | BodyReadError
  ): Effect.Effect<HttpServerResponse.HttpServerResponse> => {
    switch (error._tag) {
      case "PayloadTooLarge":
      case "BodyReadError":
        return Effect.succeed(error.response)
      default:
        return Effect.as(logBackendFailure(operation, error), RegistrationResponse.serverError)
    }
  }

  const guarded = (operation: Operation) =>
  <R>(
    effect: Effect.Effect<
      HttpServerResponse.HttpServerResponse,
      DynamicClientRegistrationError.DynamicClientRegistrationError | PayloadTooLarge | BodyReadError,
      R
    >
  ): Effect.Effect<HttpServerResponse.HttpServerResponse, never, R> =>
    effect.pipe(
      Effect.catchAll(recover(operation)),
      Effect.catchAllDefect((defect) => Effect.zipRight(logDefect(operation, Cause.die(defect)), serverError))
    )

  // The registration hot path's span skips the call-site stack trace (an `Error` per request), and
  // is only created when a tracer collects it (see `Tracing`).
  const registerSpan = { kind: "internal", captureStackTrace: false } as const
  const rawServerError = Effect.succeed(RegistrationResponse.rawServerError)

  /**
   * Registers the checked JSON object `json` (the bearer token, if any, is the initial access
   * token) and answers the HTTP response as plain data (`RegistrationResponse.RawResponse`), with
   * the same guards as `guarded`: backend failures, defects and unusable answers are logged and
   * become 500 `server_error`.
   */
  const registerRaw = (
    service: DynamicClientRegistration.Service,
    json: string,
    token: string | undefined
  ): Effect.Effect<RegistrationResponse.RawResponse> =>
    service.register(token === undefined ? { json } : { json, token: Redacted.make(token) }).pipe(
      Effect.flatMap((response) =>
        RegistrationResponse.isUnusable(response)
          ? Effect.as(logUnusable("register", response), RegistrationResponse.rawServerError)
          : Effect.succeed(RegistrationResponse.toRawResponse(response, token !== undefined ? withToken : withoutToken))
      ),
      Effect.catchAll((error) => Effect.zipRight(logBackendFailure("register", error), rawServerError)),
      Effect.catchAllDefect((defect) => Effect.zipRight(logDefect("register", Cause.die(defect)), rawServerError)),
      Tracing.withSpan("RegistrationRouter.register", registerSpan)
    )

  /**
   * Registers the checked JSON object `json` (the bearer token, if any, is the initial access
   * token) and answers the HTTP response.
   */
  const register = (
    service: DynamicClientRegistration.Service,
    json: string,
    token: string | undefined
  ): Effect.Effect<HttpServerResponse.HttpServerResponse> =>
    Effect.map(registerRaw(service, json, token), RegistrationResponse.fromRawResponse)

  return { respond, guarded, register, registerRaw } as const
}

/**
 * Builds the four operation handlers and the 405/OPTIONS answers, with every constant response
 * computed once, here.
 *
 * @since 0.1.0
 * @category constructors
 */
export const routes = (options?: Options | undefined): ReadonlyArray<Route> => {
  const path = normalisePath(options?.path ?? defaultPath)
  const itemPath = `${path === "/" ? "" : path}/:client_id` as const
  const maxBytes = options?.maxBodySize ?? RequestBody.defaultMaxBytes
  const realm = options?.realm
  const unsupportedContentType = new UnsupportedContentType({ contentType: undefined }).response
  const missingToken = Effect.succeed(new MissingToken({ realm }).response)
  const { guarded, respond, register: registerWith } = responder(options)

  /** Reads and checks a JSON object body, then hands its text to `f`. */
  const withJsonBody = <R>(
    request: HttpServerRequest.HttpServerRequest,
    f: (json: string) => Effect.Effect<HttpServerResponse.HttpServerResponse, DynamicClientRegistrationError.DynamicClientRegistrationError, R>
  ) => {
    if (!RequestBody.isJsonContentType(request.headers["content-type"])) {
      return Effect.succeed(unsupportedContentType)
    }
    return Effect.flatMap(RequestBody.readText(request, maxBytes), (json) => {
      const malformed = RequestBody.checkObject(json)
      return malformed === undefined ? f(json) : Effect.succeed(malformed.response)
    })
  }

  const requestAndService = Effect.context<
    HttpServerRequest.HttpServerRequest | DynamicClientRegistration.DynamicClientRegistration
  >()
  const itemContext = Effect.context<
    | HttpServerRequest.HttpServerRequest
    | HttpRouter.RouteContext
    | DynamicClientRegistration.DynamicClientRegistration
  >()

  const register = requestAndService.pipe(
    Effect.flatMap((context) => {
      const request = Context.unsafeGet(context, HttpServerRequest.HttpServerRequest)
      const service = Context.unsafeGet(context, DynamicClientRegistration.DynamicClientRegistration)
      const token = BearerToken.parse(request.headers["authorization"])
      return withJsonBody(request, (json) => registerWith(service, json, token))
    }),
    guarded("register")
  )

  /** Resolves the client id and the registration access token, or answers 401 without a token. */
  const management = (
    operation: Exclude<Operation, "register">,
    f: (
      request: HttpServerRequest.HttpServerRequest,
      service: DynamicClientRegistration.Service,
      clientId: string,
      token: Redacted.Redacted<string>
    ) => Effect.Effect<
      HttpServerResponse.HttpServerResponse,
      DynamicClientRegistrationError.DynamicClientRegistrationError | PayloadTooLarge | BodyReadError
    >
  ) =>
    itemContext.pipe(
      Effect.flatMap((context) => {
        const request = Context.unsafeGet(context, HttpServerRequest.HttpServerRequest)
        const token = BearerToken.parse(request.headers["authorization"])
        if (token === undefined) return missingToken
        const clientId = Context.unsafeGet(context, HttpRouter.RouteContext).params["client_id"] ?? ""
        const service = Context.unsafeGet(context, DynamicClientRegistration.DynamicClientRegistration)
        return f(request, service, clientId, Redacted.make(token))
      }),
      guarded(operation),
      Effect.withSpan(`RegistrationRouter.${operation}`, { kind: "internal" })
    )

  const read = management("get", (_request, service, clientId, token) =>
    Effect.flatMap(service.get({ clientId, token }), (response) => respond("get", response, true)))

  const update = management("update", (request, service, clientId, token) =>
    withJsonBody(request, (json) =>
      Effect.flatMap(service.update({ clientId, token, json }), (response) => respond("update", response, true))))

  const remove = management("delete", (_request, service, clientId, token) =>
    Effect.flatMap(service.delete({ clientId, token }), (response) => respond("delete", response, true)))

  const refuse = (allow: ReadonlyArray<string>) => {
    const answers = new Map<string, HttpServerResponse.HttpServerResponse>()
    for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]) {
      answers.set(method, new MethodNotAllowed({ method, allow }).response)
    }
    return Effect.map(
      HttpServerRequest.HttpServerRequest,
      (request) => answers.get(request.method) ?? new MethodNotAllowed({ method: request.method, allow }).response
    )
  }
  const describe = (allow: ReadonlyArray<string>) =>
    Effect.succeed(HttpServerResponse.empty({ status: 204, headers: { allow: allow.join(", ") } }))

  const collectionAllow = ["POST", "OPTIONS"]
  const itemAllow = ["GET", "PUT", "DELETE", "OPTIONS"]
  const refuseCollection = refuse(collectionAllow)
  const refuseItem = refuse(itemAllow)

  return [
    { method: "POST", path, handler: register },
    { method: "OPTIONS", path, handler: describe(collectionAllow) },
    { method: "GET", path, handler: refuseCollection },
    { method: "PUT", path, handler: refuseCollection },
    { method: "PATCH", path, handler: refuseCollection },
    { method: "DELETE", path, handler: refuseCollection },
    { method: "GET", path: itemPath, handler: read },
    { method: "PUT", path: itemPath, handler: update },
    { method: "DELETE", path: itemPath, handler: remove },
    { method: "OPTIONS", path: itemPath, handler: describe(itemAllow) },
    { method: "POST", path: itemPath, handler: refuseItem },
    { method: "PATCH", path: itemPath, handler: refuseItem }
  ]
}

/**
 * Drops a trailing slash (except for `/`).
 *
 * @since 0.1.0
 * @category utils
 */
export const normalisePath = (path: `/${string}`): `/${string}` =>
  path.length > 1 && path.endsWith("/") ? path.slice(0, -1) as `/${string}` : path

/**
 * The endpoints as an `HttpRouter` value, to serve as is or to `concat`/`mount` into an
 * application's router. It requires `DynamicClientRegistration`: provide `Engine.layer` or
 * `AuthleteClient.layerConfig`.
 *
 * @example
 * ```ts
 * import { RegistrationRouter } from "@effect-dcr/http-server"
 * import { HttpRouter, HttpServerResponse } from "@effect/platform"
 *
 * const app = HttpRouter.empty.pipe(
 *   HttpRouter.get("/health", HttpServerResponse.text("ok")),
 *   HttpRouter.concat(RegistrationRouter.make({ path: "/register" }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options?: Options | undefined
): HttpRouter.HttpRouter<never, DynamicClientRegistration.DynamicClientRegistration> =>
  HttpRouter.fromIterable(
    routes(options).map((route) => HttpRouter.makeRoute(route.method as HttpMethod.HttpMethod, route.path, route.handler))
  )

/**
 * The endpoints with the default options (`/register`, 64 KiB).
 *
 * @since 0.1.0
 * @category constructors
 */
export const router: HttpRouter.HttpRouter<never, DynamicClientRegistration.DynamicClientRegistration> = make()

/**
 * The endpoints as an `HttpLayerRouter` layer, for applications built with `HttpLayerRouter.serve`.
 *
 * @example
 * ```ts
 * import { RegistrationRouter } from "@effect-dcr/http-server"
 * import { HttpLayerRouter } from "@effect/platform"
 *
 * const Routes = RegistrationRouter.layer({ path: "/register" })
 * // HttpLayerRouter.serve(Routes).pipe(Layer.provide(Engine.layer), Layer.provide(NodeHttpServer.layer(...)))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options?: Options | undefined
): Layer.Layer<
  never,
  never,
  | HttpLayerRouter.HttpRouter
  | HttpLayerRouter.Request.From<"Requires", DynamicClientRegistration.DynamicClientRegistration>
> => HttpLayerRouter.addAll(routes(options).map((route) => HttpLayerRouter.route(route.method, route.path, route.handler)))
