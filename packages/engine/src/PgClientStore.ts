/**
 * The `ClientStore` and `InitialAccessTokenStore` on PostgreSQL, for several server instances
 * sharing one database. Every rule the engine relies on is enforced by the database, not by one
 * process: the primary key makes ids unique, `replace` and `delete` are compare-and-set on the token
 * hash, a registration that asks for a unique `software_id` holds a transaction-scoped advisory lock
 * on it while it checks and inserts, and a token use is taken by one conditional `UPDATE`. Inserts
 * are batched like the SQLite store's group commit (one statement per batch, a few batches in flight
 * at once); the statements are named (prepared once per connection). Import it from
 * `@effect-dcr/engine/PgClientStore`: the package index does not load `pg`.
 *
 * @since 0.1.0
 */
import * as Readiness from "@effect-dcr/client/Readiness"
import * as Reactivity from "@effect/experimental/Reactivity"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Migrator from "@effect/sql/Migrator"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Runtime from "effect/Runtime"
import type * as Scope from "effect/Scope"
import * as Pg from "pg"
import {
  ClientIdCollision,
  type ClientRecord,
  ClientStore,
  ClientStoreError,
  DuplicateSoftwareId,
  type InsertOptions,
  listLimit,
  revokedTokenHash
} from "./ClientStore.js"
import * as DatabaseUrl from "./DatabaseUrl.js"
import { InitialAccessTokenStore } from "./InitialAccessTokenStore.js"

/**
 * Options of the PostgreSQL store.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * The connection URL, `postgres://user:password@host:port/database?…`. Its query parameters reach
   * the driver (`sslmode`, `application_name`, `options=-c search_path%3Ddcr`, `statement_timeout`,
   * …) and win over the options below.
   */
  readonly url: Redacted.Redacted<string>
  /** The most connections the pool opens (default `defaultMaxConnections`). */
  readonly maxConnections?: number | undefined
  /**
   * How long to wait for a connection: opening one, or a free one when all `maxConnections` are
   * busy (default 10 seconds). Past it, the operation fails with `ClientStoreError`.
   */
  readonly connectTimeout?: Duration.DurationInput | undefined
  /** The server cancels a statement that runs longer (`statement_timeout`, default 10 seconds). */
  readonly statementTimeout?: Duration.DurationInput | undefined
  /** An idle connection is closed after this long (default 30 seconds). */
  readonly idleTimeout?: Duration.DurationInput | undefined
  /** The largest number of inserts written by one statement (default 128; `1` writes each alone). */
  readonly maxBatchSize?: number | undefined
  /**
   * How many insert batches may be in flight at once (default: half of `maxConnections`, at least
   * 1). While they are all busy, new inserts wait and go together in the next batch.
   */
  readonly maxConcurrentBatches?: number | undefined
  /** `application_name` of the connections, seen in `pg_stat_activity` (default `"effect-dcr"`). */
  readonly applicationName?: string | undefined
}

/**
 * The default `maxConnections`: 10 per instance (PostgreSQL's own default limit is 100 for all).
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultMaxConnections = 10

/**
 * The default `maxBatchSize`.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultMaxBatchSize = 128

/** The migrations, in order. Migration ids are never renumbered; add new ones at the end. */
const migrations: Record<string, Effect.Effect<void, unknown, SqlClient.SqlClient>> = {
  "1_create_clients": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE TABLE dcr_clients (
  client_id text PRIMARY KEY NOT NULL,
  client text NOT NULL,
  registration_access_token_hash text NOT NULL,
  client_secret_hash text,
  client_secret_expires_at bigint,
  software_id text,
  created_at bigint NOT NULL,
  modified_at bigint NOT NULL
)`
    yield* sql`CREATE INDEX dcr_clients_software_id ON dcr_clients (software_id) WHERE software_id IS NOT NULL`
    yield* sql`CREATE INDEX dcr_clients_registration_access_token_hash ON dcr_clients (registration_access_token_hash)`
  }),
  "2_initial_access_tokens": Effect.flatMap(
    SqlClient.SqlClient,
    (sql) =>
      sql`CREATE TABLE dcr_initial_access_tokens (
  id text PRIMARY KEY NOT NULL,
  token_hash text NOT NULL UNIQUE,
  policy text,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  max_uses integer NOT NULL CHECK (max_uses >= 1),
  uses integer NOT NULL DEFAULT 0 CHECK (uses >= 0),
  revoked_at bigint
)`
  ),
  "3_client_registration_policy": Effect.flatMap(
    SqlClient.SqlClient,
    (sql) => sql`ALTER TABLE dcr_clients ADD COLUMN registration_policy text`
  ),
  // Revocation finds a token's client from the token's `{client_id}.` prefix (see SqliteClientStore).
  "4_drop_registration_access_token_hash_index": Effect.flatMap(
    SqlClient.SqlClient,
    (sql) => sql`DROP INDEX IF EXISTS dcr_clients_registration_access_token_hash`
  ),
  // When a client last authenticated (`recordUse`). No index, as in SqliteClientStore's migration 7:
  // pruning walks the primary key in bounded windows. Adding a nullable column without a default
  // only changes the catalog (no table rewrite).
  "5_client_last_used_at": Effect.flatMap(
    SqlClient.SqlClient,
    (sql) => sql`ALTER TABLE dcr_clients ADD COLUMN last_used_at bigint`
  ),
  // Client ids in byte order (`"C"`), as SQLite compares them, whatever the database's collation: the
  // primary key's index then serves `list`'s pages (it sorted the whole table for each page while
  // `list` asked for `COLLATE "C"` and the index had the database's collation). Rebuilds that index
  // (the rows are not rewritten); ids are ASCII, so equality is unchanged.
  "6_client_id_collation_c": Effect.flatMap(
    SqlClient.SqlClient,
    (sql) => sql`ALTER TABLE dcr_clients ALTER COLUMN client_id TYPE text COLLATE "C"`
  )
}

/** The migrations bookkeeping table (in the connection's current schema). */
const migrationsTable = "effect_dcr_migrations"

const runMigrations = Migrator.make({})({ loader: Migrator.fromRecord(migrations), table: migrationsTable })

/**
 * Runs the migrations once however many instances start at once: one transaction holds an advisory
 * lock named after the schema, creates the bookkeeping table if needed (the migrator's own "create
 * if missing" is not safe against a concurrent start), then runs the migrator inside it. The others
 * wait on the lock and find nothing left to do.
 */
const migrate = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql.withTransaction(Effect.gen(function*() {
    yield* sql`SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || '.effect_dcr_migrations', 0))`
    yield* sql`CREATE TABLE IF NOT EXISTS ${sql(migrationsTable)} (
  migration_id integer PRIMARY KEY,
  created_at timestamp with time zone NOT NULL DEFAULT now(),
  name text NOT NULL
)`
    yield* runMigrations
  }))
})

interface Row {
  readonly client_id: string
  readonly client: string
  readonly registration_access_token_hash: string
  readonly client_secret_hash: string | null
  /** `bigint` columns arrive as strings. */
  readonly client_secret_expires_at: string | null
  readonly software_id: string | null
  readonly created_at: string
  readonly modified_at: string
  readonly registration_policy: string | null
  readonly last_used_at: string | null
}

const toRecord = (row: Row): ClientRecord => ({
  clientId: row.client_id,
  client: row.client,
  registrationAccessTokenHash: row.registration_access_token_hash,
  clientSecretHash: row.client_secret_hash ?? undefined,
  clientSecretExpiresAt: row.client_secret_expires_at === null ? undefined : Number(row.client_secret_expires_at),
  softwareId: row.software_id ?? undefined,
  ...(row.registration_policy === null ? {} : { registrationPolicy: row.registration_policy }),
  createdAt: Number(row.created_at),
  modifiedAt: Number(row.modified_at),
  ...(row.last_used_at === null ? {} : { lastUsedAt: Number(row.last_used_at) })
})

const columns =
  "client_id, client, registration_access_token_hash, client_secret_hash, client_secret_expires_at, software_id, created_at, modified_at, registration_policy"

/** What `find` and the listings read: the inserted columns and the last use. */
const readColumns = `${columns}, last_used_at`

/** `ClientStore.UnusedCriteria` in SQL, on two parameters (a null `lastUsedBefore`: never-used clients only). */
const unusedCondition = (createdBefore: string, lastUsedBefore: string) =>
  `created_at < ${createdBefore} AND (last_used_at IS NULL OR last_used_at < ${lastUsedBefore})`

/**
 * The statements of the hot path, each named so that a connection parses and plans it once.
 * Inserts: one statement per batch, its rows as arrays (`unnest`), so the text never changes with
 * the batch size. A row that asks for a unique `software_id` is skipped when a client already has
 * it; a row whose id is taken is skipped (`ON CONFLICT DO NOTHING`, which also waits for an
 * in-flight insert of the same id in another transaction). The statement answers only the rows it
 * skipped, with the reason.
 */
const statements = {
  insert: {
    name: "effect_dcr_insert_clients",
    text: `WITH input AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::bigint[], $8::bigint[], $9::text[], $10::boolean[])
    WITH ORDINALITY AS t(${columns}, unique_software_id, ord)
), inserted AS (
  INSERT INTO dcr_clients (${columns})
  SELECT ${columns} FROM input
  WHERE NOT (input.unique_software_id AND EXISTS (SELECT 1 FROM dcr_clients c WHERE c.software_id = input.software_id))
  ON CONFLICT (client_id) DO NOTHING
  RETURNING client_id
)
SELECT input.ord::int4 AS ord,
  (input.unique_software_id AND EXISTS (SELECT 1 FROM dcr_clients c WHERE c.software_id = input.software_id)) AS duplicate_software_id
FROM input WHERE NOT EXISTS (SELECT 1 FROM inserted WHERE inserted.client_id = input.client_id)`
  },
  /**
   * One advisory lock per distinct `software_id` of the batch, in the order given (sorted by the
   * caller, so two batches never wait on each other in a cycle), keyed by the schema and the id.
   */
  lockSoftwareIds: {
    name: "effect_dcr_lock_software_ids",
    text:
      "SELECT count(pg_advisory_xact_lock(hashtext(current_schema()), hashtext(software_id))) FROM unnest($1::text[]) AS software_id"
  },
  find: {
    name: "effect_dcr_find_client",
    text: `SELECT ${readColumns} FROM dcr_clients WHERE client_id = $1`
  },
  replace: {
    name: "effect_dcr_replace_client",
    text:
      "UPDATE dcr_clients SET client = $3, registration_access_token_hash = $4, client_secret_hash = $5, client_secret_expires_at = $6, software_id = $7, modified_at = $8 WHERE client_id = $1 AND registration_access_token_hash = $2"
  },
  delete: {
    name: "effect_dcr_delete_client",
    text: "DELETE FROM dcr_clients WHERE client_id = $1 AND registration_access_token_hash = $2"
  },
  /** In byte order, the column's collation since migration 6 (as SQLite's), along the primary key. */
  listClients: {
    name: "effect_dcr_list_clients",
    text: `SELECT ${readColumns} FROM dcr_clients WHERE client_id > $1 ORDER BY client_id LIMIT $2`
  },
  recordUse: {
    name: "effect_dcr_record_client_use",
    text:
      "UPDATE dcr_clients SET last_used_at = $2 WHERE client_id = $1 AND (last_used_at IS NULL OR last_used_at < $3)"
  },
  /**
   * The pruning windows walk the primary key, so that its index serves them: the window's last id
   * ($2-th after $1), then the unused rows up to it (or to the end when the window reaches it). No
   * index on created_at or last_used_at (see migration 5).
   */
  unusedWindowEnd: {
    name: "effect_dcr_unused_window_end",
    text: "SELECT client_id FROM dcr_clients WHERE client_id > $1 ORDER BY client_id LIMIT 1 OFFSET $2"
  },
  listUnused: {
    name: "effect_dcr_list_unused_clients",
    text: `SELECT ${readColumns} FROM dcr_clients WHERE client_id > $1 AND client_id <= $2 AND ${
      unusedCondition("$3", "$4")
    } ORDER BY client_id`
  },
  listUnusedToEnd: {
    name: "effect_dcr_list_unused_clients_to_end",
    text: `SELECT ${readColumns} FROM dcr_clients WHERE client_id > $1 AND ${
      unusedCondition("$2", "$3")
    } ORDER BY client_id`
  },
  deleteUnused: {
    name: "effect_dcr_delete_unused_clients",
    text: `DELETE FROM dcr_clients WHERE client_id = ANY($1::text[]) AND ${
      unusedCondition("$2", "$3")
    } RETURNING client_id`
  },
  revokeRegistrationAccessToken: {
    name: "effect_dcr_revoke_registration_access_token_of",
    text:
      "UPDATE dcr_clients SET registration_access_token_hash = $3 WHERE client_id = $1 AND registration_access_token_hash = $2"
  },
  createInitialAccessToken: {
    name: "effect_dcr_create_initial_access_token",
    text:
      "INSERT INTO dcr_initial_access_tokens (id, token_hash, policy, created_at, expires_at, max_uses) VALUES ($1, $2, $3, $4, $5, $6)"
  },
  /** Under READ COMMITTED a concurrent use of the same row waits, then re-checks the WHERE on the new row. */
  consumeInitialAccessToken: {
    name: "effect_dcr_consume_initial_access_token",
    text:
      "UPDATE dcr_initial_access_tokens SET uses = uses + 1 WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2 AND uses < max_uses RETURNING id, policy"
  },
  releaseInitialAccessToken: {
    name: "effect_dcr_release_initial_access_token",
    text: "UPDATE dcr_initial_access_tokens SET uses = uses - 1 WHERE id = $1 AND uses > 0"
  },
  listInitialAccessTokens: {
    name: "effect_dcr_list_initial_access_tokens",
    text:
      "SELECT id, policy, created_at, expires_at, max_uses, uses, revoked_at FROM dcr_initial_access_tokens ORDER BY created_at, id"
  },
  revokeInitialAccessToken: {
    name: "effect_dcr_revoke_initial_access_token",
    text: "UPDATE dcr_initial_access_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL"
  }
} as const

/** Something that runs a query: the pool, or a connection holding a transaction. */
interface Queryable {
  query<R extends Pg.QueryResultRow>(config: Pg.QueryConfig): Promise<Pg.QueryResult<R>>
}

/** The failures `insert` reports to the caller whose row caused them. */
type RowError = ClientIdCollision | DuplicateSoftwareId

interface Pending {
  readonly record: ClientRecord
  readonly options: InsertOptions
  /** Answers the waiting caller. */
  readonly resume: (answer: Effect.Effect<void, ClientStoreError | RowError>) => void
}

const uniqueSoftwareId = (pending: Pending): string | undefined =>
  pending.options.uniqueSoftwareId ? pending.record.softwareId : undefined

/**
 * Writes one batch and answers each row's outcome (`undefined`: committed). Rows that repeat an
 * earlier row's id, or an earlier row's unique `software_id`, in the same batch are refused here
 * (one statement cannot see its own rows). A batch with a unique `software_id` runs in a
 * transaction that first takes the advisory locks; any other batch is one autocommit statement.
 */
const writeBatch = async (pool: Pg.Pool, batch: ReadonlyArray<Pending>): Promise<Array<RowError | undefined>> => {
  const outcomes: Array<RowError | undefined> = new Array(batch.length).fill(undefined)
  const ids = new Set<string>()
  const softwareIds = new Set<string>()
  const sent: Array<number> = []
  batch.forEach((pending, i) => {
    const { clientId } = pending.record
    const softwareId = uniqueSoftwareId(pending)
    if (ids.has(clientId)) {
      outcomes[i] = new ClientIdCollision({ clientId })
    } else if (softwareId !== undefined && softwareIds.has(softwareId)) {
      outcomes[i] = new DuplicateSoftwareId({ softwareId })
    } else {
      ids.add(clientId)
      if (softwareId !== undefined) softwareIds.add(softwareId)
      sent.push(i)
    }
  })
  const columnsOf: Array<Array<string | number | boolean | null>> = Array.from({ length: 10 }, () => [])
  for (const i of sent) {
    const { options, record } = batch[i]!
    columnsOf[0]!.push(record.clientId)
    columnsOf[1]!.push(record.client)
    columnsOf[2]!.push(record.registrationAccessTokenHash)
    columnsOf[3]!.push(record.clientSecretHash ?? null)
    columnsOf[4]!.push(record.clientSecretExpiresAt ?? null)
    columnsOf[5]!.push(record.softwareId ?? null)
    columnsOf[6]!.push(record.createdAt)
    columnsOf[7]!.push(record.modifiedAt)
    columnsOf[8]!.push(record.registrationPolicy ?? null)
    columnsOf[9]!.push(options.uniqueSoftwareId && record.softwareId !== undefined)
  }
  const insert = (connection: Queryable) =>
    connection.query<{ readonly ord: number; readonly duplicate_software_id: boolean }>({
      ...statements.insert,
      values: columnsOf
    })
  let skipped: Pg.QueryResult<{ readonly ord: number; readonly duplicate_software_id: boolean }>
  if (softwareIds.size === 0) {
    skipped = await insert(pool)
  } else {
    const client = await pool.connect()
    let failure: Error | undefined
    try {
      await client.query("BEGIN")
      await client.query({ ...statements.lockSoftwareIds, values: [[...softwareIds].sort()] })
      skipped = await insert(client)
      await client.query("COMMIT")
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error))
      await client.query("ROLLBACK").catch(() => undefined)
      throw error
    } finally {
      // a failed connection is destroyed rather than returned to the pool
      client.release(failure !== undefined && !("code" in failure) ? failure : undefined)
    }
  }
  for (const row of skipped.rows) {
    const i = sent[row.ord - 1]!
    const { record } = batch[i]!
    outcomes[i] = row.duplicate_software_id
      ? new DuplicateSoftwareId({ softwareId: record.softwareId! })
      : new ClientIdCollision({ clientId: record.clientId })
  }
  return outcomes
}

const outcomeEffect = (outcome: RowError | undefined): Effect.Effect<void, RowError> =>
  outcome === undefined ? Effect.void : Effect.fail(outcome)

/**
 * Group commit on PostgreSQL: `insert` queues the row; at the end of the event-loop turn (never on
 * a timer) the queue goes out in batches of up to `maxBatchSize` rows while fewer than
 * `maxConcurrentBatches` are in flight; rows arriving meanwhile wait for the next free slot and go
 * together. Each caller is answered once its batch is committed; a storage error answers the whole
 * batch with `ClientStoreError` (nothing of it is committed). Closing drains the queue.
 */
const makeWriter = (pool: Pg.Pool, maxBatchSize: number, maxConcurrentBatches: number) =>
  Effect.gen(function*() {
    let pending: Array<Pending> = []
    let inFlight = 0
    let scheduled = false
    let closed = false
    let onDrained: (() => void) | undefined

    const take = (): ReadonlyArray<Pending> => {
      if (pending.length <= maxBatchSize) {
        const batch = pending
        pending = []
        return batch
      }
      return pending.splice(0, maxBatchSize)
    }

    const settle = (batch: ReadonlyArray<Pending>, outcomes: ReadonlyArray<RowError | undefined> | Error) => {
      if (outcomes instanceof Error) {
        const error = new ClientStoreError({ operation: "insert", cause: outcomes })
        for (const row of batch) row.resume(Effect.fail(error))
      } else {
        batch.forEach((row, i) => row.resume(outcomeEffect(outcomes[i])))
      }
      inFlight--
      schedule()
      if (inFlight === 0 && pending.length === 0) onDrained?.()
    }

    const flush = () => {
      scheduled = false
      while (pending.length > 0 && inFlight < maxConcurrentBatches) {
        const batch = take()
        inFlight++
        writeBatch(pool, batch).then(
          (outcomes) => settle(batch, outcomes),
          (error) => settle(batch, error instanceof Error ? error : new Error(String(error)))
        )
      }
    }

    function schedule() {
      if (!scheduled && pending.length > 0 && inFlight < maxConcurrentBatches) {
        scheduled = true
        setImmediate(flush)
      }
    }

    yield* Effect.addFinalizer(() =>
      Effect.async<void>((resume) => {
        closed = true
        if (inFlight === 0 && pending.length === 0) return resume(Effect.void)
        onDrained = () => resume(Effect.void)
        schedule()
      })
    )

    const closedFailure = Effect.fail(
      new ClientStoreError({ operation: "insert", cause: new Error("The client store is closed") })
    )
    const insert = (record: ClientRecord, options: InsertOptions): Effect.Effect<void, ClientStoreError | RowError> =>
      Effect.async<void, ClientStoreError | RowError>((resume) => {
        if (closed) return resume(closedFailure)
        pending.push({ record, options, resume })
        schedule()
      })
    return { insert }
  })

const millis = (duration: Duration.DurationInput | undefined, fallback: Duration.DurationInput): number =>
  Math.max(0, Math.round(Duration.toMillis(duration ?? fallback)))

const positive = (value: number | undefined, fallback: number): number =>
  value !== undefined && Number.isFinite(value) && value >= 1 ? Math.floor(value) : fallback

interface TokenRow {
  readonly id: string
  readonly policy: string | null
  /** `bigint` columns arrive as strings. */
  readonly created_at: string
  readonly expires_at: string
  readonly max_uses: number
  readonly uses: number
  readonly revoked_at: string | null
}

/**
 * Opens the pool, checks that the database answers, runs the migrations (safely when several
 * instances start at once), starts the insert writer, and returns both services on that pool.
 * Closing the scope writes what is queued, then closes the pool.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeContext = (
  options: Options
): Effect.Effect<
  Context.Context<ClientStore | InitialAccessTokenStore | Readiness.Readiness>,
  ClientStoreError,
  Scope.Scope
> =>
  Effect.gen(function*() {
    const maxConnections = positive(options.maxConnections, defaultMaxConnections)
    const runtime = yield* Effect.runtime<never>()
    const pool = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const pool = new Pg.Pool({
          connectionString: Redacted.value(options.url),
          max: maxConnections,
          connectionTimeoutMillis: millis(options.connectTimeout, Duration.seconds(10)),
          idleTimeoutMillis: millis(options.idleTimeout, Duration.seconds(30)),
          statement_timeout: millis(options.statementTimeout, Duration.seconds(10)),
          application_name: options.applicationName ?? "effect-dcr",
          keepAlive: true
        })
        // an idle connection that fails (the server restarted) is dropped by the pool; without a
        // listener the error would crash the process
        pool.on("error", (error) => {
          Runtime.runFork(runtime)(Effect.logWarning("PgClientStore: an idle connection failed", error))
        })
        return pool
      }),
      (pool) => Effect.promise(() => pool.end().catch(() => undefined))
    )
    const storeError = (operation: ClientStoreError["operation"]) => (cause: unknown) =>
      new ClientStoreError({ operation, cause })

    yield* Effect.tryPromise({ try: () => pool.query("SELECT 1"), catch: storeError("open") })
    const sql = yield* PgClient.fromPool({ acquire: Effect.succeed(pool) }).pipe(
      Effect.provide(Reactivity.layer),
      Effect.mapError(storeError("open"))
    )
    yield* migrate.pipe(
      Effect.provideService(SqlClient.SqlClient, sql),
      Effect.catchAllDefect((cause) => Effect.fail(cause)),
      Effect.mapError(storeError("migrate"))
    )

    const writer = yield* makeWriter(
      pool,
      positive(options.maxBatchSize, defaultMaxBatchSize),
      positive(options.maxConcurrentBatches, Math.max(1, Math.floor(maxConnections / 2)))
    )

    const query = <R extends Pg.QueryResultRow>(
      operation: ClientStoreError["operation"],
      config: Pg.QueryConfig
    ): Effect.Effect<Pg.QueryResult<R>, ClientStoreError> =>
      Effect.async((resume) => {
        pool.query<R>(config).then(
          (result) => resume(Effect.succeed(result)),
          (cause) => resume(Effect.fail(new ClientStoreError({ operation, cause })))
        )
      })

    const changed = (operation: ClientStoreError["operation"], config: Pg.QueryConfig) =>
      Effect.map(query(operation, config), (result) => (result.rowCount ?? 0) > 0)

    const clients = ClientStore.of({
      insert: writer.insert,
      find: (clientId) =>
        Effect.map(
          query<Row>("find", { ...statements.find, values: [clientId] }),
          (result) => result.rows.length === 0 ? Option.none() : Option.some(toRecord(result.rows[0]!))
        ),
      replace: (clientId, expectedTokenHash, next) =>
        changed("replace", {
          ...statements.replace,
          values: [
            clientId,
            expectedTokenHash,
            next.client,
            next.registrationAccessTokenHash,
            next.clientSecretHash ?? null,
            next.clientSecretExpiresAt ?? null,
            next.softwareId ?? null,
            next.modifiedAt
          ]
        }),
      delete: (clientId, expectedTokenHash) =>
        changed("delete", { ...statements.delete, values: [clientId, expectedTokenHash] }),
      revokeRegistrationAccessToken: (clientId, tokenHash) =>
        changed("revokeRegistrationAccessToken", {
          ...statements.revokeRegistrationAccessToken,
          values: [clientId, tokenHash, revokedTokenHash]
        }),
      list: ({ after, limit }) =>
        Effect.map(
          query<Row>("listClients", { ...statements.listClients, values: [after ?? "", listLimit(limit)] }),
          ({ rows }) => rows.map(toRecord)
        ),
      recordUse: (clientId, usedAt, staleBefore) =>
        changed("recordUse", { ...statements.recordUse, values: [clientId, usedAt, staleBefore] }),
      listUnused: ({ after, createdBefore, lastUsedBefore, limit }) =>
        Effect.gen(function*() {
          const from = after ?? ""
          const end = yield* query<{ readonly client_id: string }>("listUnused", {
            ...statements.unusedWindowEnd,
            values: [from, listLimit(limit) - 1]
          })
          const last = end.rows[0]?.client_id
          const { rows } = yield* query<Row>(
            "listUnused",
            last === undefined
              ? { ...statements.listUnusedToEnd, values: [from, createdBefore, lastUsedBefore ?? null] }
              : { ...statements.listUnused, values: [from, last, createdBefore, lastUsedBefore ?? null] }
          )
          return { clients: rows.map(toRecord), next: last }
        }),
      deleteUnused: (clientIds, { createdBefore, lastUsedBefore }) =>
        clientIds.length === 0
          ? Effect.succeed([])
          : Effect.map(
            query<{ readonly client_id: string }>("deleteUnused", {
              ...statements.deleteUnused,
              values: [clientIds, createdBefore, lastUsedBefore ?? null]
            }),
            ({ rows }) => rows.map((row) => row.client_id)
          )
    })

    const tokens = InitialAccessTokenStore.of({
      create: (token) =>
        Effect.asVoid(query("createInitialAccessToken", {
          ...statements.createInitialAccessToken,
          values: [token.id, token.tokenHash, token.policy ?? null, token.createdAt, token.expiresAt, token.maxUses]
        })),
      consume: (tokenHash, now) =>
        Effect.map(
          query<{ readonly id: string; readonly policy: string | null }>("consumeInitialAccessToken", {
            ...statements.consumeInitialAccessToken,
            values: [tokenHash, now]
          }),
          ({ rows }) =>
            rows.length === 0 ? Option.none() : Option.some({ id: rows[0]!.id, policy: rows[0]!.policy ?? undefined })
        ),
      release: (id) =>
        Effect.asVoid(query("releaseInitialAccessToken", { ...statements.releaseInitialAccessToken, values: [id] })),
      list: Effect.map(
        query<TokenRow>("listInitialAccessTokens", statements.listInitialAccessTokens),
        ({ rows }) =>
          rows.map((row) => ({
            id: row.id,
            policy: row.policy ?? undefined,
            createdAt: Number(row.created_at),
            expiresAt: Number(row.expires_at),
            maxUses: row.max_uses,
            uses: row.uses,
            revokedAt: row.revoked_at === null ? undefined : Number(row.revoked_at)
          }))
      ),
      revoke: (id, now) =>
        changed("revokeInitialAccessToken", { ...statements.revokeInitialAccessToken, values: [id, now] })
    })

    // ready when a pooled connection answers a one-row query on the clients table
    const readiness = Readiness.make("postgresql", query("find", { text: "SELECT 1 FROM dcr_clients LIMIT 1" }))

    return Context.make(ClientStore, clients).pipe(
      Context.add(InitialAccessTokenStore, tokens),
      Context.add(Readiness.Readiness, readiness)
    )
  })

/**
 * The `ClientStore` alone (see `makeContext`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<ClientStore["Type"], ClientStoreError, Scope.Scope> =>
  Effect.map(makeContext(options), Context.get(ClientStore))

/**
 * The store on a PostgreSQL database: the `ClientStore` and, in the same database, the
 * `InitialAccessTokenStore`.
 *
 * @example
 * ```ts
 * import * as PgClientStore from "@effect-dcr/engine/PgClientStore"
 * import { Redacted } from "effect"
 *
 * const StoreLive = PgClientStore.layer({ url: Redacted.make("postgres://dcr@db.internal/dcr"), maxConnections: 20 })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options
): Layer.Layer<ClientStore | InitialAccessTokenStore | Readiness.Readiness, ClientStoreError> =>
  Layer.scopedContext(makeContext(options))

/**
 * The store configured from `Config`, e.g.
 * `PgClientStore.layerConfig({ url: Config.redacted("DATABASE_URL") })`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config.Wrap<Options>
): Layer.Layer<
  ClientStore | InitialAccessTokenStore | Readiness.Readiness,
  ClientStoreError | ConfigError.ConfigError
> => Layer.scopedContext(Effect.flatMap(Config.unwrap(config), makeContext))

/**
 * The store on the PostgreSQL database named by `DCR_DATABASE_URL` (or another `DatabaseUrl`
 * config), with the other options given here. A SQLite URL is a `ConfigError`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerUrlConfig = (
  url: Config.Config<DatabaseUrl.DatabaseUrl> = DatabaseUrl.config(),
  options: Omit<Options, "url"> = {}
): Layer.Layer<
  ClientStore | InitialAccessTokenStore | Readiness.Readiness,
  ClientStoreError | ConfigError.ConfigError
> =>
  Layer.scopedContext(
    Effect.flatMap(
      Config.mapOrFail(url, (database) =>
        database._tag === "Postgres"
          ? Either.right(database.url)
          : Either.left(ConfigError.InvalidData([], "PgClientStore needs a postgres:// or postgresql:// URL"))),
      (url) => makeContext({ ...options, url })
    )
  )
