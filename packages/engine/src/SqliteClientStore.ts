/**
 * The default `ClientStore`: one SQLite file through `@effect/sql-sqlite-node`, with WAL, migrations
 * run once per layer, fixed (prepared) statements, and group commit of concurrent inserts (one
 * transaction per event-loop turn, answered after COMMIT). Its layers also provide the
 * `InitialAccessTokenStore` on the same file.
 *
 * @since 0.1.0
 */
import * as Readiness from "@effect-dcr/client/Readiness"
import * as Reactivity from "@effect/experimental/Reactivity"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as Migrator from "@effect/sql/Migrator"
import * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlConnection from "@effect/sql/SqlConnection"
import type { SqlError } from "@effect/sql/SqlError"
import * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import {
  ClientIdCollision,
  type ClientRecord,
  ClientStore,
  ClientStoreError,
  DuplicateSoftwareId,
  type InsertOptions,
  listLimit,
  type ListOptions,
  revokedTokenHash,
  type UnusedCriteria,
  type UnusedScan
} from "./ClientStore.js"
import * as DatabaseUrl from "./DatabaseUrl.js"
import { InitialAccessTokenStore } from "./InitialAccessTokenStore.js"
import type * as SqliteOptions from "./internal/sqliteOptions.js"

/**
 * Options of the SQLite store.
 *
 * @since 0.1.0
 * @category models
 */
export type Options = SqliteOptions.Options

/**
 * The default `cacheSizeKib`: 2 000 KiB, SQLite's own default.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultCacheSizeKib = 2_000

/**
 * The default `walAutocheckpoint`: 10 000 pages, about 40 MiB of WAL with 4 KiB pages. With SQLite's
 * own default (1 000), a checkpoint came every few hundred registrations, and batched inserts on a
 * file took about half as long again (`scripts/bench/sqlite-inserts.mjs`).
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultWalAutocheckpoint = 10_000

/** The migrations, in order. Migration ids are never renumbered; add new ones at the end. */
const migrations: Record<string, Effect.Effect<void, unknown, SqlClient.SqlClient>> = {
  "1_create_clients": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE TABLE dcr_clients (
  client_id TEXT PRIMARY KEY NOT NULL,
  client TEXT NOT NULL,
  registration_access_token_hash TEXT NOT NULL,
  client_secret_hash TEXT,
  software_id TEXT,
  created_at INTEGER NOT NULL,
  modified_at INTEGER NOT NULL
)`
    yield* sql`CREATE INDEX dcr_clients_software_id ON dcr_clients (software_id) WHERE software_id IS NOT NULL`
  }),
  "2_client_secret_expires_at": Effect.flatMap(
    SqlClient.SqlClient,
    (sql) => sql`ALTER TABLE dcr_clients ADD COLUMN client_secret_expires_at INTEGER`
  ),
  "3_registration_access_token_hash_index": Effect.flatMap(
    SqlClient.SqlClient,
    (sql) =>
      sql`CREATE INDEX dcr_clients_registration_access_token_hash ON dcr_clients (registration_access_token_hash)`
  ),
  "4_initial_access_tokens": Effect.flatMap(
    SqlClient.SqlClient,
    (sql) =>
      sql`CREATE TABLE dcr_initial_access_tokens (
  id TEXT PRIMARY KEY NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  policy TEXT,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  max_uses INTEGER NOT NULL CHECK (max_uses >= 1),
  uses INTEGER NOT NULL DEFAULT 0 CHECK (uses >= 0),
  revoked_at INTEGER
)`
  ),
  "5_client_registration_policy": Effect.flatMap(
    SqlClient.SqlClient,
    (sql) => sql`ALTER TABLE dcr_clients ADD COLUMN registration_policy TEXT`
  ),
  // Revocation finds a token's client from the token's own `{client_id}.` prefix now: the index of
  // migration 3 only slowed every insert down.
  "6_drop_registration_access_token_hash_index": Effect.flatMap(
    SqlClient.SqlClient,
    (sql) => sql`DROP INDEX IF EXISTS dcr_clients_registration_access_token_hash`
  ),
  // When a client last authenticated (`recordUse`), for pruning clients that were never used. No
  // index: pruning walks the primary key in bounded windows, and an index on it (or on created_at)
  // would cost every registration one more index insert and every recorded use an index update.
  "7_client_last_used_at": Effect.flatMap(
    SqlClient.SqlClient,
    (sql) => sql`ALTER TABLE dcr_clients ADD COLUMN last_used_at INTEGER`
  )
}

/** The migrations bookkeeping table. */
const migrationsTable = "effect_dcr_migrations"

const runMigrations = Migrator.make({})({ loader: Migrator.fromRecord(migrations), table: migrationsTable })

interface Row {
  readonly client_id: string
  readonly client: string
  readonly registration_access_token_hash: string
  readonly client_secret_hash: string | null
  readonly client_secret_expires_at: number | null
  readonly software_id: string | null
  readonly created_at: number
  readonly modified_at: number
  readonly registration_policy: string | null
  readonly last_used_at: number | null
}

const toRecord = (row: Row): ClientRecord => ({
  clientId: row.client_id,
  client: row.client,
  registrationAccessTokenHash: row.registration_access_token_hash,
  clientSecretHash: row.client_secret_hash ?? undefined,
  clientSecretExpiresAt: row.client_secret_expires_at ?? undefined,
  softwareId: row.software_id ?? undefined,
  ...(row.registration_policy === null ? {} : { registrationPolicy: row.registration_policy }),
  createdAt: row.created_at,
  modifiedAt: row.modified_at,
  ...(row.last_used_at === null ? {} : { lastUsedAt: row.last_used_at })
})

const changes = (result: unknown): number =>
  typeof result === "object" && result !== null && "changes" in result && typeof result.changes === "number"
    ? result.changes
    : 0

const isPrimaryKeyViolation = (error: SqlError): boolean => {
  const cause = error.cause
  return typeof cause === "object" && cause !== null && "code" in cause &&
    (cause.code === "SQLITE_CONSTRAINT_PRIMARYKEY" || cause.code === "SQLITE_CONSTRAINT_UNIQUE")
}

const insertColumns =
  "INSERT INTO dcr_clients (client_id, client, registration_access_token_hash, client_secret_hash, client_secret_expires_at, software_id, created_at, modified_at, registration_policy)"
const rowPlaceholders = "(?, ?, ?, ?, ?, ?, ?, ?, ?)"
const insertSql = `${insertColumns} VALUES ${rowPlaceholders}`
const insertUniqueSoftwareIdSql =
  `${insertColumns} SELECT ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM dcr_clients WHERE software_id = ?)`

/** The failures `insert` reports to the caller whose row caused them. */
type RowError = ClientIdCollision | DuplicateSoftwareId

/** The nine parameters of one row, in `insertColumns` order. */
const rowParams = (record: ClientRecord): Array<string | number | null> => [
  record.clientId,
  record.client,
  record.registrationAccessTokenHash,
  record.clientSecretHash ?? null,
  record.clientSecretExpiresAt ?? null,
  record.softwareId ?? null,
  record.createdAt,
  record.modifiedAt,
  record.registrationPolicy ?? null
]

/**
 * One INSERT on `connection`. A constraint failure only aborts this statement (SQLite's default
 * `ABORT` conflict resolution keeps the rest of the transaction), so it is a per-row outcome; any
 * other error fails the effect.
 */
const insertRow = (
  connection: SqlConnection.Connection,
  record: ClientRecord,
  options: InsertOptions
): Effect.Effect<RowError | undefined, SqlError> => {
  const softwareId = record.softwareId ?? null
  const unique = options.uniqueSoftwareId && softwareId !== null
  const params = rowParams(record)
  if (unique) params.push(softwareId)
  return connection.executeRaw(unique ? insertUniqueSoftwareIdSql : insertSql, params).pipe(
    Effect.map((result): RowError | undefined =>
      changes(result) === 1 || softwareId === null ? undefined : new DuplicateSoftwareId({ softwareId })
    ),
    Effect.catchIf(isPrimaryKeyViolation, () => Effect.succeed(new ClientIdCollision({ clientId: record.clientId })))
  )
}

/** Statement text for `count` plain rows in one multi-row INSERT, built once per size. */
const multiInsertSql = (() => {
  const cache = new Map<number, string>()
  return (count: number): string => {
    let text = cache.get(count)
    if (text === undefined) {
      text = `${insertColumns} VALUES ${Array.from({ length: count }, () => rowPlaceholders).join(", ")}`
      cache.set(count, text)
    }
    return text
  }
})()

/**
 * The largest multi-row INSERT. A batch is cut into chunks of 64, 32, …, 1 rows, so at most seven
 * distinct statements are ever prepared (and cached) for it.
 */
const maxChunk = 64

const chunkSize = (left: number): number => {
  let size = maxChunk
  while (size > left) size >>= 1
  return size
}

/**
 * Inserts the rows of a batch inside the writer's open transaction and returns one outcome per row.
 * Rows that need no `software_id` check go in multi-row INSERTs (one statement per chunk instead of
 * one per row); if a chunk hits a primary-key collision, SQLite undoes that statement only and its
 * rows are inserted one by one so that just the colliding row fails. Rows that must have a unique
 * `software_id` are inserted one by one, in order, so that one of several duplicates wins.
 */
const insertBatch = (
  connection: SqlConnection.Connection,
  batch: ReadonlyArray<Pending>
): Effect.Effect<ReadonlyArray<RowError | undefined>, SqlError> =>
  Effect.suspend(() => {
    const outcomes: Array<RowError | undefined> = new Array(batch.length).fill(undefined)
    const plain: Array<number> = []
    const checked: Array<number> = []
    batch.forEach((pending, i) => {
      const needsCheck = pending.options.uniqueSoftwareId && pending.record.softwareId !== undefined
      ;(needsCheck ? checked : plain).push(i)
    })
    const oneByOne = (indices: ReadonlyArray<number>) =>
      Effect.forEach(indices, (i) =>
        Effect.map(insertRow(connection, batch[i]!.record, batch[i]!.options), (outcome) => {
          outcomes[i] = outcome
        }), { discard: true })
    const chunks: Array<ReadonlyArray<number>> = []
    for (let start = 0; start < plain.length;) {
      const size = chunkSize(plain.length - start)
      chunks.push(plain.slice(start, start + size))
      start += size
    }
    const inChunks = Effect.forEach(chunks, (chunk) => {
      if (chunk.length === 1) return oneByOne(chunk)
      const params: Array<string | number | null> = []
      for (const i of chunk) {
        for (const param of rowParams(batch[i]!.record)) params.push(param)
      }
      return connection.executeRaw(multiInsertSql(chunk.length), params).pipe(
        Effect.asVoid,
        Effect.catchIf(isPrimaryKeyViolation, () => oneByOne(chunk))
      )
    }, { discard: true })
    return Effect.as(Effect.zipRight(inChunks, oneByOne(checked)), outcomes)
  })

const outcomeEffect = (outcome: RowError | undefined): Effect.Effect<void, RowError> =>
  outcome === undefined ? Effect.void : Effect.fail(outcome)

interface Pending {
  readonly record: ClientRecord
  readonly options: InsertOptions
  /** Answers the waiting caller. */
  readonly resume: (answer: Effect.Effect<void, ClientStoreError | RowError>) => void
}

/**
 * The default largest number of inserts committed together.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultMaxBatchSize = 128

/**
 * Group commit: `insert` queues the row, and a single writer fiber takes everything pending (up to
 * `maxBatchSize`) and writes it in one `BEGIN IMMEDIATE … COMMIT`. Each caller is answered only after
 * the COMMIT; a row's own constraint failure (id collision, duplicate `software_id`, also against an
 * earlier row of the same batch) is reported to that caller only. A storage error fails the whole
 * batch (rolled back) with `ClientStoreError`. Nothing waits on a timer: a lone insert is written at
 * the end of the current event-loop turn. Closing the scope drains the queue: rows queued before it
 * are written, later calls fail with `ClientStoreError`.
 */
const makeWriter = Effect.fnUntraced(function*(sql: SqlClient.SqlClient, maxBatchSize: number) {
  // A plain array and one wake-up callback: cheaper per request than a Queue (a Deferred per take).
  let pending: Array<Pending> = []
  let wake: ((signal: Effect.Effect<void>) => void) | undefined
  let closed = false

  // The writer runs at the end of the current event-loop turn (`setImmediate`, not a timer: no fixed
  // delay). Node drains the microtasks (where fibers run) after each I/O callback, so resuming the
  // writer at once would write after every single HTTP request; deferring it to the check phase lets
  // every request read in the same turn share one commit.
  const wakeWriter = () => {
    if (wake !== undefined) {
      const resume = wake
      wake = undefined
      setImmediate(resume, Effect.void)
    }
  }

  const waitForWork = Effect.async<void>((resume) => {
    if (pending.length > 0 || closed) setImmediate(resume, Effect.void)
    else wake = resume
  })

  const takeBatch = (): ReadonlyArray<Pending> => {
    if (pending.length <= maxBatchSize) {
      const batch = pending
      pending = []
      return batch
    }
    return pending.splice(0, maxBatchSize)
  }

  /** Writes the batch; per-row outcomes once it is committed. A lone row is a plain autocommit INSERT. */
  const transaction = (batch: ReadonlyArray<Pending>) =>
    Effect.scoped(Effect.flatMap(sql.reserve, (connection) => {
      if (batch.length === 1) {
        return Effect.map(insertRow(connection, batch[0]!.record, batch[0]!.options), (outcome) => [outcome])
      }
      return Effect.gen(function*() {
        yield* connection.executeRaw("BEGIN IMMEDIATE", [])
        const outcomes = yield* insertBatch(connection, batch)
        yield* connection.executeRaw("COMMIT", [])
        return outcomes
      }).pipe(Effect.tapErrorCause(() => Effect.ignore(connection.executeRaw("ROLLBACK", []))))
    }))

  const write = (batch: ReadonlyArray<Pending>) =>
    Effect.map(Effect.exit(transaction(batch)), (exit) => {
      if (exit._tag === "Success") {
        batch.forEach((pending, i) => pending.resume(outcomeEffect(exit.value[i])))
      } else {
        const error = new ClientStoreError({ operation: "insert", cause: Cause.squash(exit.cause) })
        for (const pending of batch) pending.resume(Effect.fail(error))
      }
    })

  const loop: Effect.Effect<void> = Effect.flatMap(waitForWork, () => {
    const batch = takeBatch()
    if (batch.length === 0) return closed ? Effect.void : loop
    return Effect.zipRight(write(batch), loop)
  })

  const fiber = yield* Effect.forkScoped(Effect.uninterruptible(loop))
  yield* Effect.addFinalizer(() =>
    Effect.suspend(() => {
      closed = true
      wakeWriter()
      return Fiber.await(fiber)
    })
  )

  const closedError = new ClientStoreError({ operation: "insert", cause: new Error("The client store is closed") })
  const closedFailure = Effect.fail(closedError)
  const insert = (record: ClientRecord, options: InsertOptions): Effect.Effect<void, ClientStoreError | RowError> =>
    Effect.async<void, ClientStoreError | RowError>((resume) => {
      if (closed) return resume(closedFailure)
      pending.push({ record, options, resume })
      wakeWriter()
    })
  return { insert }
})

/**
 * The options `makeWithClient` applies to a connection it did not open.
 *
 * @since 0.1.0
 * @category models
 */
export type ConnectionOptions = Pick<Options, "busyTimeout" | "maxBatchSize" | "walAutocheckpoint" | "cacheSizeKib">

/**
 * Builds the store on an already-open `SqlClient` connected to SQLite: applies the connection
 * pragmas, runs the migrations, starts the group-commit writer in the current scope (closing the
 * scope writes what is queued, then stops it), and returns the service.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeWithClient = Effect.fnUntraced(function*(
  sql: SqlClient.SqlClient,
  options?: ConnectionOptions | undefined
) {
  const busyMillis = Math.max(0, Math.round(Duration.toMillis(options?.busyTimeout ?? Duration.seconds(5))))
  const walPages = Math.max(0, Math.floor(options?.walAutocheckpoint ?? defaultWalAutocheckpoint))
  const cacheKib = Math.max(0, Math.floor(options?.cacheSizeKib ?? defaultCacheSizeKib))
  yield* sql.unsafe(`PRAGMA busy_timeout = ${busyMillis}`).pipe(
    Effect.zipRight(sql.unsafe("PRAGMA synchronous = NORMAL")),
    Effect.zipRight(sql.unsafe(`PRAGMA cache_size = -${Number.isFinite(cacheKib) ? cacheKib : defaultCacheSizeKib}`)),
    Effect.zipRight(
      sql.unsafe(`PRAGMA wal_autocheckpoint = ${Number.isFinite(walPages) ? walPages : defaultWalAutocheckpoint}`)
    ),
    Effect.zipRight(runMigrations.pipe(Effect.provideService(SqlClient.SqlClient, sql))),
    Effect.catchAllDefect((cause) => Effect.fail(cause)),
    Effect.mapError((cause) => new ClientStoreError({ operation: "migrate", cause }))
  )

  const storeError = (operation: ClientStoreError["operation"]) => (cause: unknown) =>
    new ClientStoreError({ operation, cause })

  const maxBatchSize = options?.maxBatchSize
  const writer = yield* makeWriter(
    sql,
    maxBatchSize !== undefined && maxBatchSize >= 1 ? Math.floor(maxBatchSize) : defaultMaxBatchSize
  )

  /**
   * Queued on the writer (group commit). A caller already inside a transaction of this `SqlClient`
   * holds its connection, so its insert runs in that transaction instead of waiting for the writer.
   */
  const insert = (
    record: ClientRecord,
    insertOptions: InsertOptions
  ): Effect.Effect<void, ClientStoreError | RowError> =>
    Effect.flatMap(
      Effect.serviceOption(SqlClient.TransactionConnection),
      (transaction): Effect.Effect<void, ClientStoreError | RowError> =>
        transaction._tag === "Some"
          ? insertRow(transaction.value[0], record, insertOptions).pipe(
            Effect.mapError((cause) => new ClientStoreError({ operation: "insert", cause })),
            Effect.flatMap(outcomeEffect)
          )
          : writer.insert(record, insertOptions)
    )

  const find = (clientId: string) =>
    sql<
      Row
    >`SELECT client_id, client, registration_access_token_hash, client_secret_hash, client_secret_expires_at, software_id, created_at, modified_at, registration_policy, last_used_at FROM dcr_clients WHERE client_id = ${clientId}`
      .pipe(
        Effect.map((rows) => rows.length === 0 ? Option.none() : Option.some(toRecord(rows[0]!))),
        Effect.mapError(storeError("find"))
      )

  const replace: ClientStore["Type"]["replace"] = (clientId, expectedTokenHash, next) =>
    sql`UPDATE dcr_clients SET client = ${next.client}, registration_access_token_hash = ${next.registrationAccessTokenHash}, client_secret_hash = ${
      next.clientSecretHash ?? null
    }, client_secret_expires_at = ${next.clientSecretExpiresAt ?? null}, software_id = ${
      next.softwareId ?? null
    }, modified_at = ${next.modifiedAt} WHERE client_id = ${clientId} AND registration_access_token_hash = ${expectedTokenHash}`
      .raw.pipe(
        Effect.map((result) => changes(result) === 1),
        Effect.mapError(storeError("replace"))
      )

  const delete_ = (clientId: string, expectedTokenHash: string) =>
    sql`DELETE FROM dcr_clients WHERE client_id = ${clientId} AND registration_access_token_hash = ${expectedTokenHash}`
      .raw.pipe(
        Effect.map((result) => changes(result) === 1),
        Effect.mapError(storeError("delete"))
      )

  const revokeRegistrationAccessToken = (clientId: string, tokenHash: string) =>
    sql`UPDATE dcr_clients SET registration_access_token_hash = ${revokedTokenHash} WHERE client_id = ${clientId} AND registration_access_token_hash = ${tokenHash}`
      .raw.pipe(
        Effect.map((result) => changes(result) > 0),
        Effect.mapError(storeError("revokeRegistrationAccessToken"))
      )

  // the primary key's index gives the order (TEXT compares with BINARY collation: byte order)
  const list = ({ after, limit }: ListOptions) =>
    sql<
      Row
    >`SELECT client_id, client, registration_access_token_hash, client_secret_hash, client_secret_expires_at, software_id, created_at, modified_at, registration_policy, last_used_at FROM dcr_clients WHERE client_id > ${
      after ?? ""
    } ORDER BY client_id LIMIT ${listLimit(limit)}`.pipe(
      Effect.map((rows): ReadonlyArray<ClientRecord> => rows.map(toRecord)),
      Effect.mapError(storeError("listClients"))
    )

  const recordUse = (clientId: string, usedAt: number, staleBefore: number) =>
    sql`UPDATE dcr_clients SET last_used_at = ${usedAt} WHERE client_id = ${clientId} AND (last_used_at IS NULL OR last_used_at < ${staleBefore})`
      .raw.pipe(
        Effect.map((result) => changes(result) === 1),
        Effect.mapError(storeError("recordUse"))
      )

  // A window of the primary key: its last id first (an index-only walk of `limit` entries), then
  // the unused rows of that id range. No index on created_at or last_used_at: see migration 7.
  const listUnused = ({ after, createdBefore, lastUsedBefore, limit }: UnusedScan) =>
    Effect.gen(function*() {
      const from = after ?? ""
      const boundary = yield* sql<
        { readonly client_id: string }
      >`SELECT client_id FROM dcr_clients WHERE client_id > ${from} ORDER BY client_id LIMIT 1 OFFSET ${
        listLimit(limit) - 1
      }`
      const last = boundary[0]?.client_id
      // two texts rather than `(? IS NULL OR client_id <= ?)`, which would not bound the index range
      const upTo = last === undefined ? sql`` : sql` AND client_id <= ${last}`
      const rows = yield* sql<
        Row
      >`SELECT client_id, client, registration_access_token_hash, client_secret_hash, client_secret_expires_at, software_id, created_at, modified_at, registration_policy, last_used_at FROM dcr_clients WHERE client_id > ${from}${upTo} AND created_at < ${createdBefore} AND (last_used_at IS NULL OR last_used_at < ${
        lastUsedBefore ?? null
      }) ORDER BY client_id`
      return { clients: rows.map(toRecord), next: last }
    }).pipe(Effect.mapError(storeError("listUnused")))

  const deleteUnused = (clientIds: ReadonlyArray<string>, { createdBefore, lastUsedBefore }: UnusedCriteria) =>
    clientIds.length === 0
      ? Effect.succeed([])
      : sql<
        { readonly client_id: string }
      >`DELETE FROM dcr_clients WHERE client_id IN (SELECT value FROM json_each(${
        JSON.stringify(clientIds)
      })) AND created_at < ${createdBefore} AND (last_used_at IS NULL OR last_used_at < ${
        lastUsedBefore ?? null
      }) RETURNING client_id`.pipe(
        Effect.map((rows): ReadonlyArray<string> => rows.map((row) => row.client_id)),
        Effect.mapError(storeError("deleteUnused"))
      )

  return ClientStore.of({
    insert,
    find,
    replace,
    delete: delete_,
    revokeRegistrationAccessToken,
    list,
    recordUse,
    listUnused,
    deleteUnused
  })
})

interface TokenRow {
  readonly id: string
  readonly policy: string | null
  readonly created_at: number
  readonly expires_at: number
  readonly max_uses: number
  readonly uses: number
  readonly revoked_at: number | null
}

/**
 * The `InitialAccessTokenStore` on a `SqlClient` whose migrations have run (`makeWithClient` runs
 * them). `consume` is one `UPDATE … WHERE uses < max_uses … RETURNING`: SQLite runs a statement
 * alone, so no two calls can take the same last use, also across processes sharing the file.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeInitialAccessTokenStore = (sql: SqlClient.SqlClient): InitialAccessTokenStore["Type"] => {
  const storeError = (operation: ClientStoreError["operation"]) => (cause: unknown) =>
    new ClientStoreError({ operation, cause })
  return InitialAccessTokenStore.of({
    create: (token) =>
      sql`INSERT INTO dcr_initial_access_tokens (id, token_hash, policy, created_at, expires_at, max_uses) VALUES (${token.id}, ${token.tokenHash}, ${
        token.policy ?? null
      }, ${token.createdAt}, ${token.expiresAt}, ${token.maxUses})`.raw.pipe(
        Effect.asVoid,
        Effect.mapError(storeError("createInitialAccessToken"))
      ),
    consume: (tokenHash, now) =>
      sql<
        { readonly id: string; readonly policy: string | null }
      >`UPDATE dcr_initial_access_tokens SET uses = uses + 1 WHERE token_hash = ${tokenHash} AND revoked_at IS NULL AND expires_at > ${now} AND uses < max_uses RETURNING id, policy`
        .pipe(
          Effect.map((rows) =>
            rows.length === 0 ? Option.none() : Option.some({ id: rows[0]!.id, policy: rows[0]!.policy ?? undefined })
          ),
          Effect.mapError(storeError("consumeInitialAccessToken"))
        ),
    release: (id) =>
      sql`UPDATE dcr_initial_access_tokens SET uses = uses - 1 WHERE id = ${id} AND uses > 0`.raw.pipe(
        Effect.asVoid,
        Effect.mapError(storeError("releaseInitialAccessToken"))
      ),
    list: sql<
      TokenRow
    >`SELECT id, policy, created_at, expires_at, max_uses, uses, revoked_at FROM dcr_initial_access_tokens ORDER BY created_at, id`
      .pipe(
        Effect.map((rows) =>
          rows.map((row) => ({
            id: row.id,
            policy: row.policy ?? undefined,
            createdAt: row.created_at,
            expiresAt: row.expires_at,
            maxUses: row.max_uses,
            uses: row.uses,
            revokedAt: row.revoked_at ?? undefined
          }))
        ),
        Effect.mapError(storeError("listInitialAccessTokens"))
      ),
    revoke: (id, now) =>
      sql`UPDATE dcr_initial_access_tokens SET revoked_at = ${now} WHERE id = ${id} AND revoked_at IS NULL`.raw.pipe(
        Effect.map((result) => changes(result) === 1),
        Effect.mapError(storeError("revokeInitialAccessToken"))
      )
  })
}

/** Ready when the clients table answers a one-row query (the file is open and migrated). */
const readiness = (sql: SqlClient.SqlClient): Readiness.Service =>
  Readiness.make("sqlite", sql`SELECT 1 FROM dcr_clients LIMIT 1`)

/** Both services on one `SqlClient`: the clients (after the pragmas and migrations) and the tokens. */
const makeContext = (sql: SqlClient.SqlClient, options?: ConnectionOptions | undefined) =>
  Effect.map(
    makeWithClient(sql, options),
    (clients) =>
      Context.make(ClientStore, clients).pipe(
        Context.add(InitialAccessTokenStore, makeInitialAccessTokenStore(sql)),
        Context.add(Readiness.Readiness, readiness(sql))
      )
  )

/**
 * Opens (or creates) the database file and builds the store. The file is closed when the scope
 * closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options
): Effect.Effect<ClientStore["Type"], ClientStoreError, Scope.Scope> =>
  Effect.flatMap(open(options), (sql) => makeWithClient(sql, options))

const open = (options: Options): Effect.Effect<SqlClient.SqlClient, ClientStoreError, Scope.Scope> =>
  SqliteClient.make({
    filename: options.filename,
    prepareCacheSize: options.prepareCacheSize,
    prepareCacheTTL: Duration.infinity
  }).pipe(
    Effect.provide(Reactivity.layer),
    Effect.catchAllDefect((cause) => Effect.fail(new ClientStoreError({ operation: "open", cause })))
  )

/** The two services of a SQLite file, closed with the scope. */
const makeFileContext = (options: Options) => Effect.flatMap(open(options), (sql) => makeContext(sql, options))

/**
 * The store on a SQLite file (or `":memory:"`): the `ClientStore` and, on the same file, the
 * `InitialAccessTokenStore`.
 *
 * @example
 * ```ts
 * import * as SqliteClientStore from "@effect-dcr/engine/SqliteClientStore"
 *
 * const StoreLive = SqliteClientStore.layer({ filename: "./dcr.sqlite" })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options
): Layer.Layer<ClientStore | InitialAccessTokenStore | Readiness.Readiness, ClientStoreError> =>
  Layer.scopedContext(makeFileContext(options))

/**
 * The store on an existing `SqlClient` (for instance a `SqliteClient` layer the application already
 * has). The pragmas and migrations run on that client.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFromSqlClient = (
  options?: ConnectionOptions | undefined
): Layer.Layer<ClientStore | InitialAccessTokenStore | Readiness.Readiness, ClientStoreError, SqlClient.SqlClient> =>
  Layer.scopedContext(Effect.flatMap(SqlClient.SqlClient, (sql) => makeContext(sql, options)))

/**
 * The store on the SQLite database named by `DCR_DATABASE_URL` (see `DatabaseUrl.parse` for the
 * accepted forms), or by another `DatabaseUrl` config; a PostgreSQL URL is a `ConfigError`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerUrlConfig = (
  url: Config.Config<DatabaseUrl.DatabaseUrl> = DatabaseUrl.config()
): Layer.Layer<ClientStore | InitialAccessTokenStore, ClientStoreError | ConfigError.ConfigError> =>
  layerConfig({
    filename: Config.mapOrFail(url, (database) =>
      database._tag === "Sqlite"
        ? Either.right(database.filename)
        : Either.left(ConfigError.InvalidData([], "SqliteClientStore opens SQLite databases; use PgClientStore")))
  })

/**
 * The store configured from `Config`, e.g.
 * `SqliteClientStore.layerConfig({ filename: Config.string("DCR_DATABASE") })`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config.Wrap<Options>
): Layer.Layer<ClientStore | InitialAccessTokenStore, ClientStoreError | ConfigError.ConfigError> =>
  Layer.scopedContext(Effect.flatMap(Config.unwrap(config), makeFileContext))
