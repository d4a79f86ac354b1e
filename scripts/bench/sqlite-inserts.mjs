// SQLite insert cost behind group commit, without Effect: better-sqlite3 (the driver under
// @effect/sql-sqlite-node) inserting rows shaped like the engine's, 30 per transaction (about the
// batch size group commit reaches over HTTP), with random 15-digit client ids, in WAL mode with
// synchronous=NORMAL — under SQLite's default checkpoint interval and under the engine's.
// Usage: node scripts/bench/sqlite-inserts.mjs [rows=100000]
import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"

// better-sqlite3 is a dependency of @effect/sql-sqlite-node, which the engine depends on.
const fromEngine = createRequire(new URL("../../packages/engine/package.json", import.meta.url))
const Database = createRequire(fromEngine.resolve("@effect/sql-sqlite-node/package.json"))("better-sqlite3")

const rows = Number(process.argv[2] ?? 100_000)
const batch = 30
const client = JSON.stringify({
  redirectUris: ["http://127.0.0.1:33418/callback"],
  tokenAuthMethod: "NONE",
  grantTypes: ["AUTHORIZATION_CODE", "REFRESH_TOKEN"],
  responseTypes: ["CODE"],
  clientName: "bench client",
  subjectType: "PUBLIC",
  idTokenSignAlg: "RS256",
  clientType: "PUBLIC",
  dynamicallyRegistered: true
})

const run = (label, pragmas) => {
  const dir = mkdtempSync(join(tmpdir(), "sqlite-inserts-"))
  const db = new Database(join(dir, "bench.sqlite"))
  db.pragma("journal_mode = WAL")
  db.pragma("synchronous = NORMAL")
  for (const pragma of pragmas) db.pragma(pragma)
  db.exec(`CREATE TABLE dcr_clients (client_id TEXT PRIMARY KEY NOT NULL, client TEXT NOT NULL,
    registration_access_token_hash TEXT NOT NULL, client_secret_hash TEXT, software_id TEXT,
    created_at INTEGER NOT NULL, modified_at INTEGER NOT NULL)`)
  db.exec("CREATE INDEX dcr_clients_software_id ON dcr_clients (software_id) WHERE software_id IS NOT NULL")
  const insert = db.prepare("INSERT INTO dcr_clients VALUES (?, ?, ?, ?, ?, ?, ?)")
  const begin = db.prepare("BEGIN IMMEDIATE")
  const commit = db.prepare("COMMIT")
  const ids = Array.from({ length: rows }, () => String(1e14 + Math.floor(Math.random() * 9e14)))
  const hash = randomBytes(32).toString("base64url")
  const started = process.hrtime.bigint()
  for (let i = 0; i < rows; i += batch) {
    begin.run()
    for (let j = i; j < i + batch && j < rows; j++) insert.run(ids[j], client, hash, null, null, Date.now(), Date.now())
    commit.run()
  }
  const micros = Number(process.hrtime.bigint() - started) / 1000 / rows
  db.close()
  rmSync(dir, { recursive: true, force: true })
  console.log(`| ${label} | ${micros.toFixed(2)} |`)
}

console.log(`${rows} rows, ${batch} per transaction, SQLite file in ${tmpdir()}\n`)
console.log("| checkpoint interval | µs per row |")
console.log("|---|---:|")
for (let rep = 0; rep < 2; rep++) {
  run("SQLite default (1 000 pages)", [])
  run("engine default (10 000 pages)", ["wal_autocheckpoint = 10000"])
}
