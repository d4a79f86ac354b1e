/**
 * The standalone server: the RFC 7591/7592 endpoints, their OpenAPI document, RFC 8414 discovery
 * and, with the embedded engine, the Authlete-compatible API under `/api/{serviceId}/…`, on one
 * port.
 *
 * @since 0.1.0
 */
import type { DynamicClientRegistration } from "@effect-dcr/client"
import { AuthleteApi } from "@effect-dcr/engine"
import {
  Discovery,
  NodeRegistrationServer,
  RegistrationApi,
  RegistrationResponse,
  RegistrationRouter
} from "@effect-dcr/http-server"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import type * as HttpServerError from "@effect/platform/HttpServerError"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { randomBytes } from "node:crypto"
import * as Backend from "./Backend.js"
import * as ServerConfig from "./ServerConfig.js"

/**
 * Everything the HTTP app is built from, once the listen address is known.
 *
 * @since 0.1.0
 * @category models
 */
export interface AppOptions {
  readonly issuer: string
  /** The local Authlete-compatible API; only served with the embedded engine. */
  readonly authleteApi?: AuthleteApi.Options | undefined
}

const notFound = RegistrationResponse.error(404, { error: "not_found", error_description: "No such endpoint." })

/**
 * The path of the registration endpoint for an issuer: `{issuer path}/register`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const registrationPath = (issuer: string | undefined): `/${string}` =>
  `${issuer === undefined ? "" : new URL(issuer).pathname.replace(/\/+$/, "")}/register` as `/${string}`

/**
 * The HTTP app: registration endpoints at `{issuer path}/register`, `GET /openapi.json`,
 * `/.well-known/oauth-authorization-server`, and the Authlete-compatible API when configured.
 * Unknown paths answer a JSON 404.
 *
 * @since 0.1.0
 * @category constructors
 */
export const app = (
  options: AppOptions
): Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  never,
  HttpServerRequest.HttpServerRequest | DynamicClientRegistration.DynamicClientRegistration
> => {
  const path = registrationPath(options.issuer)
  const registrationEndpoint = ServerConfig.registrationEndpoint(options.issuer)
  let router = HttpRouter.empty.pipe(
    HttpRouter.concat(RegistrationRouter.make({ path })),
    HttpRouter.get("/openapi.json", RegistrationApi.handler({ path })),
    HttpRouter.concat(Discovery.make({ issuer: options.issuer, registrationEndpoint }))
  ) as HttpRouter.HttpRouter<never, DynamicClientRegistration.DynamicClientRegistration>
  if (options.authleteApi !== undefined) {
    router = HttpRouter.concat(router, AuthleteApi.router(options.authleteApi))
  }
  return router.pipe(
    Effect.catchTag("RouteNotFound", (_: HttpServerError.RouteNotFound) => Effect.succeed(notFound))
  )
}

/**
 * A fresh service access token for the local Authlete API: 32 random bytes, base64url.
 *
 * @since 0.1.0
 * @category constructors
 */
export const generateToken = (): Redacted.Redacted<string> => Redacted.make(randomBytes(32).toString("base64url"))

/**
 * Serves the app for `config` until interrupted (SIGINT/SIGTERM under `NodeRuntime.runMain`): the
 * HTTP server stops accepting, in-flight requests finish, then the backend (SQLite) closes.
 * Prints the mode and the URLs once listening.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (config: ServerConfig.ServerConfig) =>
  Layer.unwrapScoped(Effect.gen(function*() {
    const server = yield* HttpServer.HttpServer
    const address = server.address
    const base = address._tag === "TcpAddress"
      ? ServerConfig.listenUrl(config.host, address.port)
      : `http://unix:${address.path}`
    const issuer = config.issuer ?? base
    const registrationEndpoint = ServerConfig.registrationEndpoint(issuer)
    const engine = config.backend._tag === "Engine"
    const generated = engine && config.serviceAccessToken === undefined
    const serviceAccessToken = config.serviceAccessToken ?? generateToken()
    const authleteApi: AuthleteApi.Options | undefined = engine
      ? { serviceId: config.serviceId, serviceAccessToken }
      : undefined

    const banner = Effect.gen(function*() {
      yield* Console.log(`effect-dcr serving with ${Backend.describe(config.backend)}`)
      yield* Console.log(`  Listening on:           ${base}`)
      yield* Console.log(`  Issuer:                 ${issuer}`)
      yield* Console.log(`  Registration endpoint:  ${registrationEndpoint}`)
      yield* Console.log(`  Discovery:              ${base}${Discovery.wellKnownPath(issuer)}`)
      yield* Console.log(`  OpenAPI:                ${base}/openapi.json`)
      if (engine) {
        yield* Console.log(`  Authlete-compatible API: ${base}/api/${encodeURIComponent(config.serviceId)}/client/registration`)
        if (generated) {
          yield* Console.log(
            `  Service access token (generated for this run; set DCR_SERVICE_ACCESS_TOKEN to choose one): ${
              Redacted.value(serviceAccessToken)
            }`
          )
        }
      }
      if (config.initialAccessToken !== undefined) {
        yield* Console.log("  Registration requires the initial access token from DCR_INITIAL_ACCESS_TOKEN")
      }
      yield* Console.log("Ready. Press Ctrl+C to stop.")
    })

    return HttpServer.serve(app({ issuer, authleteApi })).pipe(
      Layer.provide(Backend.layer(config.backend, {
        registrationEndpoint,
        initialAccessToken: config.initialAccessToken,
        requireRedirectUrisForDefaultGrant: config.requireRedirectUrisForDefaultGrant
      })),
      Layer.tap(() => banner)
    )
  })).pipe(Layer.provide(
    NodeRegistrationServer.layer({ host: config.host, port: config.port }, { path: registrationPath(config.issuer) })
  ))
