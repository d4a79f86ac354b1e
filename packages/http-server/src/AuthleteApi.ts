/**
 * An Authlete-compatible HTTP API in front of any `DynamicClientRegistration` backend (normally the
 * engine): the four endpoints of Authlete's v3 API, so that the official
 * `@authlete/typescript-sdk`, our own `AuthleteClient`, or any other Authlete client can be pointed
 * at a local server.
 *
 * | Route | Operation |
 * |---|---|
 * | `POST /api/{serviceId}/client/registration` | register |
 * | `POST /api/{serviceId}/client/registration/get` | get |
 * | `POST /api/{serviceId}/client/registration/update` | update |
 * | `POST /api/{serviceId}/client/registration/delete` | delete |
 *
 * Like Authlete, the answer is **HTTP 200 for every action** (the `action` carries the outcome), with
 * the `ClientRegistrationResponse` as JSON. The API itself fails with a `ResultError` body
 * `{resultCode, resultMessage}`:
 *
 * | HTTP | resultCode | When |
 * |---|---|---|
 * | 401 | `A001202` | no `Authorization: Bearer …` header |
 * | 401 | `A001203` | the bearer token is not the service access token |
 * | 404 | `A001204` | the `serviceId` in the path is not the served service (checked after the token) |
 * | 400 | `A<api>201` | the body is not JSON (or form-encoded) with the operation's parameters; `<api>` is 202 register, 217 get, 213 update, 216 delete |
 * | 413 | `A<api>202` | the body is larger than `maxBodySize` |
 * | 500 | `A001101` | the backend failed (e.g. an upstream Authlete error when proxying) |
 *
 * Request bodies are JSON (`application/json`, what the SDKs send) or
 * `application/x-www-form-urlencoded` (which Authlete's OpenAPI also declares).
 *
 * @since 0.1.0
 */
import { DynamicClientRegistration } from "@effect-dcr/client/DynamicClientRegistration"
import {
  DeleteRequest,
  DeleteResponse,
  GetRequest,
  GetResponse,
  RegisterRequest,
  RegisterResponse,
  UpdateRequest,
  UpdateResponse
} from "@effect-dcr/schema"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Credentials from "./Credentials.js"

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
}

interface Operation<Req, Res> {
  readonly name: "register" | "get" | "update" | "delete"
  readonly path: string
  readonly apiNumber: string
  readonly decode: (input: unknown) => Either.Either<Req, ParseResult.ParseError>
  readonly encode: (response: Res) => Either.Either<unknown, ParseResult.ParseError>
  readonly call: (service: DynamicClientRegistration["Type"], request: Req) => Effect.Effect<Res, unknown>
}

const operation = <ReqA, ReqI, ResA, ResI>(
  name: Operation<ReqA, ResA>["name"],
  path: string,
  apiNumber: string,
  requestSchema: Schema.Schema<ReqA, ReqI>,
  responseSchema: Schema.Schema<ResA, ResI>,
  call: Operation<ReqA, ResA>["call"]
): Operation<ReqA, ResA> => ({
  name,
  path,
  apiNumber,
  decode: Schema.decodeUnknownEither(requestSchema, { errors: "all" }),
  encode: Schema.encodeEither(responseSchema),
  call
})

const operations = [
  operation("register", "/client/registration", "202", RegisterRequest, RegisterResponse, (s, r) => s.register(r)),
  operation("get", "/client/registration/get", "217", GetRequest, GetResponse, (s, r) => s.get(r)),
  operation("update", "/client/registration/update", "213", UpdateRequest, UpdateResponse, (s, r) => s.update(r)),
  operation("delete", "/client/registration/delete", "216", DeleteRequest, DeleteResponse, (s, r) => s.delete(r))
] as const

const resultError = (status: number, resultCode: string, message: string) =>
  HttpServerResponse.unsafeJson(
    { resultCode, resultMessage: `[${resultCode}] ${message}` },
    { status, headers: { "cache-control": "no-store", pragma: "no-cache" } }
  )

const bearerPattern = /^Bearer +([^ ]+) *$/i

const decodeBody = (contentType: string, text: string): unknown => {
  if (contentType.includes("application/x-www-form-urlencoded")) {
    return Object.fromEntries(new URLSearchParams(text))
  }
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** Names the offending parameters without echoing their values (a value may be a token). */
const describeParseError = (error: ParseResult.ParseError): string => {
  const paths = new Set(
    ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => issue.path.join(".")).filter((p) => p !== "")
  )
  return paths.size === 0
    ? "The request body is not a JSON object."
    : `The request body has a missing or invalid parameter: ${[...paths].map((p) => `'${p}'`).join(", ")}.`
}

/**
 * The API as an `HttpRouter`: mount it in an app, or serve it with `layer`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const router = (options: Options): HttpRouter.HttpRouter<never, DynamicClientRegistration> => {
  const maxBodySize = options.maxBodySize ?? 1024 * 1024
  const serviceId = options.serviceId
  const handler = <Req, Res>(op: Operation<Req, Res>) => {
    const endpoint = op.path
    return Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const authorization = request.headers["authorization"]
      if (authorization === undefined || authorization === "") {
        return resultError(401, "A001202", `${endpoint}, Authorization header is missing.`)
      }
      const match = bearerPattern.exec(authorization)
      if (match === null || !Credentials.equals(Redacted.make(match[1]!), options.serviceAccessToken)) {
        return resultError(401, "A001203", `${endpoint}, The access token is invalid.`)
      }
      const params = yield* HttpRouter.params
      if (params["serviceId"] !== serviceId) {
        return resultError(404, "A001204", `${endpoint}, The service does not exist.`)
      }
      const declaredLength = Number(request.headers["content-length"] ?? "0")
      if (declaredLength > maxBodySize) {
        return resultError(413, `A${op.apiNumber}202`, `${endpoint}, The request body is too large.`)
      }
      const text = yield* request.text.pipe(
        HttpIncomingMessage.withMaxBodySize(Option.some(maxBodySize)),
        Effect.either
      )
      if (Either.isLeft(text)) {
        return resultError(413, `A${op.apiNumber}202`, `${endpoint}, The request body is too large or unreadable.`)
      }
      const decoded = op.decode(decodeBody(request.headers["content-type"] ?? "", text.right))
      if (Either.isLeft(decoded)) {
        return resultError(400, `A${op.apiNumber}201`, `${endpoint}, ${describeParseError(decoded.left)}`)
      }
      const service = yield* DynamicClientRegistration
      const response = yield* Effect.either(op.call(service, decoded.right))
      if (Either.isLeft(response)) {
        yield* Effect.logError(`AuthleteApi ${op.name}: the backend failed`, response.left)
        return resultError(500, "A001101", `${endpoint}, Authlete Server error.`)
      }
      const encoded = op.encode(response.right)
      if (Either.isLeft(encoded)) {
        yield* Effect.logError(`AuthleteApi ${op.name}: the response could not be encoded`, encoded.left.message)
        return resultError(500, "A001101", `${endpoint}, Authlete Server error.`)
      }
      return HttpServerResponse.unsafeJson(encoded.right, {
        headers: { "cache-control": "no-store", pragma: "no-cache" }
      })
    }).pipe(Effect.withSpan(`AuthleteApi.${op.name}`))
  }
  return operations.reduce(
    (router, op) => HttpRouter.post(router, `/api/:serviceId${op.path}`, handler<any, any>(op)),
    HttpRouter.empty as HttpRouter.HttpRouter<never, DynamicClientRegistration>
  )
}

/**
 * Serves the API on the `HttpServer` in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options
): Layer.Layer<never, never, HttpServer.HttpServer | DynamicClientRegistration> =>
  HttpServer.serve(router(options))

/**
 * `layer` configured from `Config`, e.g.
 * `AuthleteApi.layerConfig({ serviceId: Config.string("SERVICE_ID"), serviceAccessToken: Config.redacted("SERVICE_TOKEN") })`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config.Wrap<Options>
): Layer.Layer<never, ConfigError.ConfigError, HttpServer.HttpServer | DynamicClientRegistration> =>
  Layer.unwrapEffect(Effect.map(Config.unwrap(config), layer))
