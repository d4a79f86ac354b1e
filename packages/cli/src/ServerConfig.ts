/**
 * The server's configuration, read from the environment through `Config`. The variables are listed
 * once, in the README's table, which a test holds against this code.
 *
 * @since 0.1.0
 */
import { AuthleteClient } from "@effect-dcr/client"
import { DatabaseUrl } from "@effect-dcr/engine"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"

/**
 * Where the registrations live: the embedded engine on a SQLite file, or Authlete.
 *
 * @since 0.1.0
 * @category models
 */
export type Backend =
  | { readonly _tag: "Engine"; readonly database: DatabaseUrl.DatabaseUrl }
  | {
    readonly _tag: "Authlete"
    readonly baseUrl: string
    readonly serviceId: string
    readonly serviceAccessToken: Redacted.Redacted<string>
    readonly timeout: Duration.Duration | undefined
  }

/**
 * @since 0.1.0
 * @category models
 */
export interface ServerConfig {
  readonly host: string
  readonly port: number
  /** `DCR_ISSUER` as given; `undefined` means "the listen address". */
  readonly issuer: string | undefined
  readonly backend: Backend
  readonly serviceId: string
  /** `undefined` means "generate one at startup". */
  readonly serviceAccessToken: Redacted.Redacted<string> | undefined
  readonly initialAccessToken: Redacted.Redacted<string> | undefined
  /** `DCR_REQUIRE_REDIRECT_URIS_FOR_DEFAULT_GRANT` (default `true`; see the engine's option). */
  readonly requireRedirectUrisForDefaultGrant: boolean
}

const defaultDatabase: DatabaseUrl.DatabaseUrl = { _tag: "Sqlite", filename: ".data/effect-dcr.sqlite" }

const database = DatabaseUrl.config("DCR_DATABASE_URL").pipe(Config.withDefault(defaultDatabase))

const optionalRedacted = (name: string) => Config.option(Config.redacted(name)).pipe(Config.map(Option.getOrUndefined))

const authlete = Config.all({
  serviceId: Config.option(Config.nonEmptyString("AUTHLETE_SERVICE_ID")),
  serviceAccessToken: Config.option(Config.redacted("AUTHLETE_SERVICE_ACCESS_TOKEN"))
})

const authleteBaseUrl = Config.string("AUTHLETE_BASE_URL").pipe(
  Config.orElse(() =>
    Config.literal(...AuthleteClient.regions)("AUTHLETE_REGION").pipe(
      Config.withDefault("us" as const),
      Config.map(AuthleteClient.regionBaseUrl)
    )
  )
)

/**
 * The backend: Authlete when `AUTHLETE_SERVICE_ID` and `AUTHLETE_SERVICE_ACCESS_TOKEN` are both
 * set, else the embedded engine on `DCR_DATABASE_URL`.
 *
 * @since 0.1.0
 * @category config
 */
export const backend: Effect.Effect<Backend, ConfigError.ConfigError> = Effect.gen(function*() {
  const { serviceAccessToken, serviceId } = yield* authlete
  if (Option.isSome(serviceId) && Option.isSome(serviceAccessToken)) {
    return {
      _tag: "Authlete",
      baseUrl: yield* authleteBaseUrl,
      serviceId: serviceId.value,
      serviceAccessToken: serviceAccessToken.value,
      timeout: Option.getOrUndefined(yield* Config.option(Config.duration("AUTHLETE_TIMEOUT")))
    } as const
  }
  return { _tag: "Engine", database: yield* database } as const
})

const port = Config.port("PORT").pipe(
  Config.orElse(() =>
    Config.integer("PORT").pipe(Config.validate({
      message: "Expected PORT to be 0 or a port number",
      validation: (port) => port === 0
    }))
  ),
  Config.withDefault(3000)
)

/**
 * Reads the whole configuration.
 *
 * @since 0.1.0
 * @category config
 */
export const load: Effect.Effect<ServerConfig, ConfigError.ConfigError> = Effect.gen(function*() {
  const settings = yield* Config.all({
    host: Config.string("HOST").pipe(Config.withDefault("127.0.0.1")),
    port,
    issuer: Config.option(Config.url("DCR_ISSUER")).pipe(
      Config.map(Option.map((url) => url.href.replace(/\/+$/, ""))),
      Config.map(Option.getOrUndefined)
    ),
    serviceId: Config.nonEmptyString("DCR_SERVICE_ID").pipe(Config.withDefault("1")),
    serviceAccessToken: optionalRedacted("DCR_SERVICE_ACCESS_TOKEN"),
    initialAccessToken: optionalRedacted("DCR_INITIAL_ACCESS_TOKEN"),
    requireRedirectUrisForDefaultGrant: Config.boolean("DCR_REQUIRE_REDIRECT_URIS_FOR_DEFAULT_GRANT").pipe(
      Config.withDefault(true)
    )
  })
  return { ...settings, backend: yield* backend }
})

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
