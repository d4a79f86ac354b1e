/**
 * The PostgreSQL server the tests use: `DCR_TEST_POSTGRES_URL`, else the one these machines run
 * (`postgres://postgres@127.0.0.1:5432/test`). Every test gets a schema of its own in it, dropped
 * afterwards: `freshSchema` with the test's scope, or `databaseUrl` for a whole file (drop them
 * with `dropSchemas` once the servers using them have stopped). When no server answers, the
 * PostgreSQL tests are skipped with `skipReason` — except in CI (`CI=true`), where they run and fail.
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as crypto from "node:crypto"
import * as Pg from "pg"

/** The server's URL (the `test` database); each test works in a schema of its own in it. */
export const serverUrl = process.env.DCR_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test"

const admin = async <A>(f: (client: Pg.Client) => Promise<A>, connectionTimeoutMillis = 5_000): Promise<A> => {
  const client = new Pg.Client({ connectionString: serverUrl, connectionTimeoutMillis })
  try {
    await client.connect()
    return await f(client)
  } finally {
    await client.end().catch(() => undefined)
  }
}

const unreachable = await admin((client) => client.query("SELECT 1"), 3_000).then(
  () => undefined,
  (error: unknown) => {
    const where = new URL(serverUrl)
    return `no PostgreSQL server at ${where.host}${where.pathname} (${
      error instanceof Error ? error.message : String(error)
    }); set DCR_TEST_POSTGRES_URL`
  }
)

/** Why the PostgreSQL tests are skipped; `undefined` when they run (always in CI). */
export const skipReason: string | undefined = process.env.CI === "true" ? undefined : unreachable

/** `url` with its connections' `search_path` set to `schema`. */
export const withSearchPath = (url: string, schema: string): string =>
  `${url}${url.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema}`)}`

/** Runs one statement on the server, outside any test schema. */
export const adminQuery = (text: string, values: ReadonlyArray<unknown> = []) =>
  Effect.promise(() => admin((client) => client.query(text, [...values])))

/** A new, empty schema: its name and the URL whose connections use it. */
const createSchema = async (): Promise<{ readonly schema: string; readonly url: string }> => {
  const schema = `effect_dcr_test_${crypto.randomBytes(6).toString("hex")}`
  await admin((client) => client.query(`CREATE SCHEMA ${schema}`))
  return { schema, url: withSearchPath(serverUrl, schema) }
}

/** Drops a schema and everything in it. */
const dropSchema = (schema: string): Promise<void> =>
  admin((client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)).then(() => undefined)

/**
 * A new, empty schema for one test; its name and the URL whose connections use it. Dropped (with
 * everything in it) when the scope closes, so close first whatever connects to it.
 */
export const freshSchema: Effect.Effect<
  { readonly schema: string; readonly url: Redacted.Redacted<string> },
  never,
  Scope.Scope
> = Effect.acquireRelease(
  Effect.promise(createSchema),
  ({ schema }) => Effect.promise(() => dropSchema(schema))
).pipe(Effect.map(({ schema, url }) => ({ schema, url: Redacted.make(url) })))

const schemas: Array<string> = []

/**
 * A new schema that lives until `dropSchemas` (for servers a whole test file shares); the
 * `DCR_DATABASE_URL` whose connections use it.
 */
export const databaseUrl = async (): Promise<string> => {
  const { schema, url } = await createSchema()
  schemas.push(schema)
  return url
}

/** Drops every schema `databaseUrl` made (call it once the servers using them are stopped). */
export const dropSchemas = async (): Promise<void> => {
  for (const schema of schemas.splice(0)) await dropSchema(schema)
}
