import * as SqliteClientStore from "@effect-dcr/engine/SqliteClientStore"
import * as TempDirectory from "@effect-dcr/testing/TempDirectory"
import { Effect, Layer } from "effect"
import * as path from "node:path"
import { describeStore, stores } from "./_stores.js"
import { storeContract } from "./storeContract.js"

storeContract("SqliteClientStore (:memory:)", () => SqliteClientStore.layer({ filename: ":memory:" }))

storeContract("SqliteClientStore (file)", () =>
  Layer.unwrapScoped(
    TempDirectory.make("effect-dcr-contract-").pipe(
      Effect.map((dir) => SqliteClientStore.layer({ filename: path.join(dir, "dcr.sqlite") }))
    )
  ))

// PostgreSQL: a new schema per test (skipped with the reason when no server answers, outside CI)
for (const store of stores.filter((store) => store.name === "PostgreSQL")) {
  describeStore(store, "PgClientStore", () => storeContract("PgClientStore", () => store.fresh()))
}
