// effect-dcr on the stock platform server: the standalone server's app (`Server.app` of the CLI) and
// the engine on a SQLite file, served by `NodeHttpServer.layer` instead of the fast-path server, so
// the benchmark can tell what the fast path gains. It loads the built packages of BENCH_ROOT.
// Env: PORT, DCR_DATABASE_URL (sqlite:...), BENCH_ROOT.
import { createServer } from "node:http"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { importFrom } from "../lib/resolve.mjs"

const root = process.env.BENCH_ROOT
const cli = join(root, "packages/cli")
const dist = (pkg) => import(pathToFileURL(join(root, "packages", pkg, "dist/index.js")).href)
const [{ Server }, { Engine }, { Layer }, { HttpApiBuilder }, { NodeHttpServer, NodeRuntime }] = await Promise.all([
  dist("cli"),
  dist("engine"),
  importFrom(cli, "effect"),
  importFrom(cli, "@effect/platform"),
  importFrom(cli, "@effect/platform-node")
])

const port = Number(process.env.PORT)
const issuer = `http://127.0.0.1:${port}`
const filename = process.env.DCR_DATABASE_URL.replace(/^sqlite:/, "")

const main = HttpApiBuilder.serve().pipe(
  Layer.provide(Server.app({ issuer })),
  Layer.provide(Engine.layerSqlite({ filename, registrationEndpoint: `${issuer}/register` })),
  Layer.provide(Layer.setTracerEnabled(false)),
  Layer.provide(NodeHttpServer.layer(createServer, { port, host: "127.0.0.1" }))
)

NodeRuntime.runMain(Layer.launch(main))
