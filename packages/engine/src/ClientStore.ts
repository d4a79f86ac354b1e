/**
 * Where the engine keeps registered clients. One row per client; the row never holds a token or a
 * client secret, only their SHA-256 hashes.
 *
 * The interface is small and storage-neutral on purpose: `SqliteClientStore` implements it on a
 * SQLite file, and a PostgreSQL implementation only has to honour the same contract:
 *
 * - `insert` is atomic and durable when it succeeds (committed), reports an id collision as
 *   `ClientIdCollision` (the engine then retries with a new id) and, when asked to, refuses a
 *   duplicate `software_id` atomically (`DuplicateSoftwareId`). On SQLite one `INSERT … SELECT …
 *   WHERE NOT EXISTS` is enough (writes are serialized); a PostgreSQL store needs a lock (e.g.
 *   `pg_advisory_xact_lock` on the software_id) or a serializable transaction, since the policy is a
 *   service flag and not a unique index.
 * - `replace` and `delete` are compare-and-set on the registration access token hash, so a token
 *   check and the write it guards cannot be separated by a concurrent rotation or deletion.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"

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
  /** The `software_id` metadata, indexed for `dcrDuplicateSoftwareIdBlocked`. */
  readonly softwareId: string | undefined
  /** Creation time, epoch milliseconds. */
  readonly createdAt: number
  /** Last modification time, epoch milliseconds. */
  readonly modifiedAt: number
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
  readonly softwareId: string | undefined
  readonly modifiedAt: number
}

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
export class ClientStoreError extends Data.TaggedError("ClientStoreError")<{
  readonly operation: "open" | "migrate" | "insert" | "find" | "replace" | "delete" | "existsBySoftwareId"
  readonly cause: unknown
}> {
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
export class ClientIdCollision extends Data.TaggedError("ClientIdCollision")<{
  readonly clientId: string
}> {}

/**
 * `insert` was asked for a unique `software_id` and another client already has it.
 *
 * @since 0.1.0
 * @category errors
 */
export class DuplicateSoftwareId extends Data.TaggedError("DuplicateSoftwareId")<{
  readonly softwareId: string
}> {}

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
  /** Does any client have this `software_id`? */
  readonly existsBySoftwareId: (softwareId: string) => Effect.Effect<boolean, ClientStoreError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class ClientStore extends Context.Tag("@effect-dcr/engine/ClientStore")<ClientStore, Service>() {}
