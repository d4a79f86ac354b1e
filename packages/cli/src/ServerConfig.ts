/**
 * The server's configuration: the values of the settings in `Settings` (environment variables, and
 * `serve`'s flags over them) put together. The variables are listed once, in the README's table,
 * which a test holds against `Settings`.
 *
 * @since 0.1.0
 */
import { AuthleteClient } from "@effect-dcr/client"
import type { DatabaseUrl, Engine } from "@effect-dcr/engine"
import type * as PgClientStore from "@effect-dcr/engine/PgClientStore"
import type { Cors, RateLimit } from "@effect-dcr/http-server"
import type * as NodeRegistrationServer from "@effect-dcr/http-server/NodeRegistrationServer"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as LogLevel from "effect/LogLevel"
import type * as Redacted from "effect/Redacted"
import type * as Logging from "./Logging.js"
import * as Package from "./Package.js"
import * as Settings from "./Settings.js"
import type * as Telemetry from "./Telemetry.js"

/**
 * The PostgreSQL store's pool settings (`DCR_DATABASE_POOL_SIZE`, `DCR_DATABASE_CONNECT_TIMEOUT`,
 * `DCR_DATABASE_STATEMENT_TIMEOUT`); `undefined` leaves the store's default. A SQLite database
 * ignores them.
 *
 * @since 0.1.0
 * @category models
 */
export type DatabasePool = Pick<PgClientStore.Options, "maxConnections" | "connectTimeout" | "statementTimeout">

/**
 * Where the registrations live: the embedded engine on its database (a SQLite file or PostgreSQL),
 * or Authlete.
 *
 * @since 0.1.0
 * @category models
 */
export type Backend =
  | { readonly _tag: "Engine"; readonly database: DatabaseUrl.DatabaseUrl; readonly pool: DatabasePool }
  | {
    readonly _tag: "Authlete"
    readonly baseUrl: string
    readonly serviceId: string
    readonly serviceAccessToken: Redacted.Redacted<string>
    readonly timeout: Duration.Duration | undefined
  }

/**
 * The embedded engine's options other than the registration endpoint (`{issuer}/register`).
 *
 * @since 0.1.0
 * @category models
 */
export type EngineOptions = Omit<Engine.Options, "registrationEndpoint">

/**
 * @since 0.1.0
 * @category models
 */
export interface ServerConfig {
  readonly host: string
  readonly port: number
  /** `DCR_ISSUER` as given; `undefined` means "the listen address". */
  readonly issuer: string | undefined
  /**
   * `DCR_AUTHORIZATION_SERVER_METADATA`: the authorization server's RFC 8414 metadata (checked by
   * `Discovery.checkMetadata`), published with `issuer` and `registration_endpoint` added;
   * `undefined` publishes those two only.
   */
  readonly authorizationServerMetadata: Readonly<Record<string, unknown>> | undefined
  /**
   * `DCR_CLIENT_ID_METADATA_DOCUMENTS` and `DCR_CIMD_ALLOW_INSECURE_LOOPBACK`: resolve `https://`
   * client ids from their metadata documents (advertised by discovery). Engine only: refused with
   * Authlete, and the loopback switch is refused without the first.
   */
  readonly clientIdMetadataDocuments: { readonly enabled: boolean; readonly allowInsecureLoopback: boolean }
  readonly backend: Backend
  readonly serviceId: string
  /** `undefined` means "generate one at startup". */
  readonly serviceAccessToken: Redacted.Redacted<string> | undefined
  /** Serve the Authlete-compatible API: `DCR_AUTHLETE_API`, or `DCR_SERVICE_ACCESS_TOKEN` set. */
  readonly authleteApi: boolean
  /** `DCR_SERVICE_ACCESS_TOKEN_FILE`: where a generated service access token is written. */
  readonly serviceAccessTokenFile: string
  /** `DCR_CHECK_BACKEND`: verify the Authlete credentials at startup. */
  readonly checkBackend: boolean
  /** `DCR_PRUNE_UNUSED_CLIENTS_AFTER`: the engine prunes never-used clients older than this every hour; `undefined`: never. */
  readonly pruneUnusedClientsAfter: Duration.Duration | undefined
  /** The connection limits and the shutdown deadline (`DCR_MAX_CONNECTIONS` … `DCR_SHUTDOWN_TIMEOUT`). */
  readonly limits: NodeRegistrationServer.Limits
  /** `DCR_CORS_ORIGINS`: CORS on the registration, management and discovery routes, or `false`. */
  readonly cors: Cors.Options | false
  /** The engine's options (`Settings.engine`); ignored with the Authlete backend. */
  readonly engine: EngineOptions
  /** The abuse limits (`DCR_RATE_LIMIT_*`, `DCR_TRUSTED_PROXIES`, `DCR_PROXY_HEADER`). */
  readonly rateLimit: RateLimit.Options
  /** `DCR_LOG_LEVEL`: the least severe level logged. */
  readonly logLevel: LogLevel.LogLevel
  /** `DCR_LOG_FORMAT`: pretty, json or logfmt. */
  readonly logFormat: Logging.Format
  /** `DCR_ACCESS_LOG`: one log line per request. */
  readonly accessLog: boolean
  /** OpenTelemetry export (`OTEL_EXPORTER_OTLP_*`, `OTEL_SERVICE_NAME`, …); off without an endpoint. */
  readonly telemetry: Telemetry.Options
}

/**
 * The backend: Authlete when `AUTHLETE_SERVICE_ID` and `AUTHLETE_SERVICE_ACCESS_TOKEN` are both
 * set, else the embedded engine on `DCR_DATABASE_URL`. Only one of the two set is an error, and so
 * is `DCR_INITIAL_ACCESS_TOKENS` with Authlete (which would not enforce it).
 *
 * @since 0.1.0
 * @category constructors
 */
export const backend = (values: Settings.Values): Effect.Effect<Backend, ConfigError.ConfigError> => {
  const { authleteServiceAccessToken: token, authleteServiceId: serviceId } = values
  if (serviceId !== undefined && token !== undefined) {
    // Authlete checks initial access tokens itself: a list here would look enforced and not be.
    if (values.engine.initialAccessTokens.length > 0) {
      return Effect.fail(ConfigError.InvalidData(
        ["DCR_INITIAL_ACCESS_TOKENS"],
        "DCR_INITIAL_ACCESS_TOKENS applies to the embedded engine; with Authlete as the backend, " +
          "configure initial access tokens in the Authlete service"
      ))
    }
    return Effect.succeed({
      _tag: "Authlete",
      baseUrl: values.authleteBaseUrl ?? AuthleteClient.regionBaseUrl(values.authleteRegion),
      serviceId,
      serviceAccessToken: token,
      timeout: values.authleteTimeout
    })
  }
  if (serviceId !== undefined || token !== undefined) {
    const [set, missing] = serviceId !== undefined
      ? ["AUTHLETE_SERVICE_ID", "AUTHLETE_SERVICE_ACCESS_TOKEN"]
      : ["AUTHLETE_SERVICE_ACCESS_TOKEN", "AUTHLETE_SERVICE_ID"]
    return Effect.fail(ConfigError.MissingData([missing], `${set} is set but ${missing} is not: set both for Authlete`))
  }
  return Effect.succeed({
    _tag: "Engine",
    database: values.database,
    pool: {
      maxConnections: values.databasePoolSize,
      connectTimeout: values.databaseConnectTimeout,
      statementTimeout: values.databaseStatementTimeout
    }
  })
}

/** Settings that contradict each other or the backend: refused, naming the variables. */
const consistent = (values: Settings.Values, backend: Backend): Effect.Effect<void, ConfigError.ConfigError> => {
  const { headersTimeout, requestTimeout } = values
  if (
    Duration.toMillis(headersTimeout) > 0 && Duration.toMillis(requestTimeout) > 0 &&
    Duration.greaterThan(headersTimeout, requestTimeout)
  ) {
    return Effect.fail(ConfigError.InvalidData(
      ["DCR_HEADERS_TIMEOUT"],
      `DCR_HEADERS_TIMEOUT (${Duration.format(headersTimeout)}) must not exceed DCR_REQUEST_TIMEOUT (${
        Duration.format(requestTimeout)
      })`
    ))
  }
  if (backend._tag === "Authlete" && values.pruneUnusedClientsAfter !== undefined) {
    return Effect.fail(ConfigError.InvalidData(
      ["DCR_PRUNE_UNUSED_CLIENTS_AFTER"],
      "DCR_PRUNE_UNUSED_CLIENTS_AFTER applies to the embedded engine's database; with Authlete as the backend, " +
        "delete clients in the Authlete service"
    ))
  }
  if (backend._tag === "Authlete" && (values.clientIdMetadataDocuments || values.cimdAllowInsecureLoopback)) {
    // The engine's ClientRegistry fetches the documents; with Authlete nothing here resolves them,
    // so discovery must not promise it. Whether Authlete does is the Authlete service's setting.
    const name = values.clientIdMetadataDocuments
      ? "DCR_CLIENT_ID_METADATA_DOCUMENTS"
      : "DCR_CIMD_ALLOW_INSECURE_LOOPBACK"
    return Effect.fail(ConfigError.InvalidData(
      [name],
      `${name} applies to the embedded engine, whose client registry fetches client metadata documents; with ` +
        "Authlete as the backend nothing here resolves them, so discovery would advertise what no one does: " +
        "enable them in the Authlete service and state client_id_metadata_document_supported in " +
        "DCR_AUTHORIZATION_SERVER_METADATA instead"
    ))
  }
  if (values.cimdAllowInsecureLoopback && !values.clientIdMetadataDocuments) {
    return Effect.fail(ConfigError.InvalidData(
      ["DCR_CIMD_ALLOW_INSECURE_LOOPBACK"],
      "DCR_CIMD_ALLOW_INSECURE_LOOPBACK has no effect without DCR_CLIENT_ID_METADATA_DOCUMENTS=true: set both " +
        "(development and tests only), or neither"
    ))
  }
  if (backend._tag === "Authlete" && (values.authleteApi || values.serviceAccessToken !== undefined)) {
    return Effect.fail(ConfigError.InvalidData(
      [values.authleteApi ? "DCR_AUTHLETE_API" : "DCR_SERVICE_ACCESS_TOKEN"],
      `${
        values.authleteApi ? "DCR_AUTHLETE_API" : "DCR_SERVICE_ACCESS_TOKEN"
      } applies to the embedded engine's Authlete-compatible API; with Authlete as the backend, call Authlete itself`
    ))
  }
  return Effect.void
}

/**
 * The configuration of a set of setting values.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (values: Settings.Values): Effect.Effect<ServerConfig, ConfigError.ConfigError> =>
  Effect.map(Effect.tap(backend(values), (backend) => consistent(values, backend)), (backend) => ({
    host: values.host,
    port: values.port,
    issuer: values.issuer,
    authorizationServerMetadata: values.authorizationServerMetadata,
    clientIdMetadataDocuments: {
      enabled: values.clientIdMetadataDocuments,
      allowInsecureLoopback: values.cimdAllowInsecureLoopback
    },
    backend,
    serviceId: values.serviceId,
    serviceAccessToken: values.serviceAccessToken,
    authleteApi: values.authleteApi || values.serviceAccessToken !== undefined,
    serviceAccessTokenFile: values.serviceAccessTokenFile,
    checkBackend: values.checkBackend,
    pruneUnusedClientsAfter: values.pruneUnusedClientsAfter,
    limits: {
      maxConnections: values.maxConnections,
      maxConnectionsPerAddress: values.maxConnectionsPerAddress,
      headersTimeout: values.headersTimeout,
      requestTimeout: values.requestTimeout,
      keepAliveTimeout: values.keepAliveTimeout,
      shutdownTimeout: values.shutdownTimeout
    },
    cors: values.corsOrigins === false ? false : { allowedOrigins: values.corsOrigins },
    engine: values.engine,
    rateLimit: {
      registrations: values.rateLimitRegistrations,
      totalRegistrations: values.rateLimitTotalRegistrations,
      failedAuthentications: values.rateLimitFailedAuth,
      trustedProxies: values.trustedProxies,
      proxyHeader: values.proxyHeader
    },
    logLevel: values.logLevel,
    logFormat: values.logFormat,
    accessLog: values.accessLog,
    telemetry: {
      endpoint: values.otlpEndpoint,
      protocol: values.otlpProtocol,
      headers: values.otlpHeaders,
      serviceName: values.otelServiceName,
      serviceVersion: Package.version,
      resourceAttributes: values.otelResourceAttributes,
      metricExportInterval: values.otelMetricExportInterval,
      traceExportInterval: values.otelTraceExportInterval
    }
  }))

/**
 * Reads the whole configuration from the environment (through the current `ConfigProvider`).
 *
 * @since 0.1.0
 * @category config
 */
export const load: Effect.Effect<ServerConfig, ConfigError.ConfigError> = Effect.flatMap(Settings.config, make)

/**
 * The URL of a listen address: `http://host:port`, with IPv6 hosts in brackets.
 *
 * @since 0.1.0
 * @category constructors
 */
export const listenUrl = (host: string, port: number): string =>
  `http://${host.includes(":") ? `[${host}]` : host}:${port}`

/**
 * The registration endpoint of an issuer: `{issuer}/register`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const registrationEndpoint = (issuer: string): string => `${issuer.replace(/\/+$/, "")}/register`
