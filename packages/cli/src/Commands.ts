/**
 * The `effect-dcr` command line: `serve`, `register` / `get` / `update` / `delete` against the
 * configured backend (the same SQLite file as the server with the embedded engine, or Authlete), and
 * `iat create` / `list` / `revoke` for the engine's managed initial access tokens, `clients list` /
 * `show` / `delete` / `rotate-secret` / `reissue-token` / `unused` / `prune` for operators on the
 * engine's database, and `resolve` for what `ClientRegistry` makes of a client id (client metadata
 * documents included).
 *
 * @since 0.1.0
 */
import { DynamicClientRegistration } from "@effect-dcr/client"
import {
  ClientIdMetadataDocument,
  ClientRegistry,
  ClientRegistryError,
  ClientStore,
  Durations,
  Engine,
  Explain,
  InitialAccessTokenStore,
  Operator
} from "@effect-dcr/engine"
import { clientToMetadata } from "@effect-dcr/schema"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { text } from "node:stream/consumers"
import * as Backend from "./Backend.js"
import * as Logging from "./Logging.js"
import * as Package from "./Package.js"
import * as Server from "./Server.js"
import * as ServerConfig from "./ServerConfig.js"
import * as Settings from "./Settings.js"

/**
 * A command ran but did not succeed: the backend failed, or answered an action other than the
 * operation's success (e.g. BAD_REQUEST). The process exits with status 1.
 *
 * @since 0.1.0
 * @category errors
 */
export class CommandFailed extends Data.TaggedError("CommandFailed")<{ readonly description: string }> {
  override get message(): string {
    return this.description
  }
}

/**
 * A one-line description of a failure for the terminal: its message, else its tag, followed by
 * the messages of its causes (the underlying error, e.g. the storage driver's).
 *
 * @since 0.1.0
 * @category constructors
 */
export const describeError = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error)
  let text = error.message !== "" ? error.message : (error as { readonly _tag?: string })._tag ?? error.name
  // down the cause chain (e.g. BackendError → ClientStoreError → the driver's error), a few levels
  let cause = (error as { readonly cause?: unknown }).cause
  for (let depth = 0; depth < 5 && cause instanceof Error; depth++) {
    if (cause.message !== "" && !text.includes(cause.message)) text = `${text}: ${cause.message}`
    cause = (cause as { readonly cause?: unknown }).cause
  }
  return text
}

const pretty = (content: string): string => {
  try {
    return JSON.stringify(JSON.parse(content), null, 2)
  } catch {
    return content
  }
}

interface Answer {
  readonly action?: string | undefined
  readonly resultCode?: string | undefined
  readonly resultMessage?: string | undefined
  readonly responseContent?: string | undefined
}

/** Prints the answer (body on stdout, action and result on stderr); fails unless it is `success`. */
const report = (success: string) => (answer: Answer) =>
  Effect.gen(function*() {
    if (answer.responseContent !== undefined) yield* Console.log(pretty(answer.responseContent))
    const summary = `${answer.action ?? "(no action)"}${
      answer.resultMessage === undefined ? "" : ` ${answer.resultMessage}`
    }`
    yield* Console.error(summary)
    if (answer.action !== success) {
      return yield* new CommandFailed({ description: `expected ${success}, got ${answer.action ?? "no action"}` })
    }
  })

/** Prints a failure (`error: …`, its causes included) and fails with `CommandFailed` (exit status 1). */
const failAsCommand = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, CommandFailed, R> =>
  Effect.catchAll(self, (error) =>
    Effect.zipRight(
      Console.error(`error: ${describeError(error)}`),
      Effect.fail(error instanceof CommandFailed ? error : new CommandFailed({ description: describeError(error) }))
    ))

/** Runs an operation against the configured backend, mapping every failure to `CommandFailed`. */
const withBackend = <A, E>(
  operation: Effect.Effect<A, E, DynamicClientRegistration.DynamicClientRegistration>,
  success: string
) =>
  Effect.gen(function*() {
    const config = yield* ServerConfig.load
    const issuer = config.issuer ?? ServerConfig.listenUrl(config.host, config.port)
    const backend = Backend.layer(config.backend, {
      ...config.engine,
      registrationEndpoint: ServerConfig.registrationEndpoint(issuer)
    })
    const answer = yield* Effect.provide(operation, backend)
    return yield* report(success)(answer as Answer)
  }).pipe(failAsCommand)

const registrationAccessToken = Options.redacted("token").pipe(
  Options.withAlias("t"),
  Options.withDescription("The registration access token (RFC 7592) returned at registration")
)

const clientId = Args.text({ name: "client_id" }).pipe(Args.withDescription("The client's client_id"))

/**
 * The metadata argument's text: inline JSON as given, `@path` the file's content, `-` standard input
 * (as curl's `--data`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const readMetadata = (
  argument: string
): Effect.Effect<string, HelpDoc.HelpDoc, FileSystem.FileSystem> => {
  const fail = (source: string) => (cause: unknown) =>
    HelpDoc.p(`Cannot read the metadata from ${source}: ${describeError(cause)}`)
  if (argument === "-") {
    return Effect.tryPromise({ try: () => text(process.stdin), catch: fail("standard input") })
  }
  if (argument.startsWith("@")) {
    const path = argument.slice(1)
    return Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readFileString(path)).pipe(Effect.mapError(fail(path)))
  }
  return Effect.succeed(argument)
}

const metadata = Args.text({ name: "metadata" }).pipe(
  Args.mapEffect(readMetadata),
  Args.withDescription(
    "The client metadata, a JSON object: inline, e.g. '{\"client_name\":\"demo\",\"redirect_uris\":[\"http://127.0.0.1:8080/cb\"]}', " +
      "@file to read it from a file, or - to read it from standard input"
  )
)

const tokenField = (token: Option.Option<Redacted.Redacted<string>>) =>
  Option.match(token, { onNone: () => ({}), onSome: (token) => ({ token }) })

/**
 * `effect-dcr serve`: serves the endpoints until SIGINT/SIGTERM.
 *
 * @since 0.1.0
 * @category commands
 */
export const serve = Command.make(
  "serve",
  { settings: Settings.options },
  ({ settings }) =>
    Effect.gen(function*() {
      const env = yield* Effect.sync(() => process.env)
      const warnings = Effect.forEach(Settings.unknownVariables(env), (warning) => Effect.logWarning(warning), {
        discard: true
      })
      const config = yield* ServerConfig.make(settings).pipe(
        Effect.tapError((error) => Effect.zipRight(warnings, Console.error(`error: ${describeError(error)}`)))
      )
      // from here on, every line is written in DCR_LOG_FORMAT
      return yield* Effect.gen(function*() {
        yield* warnings
        if (config.backend._tag === "Authlete") {
          for (const warning of Settings.ignoredWithAuthlete(env)) yield* Effect.logWarning(warning)
        }
        return yield* Layer.launch(Server.layer(config))
      }).pipe(
        Effect.tapError((error) => Logging.reportError(config.logFormat, `error: ${describeError(error)}`)),
        Effect.provide(Logging.layer({ format: config.logFormat, level: config.logLevel }))
      )
    })
).pipe(
  Command.withDescription(
    "Serve the RFC 7591/7592 registration endpoints (and, with the embedded engine, the Authlete-compatible API). " +
      "Every setting is an environment variable and a flag (the flag wins); unknown DCR_* variables are reported."
  )
)

/**
 * `effect-dcr register <metadata> [--token <initial access token>]`.
 *
 * @since 0.1.0
 * @category commands
 */
export const register = Command.make("register", {
  metadata,
  token: Options.redacted("token").pipe(
    Options.withAlias("t"),
    Options.withDescription("An initial access token (default: the first of DCR_INITIAL_ACCESS_TOKENS, if set)"),
    Options.optional
  )
}, ({ metadata, token }) =>
  Effect.gen(function*() {
    const fallback = Option.fromNullable((yield* ServerConfig.load).engine.initialAccessTokens?.[0])
    const chosen = Option.orElse(token, () => fallback)
    return yield* withBackend(DynamicClientRegistration.register({ json: metadata, ...tokenField(chosen) }), "CREATED")
  }).pipe(Effect.catchTag("ConfigError", (e) => Effect.fail(new CommandFailed({ description: e.message }))))).pipe(
    Command.withDescription("Register a client (RFC 7591) and print the client information response")
  )

/**
 * `effect-dcr get <client_id> --token <registration access token>`.
 *
 * @since 0.1.0
 * @category commands
 */
export const get = Command.make(
  "get",
  { clientId, token: registrationAccessToken },
  ({ clientId, token }) => withBackend(DynamicClientRegistration.get({ clientId, token }), "OK")
).pipe(Command.withDescription("Read a client's registration (RFC 7592 §2.1)"))

/**
 * `effect-dcr update <client_id> <metadata> --token <registration access token>`.
 *
 * @since 0.1.0
 * @category commands
 */
export const update = Command.make(
  "update",
  { clientId, metadata, token: registrationAccessToken },
  ({ clientId, metadata, token }) =>
    withBackend(DynamicClientRegistration.update({ clientId, json: metadata, token }), "UPDATED")
).pipe(
  Command.withDescription("Replace a client's registration (RFC 7592 §2.2); the metadata must contain the client_id")
)

/**
 * `effect-dcr delete <client_id> --token <registration access token>`.
 *
 * @since 0.1.0
 * @category commands
 */
export const delete_ = Command.make(
  "delete",
  { clientId, token: registrationAccessToken },
  ({ clientId, token }) => withBackend(DynamicClientRegistration.delete({ clientId, token }), "DELETED")
).pipe(Command.withDescription("Delete a client (RFC 7592 §2.3)"))

/** One line per step of an explanation: the members it changed, or its refusal. */
const describeStep = (step: Explain.Step): string => {
  if ("refused" in step) return `${step.rule}: refused (${step.refused.error}) ${step.refused.error_description ?? ""}`
  if (step.changes.length === 0) return `${step.rule}: no change`
  const verb = (change: Explain.Change) =>
    change.from === undefined ? "added" : change.to === undefined ? "removed" : "changed"
  return `${step.rule}: ${step.changes.map((change) => `${change.member} ${verb(change)}`).join(", ")}`
}

/**
 * `effect-dcr explain <metadata> [--policy name]`: what the embedded engine would register for this
 * metadata (with the configured policies and options) and which step changed or refused which
 * member, without storing anything. The explanation as JSON on standard output, one line per step on
 * standard error; exit status 1 when the registration would be refused.
 *
 * @since 0.1.0
 * @category commands
 */
export const explain = Command.make("explain", {
  metadata,
  policy: Options.text("policy").pipe(
    Options.withDescription(
      "Explain the registration as if an initial access token carrying this named policy (DCR_POLICIES) were presented"
    ),
    Options.optional
  )
}, ({ metadata, policy }) =>
  Effect.gen(function*() {
    const config = yield* ServerConfig.load
    if (config.backend._tag !== "Engine") {
      yield* Console.error(
        "Note: the backend is Authlete, which applies its own rules; this explains the embedded engine's."
      )
    }
    const explanation = yield* Explain.explain({ json: metadata, policy: Option.getOrUndefined(policy) }, config.engine)
    yield* Console.log(JSON.stringify(explanation, null, 2))
    for (const step of explanation.steps) yield* Console.error(describeStep(step))
    if (explanation.error !== undefined) {
      return yield* new CommandFailed({
        description: `the registration would be refused: ${explanation.error.error}${
          explanation.error.error_description === undefined ? "" : ` (${explanation.error.error_description})`
        }`
      })
    }
    yield* Console.error("The registration would be accepted (nothing was stored).")
  }).pipe(failAsCommand)).pipe(
    Command.withDescription(
      "Explain what the server would register for this metadata and which rule changed or refused which member " +
        "(the URI rules, DCR_POLICY, DCR_POLICIES), without storing anything"
    )
  )

/**
 * Runs an operation on the embedded engine's stores (on the configured database), mapping every
 * failure to `CommandFailed`; with the Authlete backend, fails with `refusal` + which variables
 * select Authlete.
 */
const onEngineDatabase = (refusal: string) =>
<A, E>(
  operation: (
    config: ServerConfig.ServerConfig
  ) => Effect.Effect<A, E, ClientStore.ClientStore | InitialAccessTokenStore.InitialAccessTokenStore>
) =>
  Effect.gen(function*() {
    const config = yield* ServerConfig.load
    if (config.backend._tag !== "Engine") {
      return yield* new CommandFailed({
        description: `${refusal}, and the configured backend is ` +
          "Authlete (AUTHLETE_SERVICE_ID and AUTHLETE_SERVICE_ACCESS_TOKEN are set)"
      })
    }
    return yield* Effect.provide(operation(config), Backend.engineStores(config.backend))
  }).pipe(failAsCommand)

/** `iat` operations on the `InitialAccessTokenStore`. */
const withTokenStore = onEngineDatabase("Managed initial access tokens are kept by the embedded engine")

const iso = (millis: number) => new Date(millis).toISOString()

/** A positive duration option (`Durations.parse`: 30m, 12h, 7d, 2w, 90 days). */
const positiveDuration = (name: string) => (option: Options.Options<string>) =>
  Options.mapEffect(
    option,
    (text) =>
      Option.match(Option.filter(Durations.parse(text), (d) => Duration.toMillis(d) > 0), {
        onNone: () =>
          Effect.fail(
            ValidationError.invalidValue(HelpDoc.p(`--${name}: expected a duration such as 12h or 7d, got ${text}`))
          ),
        onSome: Effect.succeed
      })
  )

const expires = Options.text("expires").pipe(
  Options.withDescription("How long the token is accepted: e.g. 30m, 12h, 7d, 2w or 90 days (default: 1d)"),
  Options.withDefault("1d"),
  positiveDuration("expires")
)

const maxUses = Options.integer("max-uses").pipe(
  Options.withDescription("How many registrations the token allows in all (default: 1)"),
  Options.withDefault(1),
  Options.mapEffect((n) =>
    n >= 1
      ? Effect.succeed(n)
      : Effect.fail(ValidationError.invalidValue(HelpDoc.p(`--max-uses: expected at least 1, got ${n}`)))
  )
)

/** Fails unless `name` is a named registration policy of the engine's configuration (DCR_POLICIES). */
const checkPolicy = (engine: ServerConfig.EngineOptions, name: string) =>
  Effect.flatMap(
    Engine.registrationPolicy(engine),
    (policy) =>
      policy.has(name) ? Effect.void : new CommandFailed({
        description: `Unknown registration policy ${JSON.stringify(name)}: ${
          policy.policies.length === 0
            ? "no named policy is configured (DCR_POLICIES)"
            : `the configured ones are ${policy.policies.join(", ")} (DCR_POLICIES)`
        }`
      })
  )

/**
 * `effect-dcr iat create [--expires 7d] [--max-uses 10] [--policy name]`: prints the new token once
 * on standard output (only its hash is stored), its details on standard error.
 *
 * @since 0.1.0
 * @category commands
 */
export const iatCreate = Command.make("create", {
  expires,
  maxUses,
  policy: Options.text("policy").pipe(
    Options.withDescription("A named registration policy (DCR_POLICIES) applied to the registrations made with it"),
    Options.optional
  )
}, ({ expires, maxUses, policy }) =>
  withTokenStore((config) =>
    Effect.gen(function*() {
      const name = Option.getOrUndefined(policy)
      if (name !== undefined) yield* checkPolicy(config.engine, name)
      const { details, token } = yield* InitialAccessTokenStore.issue({ expiresIn: expires, maxUses, policy: name })
      yield* Console.log(Redacted.value(token))
      yield* Console.error(
        `Created initial access token ${details.id}: expires ${iso(details.expiresAt)}, ${details.maxUses} ` +
          `registration${details.maxUses === 1 ? "" : "s"}${name === undefined ? "" : `, policy ${name}`}. ` +
          "It is shown only this once: only its SHA-256 hash is stored."
      )
      if (!Engine.requiresInitialAccessToken(config.engine)) {
        yield* Console.error(
          "Note: POST /register still accepts registrations without a token; " +
            "set DCR_REQUIRE_INITIAL_ACCESS_TOKEN=true to require one."
        )
      }
    })
  )).pipe(Command.withDescription("Create a managed initial access token (RFC 7591 §3) and print it once"))

/** What `iat list` shows of a token at `now`. */
const tokenStatus = (token: InitialAccessTokenStore.InitialAccessToken, now: number): string =>
  token.revokedAt !== undefined
    ? "revoked"
    : token.expiresAt <= now
    ? "expired"
    : token.uses >= token.maxUses
    ? "used up"
    : "active"

/**
 * `effect-dcr iat list [--json]`: every managed initial access token (never the token itself).
 *
 * @since 0.1.0
 * @category commands
 */
export const iatList = Command.make("list", {
  json: Options.boolean("json").pipe(Options.withDescription("Print a JSON array instead of a table"))
}, ({ json }) =>
  withTokenStore(() =>
    Effect.gen(function*() {
      const tokens = yield* Effect.flatMap(InitialAccessTokenStore.InitialAccessTokenStore, (store) => store.list)
      const now = yield* Clock.currentTimeMillis
      const rows = tokens.map((token) => ({
        id: token.id,
        created: iso(token.createdAt),
        expires: iso(token.expiresAt),
        usesLeft: Math.max(0, token.maxUses - token.uses),
        maxUses: token.maxUses,
        policy: token.policy ?? null,
        revoked: token.revokedAt === undefined ? null : iso(token.revokedAt),
        status: tokenStatus(token, now)
      }))
      if (json) return yield* Console.log(JSON.stringify(rows, null, 2))
      if (rows.length === 0) return yield* Console.error("No initial access tokens.")
      const table = [
        ["id", "created", "expires", "uses left", "policy", "status"],
        ...rows.map((row) => [
          row.id,
          row.created,
          row.expires,
          `${row.usesLeft} of ${row.maxUses}`,
          row.policy ?? "-",
          row.revoked === null ? row.status : `revoked ${row.revoked}`
        ])
      ]
      const widths = table[0]!.map((_, column) => Math.max(...table.map((line) => line[column]!.length)))
      for (const line of table) {
        yield* Console.log(line.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd())
      }
    })
  )).pipe(Command.withDescription("List the managed initial access tokens (never the tokens themselves)"))

/**
 * `effect-dcr iat revoke <id>`: the token is refused from now on.
 *
 * @since 0.1.0
 * @category commands
 */
export const iatRevoke = Command.make("revoke", {
  id: Args.text({ name: "id" }).pipe(Args.withDescription("The token's id, as `iat list` shows it"))
}, ({ id }) =>
  withTokenStore(() =>
    Effect.gen(function*() {
      const store = yield* InitialAccessTokenStore.InitialAccessTokenStore
      if (!(yield* store.revoke(id, yield* Clock.currentTimeMillis))) {
        return yield* new CommandFailed({
          description: `No initial access token ${id} to revoke (unknown, or already revoked: see effect-dcr iat list)`
        })
      }
      yield* Console.error(`Revoked initial access token ${id}.`)
    })
  )).pipe(Command.withDescription("Revoke a managed initial access token: it is refused from now on"))

/**
 * `effect-dcr iat`: managed initial access tokens on the embedded engine's database.
 *
 * @since 0.1.0
 * @category commands
 */
export const iat = Command.make("iat").pipe(
  Command.withDescription(
    "Managed initial access tokens (RFC 7591 §3): stored as hashes in the engine's database, with an expiry, " +
      "a number of uses and an optional registration policy"
  ),
  Command.withSubcommands([iatCreate, iatList, iatRevoke])
)

/** `clients` operations on the `ClientStore`, with the engine's options (for `registration_client_uri`). */
const withClients = <A, E>(
  operation: (options: Operator.Options) => Effect.Effect<A, E, ClientStore.ClientStore>
) =>
  onEngineDatabase(
    "The clients commands work only on the embedded engine's database (with Authlete, use its console or API)"
  )(
    (config) =>
      operation({
        ...config.engine,
        registrationEndpoint: ServerConfig.registrationEndpoint(
          config.issuer ?? ServerConfig.listenUrl(config.host, config.port)
        )
      })
  )

const json = Options.boolean("json").pipe(Options.withDescription("Print JSON for scripts"))

const operatorClientId = Args.text({ name: "client_id" }).pipe(
  Args.withDescription("The client's client_id, as `clients list` shows it")
)

const isoOrNull = (millis: number | undefined) => millis === undefined ? null : iso(millis)

/**
 * `effect-dcr clients list [--json] [--limit n] [--after client_id]`: the registered clients in
 * client id order (never a secret, a token or a hash); every client unless `--limit` is given.
 *
 * @since 0.1.0
 * @category commands
 */
export const clientsList = Command.make("list", {
  json,
  limit: Options.integer("limit").pipe(
    Options.withDescription(`At most this many clients, 1 to ${ClientStore.maxListLimit} (default: every client)`),
    Options.mapEffect((n) =>
      n >= 1 && n <= ClientStore.maxListLimit
        ? Effect.succeed(n)
        : Effect.fail(
          ValidationError.invalidValue(HelpDoc.p(`--limit: expected 1 to ${ClientStore.maxListLimit}, got ${n}`))
        )
    ),
    Options.optional
  ),
  after: Options.text("after").pipe(
    Options.withDescription("Only the clients after this client_id (the next page: the last id shown)"),
    Options.optional
  )
}, ({ after, json, limit }) =>
  withClients(() =>
    Effect.gen(function*() {
      const all: Array<Operator.ClientSummary> = []
      let from = Option.getOrUndefined(after)
      const wanted = Option.getOrUndefined(limit)
      for (;;) {
        const pageSize = wanted === undefined ? ClientStore.maxListLimit : wanted - all.length
        const page = yield* Operator.list({ limit: pageSize, after: from })
        for (const client of page) all.push(client)
        if (page.length < pageSize || (wanted !== undefined && all.length >= wanted)) break
        from = page[page.length - 1]!.clientId
      }
      const rows = all.map((client) => ({
        clientId: client.clientId,
        clientName: client.clientName ?? null,
        clientType: client.clientType ?? null,
        softwareId: client.softwareId ?? null,
        policy: client.registrationPolicy ?? null,
        created: iso(client.createdAt),
        modified: iso(client.modifiedAt),
        secretExpires: isoOrNull(client.clientSecretExpiresAt),
        tokenRevoked: client.registrationAccessTokenRevoked
      }))
      if (json) return yield* Console.log(JSON.stringify(rows, null, 2))
      if (rows.length === 0) return yield* Console.error("No clients.")
      const table = [
        ["client_id", "name", "type", "created", "secret expires", "token"],
        ...rows.map((row) => [
          row.clientId,
          row.clientName ?? "-",
          row.clientType?.toLowerCase() ?? "?",
          row.created,
          row.clientType === "CONFIDENTIAL" ? row.secretExpires ?? "never" : "-",
          row.tokenRevoked ? "revoked" : "ok"
        ])
      ]
      const widths = table[0]!.map((_, column) => Math.max(...table.map((line) => line[column]!.length)))
      for (const line of table) {
        yield* Console.log(line.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd())
      }
    })
  )).pipe(Command.withDescription("List the registered clients (never a secret or a token)"))

/**
 * `effect-dcr clients show <client_id>`: the client's information response (as GET /register/{id}
 * answers it), without the client secret and the registration access token.
 *
 * @since 0.1.0
 * @category commands
 */
export const clientsShow = Command.make(
  "show",
  { json, clientId: operatorClientId },
  ({ clientId, json }) =>
    withClients((options) =>
      Effect.flatMap(
        Operator.show(options, clientId),
        (info) => Console.log(json ? JSON.stringify(info) : JSON.stringify(info, null, 2))
      )
    )
).pipe(
  Command.withDescription(
    "Print a client's metadata as the client information response (JSON), without its secret or token"
  )
)

/**
 * `effect-dcr clients delete <client_id>`: deletes the client without its registration access token.
 *
 * @since 0.1.0
 * @category commands
 */
export const clientsDelete = Command.make(
  "delete",
  { json, clientId: operatorClientId },
  ({ clientId, json }) =>
    withClients(() =>
      Effect.zipRight(
        Operator.remove(clientId),
        json
          ? Console.log(JSON.stringify({ client_id: clientId, deleted: true }))
          : Console.error(`Deleted client ${clientId}.`)
      )
    )
).pipe(Command.withDescription("Delete a client (no registration access token needed)"))

/**
 * `effect-dcr clients rotate-secret <client_id>`: prints a new client secret once on standard
 * output (only its hash is stored); the old one stops working at once.
 *
 * @since 0.1.0
 * @category commands
 */
export const clientsRotateSecret = Command.make(
  "rotate-secret",
  { json, clientId: operatorClientId },
  ({ clientId, json }) =>
    withClients((options) =>
      Effect.gen(function*() {
        const { clientSecret, clientSecretExpiresAt } = yield* Operator.rotateSecret(options, clientId)
        if (json) {
          return yield* Console.log(JSON.stringify({
            client_id: clientId,
            client_secret: Redacted.value(clientSecret),
            client_secret_expires_at: clientSecretExpiresAt === undefined ? 0 : Math.floor(clientSecretExpiresAt / 1000)
          }))
        }
        yield* Console.log(Redacted.value(clientSecret))
        yield* Console.error(
          `New client secret for ${clientId}, ${
            clientSecretExpiresAt === undefined ? "never expires" : `expires ${iso(clientSecretExpiresAt)}`
          }; the old one no longer works. It is shown only this once: only its SHA-256 hash is stored.`
        )
      })
    )
).pipe(Command.withDescription("Issue a new client secret and print it once (the old one stops working)"))

/**
 * `effect-dcr clients reissue-token <client_id>`: prints a new registration access token once on
 * standard output (only its hash is stored): for a lost token, or a token revoked under RFC 7592 §2.
 *
 * @since 0.1.0
 * @category commands
 */
export const clientsReissueToken = Command.make(
  "reissue-token",
  { json, clientId: operatorClientId },
  ({ clientId, json }) =>
    withClients(() =>
      Effect.gen(function*() {
        const token = Redacted.value(yield* Operator.reissueToken(clientId))
        if (json) return yield* Console.log(JSON.stringify({ client_id: clientId, registration_access_token: token }))
        yield* Console.log(token)
        yield* Console.error(
          `New registration access token for ${clientId}; the old one (if any) no longer works. ` +
            "It is shown only this once: only its SHA-256 hash is stored."
        )
      })
    )
).pipe(
  Command.withDescription(
    "Issue a new registration access token and print it once (a lost token, or one revoked after misuse)"
  )
)

const notUsedFor = Options.text("not-used-for").pipe(
  Options.withDescription(
    "Also the clients whose last use (authentication) is older than this, e.g. 90d (default: only never-used clients)"
  ),
  positiveDuration("not-used-for"),
  Options.optional
)

/** `--older-than` with its default for `unused`, or required for `prune`. */
const olderThan = (fallback: string | undefined) =>
  Options.text("older-than").pipe(
    Options.withDescription(
      "Only the clients registered more than this long ago, e.g. 7d, 12h, 2w" +
        (fallback === undefined ? "" : ` (default: ${fallback})`)
    ),
    fallback === undefined ? (option) => option : Options.withDefault(fallback),
    positiveDuration("older-than")
  )

/** The criteria in words, for the messages. */
const unusedDescription = (older: Duration.Duration, notUsed: Option.Option<Duration.Duration>) =>
  `registered more than ${Duration.format(older)} ago and ${
    Option.match(notUsed, {
      onNone: () => "never used",
      onSome: (d) => `not used for ${Duration.format(d)}`
    })
  }`

/**
 * `effect-dcr clients unused [--older-than 7d] [--not-used-for 90d] [--json]`: the clients registered
 * long ago that never authenticated (MCP clients that re-register on every start leave them behind).
 *
 * @since 0.1.0
 * @category commands
 */
export const clientsUnused = Command.make("unused", {
  json,
  olderThan: olderThan("7d"),
  notUsedFor
}, ({ json, notUsedFor, olderThan }) =>
  withClients(() =>
    Effect.gen(function*() {
      const found = yield* Stream.runCollect(
        Operator.unused({ olderThan, notUsedFor: Option.getOrUndefined(notUsedFor) })
      )
      const rows = Chunk.toReadonlyArray(found).map((client) => ({
        clientId: client.clientId,
        clientName: client.clientName ?? null,
        clientType: client.clientType ?? null,
        softwareId: client.softwareId ?? null,
        created: iso(client.createdAt),
        lastUsed: isoOrNull(client.lastUsedAt)
      }))
      if (json) return yield* Console.log(JSON.stringify(rows, null, 2))
      if (rows.length === 0) {
        return yield* Console.error(`No clients ${unusedDescription(olderThan, notUsedFor)}.`)
      }
      const table = [
        ["client_id", "name", "type", "created", "last used"],
        ...rows.map((row) => [
          row.clientId,
          row.clientName ?? "-",
          row.clientType?.toLowerCase() ?? "?",
          row.created,
          row.lastUsed ?? "never"
        ])
      ]
      const widths = table[0]!.map((_, column) => Math.max(...table.map((line) => line[column]!.length)))
      for (const line of table) {
        yield* Console.log(line.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd())
      }
      yield* Console.error(
        `${rows.length} client${rows.length === 1 ? "" : "s"} ${unusedDescription(olderThan, notUsedFor)}.`
      )
    })
  )).pipe(Command.withDescription("List the clients registered long ago and never used (never a secret or a token)"))

/**
 * `effect-dcr clients prune --older-than 7d [--not-used-for 90d] [--dry-run] [--json]`: deletes the
 * clients `clients unused` lists, in batches, and prints how many.
 *
 * @since 0.1.0
 * @category commands
 */
export const clientsPrune = Command.make("prune", {
  json,
  olderThan: olderThan(undefined),
  notUsedFor,
  dryRun: Options.boolean("dry-run").pipe(Options.withDescription("Only count the clients that would be deleted"))
}, ({ dryRun, json, notUsedFor, olderThan }) =>
  withClients(() =>
    Effect.gen(function*() {
      const result = yield* Operator.prune({ olderThan, notUsedFor: Option.getOrUndefined(notUsedFor), dryRun })
      if (json) return yield* Console.log(JSON.stringify({ ...result, dryRun }))
      const what = unusedDescription(olderThan, notUsedFor)
      yield* Console.error(
        dryRun
          ? `Would delete ${result.unused} client${result.unused === 1 ? "" : "s"} ${what} (dry run: nothing deleted).`
          : `Deleted ${result.deleted} client${result.deleted === 1 ? "" : "s"} ${what}` +
            (result.deleted < result.unused ? ` (${result.unused - result.deleted} were used meanwhile).` : ".")
      )
    })
  )).pipe(Command.withDescription("Delete the clients registered long ago and never used, and print how many"))

/**
 * `effect-dcr clients`: operator commands on the embedded engine's database, without any
 * registration access token.
 *
 * @since 0.1.0
 * @category commands
 */
export const clients = Command.make("clients").pipe(
  Command.withDescription(
    "Operator commands on the embedded engine's clients (no registration access token needed): " +
      "list, show, delete, rotate-secret, reissue-token, unused, prune"
  ),
  Command.withSubcommands([
    clientsList,
    clientsShow,
    clientsDelete,
    clientsRotateSecret,
    clientsReissueToken,
    clientsUnused,
    clientsPrune
  ])
)

/** The registry's options for `config`: client metadata documents as `serve` is configured. */
const registryOptions = (config: ServerConfig.ServerConfig): ClientRegistry.Options => {
  const issuer = config.issuer ?? ServerConfig.listenUrl(config.host, config.port)
  const tokenEndpoint = config.authorizationServerMetadata?.["token_endpoint"]
  return {
    tokenEndpoint: typeof tokenEndpoint === "string" ? tokenEndpoint : `${issuer.replace(/\/+$/, "")}/token`,
    issuer,
    clientIdMetadataDocuments: {
      ...config.clientIdMetadataDocuments,
      uriRules: { allowLoopbackHttp: config.engine.allowLoopbackHttp },
      dcrScopeUsedAsRequestable: config.engine.dcrScopeUsedAsRequestable,
      supportedCustomClientMetadata: config.engine.supportedCustomClientMetadata
    }
  }
}

/**
 * `effect-dcr resolve <client_id>`: what `ClientRegistry` finds for a client id, as JSON: a
 * registered client (the engine's, or Authlete's through its client API), or (engine, with
 * `DCR_CLIENT_ID_METADATA_DOCUMENTS`) the client a metadata document URL describes, fetched with
 * the same guards. A refused document prints its `invalid_client` error and reason; exit status 1
 * when nothing is found, the document is refused or the backend fails.
 *
 * @since 0.1.0
 * @category commands
 */
export const resolve = Command.make(
  "resolve",
  {
    clientId: Args.text({ name: "client_id" }).pipe(
      Args.withDescription("A registered client_id, or a client metadata document URL (https://…)")
    )
  },
  ({ clientId }) =>
    Effect.flatMap(ServerConfig.load, (config) =>
      Effect.gen(function*() {
        const registry = yield* ClientRegistry.ClientRegistry
        const found = yield* Effect.either(registry.find(clientId))
        if (Either.isLeft(found)) {
          const error = found.left
          if (error._tag === "ServerError") return yield* error
          yield* Console.log(JSON.stringify(
            {
              client_id: clientId,
              ...ClientRegistryError.toResponseBody(error),
              reason: error.documentReason ?? error.reason
            },
            null,
            2
          ))
          return yield* new CommandFailed({ description: error.description })
        }
        if (Option.isNone(found.right)) {
          const off = config.backend._tag === "Engine" && ClientIdMetadataDocument.isDocumentUrl(clientId) &&
            !config.clientIdMetadataDocuments.enabled
          return yield* new CommandFailed({
            description: `no client ${clientId}${
              off ? " (client metadata documents are off: DCR_CLIENT_ID_METADATA_DOCUMENTS=true resolves URLs)" : ""
            }`
          })
        }
        const client = found.right.value
        const fromDocument = client.clientSource === "METADATA_DOCUMENT"
        yield* Console.log(JSON.stringify(
          {
            client_id: clientId,
            source: fromDocument ? "metadata_document" : "registration",
            ...(fromDocument ? { cached_until: isoOrNull(client.metadataDocumentExpiresAt) } : {}),
            metadata: clientToMetadata(client)
          },
          null,
          2
        ))
      }).pipe(Effect.provide(Backend.registry(config.backend, registryOptions(config))))).pipe(failAsCommand)
).pipe(
  Command.withDescription(
    "Print what the registry resolves for a client_id (a client registered with the engine or Authlete, or a " +
      "client metadata document URL with DCR_CLIENT_ID_METADATA_DOCUMENTS) as JSON, or why it refuses it"
  )
)

/**
 * The root command, `effect-dcr`.
 *
 * @since 0.1.0
 * @category commands
 */
export const root = Command.make("effect-dcr").pipe(
  Command.withDescription("OAuth 2.0 Dynamic Client Registration (RFC 7591/7592) server and client tool"),
  Command.withSubcommands([serve, register, get, update, delete_, explain, iat, clients, resolve])
)

/**
 * Parses `argv` (as `process.argv`) and runs the chosen command.
 *
 * @since 0.1.0
 * @category constructors
 */
export const run = Command.run(root, { name: "effect-dcr", version: Package.version })
