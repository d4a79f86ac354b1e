/**
 * Crash safety: `kill -9` of a real `serve` under concurrent registration and update load, then a
 * restart on the same database: every acknowledged registration is readable with its registration
 * access token, and shows its last acknowledged update (or an update that was in flight at the
 * kill, never an older value). Several rounds on the same database; on a SQLite file and on
 * PostgreSQL (skipped with the reason when no PostgreSQL answers, except in CI).
 */
import { databaseUrl, dropSchemas, skipReason } from "@effect-dcr/testing/Postgres"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { join } from "node:path"
import { build, exited, figure, Hygiene, json, kill, must, send, type Serve, serve, tempDirectory } from "./support.js"

const rounds = 3
const workers = 8
/** Acknowledged operations in a round before the kill. */
const killAfter = 240

const hygiene = new Hygiene()
const serviceToken = "crash-service-access-token-0123456789"
hygiene.add(serviceToken)
const dir = tempDirectory()
const servers: Array<Serve> = []

beforeAll(() => {
  build()
}, 180_000)

afterAll(async () => {
  for (const server of servers) await kill(server)
  dir.remove()
  await dropSchemas()
})

/** The databases the test runs on: `url` makes a new, empty one. */
const databases = [
  { name: "SQLite", where: "file", skip: undefined, url: async () => `sqlite:${join(dir.path, "crash.sqlite")}` },
  { name: "PostgreSQL", where: "database", skip: skipReason, url: databaseUrl }
]

interface Client {
  readonly id: string
  readonly token: string
  /** The last acknowledged client_name. */
  acked: string
  /** Names sent after it whose answer never came (in flight at the kill). */
  readonly pending: Set<string>
  /** An update is in flight: one at a time per client, so acknowledgements come in order. */
  busy: boolean
}

const metadata = (name: string) => ({
  client_name: name,
  redirect_uris: ["https://rp.example/cb"],
  token_endpoint_auth_method: "none"
})

const start = async (url: string) => {
  const server = await serve(
    {
      DCR_DATABASE_URL: url,
      DCR_SERVICE_ACCESS_TOKEN: serviceToken,
      DCR_RATE_LIMIT_REGISTRATIONS: "off",
      DCR_RATE_LIMIT_TOTAL_REGISTRATIONS: "off",
      DCR_RATE_LIMIT_FAILED_AUTH: "off"
    },
    hygiene,
    `crash serve ${servers.length + 1}`
  )
  servers.push(server)
  return server
}

/** Every acknowledged client, read back: the failures. */
const verify = async (base: string, clients: ReadonlyArray<Client>) => {
  const failures: Array<string> = []
  let next = 0
  const worker = async () => {
    while (next < clients.length) {
      const client = clients[next++]!
      const answer = await must(`${base}/register/${client.id}`, {
        headers: { authorization: `Bearer ${client.token}` }
      })
      if (answer.status !== 200) {
        failures.push(`${client.id}: ${answer.status} ${answer.body.slice(0, 120)}`)
        continue
      }
      const name = (JSON.parse(answer.body) as { client_name?: string }).client_name ?? ""
      if (name !== client.acked && !client.pending.has(name)) {
        failures.push(`${client.id}: client_name ${name}, acknowledged ${client.acked}`)
      } else {
        client.acked = name
        client.pending.clear()
        client.busy = false
      }
    }
  }
  await Promise.all(Array.from({ length: workers }, worker))
  return failures
}

for (const database of databases) {
  const title = `reliability: crash safety on ${database.name}`
  ;(database.skip === undefined ? describe : describe.skip)(
    database.skip === undefined ? title : `${title} (skipped: ${database.skip})`,
    () => {
      it(
        `kill -9 under load, restart on the same ${database.where}: every acknowledged registration and update is there`,
        async () => {
          const url = await database.url()
          const clients: Array<Client> = []
          let server = await start(url)
          for (let round = 1; round <= rounds; round++) {
            let acknowledged = 0
            let registered = 0
            let updated = 0
            let stop = false
            let sequence = 0
            const errors: Array<string> = []
            const base = server.base
            const killed = new Promise<void>((resolve) => {
              const worker = async () => {
                while (!stop) {
                  const candidate = clients.length > 0 && sequence % 2 === 1
                    ? clients[sequence % clients.length]
                    : undefined
                  const mine = candidate?.busy === false ? candidate : undefined
                  sequence++
                  if (mine === undefined) {
                    const name = `r${round}-${sequence}`
                    const answer = await send(`${base}/register`, json("POST", metadata(name)))
                    if (answer._tag !== "Response") continue
                    if (answer.status !== 201) throw new Error(`register: ${answer.status} ${answer.body}`)
                    hygiene.addFromBody(answer.body)
                    const body = JSON.parse(answer.body) as { client_id: string; registration_access_token: string }
                    clients.push({
                      id: body.client_id,
                      token: body.registration_access_token,
                      acked: name,
                      pending: new Set(),
                      busy: false
                    })
                    registered++
                  } else {
                    const name = `u${round}-${sequence}`
                    mine.pending.add(name)
                    mine.busy = true
                    const answer = await send(
                      `${base}/register/${mine.id}`,
                      json("PUT", { ...metadata(name), client_id: mine.id }, mine.token)
                    )
                    if (answer._tag !== "Response") continue // in flight at the kill: stays busy and pending
                    if (answer.status !== 200) throw new Error(`update: ${answer.status} ${answer.body}`)
                    mine.acked = name
                    mine.pending.clear()
                    mine.busy = false
                    updated++
                  }
                  if (++acknowledged === killAfter) {
                    server.child.kill("SIGKILL")
                    resolve()
                  }
                }
              }
              for (let i = 0; i < workers; i++) {
                worker().catch((error: unknown) => {
                  stop = true
                  errors.push(String(error))
                  server.child.kill("SIGKILL")
                  resolve()
                })
              }
            })
            await killed
            const exit = await exited(server)
            stop = true
            assert.deepStrictEqual(errors, [], "every operation before the kill succeeded")
            assert.strictEqual(exit.signal, "SIGKILL")
            server = await start(url)
            const failures = await verify(server.base, clients)
            figure(
              "crash",
              `${database.name} round ${round}: kill -9 after ${registered} registrations and ${updated} updates acknowledged under ${workers} ` +
                `concurrent clients; restart on the same ${database.where}: ${
                  clients.length - failures.length
                }/${clients.length} ` +
                `acknowledged clients read back with their last acknowledged (or in-flight) update`
            )
            assert.deepStrictEqual(failures.slice(0, 10), [], `${failures.length} lost`)
          }
          const scan = hygiene.scan()
          figure(
            `crash secret hygiene (${database.name})`,
            `${scan.lines} log lines at debug level, ${hygiene.secrets.size} secrets, ${scan.found.length} found`
          )
          assert.deepStrictEqual(scan.found, [])
        },
        120_000
      )
    }
  )
}
