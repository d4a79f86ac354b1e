/**
 * The BUILT `effect-dcr serve` on PostgreSQL: two instances on different ports sharing one database
 * (a schema of its own on the server the engine tests use, dropped afterwards). The `kill -9` under
 * load is the reliability suite's crash test, which runs on SQLite and on PostgreSQL. Skipped with
 * the reason when no PostgreSQL answers, except in CI.
 */
import { databaseUrl, dropSchemas, skipReason } from "@effect-dcr/testing/Postgres"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { build, Hygiene, json, kill, must, type Serve, serve } from "./reliability/support.js"

const servers: Array<Serve> = []
const start = async (env: Record<string, string>, hygiene: Hygiene, name: string) => {
  const server = await serve(env, hygiene, name)
  servers.push(server)
  return server
}

const metadata = (name: string) => ({
  client_name: name,
  redirect_uris: ["http://127.0.0.1:7777/callback"],
  token_endpoint_auth_method: "none"
})

/** Each instance may take every registration (the per-instance rate limits are not what is tested). */
const unlimited = { DCR_RATE_LIMIT_REGISTRATIONS: "off", DCR_RATE_LIMIT_TOTAL_REGISTRATIONS: "off" }

const register = async (server: Serve, name: string) => {
  const answer = await must(`${server.base}/register`, json("POST", metadata(name)))
  assert.strictEqual(answer.status, 201, answer.body)
  const info = JSON.parse(answer.body) as Record<string, string>
  return { clientId: info.client_id!, token: info.registration_access_token!, name }
}

const read = (server: Serve, clientId: string, token: string) =>
  must(`${server.base}/register/${clientId}`, { headers: { authorization: `Bearer ${token}` } })

/** Runs `task(i)` for i < count with at most `concurrency` at once; the results in order. */
const pooled = async <A>(count: number, concurrency: number, task: (i: number) => Promise<A>) => {
  const results: Array<A> = new Array(count)
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) {
      const i = next++
      results[i] = await task(i)
    }
  }))
  return results
}

beforeAll(() => {
  if (skipReason === undefined) build()
}, 180_000)

afterAll(async () => {
  for (const server of servers) await kill(server)
  await dropSchemas()
})

const describePg = skipReason === undefined ? describe : describe.skip

describePg(`serve on PostgreSQL${skipReason === undefined ? "" : ` (skipped: ${skipReason})`}`, () => {
  it("two instances share one database: register on one, read, update and delete on the other", async () => {
    const hygiene = new Hygiene()
    const env = { DCR_DATABASE_URL: await databaseUrl(), DCR_ROTATE_REGISTRATION_ACCESS_TOKEN: "true", ...unlimited }
    // both start at once: their migrations race on the empty schema
    const [a, b] = await Promise.all([start(env, hygiene, "a"), start(env, hygiene, "b")])
    assert.notStrictEqual(a.base, b.base)
    assert.include(a.output.stdout, "embedded engine (PostgreSQL 127.0.0.1:5432/test)")

    const client = await register(a, "shared")
    hygiene.add(client.token)
    const fromB = await read(b, client.clientId, client.token)
    assert.strictEqual(fromB.status, 200, fromB.body)
    assert.strictEqual(JSON.parse(fromB.body).client_name, "shared")

    // an update on B rotates the token: A refuses the old one at once and takes the new one
    const updated = await must(
      `${b.base}/register/${client.clientId}`,
      json("PUT", { ...metadata("renamed"), client_id: client.clientId }, client.token)
    )
    assert.strictEqual(updated.status, 200, updated.body)
    const rotated = JSON.parse(updated.body).registration_access_token as string
    hygiene.add(rotated)
    assert.notStrictEqual(rotated, client.token)
    assert.strictEqual((await read(a, client.clientId, client.token)).status, 401)
    const fromA = await read(a, client.clientId, rotated)
    assert.strictEqual(fromA.status, 200, fromA.body)
    assert.strictEqual(JSON.parse(fromA.body).client_name, "renamed")

    const deleted = await must(`${b.base}/register/${client.clientId}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${rotated}` }
    })
    assert.strictEqual(deleted.status, 204, deleted.body)
    assert.strictEqual((await read(a, client.clientId, rotated)).status, 401)

    // concurrent registrations split across both: unique ids, each readable from the other instance
    const clients = await pooled(200, 24, (i) => register(i % 2 === 0 ? a : b, `client ${i}`))
    for (const c of clients) hygiene.add(c.token)
    assert.strictEqual(new Set(clients.map((c) => c.clientId)).size, 200)
    const reads = await pooled(200, 24, (i) => read(i % 2 === 0 ? b : a, clients[i]!.clientId, clients[i]!.token))
    reads.forEach((answer, i) => {
      assert.strictEqual(answer.status, 200, answer.body)
      assert.strictEqual(JSON.parse(answer.body).client_name, `client ${i}`)
    })
    assert.deepStrictEqual(hygiene.scan().found, [], "a token reached the logs")
  }, 60_000)
})
