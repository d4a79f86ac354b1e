/**
 * The SQLite store's options, in a module of their own: `Engine.layerSqlite` takes them, and its
 * declarations must not reach `@effect/sql` (an optional peer) through `SqliteClientStore`'s.
 *
 * @internal
 */
import type * as Duration from "effect/Duration"

/** @internal */
export interface Options {
  /** Path of the database file (created if missing), or `":memory:"`. */
  readonly filename: string
  /** How long a statement waits for a lock held by another process (default 5 seconds). */
  readonly busyTimeout?: Duration.DurationInput | undefined
  /** Capacity of the prepared-statement cache (default 200). */
  readonly prepareCacheSize?: number | undefined
  /**
   * The largest number of concurrent inserts committed in one transaction (default
   * `defaultMaxBatchSize`; `1` turns group commit off: every insert is its own autocommit INSERT).
   */
  readonly maxBatchSize?: number | undefined
  /**
   * How many WAL pages accumulate before SQLite copies them back into the database file
   * (`PRAGMA wal_autocheckpoint`, default `defaultWalAutocheckpoint`). A larger value rewrites each
   * hot page less often (random client ids dirty pages all over the primary-key index) at the cost
   * of a larger `-wal` file between checkpoints; `0` turns automatic checkpoints off.
   */
  readonly walAutocheckpoint?: number | undefined
  /**
   * The page cache per connection, in KiB (`PRAGMA cache_size = -N`, default `defaultCacheSizeKib`).
   * better-sqlite3 is built with a 16 MiB default; the store's working set is the primary-key
   * index's hot pages, so a smaller cache costs nothing measurable (BENCHMARKS.md).
   */
  readonly cacheSizeKib?: number | undefined
}
