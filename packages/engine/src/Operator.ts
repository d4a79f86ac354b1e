/**
 * Operator operations on the engine's `ClientStore`, without any registration access token: list,
 * show, delete, rotate a client secret, reissue a registration access token (the lost-token case,
 * and the way back for a client whose token was revoked under RFC 7592 §2). New credentials are
 * answered once as `Redacted`; only their SHA-256 hashes are stored. Housekeeping: list and prune
 * clients registered long ago and never used. The `effect-dcr clients` commands are these functions.
 *
 * @since 0.1.0
 */
import type { Client } from "@effect-dcr/schema"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import {
  type ClientRecord,
  ClientStore,
  type ClientStoreError,
  type ListOptions,
  maxListLimit,
  revokedTokenHash,
  type UnusedCriteria,
  type UnusedPage
} from "./ClientStore.js"
import type * as Engine from "./Engine.js"
import * as Answers from "./internal/answers.js"
import * as Credentials from "./internal/credentials.js"
import * as Metadata from "./internal/metadata.js"

/**
 * An operator operation could not be done: no such client, a public client has no secret to
 * rotate, the stored client could not be decoded, or the client kept changing under the operation.
 *
 * @since 0.1.0
 * @category errors
 */
export class OperatorError extends Schema.TaggedError<OperatorError>()("OperatorError", {
  reason: Schema.Literal("NotFound", "PublicClient", "Undecodable", "Conflict"),
  clientId: Schema.String
}) {
  override get message(): string {
    switch (this.reason) {
      case "NotFound":
        return `No client ${this.clientId}`
      case "PublicClient":
        return `Client ${this.clientId} is public (token_endpoint_auth_method "none"): it has no client secret`
      case "Undecodable":
        return `The stored client ${this.clientId} could not be decoded`
      case "Conflict":
        return `Client ${this.clientId} was changed concurrently several times; try again`
    }
  }
}

/**
 * The engine options the operations use: the endpoints (for `registration_client_uri`) and the
 * client secret lifetime (for a rotated secret's `client_secret_expires_at`).
 *
 * @since 0.1.0
 * @category models
 */
export type Options = Pick<
  Engine.Options,
  "registrationEndpoint" | "registrationManagementEndpoint" | "clientSecretLifetime"
>

/**
 * One client as `list` shows it: no secret, no token, no hash.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientSummary {
  readonly clientId: string
  /** `undefined` when the client has none (or its stored form could not be decoded). */
  readonly clientName: string | undefined
  /** `CONFIDENTIAL` or `PUBLIC`; `undefined` when the stored form could not be decoded. */
  readonly clientType: string | undefined
  readonly softwareId: string | undefined
  readonly registrationPolicy: string | undefined
  /** Epoch milliseconds. */
  readonly createdAt: number
  /** Epoch milliseconds. */
  readonly modifiedAt: number
  /** Epoch milliseconds; `undefined`: never expires (or no secret). */
  readonly clientSecretExpiresAt: number | undefined
  /** The registration access token was revoked (RFC 7592 §2): `reissueToken` gives the client a new one. */
  readonly registrationAccessTokenRevoked: boolean
  /** When it last authenticated, epoch milliseconds, to the registry's granularity; `undefined`: never. */
  readonly lastUsedAt: number | undefined
}

const summary = (record: ClientRecord): ClientSummary => {
  const client = Either.getOrUndefined(Metadata.decodeStoredClient(record.client))
  return {
    clientId: record.clientId,
    clientName: client?.clientName,
    clientType: client?.clientType,
    softwareId: record.softwareId,
    registrationPolicy: record.registrationPolicy,
    createdAt: record.createdAt,
    modifiedAt: record.modifiedAt,
    clientSecretExpiresAt: record.clientSecretExpiresAt,
    registrationAccessTokenRevoked: record.registrationAccessTokenHash === revokedTokenHash,
    lastUsedAt: record.lastUsedAt
  }
}

/**
 * One page of clients in client id order (`ClientStore.list`), summarised.
 *
 * @since 0.1.0
 * @category operations
 */
export const list = Effect.fn("Operator.list")(function*(options: ListOptions) {
  const store = yield* ClientStore
  const records = yield* store.list(options)
  return records.map(summary)
})

const find = (
  clientId: string
): Effect.Effect<
  { readonly record: ClientRecord; readonly client: Client },
  OperatorError | ClientStoreError,
  ClientStore
> =>
  Effect.flatMap(ClientStore, (store) => store.find(clientId)).pipe(
    Effect.flatMap((found) => {
      if (Option.isNone(found)) return Effect.fail(new OperatorError({ reason: "NotFound", clientId }))
      const client = Metadata.decodeStoredClient(found.value.client)
      return Either.isLeft(client)
        ? Effect.fail(new OperatorError({ reason: "Undecodable", clientId }))
        : Effect.succeed({ record: found.value, client: client.right })
    })
  )

/**
 * A client's information response (RFC 7591 §3.2.1) as GET /register/{id} answers it, without the
 * client secret and the registration access token.
 *
 * @since 0.1.0
 * @category operations
 */
export const show = Effect.fn("Operator.show")(function*(options: Options, clientId: string) {
  const { client, record } = yield* find(clientId)
  return Answers.informationWithoutCredentials(
    client,
    `${Answers.managementBase(options)}/${record.clientId}`,
    record.clientSecretExpiresAt
  )
})

/** How many times an operation re-reads a client that changed between its read and its write. */
const maxAttempts = 3

/**
 * Reads the client, builds its replacement, and writes it with compare-and-set on the token hash
 * read; re-reads when the client changed meanwhile. The stored client's `modifiedAt` is the new
 * `modifiedAt` of the row.
 */
const replaceWith = <A>(
  clientId: string,
  change: (
    record: ClientRecord,
    client: Client,
    now: number
  ) => Effect.Effect<
    {
      readonly tokenHash: string
      readonly secretHash: string | undefined
      readonly secretExpiresAt: number | undefined
      readonly answer: A
    },
    OperatorError
  >
): Effect.Effect<A, OperatorError | ClientStoreError, ClientStore> =>
  Effect.gen(function*() {
    const store = yield* ClientStore
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const { client, record } = yield* find(clientId)
      const now = Math.max(yield* Clock.currentTimeMillis, record.modifiedAt)
      const next = yield* change(record, client, now)
      const replaced = yield* store.replace(record.clientId, record.registrationAccessTokenHash, {
        client: Metadata.encodeStoredClient({ ...client, modifiedAt: now }),
        registrationAccessTokenHash: next.tokenHash,
        clientSecretHash: next.secretHash,
        clientSecretExpiresAt: next.secretExpiresAt,
        softwareId: record.softwareId,
        modifiedAt: now
      })
      if (replaced) return next.answer
    }
    return yield* new OperatorError({ reason: "Conflict", clientId })
  })

/**
 * What `rotateSecret` answers: the new secret (shown once, never stored) and when it expires.
 *
 * @since 0.1.0
 * @category models
 */
export interface RotatedSecret {
  readonly clientSecret: Redacted.Redacted<string>
  /** Epoch milliseconds; `undefined`: never. */
  readonly clientSecretExpiresAt: number | undefined
}

/**
 * A new client secret for a confidential client: the old one stops working at once; the new one
 * expires after `clientSecretLifetime` (never by default). The secret is answered once; only its
 * hash is stored. The registration access token is unchanged.
 *
 * @since 0.1.0
 * @category operations
 */
export const rotateSecret = Effect.fn("Operator.rotateSecret")(function*(options: Options, clientId: string) {
  const lifetime = Duration.toMillis(Duration.decode(options.clientSecretLifetime ?? 0))
  return yield* replaceWith(clientId, (record, client, now) => {
    if (client.clientType !== "CONFIDENTIAL") {
      return Effect.fail(new OperatorError({ reason: "PublicClient", clientId }))
    }
    const secret = Credentials.generateClientSecret()
    const expiresAt = Credentials.secretExpiry(lifetime, now)
    return Effect.succeed({
      tokenHash: record.registrationAccessTokenHash,
      secretHash: Credentials.hash(secret),
      secretExpiresAt: expiresAt,
      answer: { clientSecret: secret, clientSecretExpiresAt: expiresAt } satisfies RotatedSecret
    })
  })
})

/**
 * A new registration access token (RFC 7592): the old one, or the revoked marker, is replaced at
 * once. The token is answered once; only its hash is stored. The client secret is unchanged.
 *
 * @since 0.1.0
 * @category operations
 */
export const reissueToken = Effect.fn("Operator.reissueToken")(function*(clientId: string) {
  return yield* replaceWith(clientId, (record) => {
    const token = Credentials.generateRegistrationAccessToken(record.clientId)
    return Effect.succeed({
      tokenHash: Credentials.hash(token),
      secretHash: record.clientSecretHash,
      secretExpiresAt: record.clientSecretExpiresAt,
      answer: token
    })
  })
})

/**
 * Deletes a client without its registration access token (compare-and-set on the stored token
 * hash, re-read when it changed meanwhile).
 *
 * @since 0.1.0
 * @category operations
 */
export const remove = Effect.fn("Operator.remove")(function*(clientId: string) {
  const store = yield* ClientStore
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const found = yield* store.find(clientId)
    if (Option.isNone(found)) return yield* new OperatorError({ reason: "NotFound", clientId })
    if (yield* store.delete(clientId, found.value.registrationAccessTokenHash)) return
  }
  return yield* new OperatorError({ reason: "Conflict", clientId })
})

/**
 * Which clients `unused` and `prune` take: registered more than `olderThan` ago and never used
 * (never authenticated), or, with `notUsedFor`, also those last used more than that long ago.
 *
 * @since 0.1.0
 * @category models
 */
export interface UnusedOptions {
  readonly olderThan: Duration.DurationInput
  readonly notUsedFor?: Duration.DurationInput | undefined
  /** Clients read per store call (a window of the primary key), 1 to `maxListLimit` (the default). */
  readonly batchSize?: number | undefined
}

const criteriaAt = (options: UnusedOptions, now: number): UnusedCriteria => ({
  createdBefore: now - Duration.toMillis(Duration.decode(options.olderThan)),
  lastUsedBefore: options.notUsedFor === undefined
    ? undefined
    : now - Duration.toMillis(Duration.decode(options.notUsedFor))
})

interface UnusedWindow {
  readonly page: UnusedPage
  readonly criteria: UnusedCriteria
}

/**
 * The unused windows of the whole table, one store call each, with the criteria fixed at the start.
 */
const unusedPages = (options: UnusedOptions) =>
  Stream.unwrap(Effect.gen(function*() {
    const store = yield* ClientStore
    const criteria = criteriaAt(options, yield* Clock.currentTimeMillis)
    const limit = options.batchSize ?? maxListLimit
    return Stream.paginateChunkEffect<string | undefined, UnusedWindow, ClientStoreError, never>(
      undefined,
      (after) =>
        Effect.map(
          store.listUnused({ ...criteria, limit, after }),
          (page) => [Chunk.of<UnusedWindow>({ page, criteria }), Option.fromNullable(page.next)] as const
        )
    )
  }))

/**
 * The unused clients (see `UnusedOptions`), summarised, in client id order as the store walks its
 * primary key window by window: never the whole table in one statement.
 *
 * @since 0.1.0
 * @category operations
 */
export const unused = (
  options: UnusedOptions
): Stream.Stream<ClientSummary, ClientStoreError, ClientStore> =>
  unusedPages(options).pipe(
    Stream.mapConcat(({ page }) => page.clients.map(summary)),
    Stream.withSpan("Operator.unused")
  )

/**
 * What `prune` did.
 *
 * @since 0.1.0
 * @category models
 */
export interface PruneResult {
  /** The clients found unused. */
  readonly unused: number
  /** Of them, the clients deleted: none on a dry run, fewer when some were used meanwhile. */
  readonly deleted: number
}

/**
 * Deletes the unused clients (see `UnusedOptions`), one window of the primary key at a time; each
 * delete checks the criteria again, so a client that authenticates meanwhile stays. `dryRun` only
 * counts them.
 *
 * @since 0.1.0
 * @category operations
 */
export const prune = Effect.fn("Operator.prune")(function*(options: UnusedOptions & { readonly dryRun?: boolean }) {
  const store = yield* ClientStore
  const none: PruneResult = { unused: 0, deleted: 0 }
  return yield* unusedPages(options).pipe(
    Stream.runFoldEffect(
      none,
      (total, { criteria, page }) =>
        Effect.map(
          options.dryRun === true || page.clients.length === 0
            ? Effect.succeed(0)
            : Effect.map(store.deleteUnused(page.clients.map((client) => client.clientId), criteria), (ids) =>
              ids.length),
          (deleted): PruneResult => ({ unused: total.unused + page.clients.length, deleted: total.deleted + deleted })
        )
    )
  )
})
