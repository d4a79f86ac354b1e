/**
 * End to end: `effect-dcr resolve` (the BUILT command line) on a SQLite file, against a real
 * document server on 127.0.0.1 (node:http): a registered client id, a client metadata document URL
 * (with the development switch), and the refusals (http without the switch, https to a loopback
 * address, a document for another client id, documents off) with exit status 1; `serve`'s
 * discovery advertising `client_id_metadata_document_supported` only when the setting is on; and
 * with Authlete as the backend, `resolve` through Authlete's client API (a loopback Authlete
 * answering its own example client), client metadata documents refused at startup.
 */
import { build, cli, serve } from "@effect-dcr/testing/Cli"
import * as TempDirectory from "@effect-dcr/testing/TempDirectory"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { join } from "node:path"

beforeAll(build, 180_000)

const hits = new Map<string, number>()
const documents = new Map<string, (url: string) => unknown>()
const server = http.createServer((req, res) => {
  const path = req.url ?? "/"
  hits.set(path, (hits.get(path) ?? 0) + 1)
  const document = documents.get(path)
  if (document === undefined) {
    res.writeHead(404).end()
    return
  }
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(document(url)))
})
let base = ""

beforeAll(() =>
  new Promise<void>((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      resolve()
    })
  )
)
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const client = (url: string) => ({
  client_id: url,
  client_name: "Resolved App",
  redirect_uris: ["http://127.0.0.1:8080/callback"],
  token_endpoint_auth_method: "none"
})
documents.set("/client.json", client)
documents.set("/other.json", (url) => client(`${url}-other`))

// The tests are independent (the second does not use the document server): they run concurrently.
describe.concurrent("effect-dcr resolve", () => {
  it.scoped(
    "a registered client id, a metadata document URL, and each refusal with exit status 1",
    () =>
      Effect.gen(function*() {
        const dir = yield* TempDirectory.make("effect-dcr-resolve-")
        const env = { DCR_DATABASE_URL: `sqlite:${join(dir, "dcr.sqlite")}`, DCR_CLIENT_ID_METADATA_DOCUMENTS: "true" }
        const development = { ...env, DCR_CIMD_ALLOW_INSECURE_LOOPBACK: "true" }

        const registered = yield* cli(["register", JSON.stringify(client("unused"))], env)
        assert.strictEqual(registered.code, 0, registered.stderr)
        const clientId: string = JSON.parse(registered.stdout).client_id
        const byId = yield* cli(["resolve", clientId], env)
        assert.strictEqual(byId.code, 0, byId.stderr)
        const registeredJson = JSON.parse(byId.stdout)
        assert.deepStrictEqual([registeredJson.client_id, registeredJson.source], [clientId, "registration"])
        assert.strictEqual(registeredJson.metadata.client_name, "Resolved App")

        const url = `${base}/client.json`
        const byUrl = yield* cli(["resolve", url], development)
        assert.strictEqual(byUrl.code, 0, byUrl.stderr)
        const document = JSON.parse(byUrl.stdout)
        assert.deepStrictEqual([document.client_id, document.source], [url, "metadata_document"])
        assert.deepStrictEqual(document.metadata.redirect_uris, ["http://127.0.0.1:8080/callback"])
        assert.strictEqual(document.metadata.token_endpoint_auth_method, "none")
        assert.isString(document.cached_until)
        assert.strictEqual(hits.get("/client.json"), 1)

        const refusals: ReadonlyArray<readonly [string, Record<string, string>, string]> = [
          [url, env, "InvalidClientIdUrl"],
          // the development switch allows https on loopback too: fetched, and refused since this server speaks http
          [url.replace("http:", "https:"), development, "FetchFailed"],
          [`https://localhost:${new URL(base).port}/client.json`, env, "ForbiddenAddress"],
          [`${base}/other.json`, development, "ClientIdMismatch"]
        ]
        yield* Effect.forEach(refusals, ([id, environment, reason]) =>
          Effect.map(cli(["resolve", id], environment), (refused) => {
            assert.strictEqual(refused.code, 1, `${id}: ${refused.stdout}`)
            const error = JSON.parse(refused.stdout)
            assert.deepStrictEqual([error.client_id, error.error, error.reason], [id, "invalid_client", reason])
            assert.match(error.error_description, /^client metadata document refused: /)
            assert.include(refused.stderr, "client metadata document refused")
          }), { concurrency: 2, discard: true })
        assert.strictEqual(hits.get("/client.json"), 1, "no other resolve got the document: only the first fetched it")
        assert.strictEqual(hits.get("/other.json"), 1)

        const off = yield* cli(["resolve", url], { DCR_DATABASE_URL: env.DCR_DATABASE_URL })
        assert.strictEqual(off.code, 1)
        assert.include(off.stderr, "DCR_CLIENT_ID_METADATA_DOCUMENTS")
        const unknown = yield* cli(["resolve", "100000000000000"], env)
        assert.strictEqual(unknown.code, 1)
        assert.include(unknown.stderr, "no client 100000000000000")
      }),
    60_000
  )

  it.scoped(
    "discovery advertises client_id_metadata_document_supported when the setting is on",
    () =>
      Effect.gen(function*() {
        const dir = yield* TempDirectory.make("effect-dcr-resolve-")
        const discovery = (on: boolean, name: string) =>
          Effect.gen(function*() {
            const { registrationEndpoint: endpoint } = yield* serve({
              DCR_DATABASE_URL: `sqlite:${join(dir, `${name}.sqlite`)}`,
              DCR_SERVICE_ACCESS_TOKEN_FILE: join(dir, `${name}.token`),
              ...(on ? { DCR_CLIENT_ID_METADATA_DOCUMENTS: "true" } : {})
            })
            const response = yield* Effect.promise(() =>
              fetch(new URL("/.well-known/oauth-authorization-server", endpoint))
            )
            return (yield* Effect.promise(() => response.json())) as Record<string, unknown>
          }).pipe(Effect.scoped)
        const on = yield* discovery(true, "on")
        assert.strictEqual(on.client_id_metadata_document_supported, true)
        assert.isString(on.registration_endpoint)
        const off = yield* discovery(false, "off")
        assert.notProperty(off, "client_id_metadata_document_supported")
      }),
    60_000
  )

  it.scoped(
    "with Authlete: resolve reads the client through Authlete's client API; metadata documents are refused",
    () =>
      Effect.gen(function*() {
        // Authlete's example answer of GET /api/client/get/{clientId}, its secret included
        const example = JSON.parse(
          readFileSync(new URL("../../schema/test/fixtures/authlete/client-get.json", import.meta.url), "utf8")
        )
        const seen: Array<string> = []
        const authlete = http.createServer((req, res) => {
          seen.push(`${req.method} ${req.url} ${req.headers.authorization}`)
          const json = (status: number, body: unknown) =>
            res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body))
          if (req.headers.authorization !== "Bearer sat-e2e") return json(401, { resultCode: "A001202" })
          if (req.url === `/api/715948317/client/get/${example.clientId}`) return json(200, example)
          return json(404, { resultCode: "A031201", resultMessage: "[A031201] No such client." })
        })
        const url = yield* Effect.acquireRelease(
          Effect.async<string>((resume) => {
            authlete.listen(0, "127.0.0.1", () => {
              resume(Effect.succeed(`http://127.0.0.1:${(authlete.address() as AddressInfo).port}`))
            })
          }),
          () =>
            Effect.async<void>((resume) => {
              authlete.close(() => resume(Effect.void))
            })
        )
        const env = {
          AUTHLETE_BASE_URL: url,
          AUTHLETE_SERVICE_ID: "715948317",
          AUTHLETE_SERVICE_ACCESS_TOKEN: "sat-e2e"
        }
        const found = yield* cli(["resolve", String(example.clientId)], env)
        assert.strictEqual(found.code, 0, found.stderr)
        const json = JSON.parse(found.stdout)
        assert.deepStrictEqual([json.client_id, json.source], [String(example.clientId), "registration"])
        assert.strictEqual(json.metadata.client_name, "My client")
        assert.deepStrictEqual(json.metadata.redirect_uris, example.redirectUris)
        assert.notInclude(found.stdout + found.stderr, example.clientSecret, "the secret is never printed")
        assert.deepStrictEqual(seen, [`GET /api/715948317/client/get/${example.clientId} Bearer sat-e2e`])

        const unknown = yield* cli(["resolve", "100000000000000"], env)
        assert.strictEqual(unknown.code, 1)
        assert.include(unknown.stderr, "no client 100000000000000")
        assert.notInclude(unknown.stderr, "DCR_CLIENT_ID_METADATA_DOCUMENTS")

        const refused = yield* cli(["resolve", String(example.clientId)], {
          ...env,
          AUTHLETE_SERVICE_ACCESS_TOKEN: "x"
        })
        assert.strictEqual(refused.code, 1)
        assert.match(
          refused.stderr,
          /error: server_error: the client registry is unavailable: Authlete clientGet failed with HTTP 401/
        )

        // serve would advertise documents that nothing here resolves: it does not start
        const documents = yield* cli(["serve"], { ...env, DCR_CLIENT_ID_METADATA_DOCUMENTS: "true" })
        assert.notStrictEqual(documents.code, 0)
        assert.include(
          documents.stderr + documents.stdout,
          "DCR_CLIENT_ID_METADATA_DOCUMENTS applies to the embedded engine"
        )
        assert.strictEqual(seen.length, 3, "refused before any call to Authlete (the 401 was not retried)")
      }),
    60_000
  )
})
