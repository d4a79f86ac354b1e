/**
 * The settings of `serve`, one row each: the environment variable, the flag (the variable's name
 * without `DCR_`, lower-case, `-` for `_`: `DCR_ISSUER` is `--issuer`), the meaning and default shown
 * by `serve --help`, and the `Config` that reads it. `ServerConfig.load` (environment only), the
 * flags of `serve` (a flag overrides its variable, and is parsed by the same `Config`), its help, the
 * unknown `DCR_*` warning and the README table test are all made from these rows.
 *
 * To add a setting: add a row to `server` (or to `engine`, keyed by the `Engine.Options` field it
 * sets) with `value`, `optional` or `toggle`, use `values.<key>` in `ServerConfig.make` (engine rows
 * arrive in `config.engine` on their own), and add its README row ("## The server": variable, flags,
 * default as `shownDefault`, meaning). Set-but-empty must be refused (`nonEmpty`, `nonEmptyList`);
 * test/Settings.test.ts checks that, and that the flag accepts what the variable does, for every row.
 *
 * @since 0.1.0
 */
import { AuthleteClient } from "@effect-dcr/client"
import { DatabaseUrl, Durations, type Engine, JsonSetting, RegistrationPolicy } from "@effect-dcr/engine"
import { Cors, Discovery, RateLimit } from "@effect-dcr/http-server"
import * as NodeRegistrationServer from "@effect-dcr/http-server/NodeRegistrationServer"
import * as AutoCorrect from "@effect/cli/AutoCorrect"
import * as CliConfig from "@effect/cli/CliConfig"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Arr from "effect/Array"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Logging from "./Logging.js"
import * as Telemetry from "./Telemetry.js"

/**
 * One setting: where it is read from, how it is shown, and its parser.
 *
 * @since 0.1.0
 * @category models
 */
export interface Setting<A> {
  /** The environment variable. */
  readonly env: string
  /** Other accepted names of the variable (setting two of them is an error). */
  readonly aliases: ReadonlyArray<string>
  /** The flag's name, without the leading `--`. */
  readonly flag: string
  readonly flagAliases: ReadonlyArray<string>
  /** What it does, one sentence. */
  readonly description: string
  /** A value it accepts, shown in the help when the default does not show the form. */
  readonly example: string | undefined
  /** The default as shown to a reader, e.g. `127.0.0.1`, `unset`, `generated per run`. */
  readonly shownDefault: string
  /** Reads the variable (or an alias) from the environment, the default applied. */
  readonly config: Config.Config<A>
  /** The flag, falling back to `config`. */
  readonly options: Options.Options<A>
  /** A boolean: the flag alone means `true`. */
  readonly toggle: boolean
}

/**
 * The flag name of a variable: `DCR_ISSUER` → `issuer`, `AUTHLETE_REGION` → `authlete-region`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const flagName = (env: string): string => env.replace(/^DCR_/, "").toLowerCase().replaceAll("_", "-")

interface Spec<A> {
  readonly description: string
  /** The parser, given the variable's name. */
  readonly read: (name: string) => Config.Config<A>
  readonly aliases?: ReadonlyArray<string> | undefined
  readonly flag?: string | undefined
  readonly flagAliases?: ReadonlyArray<string> | undefined
  readonly example?: string | undefined
}

/** `read` under `env` or one of its aliases; two of them set is an error naming both. */
const readAny = <A>(env: string, aliases: ReadonlyArray<string>, read: (name: string) => Config.Config<A>) =>
  aliases.length === 0 ?
    read(env) :
    Config.all(
      [env, ...aliases].map((name) =>
        Config.option(read(name)).pipe(Config.map(Option.map((value) => [name, value] as const)))
      )
    ).pipe(Config.mapOrFail((found) => {
      const set = Arr.getSomes(found)
      if (set.length > 1) {
        return Either.left(ConfigError.InvalidData(
          [env],
          `${set.map(([name]) => name).join(" and ")} are both set: set only ${env}`
        ))
      }
      return set.length === 1
        ? Either.right(set[0]![1])
        : Either.left(ConfigError.MissingData([env], `Expected ${env} to exist`))
    }))

const helpText = (
  env: string,
  aliases: ReadonlyArray<string>,
  description: string,
  shownDefault: string,
  example: string | undefined
) =>
  `${description} Environment: ${env}${aliases.length === 0 ? "" : ` (or ${aliases.join(", ")})`}. ` +
  `Default: ${shownDefault}.${example === undefined ? "" : ` Example: ${example}`}`

/** Parses a flag's text with the setting's own `Config`, so a flag and its variable accept the same values. */
const parseFlag = <A>(env: string, flag: string, read: (name: string) => Config.Config<A>) => (text: string) =>
  Effect.withConfigProvider(read(env), ConfigProvider.fromMap(new Map([[env, text]]))).pipe(
    Effect.mapError((error) => ValidationError.invalidValue(HelpDoc.p(`--${flag}: ${String(error)}`)))
  )

const make = <A, B>(
  env: string,
  spec: Spec<A>,
  shownDefault: string,
  complete: (config: Config.Config<A>) => Config.Config<B>,
  flagOption: (flag: string, description: string) => Options.Options<B>,
  toggle = false
): Setting<B> => {
  const aliases = spec.aliases ?? []
  const flag = spec.flag ?? flagName(env)
  const flagAliases = spec.flagAliases ?? []
  const config = complete(readAny(env, aliases, spec.read))
  const option = flagOption(flag, helpText(env, aliases, spec.description, shownDefault, spec.example))
  return {
    env,
    aliases,
    flag,
    flagAliases,
    description: spec.description,
    example: spec.example,
    shownDefault,
    config,
    options: Options.withFallbackConfig(option, config),
    toggle
  }
}

const textFlag = <A>(env: string, read: (name: string) => Config.Config<A>, flagAliases: ReadonlyArray<string>) =>
(
  flag: string,
  description: string
): Options.Options<A> =>
  flagAliases.reduce(
    (option, alias) => Options.withAlias(option, alias),
    Options.text(flag).pipe(Options.mapEffect(parseFlag(env, flag, read)))
  ).pipe(Options.withDescription(description))

/**
 * A setting with a default value.
 *
 * @since 0.1.0
 * @category constructors
 */
export const value = <A>(
  env: string,
  spec: Spec<A> & { readonly default: A; readonly shownDefault?: string | undefined }
): Setting<A> =>
  make(
    env,
    spec,
    spec.shownDefault ?? String(spec.default),
    Config.withDefault(spec.default),
    textFlag(env, spec.read, spec.flagAliases ?? [])
  )

/**
 * A setting without a default: `undefined` when neither the flag nor the variable is given.
 *
 * @since 0.1.0
 * @category constructors
 */
export const optional = <A>(
  env: string,
  spec: Spec<A> & { readonly shownDefault?: string | undefined }
): Setting<A | undefined> =>
  make<A, A | undefined>(
    env,
    spec,
    spec.shownDefault ?? "unset",
    (config) => Config.option(config).pipe(Config.map(Option.getOrUndefined)),
    textFlag(env, spec.read, spec.flagAliases ?? [])
  )

/**
 * A boolean setting: the variable takes `true`/`false` (or `yes`/`no`, `on`/`off`, `1`/`0`); the
 * flag alone means `true`, `--flag false` means `false`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const toggle = (
  env: string,
  spec: { readonly description: string; readonly default: boolean }
): Setting<boolean> =>
  make(
    env,
    { description: spec.description, read: Config.boolean },
    String(spec.default),
    Config.withDefault(spec.default),
    (flag, description) => Options.boolean(flag).pipe(Options.withDescription(description)),
    true
  )

/** A text; set but empty (or blank) is an error, not "unset". */
const nonEmpty = (name: string) =>
  Config.string(name).pipe(Config.mapOrFail((text) =>
    text.trim() === ""
      ? Either.left(ConfigError.InvalidData([], `${name} is set but empty`))
      : Either.right(text)
  ))

/** A comma-separated list of non-empty, trimmed items; an empty list is an error (an unset variable is not). */
const nonEmptyList = (what: string) => (name: string) =>
  Config.array(Config.string(), name).pipe(
    Config.map(Arr.filterMap((item) => Option.liftPredicate(item.trim(), (item) => item !== ""))),
    Config.mapOrFail((items) =>
      Arr.isNonEmptyReadonlyArray(items)
        ? Either.right(items as ReadonlyArray<string>)
        : Either.left(ConfigError.InvalidData([], `${name} is set but holds no ${what}`))
    )
  )

/** A port number, or 0 for "any free port". */
const port = (name: string) =>
  Config.string(name).pipe(Config.mapOrFail((text) => {
    const port = /^\d{1,5}$/.test(text.trim()) ? Number(text) : Number.NaN
    return port <= 65535
      ? Either.right(port)
      : Either.left(
        ConfigError.InvalidData([], `Expected ${name} to be 0 or a port number, got ${JSON.stringify(text)}`)
      )
  }))

/** A text read by a parser that answers the reason it refuses one. */
const fromEither = <A>(name: string, parse: (text: string) => Either.Either<A, string>) =>
  Config.string(name).pipe(
    Config.mapOrFail((text) =>
      Either.mapLeft(parse(text), (reason) => ConfigError.InvalidData([], `${name}: ${reason}`))
    )
  )

/** A whole number of at least 0 (0 switches a limit off). */
const count = (name: string) =>
  nonEmpty(name).pipe(Config.mapOrFail((text) =>
    /^\d+$/.test(text.trim()) && Number.isSafeInteger(Number(text))
      ? Either.right(Number(text))
      : Either.left(ConfigError.InvalidData([], `Expected ${name} to be a whole number >= 0 (0: no limit)`))
  ))

const seconds = (duration: Duration.Duration): string => `${Duration.toSeconds(duration)} seconds`

/** A rate limit as `N/window` or `off` (`RateLimit.parseLimit`). */
const rateLimit = (name: string) =>
  Config.string(name).pipe(
    Config.mapOrFail((text) =>
      Either.mapLeft(RateLimit.parseLimit(text), (reason) => ConfigError.InvalidData([], `${name}: ${reason}`))
    )
  )

/** Trusted proxies: a list of addresses, CIDR ranges or range names, each checked. */
const trustedProxies = (name: string) =>
  nonEmptyList("proxy")(name).pipe(Config.mapOrFail((entries) => {
    const problem = RateLimit.checkTrustedProxies(entries)
    return problem === undefined
      ? Either.right(entries)
      : Either.left(ConfigError.InvalidData([], `${name}: ${problem}`))
  }))

const defaultDatabase: DatabaseUrl.DatabaseUrl = { _tag: "Sqlite", filename: ".data/effect-dcr.sqlite" }

/**
 * The server's own settings: listen address, issuer, database, the local Authlete-compatible API,
 * and the Authlete backend.
 *
 * @since 0.1.0
 * @category settings
 */
export const server = {
  host: value("HOST", {
    description: "The address to listen on.",
    read: nonEmpty,
    default: "127.0.0.1"
  }),
  port: value("PORT", {
    description: "The port to listen on (0 picks a free port).",
    read: port,
    default: 3000
  }),
  issuer: optional("DCR_ISSUER", {
    description: "The issuer URL; the registration endpoint is {issuer}/register.",
    read: (name) => fromEither(name, Discovery.parseIssuer),
    shownDefault: "http://HOST:PORT"
  }),
  authorizationServerMetadata: optional("DCR_AUTHORIZATION_SERVER_METADATA", {
    description: "The authorization server's RFC 8414 metadata (authorization_endpoint, token_endpoint, " +
      "response_types_supported, …), published by discovery with issuer and registration_endpoint added: a " +
      "JSON object, or @path to a JSON file.",
    read: (name) => JsonSetting.config(name, (json) => Discovery.checkMetadata(json)),
    shownDefault: "none (discovery publishes issuer and registration_endpoint only)",
    example: `{"authorization_endpoint":"https://as.example.com/authorize",` +
      `"token_endpoint":"https://as.example.com/token","response_types_supported":["code"]}`
  }),
  clientIdMetadataDocuments: toggle("DCR_CLIENT_ID_METADATA_DOCUMENTS", {
    description: "Client ID Metadata Documents: an https client_id is resolved from the client's metadata " +
      "document at that URL (SSRF-guarded, at most 5 KiB, 5 s, cached per Cache-Control), as `effect-dcr resolve` " +
      "and ClientRegistry do; discovery then advertises client_id_metadata_document_supported. Embedded engine " +
      "only: refused with Authlete.",
    default: false
  }),
  cimdAllowInsecureLoopback: toggle("DCR_CIMD_ALLOW_INSECURE_LOOPBACK", {
    description: "For development and tests only, never in production: also fetch client metadata documents " +
      "(http:// or https://) from 127.0.0.1, localhost or [::1]. Refused without DCR_CLIENT_ID_METADATA_DOCUMENTS.",
    default: false
  }),
  database: value("DCR_DATABASE_URL", {
    description: "The embedded engine's database (its directory is created).",
    read: DatabaseUrl.config,
    default: defaultDatabase,
    shownDefault: "sqlite:.data/effect-dcr.sqlite",
    flagAliases: ["database"]
  }),
  databasePoolSize: optional("DCR_DATABASE_POOL_SIZE", {
    description: "PostgreSQL: the most connections this instance opens (all instances share the server's " +
      "max_connections).",
    read: (name) =>
      Config.integer(name).pipe(Config.validate({
        message: `Expected ${name} to be a whole number of at least 1`,
        validation: (size) => size >= 1
      })),
    shownDefault: "10"
  }),
  databaseConnectTimeout: optional("DCR_DATABASE_CONNECT_TIMEOUT", {
    description: "PostgreSQL: how long a request waits for a connection (to open one, or for a free one " +
      "when all are busy) before it fails with server_error.",
    read: Config.duration,
    shownDefault: "10 seconds"
  }),
  databaseStatementTimeout: optional("DCR_DATABASE_STATEMENT_TIMEOUT", {
    description: "PostgreSQL: the server cancels a statement that runs longer (statement_timeout).",
    read: Config.duration,
    shownDefault: "10 seconds"
  }),
  pruneUnusedClientsAfter: optional("DCR_PRUNE_UNUSED_CLIENTS_AFTER", {
    description: "Embedded engine: every hour, delete the clients registered more than this long ago that never " +
      "authenticated (as effect-dcr clients prune --older-than does), e.g. 30d.",
    read: (name) =>
      Durations.config(name).pipe(Config.validate({
        message: `Expected ${name} to be a duration above 0, such as 7d or 30d`,
        validation: (duration) => Duration.toMillis(duration) > 0
      })),
    shownDefault: "unset (never pruned automatically)"
  }),
  serviceId: value("DCR_SERVICE_ID", {
    description: "The service id of the local Authlete-compatible API (/api/{serviceId}/client/registration).",
    read: nonEmpty,
    default: "1"
  }),
  serviceAccessToken: optional("DCR_SERVICE_ACCESS_TOKEN", {
    description: "The bearer token of the local Authlete-compatible API (setting it serves the API).",
    read: (name: string) => Config.redacted(nonEmpty(name)),
    shownDefault: "generated per run and written to DCR_SERVICE_ACCESS_TOKEN_FILE"
  }),
  authleteApi: toggle("DCR_AUTHLETE_API", {
    description: "Serve the Authlete-compatible API (/api/{serviceId}/client/registration…) with the embedded " +
      "engine; on when DCR_SERVICE_ACCESS_TOKEN is set.",
    default: false
  }),
  serviceAccessTokenFile: value("DCR_SERVICE_ACCESS_TOKEN_FILE", {
    description: "Where a generated service access token is written (mode 0600; never printed), when the " +
      "Authlete-compatible API is on without DCR_SERVICE_ACCESS_TOKEN.",
    read: nonEmpty,
    default: ".data/service-access-token"
  }),
  authleteServiceId: optional("AUTHLETE_SERVICE_ID", {
    description: "With AUTHLETE_SERVICE_ACCESS_TOKEN: Authlete is the backend instead of the embedded engine.",
    read: nonEmpty
  }),
  authleteServiceAccessToken: optional("AUTHLETE_SERVICE_ACCESS_TOKEN", {
    description: "The Authlete service's access token.",
    read: (name: string) => Config.redacted(nonEmpty(name))
  }),
  checkBackend: toggle("DCR_CHECK_BACKEND", {
    description: "At startup, verify the Authlete credentials with one authenticated call, and refuse to " +
      "start when Authlete rejects them.",
    default: true
  }),
  authleteBaseUrl: optional("AUTHLETE_BASE_URL", {
    description: "The Authlete API's base URL (overrides AUTHLETE_REGION).",
    read: (name) => Config.url(name).pipe(Config.map((url) => url.href.replace(/\/+$/, "")))
  }),
  authleteRegion: value("AUTHLETE_REGION", {
    description: `The Authlete cluster: ${AuthleteClient.regions.join(", ")}.`,
    read: (name) => Config.literal(...AuthleteClient.regions)(name),
    default: "us" as AuthleteClient.Region
  }),
  authleteTimeout: optional("AUTHLETE_TIMEOUT", {
    description: "The per-attempt timeout of Authlete calls.",
    read: Config.duration,
    shownDefault: "10 seconds"
  }),
  maxConnections: value("DCR_MAX_CONNECTIONS", {
    description: "The most open connections (0: no limit). Each request in flight may hold a 64 KiB body: " +
      "raise the heap limit (--max-old-space-size) with it.",
    read: count,
    default: NodeRegistrationServer.defaultLimits.maxConnections
  }),
  maxConnectionsPerAddress: value("DCR_MAX_CONNECTIONS_PER_ADDRESS", {
    description: "The most open connections from one client address, the TCP peer (0: no limit; behind a " +
      "reverse proxy every connection comes from the proxy).",
    read: count,
    default: NodeRegistrationServer.defaultLimits.maxConnectionsPerAddress
  }),
  headersTimeout: value("DCR_HEADERS_TIMEOUT", {
    description: "The time a connection has to send a request's headers; then 408 and closed (0: none).",
    read: Durations.config,
    default: NodeRegistrationServer.defaultLimits.headersTimeout,
    shownDefault: seconds(NodeRegistrationServer.defaultLimits.headersTimeout)
  }),
  requestTimeout: value("DCR_REQUEST_TIMEOUT", {
    description: "The time a connection has to send a whole request, body included; then 408 and closed " +
      "(0: none; at least DCR_HEADERS_TIMEOUT).",
    read: Durations.config,
    default: NodeRegistrationServer.defaultLimits.requestTimeout,
    shownDefault: seconds(NodeRegistrationServer.defaultLimits.requestTimeout)
  }),
  keepAliveTimeout: value("DCR_KEEP_ALIVE_TIMEOUT", {
    description: "How long an idle keep-alive connection stays open (0: no limit).",
    read: Durations.config,
    default: NodeRegistrationServer.defaultLimits.keepAliveTimeout,
    shownDefault: seconds(NodeRegistrationServer.defaultLimits.keepAliveTimeout)
  }),
  shutdownTimeout: value("DCR_SHUTDOWN_TIMEOUT", {
    description: "On SIGTERM/SIGINT, how long requests in flight have to finish before their connections are " +
      "destroyed (idle and silent connections are closed at once).",
    read: Durations.config,
    default: NodeRegistrationServer.defaultLimits.shutdownTimeout,
    shownDefault: seconds(NodeRegistrationServer.defaultLimits.shutdownTimeout)
  }),
  corsOrigins: value("DCR_CORS_ORIGINS", {
    description: "The browser origins that may call the registration, management and discovery routes (CORS, " +
      "never with credentials): *, comma-separated origins, or off.",
    read: (name) => fromEither(name, Cors.parseOrigins),
    default: "*" as "*" | ReadonlyArray<string> | false,
    shownDefault: "*"
  }),
  rateLimitRegistrations: value("DCR_RATE_LIMIT_REGISTRATIONS", {
    description: "Registrations per client (by initial access token, else address and software_id, else " +
      "address), as N/window or off; over it, 429 with Retry-After.",
    read: rateLimit,
    default: RateLimit.defaults.registrations as RateLimit.Limit | false,
    shownDefault: "30/minute"
  }),
  rateLimitTotalRegistrations: value("DCR_RATE_LIMIT_TOTAL_REGISTRATIONS", {
    description: "Registrations on this instance in all, as N/window or off.",
    read: rateLimit,
    default: RateLimit.defaults.totalRegistrations as RateLimit.Limit | false,
    shownDefault: "600/minute"
  }),
  rateLimitFailedAuth: value("DCR_RATE_LIMIT_FAILED_AUTH", {
    description: "Failed authentications (wrong or missing registration access, initial access or /api " +
      "tokens) per client address, as N/window or off; over it the address gets 429 on those endpoints.",
    read: rateLimit,
    default: RateLimit.defaults.failedAuthentications as RateLimit.Limit | false,
    shownDefault: "30/minute"
  }),
  trustedProxies: value("DCR_TRUSTED_PROXIES", {
    description: "Comma-separated proxies whose forwarding header gives the client address for the rate " +
      "limits: addresses, CIDR ranges, loopback, linklocal, uniquelocal.",
    read: trustedProxies,
    default: [] as ReadonlyArray<string>,
    shownDefault: "none (the client is the TCP peer)"
  }),
  proxyHeader: value("DCR_PROXY_HEADER", {
    description: "The header the trusted proxies set: x-forwarded-for or forwarded (RFC 7239).",
    read: (name) => Config.literal("x-forwarded-for", "forwarded")(name),
    default: "x-forwarded-for" as "x-forwarded-for" | "forwarded"
  }),
  logLevel: value("DCR_LOG_LEVEL", {
    description: "The least severe log level written: all, trace, debug, info, warn, error, fatal or off.",
    read: Config.logLevel,
    default: LogLevel.Info,
    shownDefault: "info"
  }),
  logFormat: value("DCR_LOG_FORMAT", {
    description: "The log format: pretty (Effect's, for a terminal), json (one object per line) or logfmt; " +
      "warnings and errors go to stderr.",
    read: (name) => Config.literal(...Logging.formats)(name),
    default: "pretty" as Logging.Format
  }),
  accessLog: toggle("DCR_ACCESS_LOG", {
    description: "Log one line per request: method, route, path, status, duration, request id.",
    default: false
  }),
  otlpEndpoint: optional("OTEL_EXPORTER_OTLP_ENDPOINT", {
    description: "Export traces and metrics over OTLP/HTTP to this URL ({url}/v1/traces, {url}/v1/metrics); " +
      "unset: no export, and tracing is off.",
    read: Telemetry.endpointConfig
  }),
  otlpProtocol: value("OTEL_EXPORTER_OTLP_PROTOCOL", {
    description: "The OTLP encoding: http/protobuf or http/json.",
    read: (name) => Config.literal("http/protobuf", "http/json")(name),
    default: "http/protobuf" as Telemetry.Protocol
  }),
  otlpHeaders: optional("OTEL_EXPORTER_OTLP_HEADERS", {
    description: "Headers sent with every export (e.g. an API key), as key=value pairs separated by commas, " +
      "values percent-encoded; kept redacted.",
    read: (name) => Config.map(Telemetry.keyValueList(name), Redacted.make)
  }),
  otelServiceName: value("OTEL_SERVICE_NAME", {
    description: "The service.name of the exported traces and metrics.",
    read: nonEmpty,
    default: "effect-dcr"
  }),
  otelResourceAttributes: value("OTEL_RESOURCE_ATTRIBUTES", {
    description: "Further resource attributes of the exported telemetry, as key=value pairs separated by commas.",
    read: Telemetry.keyValueList,
    default: {} as Readonly<Record<string, string>>,
    shownDefault: "none"
  }),
  otelMetricExportInterval: value("OTEL_METRIC_EXPORT_INTERVAL", {
    description: "Milliseconds between two metric exports.",
    read: Telemetry.millisConfig,
    default: Duration.seconds(60),
    shownDefault: "60000"
  }),
  otelTraceExportInterval: value("OTEL_BSP_SCHEDULE_DELAY", {
    description: "Milliseconds between two exports of finished spans.",
    read: Telemetry.millisConfig,
    default: Duration.seconds(5),
    shownDefault: "5000"
  })
}

/**
 * The options of the embedded engine that `serve` passes on, keyed by their `Engine.Options` field
 * (the registration endpoint is `{issuer}/register`). `serve` keeps `scope` by default; the engine
 * library keeps Authlete's default (`false`).
 *
 * @since 0.1.0
 * @category settings
 */
export const engine = {
  registrationManagementEndpoint: optional("DCR_REGISTRATION_MANAGEMENT_ENDPOINT", {
    description: "The base of registration_client_uri when it differs from the registration endpoint.",
    read: (name) => Config.url(name).pipe(Config.map((url) => url.href.replace(/\/+$/, ""))),
    shownDefault: "the registration endpoint"
  }),
  initialAccessTokens: value("DCR_INITIAL_ACCESS_TOKENS", {
    description: "Comma-separated initial access tokens (RFC 7591 §3): POST /register requires " +
      "`Authorization: Bearer` with one of them.",
    read: (name) => nonEmptyList("token")(name).pipe(Config.map(Arr.map((token) => Redacted.make(token)))),
    default: [] as ReadonlyArray<Redacted.Redacted<string>>,
    shownDefault: "none (registration is open)",
    aliases: ["DCR_INITIAL_ACCESS_TOKEN"]
  }),
  requireInitialAccessToken: optional("DCR_REQUIRE_INITIAL_ACCESS_TOKEN", {
    description: "Require an initial access token on POST /register, static (DCR_INITIAL_ACCESS_TOKENS) or " +
      "managed (`effect-dcr iat create`); a presented token is always checked.",
    read: Config.boolean,
    shownDefault: "true when DCR_INITIAL_ACCESS_TOKENS is set, else false"
  }),
  clientSecretLifetime: value("DCR_CLIENT_SECRET_LIFETIME", {
    description: "How long a client secret is valid (client_secret_expires_at), e.g. 90d or 12h; an update " +
      "issues a new secret once it has expired. 0: never expires.",
    read: Durations.config,
    default: Duration.zero,
    shownDefault: "0 (never expires)"
  }),
  rotateClientSecret: toggle("DCR_ROTATE_CLIENT_SECRET", {
    description: "Issue a new client secret on every update of a confidential client.",
    default: false
  }),
  requireRedirectUrisForDefaultGrant: toggle("DCR_REQUIRE_REDIRECT_URIS_FOR_DEFAULT_GRANT", {
    description: "Require redirect_uris when a client names no flow (false accepts such a client, as Authlete does).",
    default: true
  }),
  dcrScopeUsedAsRequestable: toggle("DCR_SCOPE_USED_AS_REQUESTABLE", {
    description: "Keep the scope metadata as the client's requestable scopes (false discards it, Authlete's default).",
    default: true
  }),
  dcrDuplicateSoftwareIdBlocked: toggle("DCR_DUPLICATE_SOFTWARE_ID_BLOCKED", {
    description: "Refuse a second client with the same software_id.",
    default: false
  }),
  supportedCustomClientMetadata: value("DCR_SUPPORTED_CUSTOM_CLIENT_METADATA", {
    description: "Comma-separated custom metadata names to keep (others are discarded).",
    read: nonEmptyList("name"),
    default: [] as ReadonlyArray<string>,
    shownDefault: "none"
  }),
  rotateRegistrationAccessToken: toggle("DCR_ROTATE_REGISTRATION_ACCESS_TOKEN", {
    description: "Issue a new registration access token on every update.",
    default: false
  }),
  unauthorizedOnClientConfigSupported: toggle("DCR_UNAUTHORIZED_ON_CLIENT_CONFIG", {
    description: "Token failures on get/update/delete answer 401 (false: 400, Authlete's older behaviour).",
    default: true
  }),
  allowLoopbackHttp: toggle("DCR_ALLOW_LOOPBACK_HTTP", {
    description: "URI rules: accept http on a loopback host (localhost, 127.0.0.1, [::1]) in a web client's " +
      "redirect URIs and in the other URI metadata, for development (native clients' loopback redirect URIs " +
      "are always accepted).",
    default: true
  }),
  registrationPolicy: optional("DCR_POLICY", {
    description: "The default registration policy, applied to every registration and update: JSON, or @path " +
      "to a JSON file (see the README's Registration policy).",
    read: RegistrationPolicy.policyConfig,
    shownDefault: "none (the URI rules only)",
    example: `{"maxRedirectUris":5}`
  }),
  registrationPolicies: optional("DCR_POLICIES", {
    description: "Named registration policies, which a managed initial access token can carry (iat create " +
      "--policy): a JSON object of name to policy, or @path to a JSON file.",
    read: RegistrationPolicy.policiesConfig,
    shownDefault: "none",
    example: `{"partners":{"maxRedirectUris":5}}`
  })
} satisfies { readonly [K in keyof Engine.Options]?: Setting<Engine.Options[K]> }

type ValuesOf<S> = { readonly [K in keyof S]: S[K] extends Setting<infer A> ? A : never }

/**
 * Every setting's value.
 *
 * @since 0.1.0
 * @category models
 */
export interface Values extends ValuesOf<typeof server> {
  readonly engine: ValuesOf<typeof engine>
}

/**
 * Every row, server first.
 *
 * @since 0.1.0
 * @category settings
 */
export const all: ReadonlyArray<Setting<unknown>> = [...Object.values(server), ...Object.values(engine)]

const mapRecord = <S extends Record<string, Setting<any>>, F>(settings: S, f: (setting: Setting<any>) => F) =>
  Object.fromEntries(Object.entries(settings).map(([key, setting]) => [key, f(setting)]))

/**
 * Every setting read from the environment (through the current `ConfigProvider`).
 *
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<Values> = Config.all({
  ...mapRecord(server, (setting) => setting.config),
  engine: Config.all(mapRecord(engine, (setting) => setting.config))
}) as Config.Config<any>

/**
 * Every setting as `serve`'s flags, each falling back to its variable.
 *
 * @since 0.1.0
 * @category config
 */
export const options: Options.Options<Values> = Options.all({
  ...mapRecord(server, (setting) => setting.options),
  engine: Options.all(mapRecord(engine, (setting) => setting.options))
}) as Options.Options<any>

/**
 * Variable names that a program of your own reads through `Engine.layerConfig()` but `serve` does not,
 * with why.
 *
 * @since 0.1.0
 * @category settings
 */
export const notReadByServe: Readonly<Record<string, string>> = {
  DCR_REGISTRATION_ENDPOINT: "serve derives the registration endpoint from DCR_ISSUER ({issuer}/register)"
}

/** The known name nearest to `name` by edit distance, if it is near enough to be a likely typo. */
const closestName = (name: string, known: ReadonlyArray<string>): string | undefined => {
  const limit = Math.max(2, Math.floor(name.length / 4))
  let best: string | undefined
  let bestDistance = limit + 1
  for (const candidate of known) {
    const distance = AutoCorrect.levensteinDistance(name, candidate, CliConfig.defaultConfig)
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best
}

/**
 * Warnings for the engine's settings set in `env` while Authlete is the backend: they configure the
 * embedded engine, and Authlete's service settings apply instead.
 *
 * @since 0.1.0
 * @category diagnostics
 */
export const ignoredWithAuthlete = (env: Readonly<Record<string, string | undefined>>): ReadonlyArray<string> =>
  Object.values(engine).flatMap((setting: Setting<unknown>) => [setting.env, ...setting.aliases])
    .filter((name) => env[name] !== undefined)
    .map((name) => `${name} has no effect with Authlete as the backend: configure the Authlete service instead`)

/**
 * Warnings for the `DCR_*` variables in `env` that no setting reads, each with the closest known name
 * when there is one near enough ("did you mean").
 *
 * @since 0.1.0
 * @category diagnostics
 */
export const unknownVariables = (env: Readonly<Record<string, string | undefined>>): ReadonlyArray<string> => {
  const known = all.flatMap((setting) => [setting.env, ...setting.aliases])
  return Object.keys(env).filter((name) => name.startsWith("DCR_") && !known.includes(name)).sort().map((name) => {
    const reason = notReadByServe[name]
    if (reason !== undefined) return `${name} is not read by serve: ${reason}`
    const closest = closestName(name, known)
    return `Unknown environment variable ${name}${closest === undefined ? "" : ` (did you mean ${closest}?)`}`
  })
}
