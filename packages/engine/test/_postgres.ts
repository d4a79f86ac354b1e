/**
 * The PostgreSQL server the tests use: `DCR_TEST_POSTGRES_URL`, else the one these machines run
 * (`postgres://postgres@127.0.0.1:5432/test`). Every test gets its own schema in it, dropped when the
 * test's scope closes. When no server answers, the PostgreSQL tests are skipped with the reason —
 * except in CI (`CI=true`), where they run and fail.
 */
import { Effect, Redacted } from "effect"
import type { Scope } from "effect"
import * as crypto from "node:crypto"
import * as Pg from "pg"

export const serverUrl = process.env.DCR_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test"

const unreachable = await (async (): Promise<string | undefined> => {
  const client = new Pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 3_000 })
  try {
    await client.connect()
    await client.query("SELECT 1")
    return undefined
  } catch (error) {
    const where = new URL(serverUrl)
    return `no PostgreSQL server at ${where.host}${where.pathname} (${
      error instanceof Error ? error.message : String(error)
    }); set DCR_TEST_POSTGRES_URL`
  } finally {
    await client.end().catch(() => undefined)
  }
})()

/** Why the PostgreSQL tests are skipped; `undefined` when they run (always in CI). */
export const skipReason: string | undefined = process.env.CI === "true" ? undefined : unreachable

/** `url` with its connections' `search_path` set to `schema`. */
export const withSearchPath = (url: string, schema: string): string =>
  `${url}${url.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema}`)}`

const admin = <A>(f: (client: Pg.Client) => Promise<A>): Promise<A> => {
  const client = new Pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5_000 })
  return client.connect().then(() => f(client)).finally(() => client.end().catch(() => undefined))
}

/** Runs one statement on the server, outside any test schema. */
export const adminQuery = (text: string, values: ReadonlyArray<unknown> = []) =>
  Effect.promise(() => admin((client) => client.query(text, [...values])))

/**
 * A new, empty schema for one test; its name and the URL whose connections use it. Dropped (with
 * everything in it) when the scope closes.
 */
export const freshSchema: Effect.Effect<
  { readonly schema: string; readonly url: Redacted.Redacted<string> },
  never,
  Scope.Scope
> = Effect.acquireRelease(
  Effect.promise(async () => {
    const schema = `effect_dcr_test_${crypto.randomBytes(6).toString("hex")}`
    await admin((client) => client.query(`CREATE SCHEMA ${schema}`))
    return { schema, url: Redacted.make(withSearchPath(serverUrl, schema)) }
  }),
  ({ schema }) => Effect.promise(() => admin((client) => client.query(`DROP SCHEMA ${schema} CASCADE`)))
)
