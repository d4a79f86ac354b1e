/**
 * The embedded engine: RFC 7591 registration and RFC 7592 management in-process, answering like
 * Authlete (actions, result codes, `responseContent`, the `Client` model). `Engine.layer` provides
 * the `DynamicClientRegistration` tag on the `ClientStore` in context; tokens and client secrets
 * are stored only as hashes.
 *
 * @since 0.1.0
 */
import { DynamicClientRegistration } from "@effect-dcr/client/DynamicClientRegistration"
import type * as Readiness from "@effect-dcr/client/Readiness"
import type {
  Client,
  DeleteRequest,
  GetRequest,
  RegisterRequest,
  RegisterResponse,
  UpdateRequest
} from "@effect-dcr/schema"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { ParseError } from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import { type ClientRecord, ClientStore, ClientStoreError } from "./ClientStore.js"
import * as Durations from "./Durations.js"
import { InitialAccessTokenStore } from "./InitialAccessTokenStore.js"
import * as Answers from "./internal/answers.js"
import * as Credentials from "./internal/credentials.js"
import * as Metadata from "./internal/metadata.js"
import * as Pipeline from "./internal/pipeline.js"
import type * as SqliteOptions from "./internal/sqliteOptions.js"
import * as Metrics from "./Metrics.js"
import * as RegistrationPolicy from "./RegistrationPolicy.js"

/**
 * The service policy, mirroring Authlete's service flags.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * The registration endpoint's absolute URL (RFC 7591), e.g. `https://as.example.com/register`.
   * `registration_client_uri` is this (or `registrationManagementEndpoint`) + `/` + client_id.
   */
  readonly registrationEndpoint: string
  /** Base of `registration_client_uri` when it differs from `registrationEndpoint`. */
  readonly registrationManagementEndpoint?: string | undefined
  /**
   * Token failures on get/update/delete answer UNAUTHORIZED (`true`, default, RFC 7592) or
   * BAD_REQUEST (`false`, Authlete's behaviour before the flag existed).
   */
  readonly unauthorizedOnClientConfigSupported?: boolean | undefined
  /** Refuse a registration whose `software_id` another client already has (default `false`). */
  readonly dcrDuplicateSoftwareIdBlocked?: boolean | undefined
  /** Use the `scope` metadata as the client's requestable scopes (default `false`: `scope` is discarded). */
  readonly dcrScopeUsedAsRequestable?: boolean | undefined
  /** Custom (non-standard) metadata names to keep in `Client.customMetadata`; others are discarded. */
  readonly supportedCustomClientMetadata?: ReadonlyArray<string> | undefined
  /**
   * RFC 7591 §3 initial access tokens (static, unlimited). When non-empty, register requires an
   * initial access token: one of these or a managed one (else UNAUTHORIZED, `invalid_token`).
   */
  readonly initialAccessTokens?: ReadonlyArray<Redacted.Redacted<string>> | undefined
  /**
   * Whether register requires an initial access token, static or managed (`InitialAccessTokenStore`
   * in context). Default: `true` when `initialAccessTokens` is non-empty, else `false`. A token that
   * is presented is always checked: an unknown, expired, used-up or revoked one is UNAUTHORIZED even
   * when none is required.
   */
  readonly requireInitialAccessToken?: boolean | undefined
  /**
   * How long a client secret is valid; `client_secret_expires_at` says when it expires. `0`
   * (default) means never (`client_secret_expires_at: 0`). An update issues a new secret once the
   * current one has expired.
   */
  readonly clientSecretLifetime?: Duration.DurationInput | undefined
  /** Issue a new client secret on every update of a confidential client; the old one dies at once (default `false`). */
  readonly rotateClientSecret?: boolean | undefined
  /** Issue a new registration access token on every update; the old one dies at once (default `false`). */
  readonly rotateRegistrationAccessToken?: boolean | undefined
  /**
   * When a client sends neither `grant_types` nor `response_types`, still require `redirect_uris`
   * for the default `authorization_code` grant (default `true`, RFC 7591 §2 / OpenID Connect
   * Registration). `false` accepts such a registration without redirect URIs, as Authlete does (its
   * own examples register a client with only `client_name`); redirect URIs stay required when the
   * client asks for a flow that needs them.
   */
  readonly requireRedirectUrisForDefaultGrant?: boolean | undefined
  /**
   * URI rules: accept `http` on a loopback host in a web client's redirect URIs and in the other URI
   * metadata, for development (default `true`; `UriRulesOptions` of `@effect-dcr/schema`).
   */
  readonly allowLoopbackHttp?: boolean | undefined
  /** The default registration policy: applies to every registration and update (`RegistrationPolicy.PolicyRules`). */
  readonly registrationPolicy?: typeof RegistrationPolicy.PolicyRules.Encoded | undefined
  /** The named registration policies, which a managed initial access token can carry. */
  readonly registrationPolicies?:
    | { readonly [name: string]: typeof RegistrationPolicy.PolicyRules.Encoded }
    | undefined
}

const maxIdAttempts = 8

/**
 * Whether register requires an initial access token under these options: `requireInitialAccessToken`,
 * by default whether static `initialAccessTokens` are configured.
 *
 * @since 0.1.0
 * @category constructors
 */
export const requiresInitialAccessToken = (
  options: Pick<Options, "initialAccessTokens" | "requireInitialAccessToken">
): boolean => options.requireInitialAccessToken ?? (options.initialAccessTokens?.length ?? 0) > 0

/**
 * The registration policy an engine with these options consults: the `RegistrationPolicy` in
 * context (its custom rules), configured by `allowLoopbackHttp`, `registrationPolicy` and
 * `registrationPolicies`. Fails when they are not valid.
 *
 * @since 0.1.0
 * @category constructors
 */
export const registrationPolicy = (
  options: Pick<Options, "allowLoopbackHttp" | "registrationPolicy" | "registrationPolicies">
): Effect.Effect<RegistrationPolicy.Service, ParseError> =>
  Effect.flatMap(RegistrationPolicy.RegistrationPolicy, (service) =>
    RegistrationPolicy.configure(service, {
      allowLoopbackHttp: options.allowLoopbackHttp,
      policy: options.registrationPolicy,
      policies: options.registrationPolicies
    }))

/**
 * Builds the engine on the `ClientStore` in context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.fnUntraced(function*(options: Options) {
  const store = Metrics.instrument(yield* ClientStore)
  const managementBase = Answers.managementBase(options)
  const tokenFailure: Answers.TokenFailureAction = options.unauthorizedOnClientConfigSupported === false
    ? "BAD_REQUEST"
    : "UNAUTHORIZED"
  const uniqueSoftwareId = options.dcrDuplicateSoftwareIdBlocked === true
  const initialAccessTokens = options.initialAccessTokens ?? []
  const initialAccessTokenRequired = requiresInitialAccessToken(options)
  const managedTokens = Option.getOrUndefined(yield* Effect.serviceOption(InitialAccessTokenStore))
  const rotate = options.rotateRegistrationAccessToken === true
  const rotateSecret = options.rotateClientSecret === true
  const secretLifetime = Duration.toMillis(Duration.decode(options.clientSecretLifetime ?? 0))
  /** When a secret issued at `now` expires (epoch ms); `undefined`: never. */
  const secretExpiry = (now: number): number | undefined => Credentials.secretExpiry(secretLifetime, now)
  const policy = yield* Effect.orDie(registrationPolicy(options))
  const pipelineOptions: Pipeline.Options = {
    requireRedirectUrisForDefaultGrant: options.requireRedirectUrisForDefaultGrant !== false,
    uriRules: policy.uriRules
  }
  const mapping = Metadata.mappingOptions(options)

  const getTokenFailure = Answers.getTokenFailure(tokenFailure)
  const updateTokenFailure = Answers.updateTokenFailure(tokenFailure)
  const deleteTokenFailure = Answers.deleteTokenFailure(tokenFailure)
  const dummyHash = Credentials.hash(Credentials.generateRegistrationAccessToken("0"))

  const logStoreFailure = (operation: string, error: ClientStoreError) =>
    Effect.logError(`Engine.${operation}: client store failure (${error.operation})`, Cause.fail(error))

  /** A registration policy name that is not configured (fails closed: never "no policy"). */
  const unknownPolicy = <A>(operation: string, name: string | undefined, answer: A) =>
    Effect.as(
      Effect.logError(`Engine.${operation}: the registration policy ${JSON.stringify(name)} is not configured`),
      answer
    )

  /** One of the static `initialAccessTokens` (each compared, in constant time). */
  const staticTokenAccepted = (token: Redacted.Redacted<string>): boolean => {
    let accepted = false
    for (const expected of initialAccessTokens) {
      accepted = Credentials.equals(token, expected) || accepted
    }
    return accepted
  }

  const information = (
    client: Client,
    clientId: string,
    token: Redacted.Redacted<string>,
    secretExpiresAt: number | undefined
  ): string =>
    Answers.informationJson(
      client,
      token,
      `${managementBase}/${clientId}`,
      secretExpiresAt === undefined ? 0 : Math.floor(secretExpiresAt / 1000)
    )

  /**
   * RFC 7592 §2.1–2.3: a token presented for an unknown client or for another client is revoked
   * wherever it is held. Its owner can no longer use it; a storage failure here is logged and the
   * request still gets its token failure.
   */
  const revokePresented = (token: Redacted.Redacted<string>): Effect.Effect<Option.Option<ClientRecord>> => {
    const owner = Credentials.ownerOf(token)
    if (owner === undefined) return Effect.succeed(Option.none())
    return store.revokeRegistrationAccessToken(owner, Credentials.hash(token)).pipe(
      Effect.flatMap((revoked) =>
        revoked
          ? Effect.logWarning("Engine: revoked a registration access token presented for another or an unknown client")
          : Effect.void
      ),
      Effect.catchAll((error) => logStoreFailure("revoke", error)),
      Effect.as(Option.none())
    )
  }

  /**
   * Finds the client and checks the token in constant time. An unknown client costs the same hash
   * comparison (and the same revocation attempt) as a wrong token, so response times do not reveal
   * which ids exist.
   */
  const authenticate = (
    clientId: string,
    token: Redacted.Redacted<string>
  ): Effect.Effect<Option.Option<ClientRecord>, ClientStoreError> =>
    Effect.flatMap(store.find(clientId), (found) => {
      if (Option.isNone(found)) Credentials.matches(token, dummyHash)
      else if (Credentials.matches(token, found.value.registrationAccessTokenHash)) return Effect.succeed(found)
      return revokePresented(token)
    })

  /** One attempt at storing a new client under fresh credentials; retried on an id collision. */
  const store_ = (
    metadata: Metadata.ClientMetadata,
    confidential: boolean,
    softwareId: string | undefined,
    registrationPolicy: string | undefined,
    now: number,
    attempt: number
  ): Effect.Effect<RegisterResponse> => {
    const issued = Credentials.issue({ confidential })
    const client = Metadata.toClient(metadata, mapping, {
      clientId: issued.clientId,
      clientSecret: issued.clientSecret,
      createdAt: now,
      modifiedAt: now
    })
    const secretExpiresAt = confidential ? secretExpiry(now) : undefined
    const created = Answers.registerCreated(
      issued.clientId,
      client,
      information(client, issued.clientId, issued.registrationAccessToken, secretExpiresAt)
    )
    return store.insert({
      clientId: issued.clientId,
      client: Metadata.encodeStoredClient(client),
      registrationAccessTokenHash: issued.registrationAccessTokenHash,
      clientSecretHash: issued.clientSecretHash,
      clientSecretExpiresAt: secretExpiresAt,
      softwareId,
      registrationPolicy,
      createdAt: now,
      modifiedAt: now
    }, { uniqueSoftwareId }).pipe(Effect.matchEffect({
      onSuccess: () => Effect.succeed(created),
      onFailure: (error): Effect.Effect<RegisterResponse> => {
        switch (error._tag) {
          case "ClientIdCollision":
            return attempt < maxIdAttempts
              ? store_(metadata, confidential, softwareId, registrationPolicy, now, attempt + 1)
              : Effect.as(
                Effect.logError("Engine.register: could not find a free client id"),
                Answers.registerServerError
              )
          case "DuplicateSoftwareId":
            return Effect.succeed(Answers.registerDuplicateSoftwareId)
          case "ClientStoreError":
            return Effect.as(logStoreFailure("register", error), Answers.registerServerError)
        }
      }
    }))
  }

  // The registration hot path: no generator, no call-site stack trace, no span while tracing is off.
  const registerSpan = { kind: "internal", captureStackTrace: false } as const
  const unauthorized = Effect.succeed(Answers.registerUnauthorized)

  /**
   * A registration whose initial access token (if any) was accepted. `policy` is the registration
   * policy attached to a managed initial access token (`undefined`: none).
   */
  const registerAdmitted = (json: string, name: string | undefined, now: number): Effect.Effect<RegisterResponse> => {
    const rules = policy.rules(name)
    if (rules === undefined) return unknownPolicy("register", name, Answers.registerServerError)
    const checked = Pipeline.run(json, rules, pipelineOptions, { operation: "register", policy: name })
    const admitted = (metadata: Metadata.ClientMetadata) =>
      store_(metadata, Metadata.isConfidential(metadata), Metadata.softwareId(metadata), name, now, 1)
    if (Pipeline.isSync(checked)) {
      return Either.isLeft(checked)
        ? Effect.succeed(Answers.registerInvalidMetadata(checked.left))
        : admitted(checked.right)
    }
    return Effect.matchEffect(checked, {
      onFailure: (error) => Effect.succeed(Answers.registerInvalidMetadata(error)),
      onSuccess: admitted
    })
  }

  /**
   * A managed initial access token: one use is taken atomically before the registration and given
   * back when it is not CREATED (a failed registration does not count). An interrupted registration
   * keeps its use, since its row may still be committed.
   */
  const registerManaged = (
    tokens: InitialAccessTokenStore["Type"],
    token: Redacted.Redacted<string>,
    json: string,
    now: number
  ): Effect.Effect<RegisterResponse> =>
    tokens.consume(Credentials.hash(token), now).pipe(
      Effect.flatMap((use) =>
        Option.isNone(use) ? unauthorized : registerAdmitted(json, use.value.policy, now).pipe(
          Effect.tap((response) =>
            response.action === "CREATED" ? Effect.void : tokens.release(use.value.id).pipe(
              Effect.catchAll((error) => logStoreFailure("register", error))
            )
          )
        )
      ),
      Effect.catchAll((error) => Effect.as(logStoreFailure("register", error), Answers.registerServerError))
    )

  const admit = (request: RegisterRequest, now: number): Effect.Effect<RegisterResponse> => {
    const token = request.token
    if (token === undefined) {
      return initialAccessTokenRequired
        ? unauthorized
        : registerAdmitted(request.json, undefined, now)
    }
    if (staticTokenAccepted(token)) return registerAdmitted(request.json, undefined, now)
    return managedTokens === undefined ? unauthorized : registerManaged(managedTokens, token, request.json, now)
  }

  /**
   * The clock and the span in one step. No span while tracing is disabled (`serve` without an
   * exporter): Effect would still build a no-op span and copy the context, about 6 µs.
   */
  const register = (request: RegisterRequest): Effect.Effect<RegisterResponse> =>
    Effect.withFiberRuntime((fiber) => {
      const effect = admit(request, Context.get(fiber.currentDefaultServices, Clock.Clock).unsafeCurrentTimeMillis())
      return fiber.getFiberRef(FiberRef.currentTracerEnabled)
        ? Effect.withSpan(effect, "Engine.register", registerSpan)
        : effect
    })

  const get = Effect.fn("Engine.get")(function*(request: GetRequest) {
    const found = yield* authenticate(request.clientId, request.token)
    if (Option.isNone(found)) return getTokenFailure
    const record = found.value
    const client = Metadata.decodeStoredClient(record.client)
    if (Either.isLeft(client)) {
      yield* Effect.logError(`Engine.get: stored client ${record.clientId} could not be decoded`, client.left)
      return Answers.getServerError
    }
    return Answers.getOk(
      client.right,
      information(client.right, record.clientId, request.token, record.clientSecretExpiresAt)
    )
  }, Effect.catchTag("ClientStoreError", (error) => Effect.as(logStoreFailure("get", error), Answers.getServerError)))

  const update = Effect.fn("Engine.update")(
    function*(request: UpdateRequest) {
      const found = yield* authenticate(request.clientId, request.token)
      if (Option.isNone(found)) return updateTokenFailure
      const record = found.value
      const decoded = Metadata.decodeJson(request.json)
      if (Either.isLeft(decoded)) return Answers.updateInvalidMetadata(decoded.left)
      const sent = decoded.right
      const bodyClientId = Metadata.member(sent, "client_id")
      if (bodyClientId === undefined || String(bodyClientId) !== record.clientId) {
        return Answers.updateClientIdMismatch(bodyClientId === undefined)
      }
      const bodySecret = Metadata.member(sent, "client_secret")
      if (
        bodySecret !== undefined &&
        (typeof bodySecret !== "string" || record.clientSecretHash === undefined ||
          !Credentials.matches(Redacted.make(bodySecret), record.clientSecretHash))
      ) {
        return Answers.updateClientSecretMismatch
      }
      const name = record.registrationPolicy
      const rules = policy.rules(name)
      if (rules === undefined) return yield* unknownPolicy("update", name, Answers.updateServerError)
      const checked = yield* Effect.either(
        Pipeline.runDecoded(sent, rules, pipelineOptions, { operation: "update", policy: name })
      )
      if (Either.isLeft(checked)) return Answers.updateInvalidMetadata(checked.left)
      const metadata = checked.right
      const now = Math.max(yield* Clock.currentTimeMillis, record.modifiedAt)
      const confidential = Metadata.isConfidential(metadata)
      const secretExpired = record.clientSecretExpiresAt !== undefined && record.clientSecretExpiresAt <= now
      const newSecret = confidential && (record.clientSecretHash === undefined || rotateSecret || secretExpired)
        ? Credentials.generateClientSecret()
        : undefined
      const secretHash = confidential
        ? newSecret === undefined ? record.clientSecretHash : Credentials.hash(newSecret)
        : undefined
      const secretExpiresAt = confidential
        ? newSecret === undefined ? record.clientSecretExpiresAt : secretExpiry(now)
        : undefined
      const token = rotate ? Credentials.generateRegistrationAccessToken(record.clientId) : request.token
      const tokenHash = rotate ? Credentials.hash(token) : record.registrationAccessTokenHash
      const client = Metadata.toClient(metadata, mapping, {
        clientId: record.clientId,
        clientSecret: newSecret,
        createdAt: record.createdAt,
        modifiedAt: now
      })
      const replaced = yield* store.replace(record.clientId, record.registrationAccessTokenHash, {
        client: Metadata.encodeStoredClient(client),
        registrationAccessTokenHash: tokenHash,
        clientSecretHash: secretHash,
        clientSecretExpiresAt: secretExpiresAt,
        softwareId: Metadata.softwareId(metadata),
        modifiedAt: now
      })
      if (!replaced) return updateTokenFailure
      return Answers.updated(client, information(client, record.clientId, token, secretExpiresAt))
    },
    Effect.catchTag(
      "ClientStoreError",
      (error) => Effect.as(logStoreFailure("update", error), Answers.updateServerError)
    )
  )

  const delete_ = Effect.fn("Engine.delete")(
    function*(request: DeleteRequest) {
      const found = yield* authenticate(request.clientId, request.token)
      if (Option.isNone(found)) return deleteTokenFailure
      const deleted = yield* store.delete(found.value.clientId, found.value.registrationAccessTokenHash)
      return deleted ? Answers.deleted : deleteTokenFailure
    },
    Effect.catchTag(
      "ClientStoreError",
      (error) => Effect.as(logStoreFailure("delete", error), Answers.deleteServerError)
    )
  )

  return DynamicClientRegistration.of({ register, get, update, delete: delete_ })
})

/**
 * The engine as the `DynamicClientRegistration` backend, on the `ClientStore` in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<DynamicClientRegistration, never, ClientStore> =>
  Layer.effect(DynamicClientRegistration, make(options))

/**
 * The engine on a SQLite file: `layer(options)` with `SqliteClientStore.layer`, and the store's
 * `Readiness`. The SQLite store (and its driver, `@effect/sql-sqlite-node`) is loaded when the layer
 * is built, not when this module is imported; without the driver installed, building fails with a
 * `ClientStoreError` (`open`).
 *
 * @example
 * ```ts
 * import { Engine } from "@effect-dcr/engine"
 *
 * const DcrLive = Engine.layerSqlite({
 *   filename: "./dcr.sqlite",
 *   registrationEndpoint: "https://as.example.com/register"
 * })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerSqlite = (
  options: Options & SqliteOptions.Options
): Layer.Layer<DynamicClientRegistration | Readiness.Readiness, ClientStoreError> =>
  Layer.unwrapEffect(Effect.map(
    Effect.tryPromise({
      try: () => import("./SqliteClientStore.js"),
      catch: (cause) => new ClientStoreError({ operation: "open", cause })
    }),
    (Sqlite) => layer(options).pipe(Layer.provideMerge(Sqlite.layer(options)))
  ))

/**
 * The engine's policy read from `Config`: `DCR_REGISTRATION_ENDPOINT` (required),
 * `DCR_REGISTRATION_MANAGEMENT_ENDPOINT`, `DCR_UNAUTHORIZED_ON_CLIENT_CONFIG` (default true),
 * `DCR_DUPLICATE_SOFTWARE_ID_BLOCKED`, `DCR_SCOPE_USED_AS_REQUESTABLE`,
 * `DCR_SUPPORTED_CUSTOM_CLIENT_METADATA` (comma-separated), `DCR_INITIAL_ACCESS_TOKENS`
 * (comma-separated, redacted; `DCR_INITIAL_ACCESS_TOKEN` is read when it is unset),
 * `DCR_REQUIRE_INITIAL_ACCESS_TOKEN`, `DCR_ROTATE_REGISTRATION_ACCESS_TOKEN`,
 * `DCR_CLIENT_SECRET_LIFETIME` (a `Durations` text, default 0: never), `DCR_ROTATE_CLIENT_SECRET`,
 * `DCR_REQUIRE_REDIRECT_URIS_FOR_DEFAULT_GRANT` (default true), `DCR_ALLOW_LOOPBACK_HTTP` (default
 * true), `DCR_POLICY` and `DCR_POLICIES` (JSON, or `@path` to a JSON file).
 *
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<Options> = Config.all({
  registrationEndpoint: Config.string("DCR_REGISTRATION_ENDPOINT"),
  registrationManagementEndpoint: Config.option(Config.string("DCR_REGISTRATION_MANAGEMENT_ENDPOINT")).pipe(
    Config.map(Option.getOrUndefined)
  ),
  unauthorizedOnClientConfigSupported: Config.boolean("DCR_UNAUTHORIZED_ON_CLIENT_CONFIG").pipe(
    Config.withDefault(true)
  ),
  dcrDuplicateSoftwareIdBlocked: Config.boolean("DCR_DUPLICATE_SOFTWARE_ID_BLOCKED").pipe(Config.withDefault(false)),
  dcrScopeUsedAsRequestable: Config.boolean("DCR_SCOPE_USED_AS_REQUESTABLE").pipe(Config.withDefault(false)),
  supportedCustomClientMetadata: Config.array(Config.string(), "DCR_SUPPORTED_CUSTOM_CLIENT_METADATA").pipe(
    Config.withDefault([] as ReadonlyArray<string>)
  ),
  initialAccessTokens: Config.array(Config.string(), "DCR_INITIAL_ACCESS_TOKENS").pipe(
    Config.orElse(() => Config.array(Config.string(), "DCR_INITIAL_ACCESS_TOKEN")),
    Config.map((tokens) => tokens.filter((t) => t !== "").map((t) => Redacted.make(t))),
    Config.withDefault([] as ReadonlyArray<Redacted.Redacted<string>>)
  ),
  requireInitialAccessToken: Config.option(Config.boolean("DCR_REQUIRE_INITIAL_ACCESS_TOKEN")).pipe(
    Config.map(Option.getOrUndefined)
  ),
  rotateRegistrationAccessToken: Config.boolean("DCR_ROTATE_REGISTRATION_ACCESS_TOKEN").pipe(
    Config.withDefault(false)
  ),
  clientSecretLifetime: Durations.config("DCR_CLIENT_SECRET_LIFETIME").pipe(Config.withDefault(Duration.zero)),
  rotateClientSecret: Config.boolean("DCR_ROTATE_CLIENT_SECRET").pipe(Config.withDefault(false)),
  requireRedirectUrisForDefaultGrant: Config.boolean("DCR_REQUIRE_REDIRECT_URIS_FOR_DEFAULT_GRANT").pipe(
    Config.withDefault(true)
  ),
  allowLoopbackHttp: Config.boolean("DCR_ALLOW_LOOPBACK_HTTP").pipe(Config.withDefault(true)),
  registrationPolicy: Config.option(RegistrationPolicy.policyConfig()).pipe(Config.map(Option.getOrUndefined)),
  registrationPolicies: Config.option(RegistrationPolicy.policiesConfig()).pipe(Config.map(Option.getOrUndefined))
})

/**
 * The engine with its policy from `Config`: by default the environment variables of `config`, or
 * any `Config.Wrap<Options>` (each option may be a `Config`).
 *
 * @example
 * ```ts
 * import { Engine } from "@effect-dcr/engine"
 * import * as SqliteClientStore from "@effect-dcr/engine/SqliteClientStore"
 * import { Layer } from "effect"
 *
 * const DcrFromEnv = Engine.layerConfig().pipe(Layer.provide(SqliteClientStore.layerUrlConfig()))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: Config.Config.Wrap<Options> = config
): Layer.Layer<DynamicClientRegistration, ConfigError.ConfigError, ClientStore> =>
  Layer.effect(DynamicClientRegistration, Effect.flatMap(Config.unwrap(options), make))
