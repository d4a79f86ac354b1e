/**
 * Where the engine keeps registered clients: one row per client, holding only SHA-256 hashes of
 * its token and secret, and when it last authenticated. `SqliteClientStore` and `PgClientStore`
 * implement it; another database implements the same operations (see the README's "Storage"
 * section for the contract).
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import * as Schema from "effect/Schema"

/**
 * A stored client.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientRecord {
  /** The client id (a decimal string). */
  readonly clientId: string
  /** The registered client as JSON text (the Authlete `Client` model, without any secret). */
  readonly client: string
  /** SHA-256 (base64url) of the current registration access token. */
  readonly registrationAccessTokenHash: string
  /** SHA-256 (base64url) of the client secret; `undefined` for public clients. */
  readonly clientSecretHash: string | undefined
  /**
   * When the client secret expires, epoch milliseconds; `undefined` when it never does (or there is
   * no secret). Stored as given and returned unchanged by `find`.
   */
  readonly clientSecretExpiresAt: number | undefined
  /** The `software_id` metadata, indexed for `dcrDuplicateSoftwareIdBlocked`. */
  readonly softwareId: string | undefined
  /**
   * The named registration policy the client was registered under (its initial access token's);
   * updates apply it too. Absent: none. Set by `insert`, never changed by `replace`.
   */
  readonly registrationPolicy?: string | undefined
  /** Creation time, epoch milliseconds. */
  readonly createdAt: number
  /** Last modification time, epoch milliseconds. */
  readonly modifiedAt: number
  /**
   * When the client last authenticated, epoch milliseconds, as `recordUse` wrote it (so to the
   * registry's granularity, an hour by default); absent: never. `insert` and `replace` neither
   * write nor change it.
   */
  readonly lastUsedAt?: number | undefined
}

/**
 * The new content of a client on `replace` (the id and creation time never change).
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientReplacement {
  readonly client: string
  readonly registrationAccessTokenHash: string
  readonly clientSecretHash: string | undefined
  readonly clientSecretExpiresAt: number | undefined
  readonly softwareId: string | undefined
  readonly modifiedAt: number
}

/**
 * What `revokeRegistrationAccessToken` writes in place of a revoked token's hash: shorter than any
 * SHA-256 in base64url, so no presented token ever matches it and no lookup by a hash finds it.
 *
 * @since 0.1.0
 * @category constants
 */
export const revokedTokenHash = "revoked"

/**
 * Options of `insert`.
 *
 * @since 0.1.0
 * @category models
 */
export interface InsertOptions {
  /** Refuse the row (atomically) when another client already has the same non-empty `softwareId`. */
  readonly uniqueSoftwareId: boolean
}

/**
 * The storage failed (I/O, corruption, lock timeout, …). `cause` is the driver's error; it never
 * contains a token or a secret because none is ever sent to the store.
 *
 * @since 0.1.0
 * @category errors
 */
export class ClientStoreError extends Schema.TaggedError<ClientStoreError>()("ClientStoreError", {
  operation: Schema.Literal(
    "open",
    "migrate",
    "insert",
    "find",
    "replace",
    "delete",
    "revokeRegistrationAccessToken",
    "listClients",
    "recordUse",
    "listUnused",
    "deleteUnused",
    "createInitialAccessToken",
    "consumeInitialAccessToken",
    "releaseInitialAccessToken",
    "listInitialAccessTokens",
    "revokeInitialAccessToken"
  ),
  cause: Schema.Defect
}) {
  override get message(): string {
    return `Client store ${this.operation} failed`
  }
}

/**
 * `insert` found a row with the same client id. The engine mints a new id and tries again.
 *
 * @since 0.1.0
 * @category errors
 */
export class ClientIdCollision extends Schema.TaggedError<ClientIdCollision>()("ClientIdCollision", {
  clientId: Schema.String
}) {}

/**
 * `insert` was asked for a unique `software_id` and another client already has it.
 *
 * @since 0.1.0
 * @category errors
 */
export class DuplicateSoftwareId extends Schema.TaggedError<DuplicateSoftwareId>()("DuplicateSoftwareId", {
  softwareId: Schema.String
}) {}

/**
 * Options of `list`: one page of clients in client id order.
 *
 * @since 0.1.0
 * @category models
 */
export interface ListOptions {
  /** The most clients to answer; at least 1 (a smaller or non-integer value is taken as 1), at most `maxListLimit`. */
  readonly limit: number
  /** Only clients whose id sorts after this one (byte order); absent: from the first. */
  readonly after?: string | undefined
}

/**
 * The largest page `list` answers; a larger `limit` is taken as this.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxListLimit = 1000

/**
 * `limit` of `ListOptions` as the stores apply it: an integer in 1..`maxListLimit`.
 *
 * @since 0.1.0
 * @category utils
 */
export const listLimit = (limit: number): number =>
  Number.isFinite(limit) ? Math.min(maxListLimit, Math.max(1, Math.floor(limit))) : limit > 0 ? maxListLimit : 1

/**
 * Which clients count as unused: registered before `createdBefore` and never used (`lastUsedAt`
 * absent), or, with `lastUsedBefore`, last used before that time. Times are epoch milliseconds.
 *
 * @since 0.1.0
 * @category models
 */
export interface UnusedCriteria {
  /** Only clients created before this time. */
  readonly createdBefore: number
  /** Also clients whose last use is before this time; absent: only clients never used. */
  readonly lastUsedBefore?: number | undefined
}

/**
 * Options of `listUnused`: one window of the client table in primary-key order.
 *
 * @since 0.1.0
 * @category models
 */
export interface UnusedScan extends UnusedCriteria {
  /** How many clients the window spans (matching or not), taken as `listLimit` takes a limit. */
  readonly limit: number
  /** The window starts after this client id; absent: from the first. */
  readonly after?: string | undefined
}

/**
 * One window of `listUnused`.
 *
 * @since 0.1.0
 * @category models
 */
export interface UnusedPage {
  /** The unused clients of the window, in the window's order, each as `find` answers it. */
  readonly clients: ReadonlyArray<ClientRecord>
  /** Where the next window starts (its `after`); `undefined` when this window reached the end. */
  readonly next: string | undefined
}

/**
 * The store's operations.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** Inserts a new client; succeeds only once the row is committed. */
  readonly insert: (
    record: ClientRecord,
    options: InsertOptions
  ) => Effect.Effect<void, ClientStoreError | ClientIdCollision | DuplicateSoftwareId>
  /** Finds a client by id. */
  readonly find: (clientId: string) => Effect.Effect<Option.Option<ClientRecord>, ClientStoreError>
  /**
   * Replaces a client's content if its stored token hash is still `expectedTokenHash`. `false`
   * when the client is gone or its token changed in the meantime.
   */
  readonly replace: (
    clientId: string,
    expectedTokenHash: string,
    replacement: ClientReplacement
  ) => Effect.Effect<boolean, ClientStoreError>
  /** Deletes a client if its stored token hash is still `expectedTokenHash`; `false` otherwise. */
  readonly delete: (clientId: string, expectedTokenHash: string) => Effect.Effect<boolean, ClientStoreError>
  /**
   * Revokes a registration access token presented for an unknown client or for another client
   * (RFC 7592 §2). `clientId` is the client the token names (its `{client_id}.` prefix). One atomic
   * write: if that client's stored hash is still `tokenHash`, it becomes `revokedTokenHash`, keeping
   * its metadata, secret and `modifiedAt`; its owner can no longer read, update or delete it. `true`
   * when the client held the token, `false` otherwise (nothing changes). A lookup by primary key.
   */
  readonly revokeRegistrationAccessToken: (
    clientId: string,
    tokenHash: string
  ) => Effect.Effect<boolean, ClientStoreError>
  /**
   * One page of clients for operators (never on a request's path): the records whose id sorts after
   * `after` (byte order, as the ids are compared by `"C"` collation or SQLite's `BINARY`), in
   * ascending id order, at most `listLimit(limit)` of them, each exactly as `find` answers it. The
   * next page starts after the last id of this one; a page shorter than the limit is the last.
   * Not a snapshot: clients inserted or deleted between pages may or may not appear.
   */
  readonly list: (options: ListOptions) => Effect.Effect<ReadonlyArray<ClientRecord>, ClientStoreError>
  /**
   * Records that the client authenticated at `usedAt`: sets its `lastUsedAt` to `usedAt` when it has
   * none or one before `staleBefore` (at most `usedAt`), in one conditional write by primary key;
   * otherwise writes nothing, so concurrent uses (also from other instances) of a recently used
   * client do not all write. `true` when it wrote.
   */
  readonly recordUse: (
    clientId: string,
    usedAt: number,
    staleBefore: number
  ) => Effect.Effect<boolean, ClientStoreError>
  /**
   * For operators and the pruning schedule (never on a request's path): the unused clients among the
   * next `listLimit(limit)` clients after `after` in primary-key order. Each call reads a bounded
   * range of the primary key (no index on the age or last use, which every registration would pay
   * for); walk the table window by window with `next`.
   */
  readonly listUnused: (scan: UnusedScan) => Effect.Effect<UnusedPage, ClientStoreError>
  /**
   * Deletes those of `clientIds` that are still unused by `criteria`, in one statement that checks
   * the criteria again (a client used since it was listed stays). Answers the ids it deleted. The
   * caller bounds the list: `Operator.prune` passes the unused clients of one `listUnused` window.
   */
  readonly deleteUnused: (
    clientIds: ReadonlyArray<string>,
    criteria: UnusedCriteria
  ) => Effect.Effect<ReadonlyArray<string>, ClientStoreError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class ClientStore extends Context.Tag("@effect-dcr/engine/ClientStore")<ClientStore, Service>() {}
