/**
 * The stores every store and engine test runs against: SQLite and PostgreSQL, from the same test
 * code. `forEachStore` declares a suite once per store; a store that cannot run here (no PostgreSQL
 * server outside CI) has its suite skipped with the reason in its name.
 */
import type { DynamicClientRegistration } from "@effect-dcr/client"
import type { ClientStore, InitialAccessTokenStore } from "@effect-dcr/engine"
import { Engine } from "@effect-dcr/engine"
import * as PgClientStore from "@effect-dcr/engine/PgClientStore"
import * as SqliteClientStore from "@effect-dcr/engine/SqliteClientStore"
import { freshSchema, skipReason } from "@effect-dcr/testing/Postgres"
import * as TempDirectory from "@effect-dcr/testing/TempDirectory"
import * as Reactivity from "@effect/experimental/Reactivity"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { describe } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import type { Scope } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import * as Pg from "pg"
import { registrationEndpoint } from "./_helpers.js"

/** The layers a store module provides. */
export type StoreLayer = Layer.Layer<
  ClientStore.ClientStore | InitialAccessTokenStore.InitialAccessTokenStore,
  ClientStore.ClientStoreError
>

/** A client row for store tests; the id decides the rest unless overridden. */
export const record = (
  clientId: string,
  overrides: Partial<ClientStore.ClientRecord> = {}
): ClientStore.ClientRecord => ({
  clientId,
  client: JSON.stringify({ clientId: Number(clientId), clientName: "c" + clientId }),
  registrationAccessTokenHash: "hash-" + clientId,
  clientSecretHash: undefined,
  clientSecretExpiresAt: undefined,
  softwareId: undefined,
  createdAt: 1_700_000_000_000,
  modifiedAt: 1_700_000_000_000,
  ...overrides
})

/** Options every store takes. */
export interface StoreOptions {
  readonly maxBatchSize?: number | undefined
}

/** One empty database for a test: open it as many times as needed (a restart, a second instance). */
export interface StoreDatabase {
  readonly open: (options?: StoreOptions) => StoreLayer
  /** Everything stored, as text (to look for secrets that must never be stored). */
  readonly dump: Effect.Effect<string>
  /** Runs SQL statements on the database directly, outside any store (e.g. to rebuild an older schema). */
  readonly exec: (statements: ReadonlyArray<string>) => Effect.Effect<void>
}

export interface StoreTarget {
  readonly name: "SQLite" | "PostgreSQL"
  /** Why this store's suites are skipped here, if they are. */
  readonly skip: string | undefined
  /** A new empty database, removed when the scope closes. */
  readonly database: Effect.Effect<StoreDatabase, never, Scope.Scope>
  /** The store on a new empty database, removed when the layer is released. */
  readonly fresh: (options?: StoreOptions) => StoreLayer
}

const fresh = (database: Effect.Effect<StoreDatabase, never, Scope.Scope>) => (options?: StoreOptions) =>
  Layer.unwrapScoped(Effect.map(database, (db) => db.open(options)))

const sqliteDatabase: Effect.Effect<StoreDatabase, never, Scope.Scope> = Effect.map(
  TempDirectory.make("effect-dcr-store-"),
  (dir) => ({
    open: (options) => SqliteClientStore.layer({ filename: path.join(dir, "dcr.sqlite"), ...options }),
    dump: Effect.sync(() =>
      fs.readdirSync(dir).map((file) => fs.readFileSync(path.join(dir, file)).toString("latin1")).join("\n")
    ),
    exec: (statements) =>
      Effect.scoped(
        Effect.flatMap(
          SqliteClient.make({ filename: path.join(dir, "dcr.sqlite") }),
          (sql) => Effect.forEach(statements, (text) => sql.unsafe(text), { discard: true })
        )
      ).pipe(Effect.provide(Reactivity.layer), Effect.orDie)
  })
)

const postgresDatabase: Effect.Effect<StoreDatabase, never, Scope.Scope> = Effect.map(
  freshSchema,
  ({ schema, url }) => ({
    open: (options) => PgClientStore.layer({ url, maxConnections: 4, ...options }),
    dump: Effect.promise(async () => {
      const client = new Pg.Client({ connectionString: Redacted.value(url) })
      await client.connect()
      try {
        const tables = await client.query<{ readonly table_name: string }>(
          "SELECT table_name FROM information_schema.tables WHERE table_schema = $1",
          [schema]
        )
        const dumps: Array<string> = []
        for (const { table_name } of tables.rows) {
          const rows = await client.query(`SELECT * FROM ${schema}.${table_name}`)
          dumps.push(JSON.stringify(rows.rows))
        }
        return dumps.join("\n")
      } finally {
        await client.end()
      }
    }),
    exec: (statements) =>
      Effect.promise(async () => {
        const client = new Pg.Client({ connectionString: Redacted.value(url) })
        await client.connect()
        try {
          for (const text of statements) await client.query(text)
        } finally {
          await client.end()
        }
      })
  })
)

export const stores: ReadonlyArray<StoreTarget> = [
  {
    name: "SQLite",
    skip: undefined,
    database: sqliteDatabase,
    fresh: (options) => SqliteClientStore.layer({ filename: ":memory:", ...options })
  },
  { name: "PostgreSQL", skip: skipReason, database: postgresDatabase, fresh: fresh(postgresDatabase) }
]

/** `describe(title, suite)`, or `describe.skip` with the reason in the title when `store` cannot run here. */
export const describeStore = (store: StoreTarget, title: string, suite: () => void): void => {
  if (store.skip === undefined) describe(title, suite)
  else describe.skip(`${title} (skipped: ${store.skip})`, suite)
}

/** Declares `suite` once per store, inside `describe("<name> on <store>")`. */
export const forEachStore = (name: string, suite: (store: StoreTarget) => void): void => {
  for (const store of stores) describeStore(store, `${name} on ${store.name}`, () => suite(store))
}

/** The engine on a new empty database of `store`. */
export const engineOn = (store: StoreTarget) =>
(
  options: Partial<Engine.Options> = {}
): Layer.Layer<DynamicClientRegistration.DynamicClientRegistration, ClientStore.ClientStoreError> =>
  Engine.layer({ registrationEndpoint, ...options }).pipe(
    Layer.provide(store.fresh())
  )
