/**
 * The RFC 7591 registration endpoint, the RFC 7592 client configuration endpoint and RFC 8414
 * discovery as one `HttpApi` group. The same definition serves the routes (`layer`), writes the
 * OpenAPI document (`openApi`) and gives a typed client (`client`).
 *
 * @since 0.1.0
 */
import { DynamicClientRegistration } from "@effect-dcr/client"
import { AnyJson, ClientInformationResponse, ClientMetadata, RegistrationErrorResponse } from "@effect-dcr/schema"
import type * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpApiClient from "@effect/platform/HttpApiClient"
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as OpenApi from "@effect/platform/OpenApi"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import { dual } from "effect/Function"
import { globalValue } from "effect/GlobalValue"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as BearerToken from "./BearerToken.js"
import type * as Cors from "./Cors.js"
import * as Discovery from "./Discovery.js"
import * as Api from "./internal/api.js"
import * as CorsHeaders from "./internal/cors.js"
import * as FastPath from "./internal/fastPathService.js"
import * as Registration from "./internal/registration.js"
import * as RequestBody from "./internal/requestBody.js"
import * as Responses from "./internal/responses.js"
import type * as RateLimit from "./RateLimit.js"
import { MethodNotAllowed } from "./RequestError.js"

/**
 * Where the endpoints are mounted.
 *
 * @since 0.1.0
 * @category models
 */
export interface Paths {
  /** The registration endpoint's path. Default `/register`; the client configuration endpoint is `{path}/{client_id}`. */
  readonly path?: `/${string}` | undefined
  /** The issuer: its path follows `/.well-known/oauth-authorization-server` (RFC 8414 §3). */
  readonly issuer?: string | undefined
}

/**
 * The default registration endpoint path, `/register`.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultPath = "/register" as const

const normalise = (path: `/${string}`): `/${string}` =>
  path.length > 1 && path.endsWith("/") ? path.slice(0, -1) as `/${string}` : path

/**
 * The registration endpoint's path for `paths` (a trailing slash dropped).
 *
 * @since 0.1.0
 * @category constructors
 */
export const registrationPath = (paths?: Paths | undefined): `/${string}` => normalise(paths?.path ?? defaultPath)

const errorBody = (status: number, description: string) =>
  RegistrationErrorResponse.annotations(HttpApiSchema.annotations({ status, description }))

const InvalidMetadata = errorBody(400, "invalid_client_metadata, invalid_redirect_uri, invalid_request, …")
const InvalidToken = errorBody(401, "invalid_token, with a WWW-Authenticate: Bearer challenge")
const MethodRefused = errorBody(405, "invalid_request: the method is not allowed here (see the Allow header)")
const TooLarge = errorBody(413, "invalid_request: the body exceeds the server's limit (64 KiB by default)")
const TooManyRequests = errorBody(
  429,
  "temporarily_unavailable: over a rate limit (see the Retry-After header, in seconds)"
)
const ServerError = errorBody(500, "server_error")

const ClientIdPath = Schema.Struct({
  client_id: Schema.String.annotations({ description: "The client_id, from registration_client_uri" })
})

/** RFC 8414 metadata: an object with at least these members. */
const AuthorizationServerMetadata = Schema.Struct(
  { issuer: Schema.String, registration_endpoint: Schema.String },
  Schema.Record({ key: Schema.String, value: AnyJson })
).annotations({ identifier: "AuthorizationServerMetadata", description: "RFC 8414 authorization server metadata" })

/** A refusal never succeeds: its operation lists the 405 only, not the platform's default 204. */
const onlyRefusal = (operation: Record<string, unknown>): Record<string, unknown> => {
  const { ["204"]: _, ...responses } = operation["responses"] as Record<string, unknown>
  return { ...operation, responses }
}

const refusal = <const Name extends string>(
  name: Name,
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
  path: `/${string}`,
  allow: ReadonlyArray<string>
) =>
  HttpApiEndpoint.make(method)(name, path)
    .addError(MethodRefused)
    .annotate(OpenApi.Summary, `Not allowed: ${allow.join(", ")}`)
    .annotate(OpenApi.Transform, onlyRefusal)

const describe = <const Name extends string>(name: Name, path: `/${string}`, allow: ReadonlyArray<string>) =>
  HttpApiEndpoint.options(name, path)
    .addSuccess(HttpApiSchema.NoContent)
    .annotate(OpenApi.Summary, `The allowed methods, in Allow: ${allow.join(", ")}`)

const collectionAllow = ["POST", "OPTIONS"] as const
const itemAllow = ["GET", "PUT", "DELETE", "OPTIONS"] as const
const metadataAllow = ["GET", "OPTIONS"] as const

/**
 * The endpoints as an `HttpApiGroup` named `registration`, to add to an `HttpApi` of your own (then
 * serve it with `layerGroup`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const group = (paths?: Paths | undefined) => {
  const path = registrationPath(paths)
  const item = `${path === "/" ? "" : path}/:client_id` as const
  return HttpApiGroup.make("registration")
    .add(
      HttpApiEndpoint.post("register", path)
        .setPayload(ClientMetadata)
        .addSuccess(ClientInformationResponse, { status: 201 })
        .addError(InvalidMetadata)
        .addError(InvalidToken)
        .addError(TooLarge)
        .addError(TooManyRequests)
        .addError(ServerError)
        .annotate(OpenApi.Summary, "Register a client (RFC 7591 §3)")
        .annotate(
          OpenApi.Description,
          "The client metadata as a JSON object. An initial access token, when the server requires one, goes in Authorization: Bearer."
        )
        .annotate(OpenApi.Override, { security: [{}, { bearer: [] }] })
    )
    .add(
      HttpApiEndpoint.get("read", item)
        .setPath(ClientIdPath)
        .middleware(BearerToken.Bearer)
        .addSuccess(ClientInformationResponse)
        .addError(InvalidMetadata)
        .addError(InvalidToken)
        .addError(TooManyRequests)
        .addError(ServerError)
        .annotate(OpenApi.Summary, "Read a client's registration (RFC 7592 §2.1)")
    )
    .add(
      HttpApiEndpoint.put("update", item)
        .setPath(ClientIdPath)
        .setPayload(ClientMetadata)
        .middleware(BearerToken.Bearer)
        .addSuccess(ClientInformationResponse)
        .addError(InvalidMetadata)
        .addError(InvalidToken)
        .addError(TooLarge)
        .addError(TooManyRequests)
        .addError(ServerError)
        .annotate(OpenApi.Summary, "Replace a client's registration (RFC 7592 §2.2)")
        .annotate(
          OpenApi.Description,
          "The body replaces the registration (omitted metadata are removed) and must contain the client_id."
        )
    )
    .add(
      HttpApiEndpoint.del("delete", item)
        .setPath(ClientIdPath)
        .middleware(BearerToken.Bearer)
        .addSuccess(HttpApiSchema.NoContent)
        .addError(InvalidMetadata)
        .addError(InvalidToken)
        .addError(TooManyRequests)
        .addError(ServerError)
        .annotate(OpenApi.Summary, "Delete a client (RFC 7592 §2.3)")
    )
    .add(describe("describeRegistration", path, collectionAllow))
    .add(describe("describeClient", item, itemAllow))
    .add(refusal("getRegistration", "GET", path, collectionAllow))
    .add(refusal("putRegistration", "PUT", path, collectionAllow))
    .add(refusal("patchRegistration", "PATCH", path, collectionAllow))
    .add(refusal("deleteRegistration", "DELETE", path, collectionAllow))
    .add(refusal("postClient", "POST", item, itemAllow))
    .add(refusal("patchClient", "PATCH", item, itemAllow))
    .add(
      HttpApiEndpoint.get("metadata", Discovery.wellKnownPath(paths?.issuer))
        .addSuccess(AuthorizationServerMetadata)
        .annotate(OpenApi.Summary, "Authorization server metadata (RFC 8414)")
    )
    .add(describe("describeMetadata", Discovery.wellKnownPath(paths?.issuer), metadataAllow))
}

/**
 * The `registration` group's type.
 *
 * @since 0.1.0
 * @category models
 */
export type Group = ReturnType<typeof group>

/**
 * A ready `HttpApi` with the `registration` group, titled for its OpenAPI document.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (paths?: Paths | undefined) =>
  Api.make("effect-dcr")
    .add(group(paths))
    .annotate(OpenApi.Servers, paths?.issuer === undefined ? [] : [{ url: new URL(paths.issuer).origin }])
    .annotate(OpenApi.Title, "OAuth 2.0 Dynamic Client Registration")
    .annotate(OpenApi.Version, "0.1.0")
    .annotate(OpenApi.Description, "RFC 7591 registration, RFC 7592 client configuration and RFC 8414 discovery.")

const bodyOf = (request: HttpServerRequest.HttpServerRequest): Registration.Body => ({
  contentType: request.headers["content-type"],
  read: (maxBytes) => RequestBody.readText(request, maxBytes)
})

const peerOf = (request: HttpServerRequest.HttpServerRequest): Registration.Peer => ({
  address: Option.getOrUndefined(request.remoteAddress),
  headers: request.headers
})

/**
 * How the `registration` group is served.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The issuer, advertised by discovery with the registration endpoint's absolute URL. */
  readonly issuer: string
  /** The largest accepted request body, in bytes. Default 64 KiB. */
  readonly maxBodySize?: number | undefined
  /** The realm advertised in `WWW-Authenticate` challenges. Default: none. */
  readonly realm?: string | undefined
  /** Further RFC 8414 metadata to advertise (e.g. `token_endpoint`). */
  readonly metadata?: Readonly<Record<string, unknown>> | undefined
  /**
   * The rate limits (`RateLimit.make`), shared with `AuthleteApi.layerGroup` when both are served.
   * Default: none.
   */
  readonly rateLimit?: RateLimit.RateLimiter | undefined
  /**
   * CORS on every endpoint of the group, the fast path included: preflights answered, the allowed
   * origins (default any, `*`, never with credentials), `WWW-Authenticate` and `Retry-After`
   * exposed. `false` turns it off.
   */
  readonly cors?: Cors.Options | false | undefined
}

/**
 * Serves the `registration` group of `api` (this module's `make`, or an `HttpApi` of your own that
 * contains `group`) on the `DynamicClientRegistration` backend in context. Paths come from the
 * definition.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerGroup = <ApiId extends string, Groups extends HttpApiGroup.HttpApiGroup.Any>(
  api: HttpApi.HttpApi<ApiId, Groups, any, any>,
  options: Options
): Layer.Layer<
  HttpApiGroup.ApiGroup<ApiId, "registration">,
  never,
  DynamicClientRegistration.DynamicClientRegistration
> => {
  const definition = api as unknown as HttpApi.HttpApi<"effect-dcr", Group>
  const path = definition.groups.registration.endpoints.register.path
  const logic = Registration.make(options)
  const refuse = (allow: ReadonlyArray<string>) => {
    const answers = new Map<string, HttpServerResponse.HttpServerResponse>()
    return ({ request }: { readonly request: HttpServerRequest.HttpServerRequest }) => {
      let answer = answers.get(request.method)
      if (answer === undefined) {
        answer = Responses.toServerResponse(new MethodNotAllowed({ method: request.method, allow }).raw)
        answers.set(request.method, answer)
      }
      return Effect.succeed(answer)
    }
  }
  const cors = logic.cors
  /** The group's CORS headers on an answer (the fast path adds the same to its own). */
  const withCors = (
    request: HttpServerRequest.HttpServerRequest,
    response: HttpServerResponse.HttpServerResponse
  ): HttpServerResponse.HttpServerResponse => {
    const headers = cors.response(request.headers["origin"])
    return headers === undefined ? response : HttpServerResponse.setHeaders(response, CorsHeaders.record(headers))
  }
  const corsed = <A extends { readonly request: HttpServerRequest.HttpServerRequest }, E, R>(
    handler: (args: A) => Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
  ) =>
  (args: A) => Effect.map(handler(args), (response) => withCors(args.request, response))
  /** OPTIONS: the allowed methods, and the answer to a CORS preflight. */
  const allowed = (allow: ReadonlyArray<string>) => {
    const methods = allow.join(", ")
    const response = HttpServerResponse.empty({ status: 204, headers: { allow: methods } })
    return ({ request }: { readonly request: HttpServerRequest.HttpServerRequest }) => {
      const { headers } = request
      const preflight = cors.preflight(
        headers["origin"],
        headers["access-control-request-method"],
        headers["access-control-request-headers"],
        methods
      )
      return Effect.succeed(
        preflight === undefined
          ? withCors(request, response)
          : HttpServerResponse.setHeaders(response, CorsHeaders.record(preflight))
      )
    }
  }
  const document = HttpServerResponse.unsafeJson(
    Discovery.metadata({
      issuer: options.issuer,
      registrationEndpoint: Discovery.endpointUrl(options.issuer, path),
      metadata: options.metadata
    })
  )
  const toResponse = Effect.map(Responses.toServerResponse)
  const management = (
    f: (service: DynamicClientRegistration.Service, token: string | undefined) => Effect.Effect<Responses.RawResponse>
  ) =>
    Effect.flatMap(
      BearerToken.Authorization,
      (authorization) =>
        Effect.flatMap(
          DynamicClientRegistration.DynamicClientRegistration,
          (service) => toResponse(f(service, BearerToken.parse(authorization)))
        )
    )

  const handlers = HttpApiBuilder.group(definition, "registration", (handlers) =>
    handlers
      .handleRaw(
        "register",
        corsed(({ request }) =>
          Effect.flatMap(DynamicClientRegistration.DynamicClientRegistration, (service) =>
            toResponse(
              logic.register(service, BearerToken.fromHeaders(request.headers), bodyOf(request), peerOf(request))
            ))
        )
      )
      .handleRaw(
        "read",
        corsed(({ path, request }) =>
          management((service, token) => logic.read(service, path.client_id, token, peerOf(request)))
        )
      )
      .handleRaw(
        "update",
        corsed(({ path, request }) =>
          management((service, token) => logic.update(service, path.client_id, token, bodyOf(request), peerOf(request)))
        )
      )
      .handleRaw(
        "delete",
        corsed(({ path, request }) =>
          management((service, token) => logic.delete(service, path.client_id, token, peerOf(request)))
        )
      )
      .handleRaw("describeRegistration", allowed(collectionAllow))
      .handleRaw("describeClient", allowed(itemAllow))
      .handleRaw("describeMetadata", allowed(metadataAllow))
      .handleRaw("getRegistration", corsed(refuse(collectionAllow)))
      .handleRaw("putRegistration", corsed(refuse(collectionAllow)))
      .handleRaw("patchRegistration", corsed(refuse(collectionAllow)))
      .handleRaw("deleteRegistration", corsed(refuse(collectionAllow)))
      .handleRaw("postClient", corsed(refuse(itemAllow)))
      .handleRaw("patchClient", corsed(refuse(itemAllow)))
      .handleRaw("metadata", corsed(() => Effect.succeed(document))))
  return Layer.mergeAll(handlers, FastPath.layer(path, logic)).pipe(
    Layer.provide(BearerToken.layer)
  ) as unknown as Layer.Layer<
    HttpApiGroup.ApiGroup<ApiId, "registration">,
    never,
    DynamicClientRegistration.DynamicClientRegistration
  >
}

/**
 * The whole API (`make(options)`) with its handlers and `GET /openapi.json`, ready for
 * `HttpApiBuilder.serve()`; needs a `DynamicClientRegistration` backend.
 *
 * @example
 * ```ts
 * import { Engine } from "@effect-dcr/engine"
 * import { RegistrationApi } from "@effect-dcr/http-server"
 * import { HttpApiBuilder } from "@effect/platform"
 * import { NodeHttpServer } from "@effect/platform-node"
 * import { Layer } from "effect"
 * import { createServer } from "node:http"
 *
 * const issuer = "http://127.0.0.1:3000"
 * const Main = HttpApiBuilder.serve().pipe(
 *   Layer.provide(RegistrationApi.layer({ issuer })),
 *   Layer.provide(Engine.layerSqlite({ filename: "dcr.sqlite", registrationEndpoint: `${issuer}/register` })),
 *   Layer.provide(NodeHttpServer.layer(createServer, { port: 3000, host: "127.0.0.1" }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Paths & Options
): Layer.Layer<HttpApi.Api, never, DynamicClientRegistration.DynamicClientRegistration> => {
  const api = make(options)
  return HttpApiBuilder.middlewareOpenApi().pipe(
    Layer.provideMerge(HttpApiBuilder.api(api)),
    Layer.provide(layerGroup(api, options))
  )
}

/**
 * The OpenAPI 3.1 document of `make(paths)`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const openApi = (paths?: Paths | undefined): OpenApi.OpenAPISpec => OpenApi.fromApi(make(paths))

/**
 * The registration access token that `client` sends as `Authorization: Bearer` for the calls run in
 * its scope (set it with `withAccessToken`).
 *
 * @since 0.1.0
 * @category references
 */
export const currentAccessToken: FiberRef.FiberRef<Option.Option<Redacted.Redacted<string>>> = globalValue(
  Symbol.for("@effect-dcr/http-server/RegistrationApi/currentAccessToken"),
  () => FiberRef.unsafeMake<Option.Option<Redacted.Redacted<string>>>(Option.none())
)

/**
 * Runs `self` with `token` as the bearer token of every `client` call in it: the registration
 * access token for read, update and delete, or an initial access token for register.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withAccessToken: {
  (token: Redacted.Redacted<string> | string): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, token: Redacted.Redacted<string> | string): Effect.Effect<A, E, R>
} = dual(
  2,
  <A, E, R>(self: Effect.Effect<A, E, R>, token: Redacted.Redacted<string> | string): Effect.Effect<A, E, R> =>
    Effect.locally(
      self,
      currentAccessToken,
      Option.some(Redacted.isRedacted(token) ? token : Redacted.make(token))
    )
)

/**
 * A typed client of a registration server at `baseUrl`, derived from the same definition
 * (`client.registration.register({ payload })`, `read({ path: { client_id } })`, …). Success
 * bodies decode to `ClientInformationResponse`; RFC error bodies fail with `RegistrationErrorResponse`.
 * Wrap calls in `withAccessToken(token)` to send a bearer token.
 *
 * @example
 * ```ts
 * import { RegistrationApi } from "@effect-dcr/http-server"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const client = yield* RegistrationApi.client({ baseUrl: "http://127.0.0.1:3000" })
 *   const registered = yield* client.registration.register({
 *     payload: { client_name: "demo", redirect_uris: ["https://app.example/cb"] }
 *   })
 *   return yield* client.registration.read({ path: { client_id: registered.client_id } }).pipe(
 *     RegistrationApi.withAccessToken(registered.registration_access_token!)
 *   )
 * }).pipe(Effect.provide(FetchHttpClient.layer))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const client = (options: Paths & { readonly baseUrl: string | URL }) =>
  HttpApiClient.make(make(options), {
    baseUrl: options.baseUrl,
    transformClient: HttpClient.mapRequestEffect((request) =>
      Effect.map(FiberRef.get(currentAccessToken), (token) =>
        Option.isSome(token) ? HttpClientRequest.bearerToken(request, token.value) : request)
    )
  })
