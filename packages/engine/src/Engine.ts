/**
 * The embedded engine: RFC 7591 registration and RFC 7592 management, in-process, with Authlete's
 * answers. `Engine.layer` provides the `DynamicClientRegistration` tag, so everything built on that
 * tag (the http-server endpoints, the CLI) runs without an Authlete account.
 *
 * - Metadata validation, defaults and the metadata ⇄ `Client` mapping come from `@effect-dcr/schema`;
 *   the engine adds the semantics: credentials, tokens, storage and the service policy.
 * - Every answer is an *action* (CREATED, OK, UPDATED, DELETED, BAD_REQUEST, UNAUTHORIZED,
 *   INTERNAL_SERVER_ERROR) with an Authlete-style `resultCode`/`resultMessage`; the error channel is
 *   empty in practice (a storage failure is INTERNAL_SERVER_ERROR, logged without secrets).
 * - Tokens and client secrets are never stored: the store keeps SHA-256 hashes (see `Credentials`).
 *   The client secret is therefore shown once, in the CREATED answer (or in the UPDATED answer that
 *   first makes a public client confidential); get and update answers do not repeat it (RFC 7591
 *   §3.2.1 makes `client_secret` optional in a client information response).
 *
 * Result codes (the success codes are Authlete's; the others follow Authlete's shape
 * `A` + API number + `1xx` server error / `3xx` caller error, and are this engine's own):
 *
 * | Operation | Action | resultCode | When |
 * |---|---|---|---|
 * | register | CREATED | A202001 | registered |
 * | register | BAD_REQUEST | A202301 | invalid metadata (`invalid_client_metadata` / `invalid_redirect_uri`) |
 * | register | BAD_REQUEST | A202302 | duplicate `software_id` (`dcrDuplicateSoftwareIdBlocked`) |
 * | register | UNAUTHORIZED | A202303 | initial access token missing or wrong (`invalid_token`) |
 * | register | INTERNAL_SERVER_ERROR | A202101 | storage failure (`server_error`) |
 * | get | OK | A217001 | |
 * | get | UNAUTHORIZED / BAD_REQUEST | A217301 | unknown client, wrong or other client's token |
 * | get | INTERNAL_SERVER_ERROR | A217101 | storage failure |
 * | update | UPDATED | A213001 | |
 * | update | UNAUTHORIZED / BAD_REQUEST | A213301 | unknown client, wrong or other client's token |
 * | update | BAD_REQUEST | A213302 | invalid metadata |
 * | update | BAD_REQUEST | A213303 | `client_id` missing or not the client's (`invalid_request`) |
 * | update | BAD_REQUEST | A213304 | `client_secret` not the client's current secret (`invalid_request`) |
 * | update | INTERNAL_SERVER_ERROR | A213101 | storage failure |
 * | delete | DELETED | A216001 | |
 * | delete | UNAUTHORIZED / BAD_REQUEST | A216301 | unknown client, wrong or other client's token |
 * | delete | INTERNAL_SERVER_ERROR | A216101 | storage failure |
 *
 * Token failures are UNAUTHORIZED when `unauthorizedOnClientConfigSupported` is `true` (the default,
 * RFC 7592 §2) and BAD_REQUEST when it is `false` (Authlete's legacy behaviour).
 *
 * @since 0.1.0
 */
import { DynamicClientRegistration } from "@effect-dcr/client/DynamicClientRegistration"
import * as Tracing from "@effect-dcr/client/Tracing"
import type {
  Client,
  DeleteRequest,
  DeleteResponse,
  GetRequest,
  GetResponse,
  RegisterRequest,
  RegisterResponse,
  RegistrationErrorResponse,
  UpdateRequest,
  UpdateResponse
} from "@effect-dcr/schema"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { ClientStore, type ClientStoreError } from "./ClientStore.js"
import * as Credentials from "./Credentials.js"
import * as Metadata from "./internal/metadata.js"
import * as SqliteClientStore from "./SqliteClientStore.js"

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
   * RFC 7591 §3 initial access tokens. When non-empty, register requires one of them (else
   * UNAUTHORIZED, `invalid_token`).
   */
  readonly initialAccessTokens?: ReadonlyArray<Redacted.Redacted<string>> | undefined
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
}

const maxIdAttempts = 8

type TokenFailureAction = "UNAUTHORIZED" | "BAD_REQUEST"

interface ErrorAnswer<Action extends string> {
  readonly action: Action
  readonly resultCode: string
  readonly resultMessage: string
  readonly responseContent: string
}

const errorAnswer = <Action extends string>(
  action: Action,
  resultCode: string,
  error: RegistrationErrorResponse
): ErrorAnswer<Action> => {
  const description = error.error_description ?? error.error
  return {
    action,
    resultCode,
    resultMessage: `[${resultCode}] ${description}`,
    responseContent: JSON.stringify(error)
  }
}

const invalidToken = (description: string): RegistrationErrorResponse => ({
  error: "invalid_token",
  error_description: description
})

const serverError: RegistrationErrorResponse = {
  error: "server_error",
  error_description: "The server could not complete the request."
}

/**
 * Builds the engine on the `ClientStore` in context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.fnUntraced(function*(options: Options) {
  const store = yield* ClientStore
  const managementBase = (options.registrationManagementEndpoint ?? options.registrationEndpoint).replace(/\/+$/, "")
  const tokenFailure: TokenFailureAction = options.unauthorizedOnClientConfigSupported === false
    ? "BAD_REQUEST"
    : "UNAUTHORIZED"
  const uniqueSoftwareId = options.dcrDuplicateSoftwareIdBlocked === true
  const initialAccessTokens = options.initialAccessTokens ?? []
  const rotate = options.rotateRegistrationAccessToken === true
  const parseOptions = { requireRedirectUrisForDefaultGrant: options.requireRedirectUrisForDefaultGrant !== false }
  const mapping: Metadata.MappingOptions = {
    scopeAsRequestableScopes: options.dcrScopeUsedAsRequestable === true,
    customMetadataNames: (options.supportedCustomClientMetadata ?? []).filter((name) => !Metadata.reservedNames.has(name))
  }

  const registerUnauthorized = errorAnswer(
    "UNAUTHORIZED",
    "A202303",
    invalidToken("The initial access token is missing or invalid.")
  )
  const registerServerError = errorAnswer("INTERNAL_SERVER_ERROR", "A202101", serverError)
  const getTokenFailure = errorAnswer(
    tokenFailure,
    "A217301",
    invalidToken("The registration access token is invalid or the client does not exist.")
  )
  const getServerError = errorAnswer("INTERNAL_SERVER_ERROR", "A217101", serverError)
  const updateTokenFailure = errorAnswer(
    tokenFailure,
    "A213301",
    invalidToken("The registration access token is invalid or the client does not exist.")
  )
  const updateServerError = errorAnswer("INTERNAL_SERVER_ERROR", "A213101", serverError)
  const deleteTokenFailure = errorAnswer(
    tokenFailure,
    "A216301",
    invalidToken("The registration access token is invalid or the client does not exist.")
  )
  const deleteServerError = errorAnswer("INTERNAL_SERVER_ERROR", "A216101", serverError)
  const dummyHash = Credentials.hash(Credentials.generateRegistrationAccessToken())

  const logStoreFailure = (operation: string, error: ClientStoreError) =>
    Effect.logError(`Engine.${operation}: client store failure (${error.operation})`, Cause.fail(error))

  const initialTokenAccepted = (token: Redacted.Redacted<string> | undefined): boolean => {
    if (initialAccessTokens.length === 0) return true
    if (token === undefined) return false
    let accepted = false
    for (const expected of initialAccessTokens) {
      accepted = Credentials.equals(token, expected) || accepted
    }
    return accepted
  }

  /** The RFC 7591 §3.2.1 / RFC 7592 §3 client information response. */
  const clientInformation = (
    client: Client,
    clientId: string,
    createdAt: number,
    clientSecret: Redacted.Redacted<string> | undefined,
    token: Redacted.Redacted<string>
  ): string => {
    const info: Record<string, unknown> = { client_id: clientId }
    if (clientSecret !== undefined) info.client_secret = Redacted.value(clientSecret)
    info.client_id_issued_at = Math.floor(createdAt / 1000)
    if (client.clientType !== "PUBLIC") info.client_secret_expires_at = 0
    info.registration_access_token = Redacted.value(token)
    info.registration_client_uri = `${managementBase}/${clientId}`
    const metadata = Metadata.toMetadata(client)
    for (const key in metadata) {
      if (!(key in info)) info[key] = metadata[key]
    }
    return JSON.stringify(info)
  }

  /**
   * Finds the client and checks the token in constant time. An unknown client costs the same hash
   * comparison as a known one, so response times do not reveal which ids exist.
   */
  const authenticate = (clientId: string, token: Redacted.Redacted<string>) =>
    Effect.map(store.find(clientId), (found) => {
      if (Option.isNone(found)) {
        Credentials.matches(token, dummyHash)
        return Option.none()
      }
      return Credentials.matches(token, found.value.registrationAccessTokenHash) ? found : Option.none()
    })

  const duplicateSoftwareId = errorAnswer("BAD_REQUEST", "A202302", {
    error: "invalid_client_metadata",
    error_description: "software_id: another client is already registered with this software_id"
  }) as RegisterResponse

  /** One attempt at storing a new client under fresh credentials; retried on an id collision. */
  const store_ = (
    metadata: Metadata.ClientMetadata,
    confidential: boolean,
    softwareId: string | undefined,
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
    const created = {
      action: "CREATED",
      resultCode: "A202001",
      resultMessage: `[A202001] The client was created with id ${issued.clientId}.`,
      responseContent: clientInformation(client, issued.clientId, now, issued.clientSecret, issued.registrationAccessToken),
      client
    } satisfies RegisterResponse as RegisterResponse
    return store.insert({
      clientId: issued.clientId,
      client: Metadata.encodeStoredClient(client),
      registrationAccessTokenHash: issued.registrationAccessTokenHash,
      clientSecretHash: issued.clientSecretHash,
      softwareId,
      createdAt: now,
      modifiedAt: now
    }, { uniqueSoftwareId }).pipe(
      Effect.as(created),
      Effect.catchAll((error): Effect.Effect<RegisterResponse> => {
        switch (error._tag) {
          case "ClientIdCollision":
            return attempt < maxIdAttempts
              ? store_(metadata, confidential, softwareId, now, attempt + 1)
              : Effect.as(Effect.logError("Engine.register: could not find a free client id"), registerServerError)
          case "DuplicateSoftwareId":
            return Effect.succeed(duplicateSoftwareId)
          case "ClientStoreError":
            return Effect.as(logStoreFailure("register", error), registerServerError)
        }
      })
    )
  }

  // The registration hot path: no generator, and a span without a captured call-site stack trace
  // (`Effect.fn` creates an `Error` per call for it), created only when a tracer collects it
  // (`Tracing.withSpan`; see BENCHMARKS.md).
  const registerSpan = { kind: "internal", captureStackTrace: false } as const
  const register = (request: RegisterRequest): Effect.Effect<RegisterResponse> =>
    Tracing.withSpan("Engine.register", registerSpan)(
      Effect.clockWith((clock) => {
        if (!initialTokenAccepted(request.token)) return Effect.succeed(registerUnauthorized as RegisterResponse)
        const decoded = Metadata.decodeJson(request.json, parseOptions)
        if (Either.isLeft(decoded)) {
          return Effect.succeed(errorAnswer("BAD_REQUEST", "A202301", decoded.left) as RegisterResponse)
        }
        const metadata = decoded.right
        return store_(
          metadata,
          Metadata.isConfidential(metadata),
          Metadata.softwareId(metadata),
          clock.unsafeCurrentTimeMillis(),
          1
        )
      })
    )

  const get = Effect.fn("Engine.get")(function*(request: GetRequest) {
    const found = yield* authenticate(request.clientId, request.token)
    if (Option.isNone(found)) return getTokenFailure as GetResponse
    const record = found.value
    const client = Metadata.decodeStoredClient(record.client)
    if (Either.isLeft(client)) {
      yield* Effect.logError(`Engine.get: stored client ${record.clientId} could not be decoded`, client.left)
      return getServerError as GetResponse
    }
    return {
      action: "OK",
      resultCode: "A217001",
      resultMessage: "[A217001] The client information has been returned.",
      responseContent: clientInformation(client.right, record.clientId, record.createdAt, undefined, request.token),
      client: client.right
    } satisfies GetResponse as GetResponse
  }, Effect.catchTag("ClientStoreError", (error) => Effect.as(logStoreFailure("get", error), getServerError as GetResponse)))

  const update = Effect.fn("Engine.update")(function*(request: UpdateRequest) {
    const found = yield* authenticate(request.clientId, request.token)
    if (Option.isNone(found)) return updateTokenFailure as UpdateResponse
    const record = found.value
    const decoded = Metadata.decodeJson(request.json, parseOptions)
    if (Either.isLeft(decoded)) return errorAnswer("BAD_REQUEST", "A213302", decoded.left) as UpdateResponse
    const metadata = decoded.right
    const bodyClientId = Metadata.member(metadata, "client_id")
    if (bodyClientId === undefined || String(bodyClientId) !== record.clientId) {
      return errorAnswer("BAD_REQUEST", "A213303", {
        error: "invalid_request",
        error_description: bodyClientId === undefined
          ? "client_id: the update request must include the client's client_id"
          : "client_id: does not match the client being updated"
      }) as UpdateResponse
    }
    const bodySecret = Metadata.member(metadata, "client_secret")
    if (
      bodySecret !== undefined &&
      (typeof bodySecret !== "string" || record.clientSecretHash === undefined ||
        !Credentials.matches(Redacted.make(bodySecret), record.clientSecretHash))
    ) {
      return errorAnswer("BAD_REQUEST", "A213304", {
        error: "invalid_request",
        error_description: "client_secret: does not match the client's current secret"
      }) as UpdateResponse
    }
    const confidential = Metadata.isConfidential(metadata)
    const newSecret = confidential && record.clientSecretHash === undefined
      ? Credentials.generateClientSecret()
      : undefined
    const secretHash = confidential
      ? newSecret === undefined ? record.clientSecretHash : Credentials.hash(newSecret)
      : undefined
    const token = rotate ? Credentials.generateRegistrationAccessToken() : request.token
    const tokenHash = rotate ? Credentials.hash(token) : record.registrationAccessTokenHash
    const now = Math.max(yield* Clock.currentTimeMillis, record.modifiedAt)
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
      softwareId: Metadata.softwareId(metadata),
      modifiedAt: now
    })
    if (!replaced) return updateTokenFailure as UpdateResponse
    return {
      action: "UPDATED",
      resultCode: "A213001",
      resultMessage: "[A213001] The client has been updated.",
      responseContent: clientInformation(client, record.clientId, record.createdAt, newSecret, token),
      client
    } satisfies UpdateResponse as UpdateResponse
  }, Effect.catchTag("ClientStoreError", (error) => Effect.as(logStoreFailure("update", error), updateServerError as UpdateResponse)))

  const delete_ = Effect.fn("Engine.delete")(function*(request: DeleteRequest) {
    const found = yield* authenticate(request.clientId, request.token)
    if (Option.isNone(found)) return deleteTokenFailure as DeleteResponse
    const deleted = yield* store.delete(found.value.clientId, found.value.registrationAccessTokenHash)
    if (!deleted) return deleteTokenFailure as DeleteResponse
    return {
      action: "DELETED",
      resultCode: "A216001",
      resultMessage: "[A216001] The client has been deleted."
    } satisfies DeleteResponse as DeleteResponse
  }, Effect.catchTag("ClientStoreError", (error) => Effect.as(logStoreFailure("delete", error), deleteServerError as DeleteResponse)))

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
 * The engine on a SQLite file: `layer(options)` with `SqliteClientStore.layer`.
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
  options: Options & SqliteClientStore.Options
): Layer.Layer<DynamicClientRegistration, ClientStoreError> =>
  layer(options).pipe(Layer.provide(SqliteClientStore.layer(options)))

/**
 * The engine's policy read from `Config`: `DCR_REGISTRATION_ENDPOINT` (required),
 * `DCR_REGISTRATION_MANAGEMENT_ENDPOINT`, `DCR_UNAUTHORIZED_ON_CLIENT_CONFIG` (default true),
 * `DCR_DUPLICATE_SOFTWARE_ID_BLOCKED`, `DCR_SCOPE_USED_AS_REQUESTABLE`,
 * `DCR_SUPPORTED_CUSTOM_CLIENT_METADATA` (comma-separated), `DCR_INITIAL_ACCESS_TOKENS`
 * (comma-separated, redacted), `DCR_ROTATE_REGISTRATION_ACCESS_TOKEN`,
 * `DCR_REQUIRE_REDIRECT_URIS_FOR_DEFAULT_GRANT` (default true).
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
    Config.map((tokens) => tokens.filter((t) => t !== "").map((t) => Redacted.make(t))),
    Config.withDefault([] as ReadonlyArray<Redacted.Redacted<string>>)
  ),
  rotateRegistrationAccessToken: Config.boolean("DCR_ROTATE_REGISTRATION_ACCESS_TOKEN").pipe(
    Config.withDefault(false)
  ),
  requireRedirectUrisForDefaultGrant: Config.boolean("DCR_REQUIRE_REDIRECT_URIS_FOR_DEFAULT_GRANT").pipe(
    Config.withDefault(true)
  )
})

/**
 * The engine with its policy from `Config`: by default the environment variables of `config`, or
 * any `Config.Wrap<Options>` (each option may be a `Config`).
 *
 * @example
 * ```ts
 * import { Engine, SqliteClientStore } from "@effect-dcr/engine"
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
