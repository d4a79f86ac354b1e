/**
 * The PostgreSQL server the `serve` tests use (as the engine's tests do): `DCR_TEST_POSTGRES_URL`,
 * else `postgres://postgres@127.0.0.1:5432/test`. `databaseUrl()` makes a new schema and answers a
 * `DCR_DATABASE_URL` whose connections use it; `dropSchemas()` drops them all. When no server
 * answers, `skipReason` says why (the tests are skipped), except in CI (`CI=true`), where they run
 * and fail.
 */
import * as crypto from "node:crypto"
import * as Pg from "pg"

const serverUrl = process.env.DCR_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test"

const admin = async <A>(f: (client: Pg.Client) => Promise<A>): Promise<A> => {
  const client = new Pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 3_000 })
  try {
    await client.connect()
    return await f(client)
  } finally {
    await client.end().catch(() => undefined)
  }
}

const unreachable = await admin((client) => client.query("SELECT 1")).then(
  () => undefined,
  (error: unknown) =>
    `no PostgreSQL server at ${new URL(serverUrl).host} (${
      error instanceof Error ? error.message : String(error)
    }); set DCR_TEST_POSTGRES_URL`
)

/** Why the PostgreSQL tests are skipped; `undefined` when they run (always in CI). */
export const skipReason: string | undefined = process.env.CI === "true" ? undefined : unreachable

const schemas: Array<string> = []

/** A new schema; the `DCR_DATABASE_URL` whose connections use it. */
export const databaseUrl = async (): Promise<string> => {
  const schema = `effect_dcr_e2e_${crypto.randomBytes(6).toString("hex")}`
  await admin((client) => client.query(`CREATE SCHEMA ${schema}`))
  schemas.push(schema)
  return `${serverUrl}${serverUrl.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema}`)}`
}

/** Drops every schema `databaseUrl` made (call it once the servers using them are stopped). */
export const dropSchemas = async (): Promise<void> => {
  for (const schema of schemas.splice(0)) await admin((client) => client.query(`DROP SCHEMA ${schema} CASCADE`))
}
