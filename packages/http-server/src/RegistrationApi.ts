/**
 * A declarative `HttpApi` description of the registration endpoints, used for their OpenAPI
 * document. The endpoints themselves are served by `RegistrationRouter` (plain router handlers,
 * so the hot path does no payload schema decoding); this module only describes them.
 *
 * @since 0.1.0
 */
import {
  ClientInformationResponse as SchemaClientInformation,
  ClientMetadata as SchemaClientMetadata,
  RegistrationErrorResponse
} from "@effect-dcr/schema"
import * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiMiddleware from "@effect/platform/HttpApiMiddleware"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as HttpApiSecurity from "@effect/platform/HttpApiSecurity"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as OpenApi from "@effect/platform/OpenApi"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as RegistrationRouter from "./RegistrationRouter.js"

/**
 * RFC 7591 §2 client metadata (the schema package's model; unknown members are accepted).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ClientMetadata = SchemaClientMetadata

/**
 * RFC 7591 §3.2.1 / RFC 7592 §3 client information response.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ClientInformation = SchemaClientInformation

/**
 * RFC 7591 §3.2.2 / RFC 6750 §3.1 error response.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ErrorResponse = RegistrationErrorResponse

const errorWith = (status: number, description: string) =>
  ErrorResponse.annotations(HttpApiSchema.annotations({ status, description }))

const BadRequest = errorWith(400, "invalid_client_metadata, invalid_redirect_uri, invalid_request, …")
const Unauthorized = errorWith(401, "invalid_token (with a WWW-Authenticate: Bearer challenge)")
const TooLarge = errorWith(413, "The body exceeds the server's limit (64 KiB by default)")
const ServerError = errorWith(500, "server_error")

/**
 * Declares the RFC 7592 registration access token (an `Authorization: Bearer` token) for the
 * OpenAPI document. Description only: `RegistrationRouter` checks the token itself.
 *
 * @since 0.1.0
 * @category security
 */
export class RegistrationAccessToken extends HttpApiMiddleware.Tag<RegistrationAccessToken>()(
  "@effect-dcr/http-server/RegistrationApi/RegistrationAccessToken",
  { security: { bearer: HttpApiSecurity.bearer } }
) {}

/**
 * The `HttpApi` describing the endpoints mounted at `options.path` (default `/register`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options?: RegistrationRouter.Options | undefined) => {
  const base = options?.path ?? RegistrationRouter.defaultPath
  const path = (base.length > 1 && base.endsWith("/") ? base.slice(0, -1) : base) as `/${string}`
  const item = `${path === "/" ? "" : path}/:client_id` as const
  const PathParams = Schema.Struct({
    client_id: Schema.String.annotations({ description: "The client_id from registration_client_uri" })
  })

  const register = HttpApiEndpoint.post("register", path)
    .setPayload(ClientMetadata)
    .addSuccess(ClientInformation, { status: 201 })
    .addError(BadRequest)
    .addError(Unauthorized)
    .addError(TooLarge)
    .addError(ServerError)
    .annotate(OpenApi.Summary, "Register a client (RFC 7591 §3)")
    .annotate(
      OpenApi.Description,
      "Send the client metadata as a JSON object. An initial access token, if the server requires one, goes in Authorization: Bearer."
    )
    .annotate(OpenApi.Override, { security: [{}, { bearer: [] }] })

  const read = HttpApiEndpoint.get("read", item)
    .setPath(PathParams)
    .addSuccess(ClientInformation)
    .addError(BadRequest)
    .addError(Unauthorized)
    .addError(ServerError)
    .annotate(OpenApi.Summary, "Read a client's registration (RFC 7592 §2.1)")

  const update = HttpApiEndpoint.put("update", item)
    .setPath(PathParams)
    .setPayload(ClientMetadata)
    .addSuccess(ClientInformation)
    .addError(BadRequest)
    .addError(Unauthorized)
    .addError(TooLarge)
    .addError(ServerError)
    .annotate(OpenApi.Summary, "Replace a client's registration (RFC 7592 §2.2)")
    .annotate(
      OpenApi.Description,
      "The body replaces the registration (omitted metadata are removed) and must contain the client_id."
    )

  const remove = HttpApiEndpoint.del("delete", item)
    .setPath(PathParams)
    .addSuccess(HttpApiSchema.NoContent)
    .addError(BadRequest)
    .addError(Unauthorized)
    .addError(ServerError)
    .annotate(OpenApi.Summary, "Delete a client (RFC 7592 §2.3)")

  const management = HttpApiGroup.make("management").add(read).add(update).add(remove).middleware(
    RegistrationAccessToken
  )
  return HttpApi.make("effect-dcr")
    .add(HttpApiGroup.make("registration").add(register))
    .add(management)
    .annotate(OpenApi.Title, "OAuth 2.0 Dynamic Client Registration")
    .annotate(OpenApi.Version, "0.1.0")
    .annotate(
      OpenApi.Description,
      "RFC 7591 client registration and RFC 7592 client configuration endpoints (effect-dcr)."
    )
}

/**
 * The OpenAPI 3.1 document of the endpoints mounted at `options.path`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const openApi = (options?: RegistrationRouter.Options | undefined): OpenApi.OpenAPISpec =>
  OpenApi.fromApi(make(options))

/**
 * A handler serving the OpenAPI document (computed once, when this is called) as JSON.
 *
 * @example
 * ```ts
 * import { RegistrationApi, RegistrationRouter } from "@effect-dcr/http-server"
 * import { HttpRouter } from "@effect/platform"
 *
 * const app = RegistrationRouter.make().pipe(HttpRouter.get("/openapi.json", RegistrationApi.handler()))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const handler = (
  options?: RegistrationRouter.Options | undefined
): Effect.Effect<HttpServerResponse.HttpServerResponse> =>
  Effect.succeed(HttpServerResponse.text(JSON.stringify(openApi(options)), { contentType: "application/json" }))
