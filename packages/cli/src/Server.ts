/**
 * The standalone server: the RFC 7591/7592 endpoints, their OpenAPI document, RFC 8414 discovery
 * and, with the embedded engine when asked, the Authlete-compatible API under `/api/{serviceId}/…`,
 * on one port.
 *
 * @since 0.1.0
 */
import type { DynamicClientRegistration, Readiness } from "@effect-dcr/client"
import type { Cors } from "@effect-dcr/http-server"
import {
  AuthleteApi,
  Discovery,
  HealthApi,
  Observability,
  RateLimit,
  RegistrationApi,
  RegistrationResponse
} from "@effect-dcr/http-server"
import * as NodeRegistrationServer from "@effect-dcr/http-server/NodeRegistrationServer"
import type * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import type * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpServer from "@effect/platform/HttpServer"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { randomBytes } from "node:crypto"
import { rename, writeFile } from "node:fs/promises"
import { dirname } from "node:path"
import * as Backend from "./Backend.js"
import * as Logging from "./Logging.js"
import * as ServerConfig from "./ServerConfig.js"
import * as Settings from "./Settings.js"
import * as Telemetry from "./Telemetry.js"

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
  /** The abuse limits, shared by the registration endpoints and the Authlete-compatible API. */
  readonly rateLimit?: RateLimit.RateLimiter | undefined
  /** CORS on the registration, management and discovery routes (default any origin); `false` for none. */
  readonly cors?: Cors.Options | false | undefined
  /** The authorization server's RFC 8414 metadata, published by discovery with `issuer` and `registration_endpoint`. */
  readonly metadata?: Readonly<Record<string, unknown>> | undefined
}

/**
 * The path of the registration endpoint for an issuer: `{issuer path}/register`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const registrationPath = (issuer: string | undefined): `/${string}` =>
  `${issuer === undefined ? "" : new URL(issuer).pathname.replace(/\/+$/, "")}/register` as `/${string}`

const notFound = RegistrationResponse.notFound

/**
 * Unknown paths answer a JSON 404 (a catch-all route, so the fast path stays possible). Not for
 * `HEAD`: the router answers a `HEAD` with the `GET` route only when no `HEAD` route matches, so a
 * `HEAD` catch-all would hide every `GET` route (`HEAD` of an unknown path still gets the `GET` 404).
 */
const notFoundRoute = HttpApiBuilder.Router.use((router) =>
  Effect.all([
    router.get("*", Effect.succeed(notFound)),
    router.post("*", Effect.succeed(notFound)),
    router.put("*", Effect.succeed(notFound)),
    router.patch("*", Effect.succeed(notFound)),
    router.del("*", Effect.succeed(notFound)),
    router.options("*", Effect.succeed(notFound))
  ], { discard: true })
)

/** What the app needs: the backend and its readiness check. */
type Backends = DynamicClientRegistration.DynamicClientRegistration | Readiness.Readiness

const serveApi = <Id extends string, Groups extends HttpApiGroup.HttpApiGroup.Any>(
  api: HttpApi.HttpApi<Id, Groups, any, any>,
  groups: Layer.Layer<HttpApiGroup.HttpApiGroup.ToService<Id, Groups>, never, Backends>
): Layer.Layer<HttpApi.Api, never, Backends> =>
  Layer.mergeAll(HttpApiBuilder.middlewareOpenApi(), notFoundRoute).pipe(
    Layer.provideMerge(HttpApiBuilder.api(api)),
    Layer.provide(groups)
  ) as Layer.Layer<HttpApi.Api, never, Backends>

/**
 * The HTTP app, one `HttpApi`: the RFC 7591/7592 endpoints at `{issuer path}/register`, RFC 8414
 * discovery, `GET /healthz` and `GET /readyz` (on the backend's `Readiness`, never rate-limited),
 * `GET /openapi.json` and, when configured, the Authlete-compatible API. Unknown paths answer a
 * JSON 404. Serve it with `HttpApiBuilder.serve()`.
 *
 * @since 0.1.0
 * @category layers
 */
export const app = (
  options: AppOptions
): Layer.Layer<HttpApi.Api, never, Backends> => {
  const paths = { path: registrationPath(options.issuer), issuer: options.issuer }
  const registration = RegistrationApi.make(paths).add(HealthApi.group)
  const handlers = {
    issuer: options.issuer,
    rateLimit: options.rateLimit,
    cors: options.cors,
    metadata: options.metadata
  }
  if (options.authleteApi === undefined) {
    return serveApi(
      registration,
      Layer.merge(RegistrationApi.layerGroup(registration, handlers), HealthApi.layerGroup(registration))
    )
  }
  const api = registration.add(AuthleteApi.group)
  return serveApi(
    api,
    Layer.mergeAll(
      RegistrationApi.layerGroup(api, handlers),
      HealthApi.layerGroup(api),
      AuthleteApi.layerGroup(api, { ...options.authleteApi, rateLimit: options.rateLimit })
    )
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
 * Writes a service access token to `path` (its directory created), readable and writable by its
 * owner only (0600): written to a new file, then renamed over `path`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const writeTokenFile = (
  path: string,
  token: Redacted.Redacted<string>
): Effect.Effect<void, Backend.BackendError> =>
  Effect.tryPromise({
    try: async () => {
      await Backend.makeDirectories(dirname(path))
      const temporary = `${path}.${process.pid}.new`
      await writeFile(temporary, `${Redacted.value(token)}\n`, { mode: 0o600, flag: "wx" })
      await rename(temporary, path)
    },
    catch: (cause) =>
      new Backend.BackendError({ description: `Cannot write the service access token to ${path}`, cause })
  })

const metadataVariable = Settings.server.authorizationServerMetadata.env

const partialDiscovery = "Discovery is partial: issuer and registration_endpoint only, which OAuth clients such as " +
  `the MCP SDK refuse; set ${metadataVariable} to the authorization server's metadata`

const healthPaths: ReadonlySet<string> = new Set([HealthApi.livenessPath, HealthApi.readinessPath])

const stopping = (limits: NodeRegistrationServer.Limits): string =>
  `Stopping: no new connections; requests in flight have up to ${
    Duration.format(Duration.decode(limits.shutdownTimeout ?? NodeRegistrationServer.defaultLimits.shutdownTimeout))
  } to finish.`

/**
 * Serves the app for `config` until interrupted (SIGINT/SIGTERM under `NodeRuntime.runMain`): the
 * HTTP server stops accepting, closes idle and silent connections, lets the requests in flight
 * finish (within `DCR_SHUTDOWN_TIMEOUT`), then the backend (its database) closes. With Authlete,
 * checks the credentials first (`DCR_CHECK_BACKEND`). Refuses `DCR_AUTHORIZATION_SERVER_METADATA` that
 * states another issuer or registration endpoint. Prints the mode and the URLs once listening.
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
    // checked here, where the issuer is known (the listen address when DCR_ISSUER is unset)
    const metadata = config.authorizationServerMetadata === undefined
      ? undefined
      : yield* Either.mapLeft(
        Discovery.checkMetadata(config.authorizationServerMetadata, { issuer, registrationEndpoint }),
        (reason) =>
          ConfigError.InvalidData(
            [metadataVariable],
            `${metadataVariable}: ${reason}${
              config.issuer === undefined ? " (DCR_ISSUER is unset: the issuer is the listen address)" : ""
            }`
          )
      )
    // draft-ietf-oauth-client-id-metadata-document §6
    const published = config.clientIdMetadataDocuments.enabled
      ? { ...metadata, client_id_metadata_document_supported: true }
      : metadata
    const engine = config.backend._tag === "Engine"
    const mounted = engine && config.authleteApi
    const observe = Observability.middleware({ accessLog: config.accessLog, routes: [["GET", "/openapi.json"]] })
    const generated = mounted && config.serviceAccessToken === undefined
    const serviceAccessToken = config.serviceAccessToken ?? generateToken()
    const rateLimit = yield* RateLimit.make(config.rateLimit)
    if (generated) yield* writeTokenFile(config.serviceAccessTokenFile, serviceAccessToken)
    const authleteApi: AuthleteApi.Options | undefined = mounted
      ? { serviceId: config.serviceId, serviceAccessToken }
      : undefined

    const banner = Effect.suspend(() => {
      const lines = [
        `effect-dcr serving with ${Backend.describe(config.backend)}`,
        `  Listening on:           ${base}`,
        `  Issuer:                 ${issuer}`,
        `  Registration endpoint:  ${registrationEndpoint}`,
        `  Discovery:              ${base}${Discovery.wellKnownPath(issuer)}`,
        `  OpenAPI:                ${base}/openapi.json`,
        `  Health:                 ${base}${HealthApi.livenessPath}, ${base}${HealthApi.readinessPath}`
      ]
      const fields: Record<string, unknown> = {
        backend: Backend.describe(config.backend),
        url: base,
        issuer,
        registration_endpoint: registrationEndpoint
      }
      if (metadata === undefined) {
        lines.push(`  ${partialDiscovery}`)
        fields["discovery"] = partialDiscovery
      }
      if (config.clientIdMetadataDocuments.enabled) {
        const insecure = config.clientIdMetadataDocuments.allowInsecureLoopback
        lines.push(
          `  Client ID Metadata Documents: on${
            insecure ? " (DCR_CIMD_ALLOW_INSECURE_LOOPBACK: loopback documents accepted, development only)" : ""
          }`
        )
        fields["client_id_metadata_documents"] = insecure ? "on, insecure loopback" : "on"
      }
      if (mounted) {
        const api = `${base}/api/${encodeURIComponent(config.serviceId)}/client/registration`
        lines.push(`  Authlete-compatible API: ${api}`)
        fields["authlete_api"] = api
        if (generated) {
          lines.push(
            `  Service access token:   in ${config.serviceAccessTokenFile} (mode 0600; generated for this run, ` +
              `set DCR_SERVICE_ACCESS_TOKEN to choose one)`
          )
          fields["service_access_token_file"] = config.serviceAccessTokenFile
        }
      }
      const initialAccessTokens = config.engine.initialAccessTokens?.length ?? 0
      if (engine && initialAccessTokens > 0) {
        lines.push(
          `  Registration requires one of the ${initialAccessTokens} initial access token(s) of DCR_INITIAL_ACCESS_TOKENS`
        )
      }
      if (engine && config.pruneUnusedClientsAfter !== undefined) {
        const line = `clients registered more than ${
          Duration.format(config.pruneUnusedClientsAfter)
        } ago and never used, every hour`
        lines.push(`  Pruning:                ${line}`)
        fields["prune_unused_clients_after"] = Duration.format(config.pruneUnusedClientsAfter)
      }
      if (config.telemetry.endpoint !== undefined) {
        lines.push(`  OpenTelemetry:          traces and metrics to ${config.telemetry.endpoint} (OTLP/HTTP)`)
        fields["otlp_endpoint"] = config.telemetry.endpoint
      }
      lines.push("Ready. Press Ctrl+C to stop.")
      return Logging.announce(config.logFormat, "effect-dcr serving; ready", lines, fields)
    })

    return HttpApiBuilder.serve(observe).pipe(
      // probes would fill the traces: the health routes are not traced
      HttpMiddleware.withTracerDisabledWhen((request) => healthPaths.has(request.url)),
      Layer.provide(app({ issuer, authleteApi, rateLimit, cors: config.cors, metadata: published })),
      Layer.provide(
        Backend.layer(
          config.backend,
          { ...config.engine, registrationEndpoint },
          config.pruneUnusedClientsAfter === undefined ? undefined : { olderThan: config.pruneUnusedClientsAfter }
        ).pipe(
          Layer.tap((backend) =>
            config.checkBackend ? Effect.provide(Backend.verify(config.backend), backend) : Effect.void
          )
        )
      ),
      Layer.tap(() => banner),
      // built last, so released first: the line comes before the HTTP server drains
      Layer.flatMap((context) =>
        Layer.scopedContext(
          Effect.as(
            Effect.addFinalizer(() => {
              const line = stopping(config.limits)
              return Logging.announce(config.logFormat, line, [line])
            }),
            context
          )
        )
      )
    )
  })).pipe(
    // Tracing is on only with an exporter (OTEL_EXPORTER_OTLP_ENDPOINT): spans would be built and dropped.
    Layer.provide(Telemetry.layer(config.telemetry)),
    Layer.provide(Logging.layer({ format: config.logFormat, level: config.logLevel })),
    Layer.provide(NodeRegistrationServer.layer({ host: config.host, port: config.port, ...config.limits }))
  )
