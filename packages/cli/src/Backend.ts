/**
 * Backend selection: the `DynamicClientRegistration` and `ClientRegistry` layers for a
 * `ServerConfig.Backend` — the embedded engine on its `DatabaseUrl` (a SQLite file, whose directory
 * is created, or PostgreSQL), or Authlete over HTTP.
 *
 * @since 0.1.0
 */
import {
  AuthleteClient,
  AuthleteClientRegistry,
  DynamicClientRegistration,
  type Readiness,
  RetryPolicy
} from "@effect-dcr/client"
import {
  ClientRegistry,
  type ClientStore,
  type DatabaseUrl,
  Engine,
  Housekeeping,
  type InitialAccessTokenStore
} from "@effect-dcr/engine"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as ConfigError from "effect/ConfigError"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { mkdir, open, stat } from "node:fs/promises"
import { dirname, resolve } from "node:path"
import type { Backend } from "./ServerConfig.js"

/**
 * The backend could not be started (the database directory could not be created, the database
 * could not be opened, the Authlete settings are invalid).
 *
 * @since 0.1.0
 * @category errors
 */
export class BackendError extends Data.TaggedError("BackendError")<{
  readonly description: string
  readonly cause: unknown
}> {
  override get message(): string {
    return this.description
  }
}

/**
 * What the engine needs besides its database: its options, the registration endpoint included.
 *
 * @since 0.1.0
 * @category models
 */
export type EngineSettings = Engine.Options

const errorCode = (error: unknown): unknown =>
  typeof error === "object" && error !== null && "code" in error ? error.code : undefined

/**
 * `mkdir -p`: creates `directory` and its missing parents, one level at a time. Node's own
 * `mkdir(…, { recursive: true })` never settles for a path under `/proc` (it retries the parent
 * forever), which would hang `serve` on a bad `DCR_DATABASE_URL`; here every failure is an error.
 *
 * @since 0.1.0
 * @category utils
 */
export const makeDirectories = async (directory: string): Promise<void> => {
  const missing: Array<string> = []
  let current = resolve(directory)
  for (;;) {
    try {
      if ((await stat(current)).isDirectory()) break
      throw Object.assign(new Error(`ENOTDIR: not a directory, '${current}'`), { code: "ENOTDIR", path: current })
    } catch (error) {
      const parent = dirname(current)
      if (errorCode(error) !== "ENOENT" || parent === current) throw error
      missing.push(current)
      current = parent
    }
  }
  for (const path of missing.reverse()) {
    try {
      await mkdir(path)
    } catch (error) {
      if (errorCode(error) !== "EEXIST") throw error
    }
  }
}

/**
 * Creates `filename` empty, readable and writable by its owner only (0600), unless it exists. SQLite
 * gives the database's `-wal` and `-shm` files the database file's mode.
 *
 * @since 0.1.0
 * @category utils
 */
export const createPrivateFile = async (filename: string): Promise<void> => {
  try {
    await (await open(filename, "wx", 0o600)).close()
  } catch (error) {
    if (errorCode(error) !== "EEXIST") throw error
  }
}

/** The database file's directory, and the file itself (0600) when it is new. */
const ensureDirectory = (filename: string) =>
  filename === ":memory:"
    ? Effect.void
    : Effect.zipRight(
      Effect.tryPromise({
        try: () => makeDirectories(dirname(filename)),
        catch: (cause) => new BackendError({ description: `Cannot create the directory of ${filename}`, cause })
      }),
      Effect.tryPromise({
        try: () => createPrivateFile(filename),
        catch: (cause) => new BackendError({ description: `Cannot create the SQLite database ${filename}`, cause })
      })
    )

/**
 * Verifies the Authlete credentials with one authenticated call, without retries: a `get` of a
 * client that does not exist, which Authlete answers with an action (or a 400 about the parameters)
 * when it accepts the service ID and access token, and with HTTP 401/403 when not; an unreachable
 * or failing Authlete fails it too. The embedded engine has nothing to verify.
 *
 * @since 0.1.0
 * @category constructors
 */
export const verify = (
  backend: Backend
): Effect.Effect<void, BackendError, DynamicClientRegistration.DynamicClientRegistration> =>
  backend._tag === "Engine"
    ? Effect.void
    : DynamicClientRegistration.get({ clientId: "0", token: Redacted.make("effect-dcr-startup-check") }).pipe(
      AuthleteClient.withRetryPolicy(RetryPolicy.none),
      Effect.asVoid,
      // a 400 is about the call's parameters: the credentials were accepted
      Effect.catchIf((error) => error._tag === "ResultError" && error.status === 400, () => Effect.void),
      Effect.mapError((cause) =>
        new BackendError({
          description: `The startup check of Authlete at ${backend.baseUrl} failed (check AUTHLETE_SERVICE_ID, ` +
            `AUTHLETE_SERVICE_ACCESS_TOKEN and AUTHLETE_BASE_URL; DCR_CHECK_BACKEND=false skips the check)`,
          cause
        })
      )
    )

/**
 * The embedded engine's stores on its database: the `ClientStore` and the `InitialAccessTokenStore`
 * (which `effect-dcr iat` uses alone).
 *
 * @since 0.1.0
 * @category layers
 */
export const engineStores = (
  backend: Extract<Backend, { readonly _tag: "Engine" }>
): Layer.Layer<
  ClientStore.ClientStore | InitialAccessTokenStore.InitialAccessTokenStore | Readiness.Readiness,
  BackendError
> => {
  const { database } = backend
  if (database._tag === "Postgres") {
    // loaded only when used: a SQLite server never loads the PostgreSQL driver
    return Layer.unwrapEffect(Effect.map(
      Effect.promise(() => import("@effect-dcr/engine/PgClientStore")),
      (PgClientStore) =>
        PgClientStore.layer({ ...backend.pool, url: database.url }).pipe(
          Layer.mapError((cause) =>
            new BackendError({ description: `Cannot open the ${describeDatabase(database)} database`, cause })
          )
        )
    ))
  }
  const { filename } = database
  // loaded only when used, as PostgreSQL's: a PostgreSQL server never loads the SQLite driver
  return Layer.unwrapEffect(Effect.zipRight(
    ensureDirectory(filename),
    Effect.map(
      Effect.promise(() => import("@effect-dcr/engine/SqliteClientStore")),
      (SqliteClientStore) =>
        SqliteClientStore.layer({ filename }).pipe(
          Layer.mapError((cause) =>
            new BackendError({ description: `Cannot open the SQLite database ${filename}`, cause })
          )
        )
    )
  ))
}

/**
 * The `DynamicClientRegistration` layer of a backend, with its `Readiness` (the store's, or
 * Authlete's). With the engine and `housekeeping`, it also prunes unused clients on a schedule
 * (`Housekeeping.layer`) for the layer's lifetime.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  backend: Backend,
  settings: EngineSettings,
  housekeeping?: Housekeeping.Options | undefined
): Layer.Layer<DynamicClientRegistration.DynamicClientRegistration | Readiness.Readiness, BackendError> => {
  switch (backend._tag) {
    case "Engine":
      return Engine.layer(settings).pipe(
        Layer.merge(housekeeping === undefined ? Layer.empty : Housekeeping.layer(housekeeping)),
        Layer.provideMerge(engineStores(backend))
      )
    case "Authlete":
      return AuthleteClient.layer(authleteConnection(backend)).pipe(overHttp)
  }
}

type Authlete = Extract<Backend, { readonly _tag: "Authlete" }>

/** How to reach Authlete: the same for the registration operations and the client registry. */
const authleteConnection = (backend: Authlete): AuthleteClient.Options => ({
  baseUrl: backend.baseUrl,
  serviceId: backend.serviceId,
  serviceAccessToken: backend.serviceAccessToken,
  timeout: backend.timeout
})

const overHttp = <A>(layer: Layer.Layer<A, ConfigError.ConfigError, HttpClient.HttpClient>) =>
  layer.pipe(
    Layer.provide(NodeHttpClient.layerUndici),
    Layer.mapError((cause) => new BackendError({ description: `Invalid Authlete settings: ${cause.message}`, cause }))
  )

/**
 * The `ClientRegistry` of a backend, as `effect-dcr resolve` uses it: the engine's on its database
 * (`ClientRegistry.layer`, client metadata documents as `options` say), or Authlete's client read
 * over HTTP (`AuthleteClientRegistry.layer`, with the token endpoint and issuer of `options`; the
 * configuration refuses client metadata documents with Authlete).
 *
 * @since 0.1.0
 * @category layers
 */
export const registry = (
  backend: Backend,
  options: ClientRegistry.Options
): Layer.Layer<ClientRegistry.ClientRegistry, BackendError> => {
  switch (backend._tag) {
    case "Engine":
      return ClientRegistry.layer(options).pipe(Layer.provide(engineStores(backend)))
    case "Authlete":
      return AuthleteClientRegistry.layer({
        ...authleteConnection(backend),
        tokenEndpoint: options.tokenEndpoint,
        issuer: options.issuer,
        clockTolerance: options.clockTolerance
      }).pipe(overHttp)
  }
}

/**
 * A one-line description of the backend, for the startup banner and the CLI.
 *
 * @since 0.1.0
 * @category constructors
 */
export const describe = (backend: Backend): string =>
  backend._tag === "Engine"
    ? `embedded engine (${describeDatabase(backend.database)})`
    : `Authlete (${backend.baseUrl}, service ${backend.serviceId})`

/**
 * A database as the banner names it: `SQLite <file>`, or `PostgreSQL <host>/<database>` (never the
 * user name, the password or the query).
 *
 * @since 0.1.0
 * @category constructors
 */
export const describeDatabase = (database: DatabaseUrl.DatabaseUrl): string => {
  if (database._tag === "Sqlite") return `SQLite ${database.filename}`
  try {
    const url = new URL(Redacted.value(database.url))
    return `PostgreSQL ${url.host === "" ? "(local socket)" : url.host}${url.pathname}`
  } catch {
    return "PostgreSQL"
  }
}
