/**
 * Runs the example: `PORT` (default 3000) on `HOST` (default 127.0.0.1), the issuer
 * `http://HOST:PORT` (or `ISSUER`), the client database in `DATA_DIRECTORY` (default `./data`);
 * `CLIENT_ID_METADATA_DOCUMENTS=true` also resolves `https` client ids from their metadata documents.
 *
 * @since 0.1.0
 */
import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { mkdirSync } from "node:fs"
import { createServer } from "node:http"
import * as Server from "./Server.js"

const main = Effect.gen(function*() {
  const host = yield* Config.string("HOST").pipe(Config.withDefault("127.0.0.1"))
  const port = yield* Config.port("PORT").pipe(Config.withDefault(3000))
  const issuer = yield* Config.string("ISSUER").pipe(Config.withDefault(`http://${host}:${port}`))
  const dataDirectory = yield* Config.string("DATA_DIRECTORY").pipe(Config.withDefault("./data"))
  const documents = yield* Config.boolean("CLIENT_ID_METADATA_DOCUMENTS").pipe(Config.withDefault(false))
  mkdirSync(dataDirectory, { recursive: true })
  yield* Effect.log(`authorization server at ${issuer} (metadata: ${issuer}/.well-known/oauth-authorization-server)`)
  return yield* Layer.launch(
    Server.layer({ issuer, dataDirectory, clientIdMetadataDocuments: { enabled: documents } }).pipe(
      Layer.provide(NodeHttpServer.layer(createServer, { port, host }))
    )
  )
})

NodeRuntime.runMain(main)
