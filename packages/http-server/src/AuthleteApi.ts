/**
 * An Authlete-compatible HTTP API in front of any `DynamicClientRegistration` backend (normally the
 * embedded engine), as an `HttpApi` group named `authlete`: the four endpoints of Authlete's v3 API
 * (`POST /api/{serviceId}/client/registration[/get|/update|/delete]`, from the schema's
 * `AuthleteEndpoints`), so the official `@authlete/typescript-sdk`, `AuthleteClient` or any other
 * Authlete client can use a local server. Like Authlete it answers HTTP 200 for every action; the
 * API itself fails with a `{resultCode, resultMessage}` body (the table is in the README).
 *
 * @since 0.1.0
 */
import { DynamicClientRegistration } from "@effect-dcr/client"
import { AuthleteEndpoints, type AuthleteOperation, describeParseIssue, isJsonMediaType } from "@effect-dcr/schema"
import type * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as OpenApi from "@effect/platform/OpenApi"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { createHash, timingSafeEqual } from "node:crypto"
import * as BearerToken from "./BearerToken.js"
import * as Api from "./internal/api.js"
import * as RequestBody from "./internal/requestBody.js"
import * as Responses from "./internal/responses.js"
import type * as RateLimit from "./RateLimit.js"

/**
 * Options of the API.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The service id served under `/api/{serviceId}/…`. */
  readonly serviceId: string
  /** The service access token callers present as `Authorization: Bearer …`. */
  readonly serviceAccessToken: Redacted.Redacted<string>
  /** Largest accepted request body in bytes (default 1 MiB). */
  readonly maxBodySize?: number | undefined
  /**
   * The rate limits (`RateLimit.make`), shared with `RegistrationApi.layerGroup`: a wrong or missing
   * service access token counts as a failed authentication of the caller's address, and an address
   * over that limit is answered 429. Default: none.
   */
  readonly rateLimit?: RateLimit.RateLimiter | undefined
}

/**
 * The error bodies this API sends (`resultMessage` always present). Stricter than the schema's
 * `ResultError` (all optional, for decoding any Authlete answer), which as an error schema of the
 * served API would match any failure, e.g. the router's `RouteNotFound`, and answer it `400 {}`.
 */
const SentResultError = Schema.Struct({
  resultCode: Schema.optional(Schema.String),
  resultMessage: Schema.String
}).annotations({ identifier: "ResultError" })

const resultError = (status: number, description: string) =>
  SentResultError.annotations(HttpApiSchema.annotations({ status, description }))

const ServiceIdPath = Schema.Struct({ serviceId: Schema.String.annotations({ description: "The service ID" }) })

const endpoint = <Operation extends AuthleteOperation>(operation: Operation) => {
  const { path, request, response } = AuthleteEndpoints[operation]
  return HttpApiEndpoint.post(operation, `/api/:serviceId${path}`)
    .setPath(ServiceIdPath)
    .setPayload(request)
    .addSuccess(response)
    .addError(resultError(400, "The body lacks a parameter or is not JSON / form-encoded"))
    .addError(resultError(401, "A001202: no Authorization header; A001203: not the service access token"))
    .addError(resultError(404, "A001204: no such service"))
    .addError(resultError(413, "The body is larger than the limit (1 MiB by default)"))
    .addError(resultError(429, "Too many failed authentications from this address (see Retry-After, in seconds)"))
    .addError(resultError(500, "A001101: the backend failed"))
    .middleware(BearerToken.Bearer)
}

/**
 * The API as an `HttpApiGroup` named `authlete`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const group = HttpApiGroup.make("authlete")
  .add(endpoint("register").annotate(OpenApi.Summary, "Authlete: register a client"))
  .add(endpoint("get").annotate(OpenApi.Summary, "Authlete: read a client"))
  .add(endpoint("update").annotate(OpenApi.Summary, "Authlete: update a client"))
  .add(endpoint("delete").annotate(OpenApi.Summary, "Authlete: delete a client"))
  .annotate(OpenApi.Description, "Authlete's Dynamic Client Registration API (v3), served locally")

/**
 * A ready `HttpApi` with the `authlete` group.
 *
 * @since 0.1.0
 * @category constructors
 */
export const api = Api.make("authlete-compatible").add(group)
  .annotate(OpenApi.Title, "Authlete-compatible Dynamic Client Registration API")
  .annotate(OpenApi.Version, "0.1.0")

const noStore = { "cache-control": "no-store", pragma: "no-cache" } as const

const result = (status: number, resultCode: string, message: string) =>
  HttpServerResponse.unsafeJson({ resultCode, resultMessage: `[${resultCode}] ${message}` }, {
    status,
    // A 413 closes the connection, as the registration endpoints do: the rest of the body is not waited for.
    headers: status === 413 ? { ...noStore, connection: "close" } : noStore
  })

const tooManyRequests = (path: string, waitMillis: number) => {
  const seconds = Responses.retryAfterSeconds(waitMillis)
  return HttpServerResponse.unsafeJson(
    { resultMessage: `${path}, Too many failed authentications from this address; retry after ${seconds} s.` },
    { status: 429, headers: { ...noStore, "retry-after": String(seconds) } }
  )
}

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest()

const decodeBody = (contentType: string | undefined, text: string): unknown => {
  if (!isJsonMediaType(contentType) && contentType?.toLowerCase().includes("application/x-www-form-urlencoded")) {
    return Object.fromEntries(new URLSearchParams(text))
  }
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/**
 * Serves the `authlete` group of `api` (this module's `api`, or an `HttpApi` of your own that
 * contains `group`) on the `DynamicClientRegistration` backend in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerGroup = <ApiId extends string, Groups extends HttpApiGroup.HttpApiGroup.Any>(
  api: HttpApi.HttpApi<ApiId, Groups, any, any>,
  options: Options
): Layer.Layer<
  HttpApiGroup.ApiGroup<ApiId, "authlete">,
  never,
  DynamicClientRegistration.DynamicClientRegistration
> => {
  const maxBytes = options.maxBodySize ?? 1024 * 1024
  // A second constant-time comparison next to the engine's `Credentials.equals`: the http-server
  // does not depend on the engine.
  const expected = digest(Redacted.value(options.serviceAccessToken))
  const limiter = options.rateLimit
  const handle = <Operation extends AuthleteOperation>(operation: Operation) => {
    const { apiNumber, path, request: requestSchema, response: responseSchema } = AuthleteEndpoints[operation]
    const decode = Schema.decodeUnknownEither(requestSchema as Schema.Schema<any, any>, { errors: "all" })
    const encode = Schema.encodeEither(responseSchema as Schema.Schema<any, any>)
    const call = (service: DynamicClientRegistration.Service, request: any): Effect.Effect<unknown, unknown> =>
      (service[operation] as (request: unknown) => Effect.Effect<unknown, unknown>)(request)
    return ({ path: params, request }: {
      readonly path: { readonly serviceId: string }
      readonly request: HttpServerRequest.HttpServerRequest
    }) =>
      Effect.gen(function*() {
        const authorization = yield* BearerToken.Authorization
        const address = limiter?.address(Option.getOrUndefined(request.remoteAddress), request.headers)
        if (address !== undefined) {
          const wait = limiter!.authenticationWait(address)
          if (wait > 0) return tooManyRequests(path, wait)
        }
        if (authorization === undefined || authorization === "") {
          if (address !== undefined) limiter!.failedAuthentication(address)
          return result(401, "A001202", `${path}, Authorization header is missing.`)
        }
        const token = BearerToken.parse(authorization)
        if (token === undefined || !timingSafeEqual(digest(token), expected)) {
          if (address !== undefined) limiter!.failedAuthentication(address)
          return result(401, "A001203", `${path}, The access token is invalid.`)
        }
        if (params.serviceId !== options.serviceId) {
          return result(404, "A001204", `${path}, The service does not exist.`)
        }
        const text = yield* Effect.either(RequestBody.readText(request, maxBytes))
        if (Either.isLeft(text)) {
          return text.left._tag === "PayloadTooLarge"
            ? result(413, `A${apiNumber}202`, `${path}, The request body is too large.`)
            : result(400, `A${apiNumber}201`, `${path}, The request body could not be read.`)
        }
        const decoded = decode(decodeBody(request.headers["content-type"], text.right))
        if (Either.isLeft(decoded)) {
          return result(
            400,
            `A${apiNumber}201`,
            `${path}, The request body is invalid: ${describeParseIssue(decoded.left.issue, { values: false })}.`
          )
        }
        const service = yield* DynamicClientRegistration.DynamicClientRegistration
        const answer = yield* Effect.either(call(service, decoded.right))
        if (Either.isLeft(answer)) {
          yield* Effect.logError(`AuthleteApi ${operation}: the backend failed`, answer.left)
          return result(500, "A001101", `${path}, Authlete Server error.`)
        }
        const encoded = encode(answer.right)
        if (Either.isLeft(encoded)) {
          yield* Effect.logError(`AuthleteApi ${operation}: the response could not be encoded`, encoded.left.message)
          return result(500, "A001101", `${path}, Authlete Server error.`)
        }
        return HttpServerResponse.unsafeJson(encoded.right, { headers: noStore })
      }).pipe(Effect.withSpan(`AuthleteApi.${operation}`, { kind: "internal", captureStackTrace: false }))
  }
  return HttpApiBuilder.group(
    api as unknown as HttpApi.HttpApi<"authlete-compatible", typeof group>,
    "authlete",
    (handlers) =>
      handlers
        .handleRaw("register", handle("register"))
        .handleRaw("get", handle("get"))
        .handleRaw("update", handle("update"))
        .handleRaw("delete", handle("delete"))
  ).pipe(Layer.provide(BearerToken.layer)) as unknown as Layer.Layer<
    HttpApiGroup.ApiGroup<ApiId, "authlete">,
    never,
    DynamicClientRegistration.DynamicClientRegistration
  >
}

/**
 * The API (`api`) with its handlers, ready for `HttpApiBuilder.serve()`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options
): Layer.Layer<HttpApi.Api, never, DynamicClientRegistration.DynamicClientRegistration> =>
  HttpApiBuilder.api(api).pipe(Layer.provide(layerGroup(api, options)))
