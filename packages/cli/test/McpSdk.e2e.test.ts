/**
 * Interop with the MCP TypeScript SDK (`@modelcontextprotocol/sdk`, pinned), end to end on the BUILT
 * command line over loopback: the SDK's own RFC 8414 discovery accepts the document of a `serve`
 * started with `DCR_AUTHORIZATION_SERVER_METADATA`, and its `registerClient` registers at the
 * advertised endpoint; without the variable the SDK refuses the document (issuer and
 * registration_endpoint only). The suite builds first, like the other e2e files.
 */
import { build, serve } from "@effect-dcr/testing/Cli"
import * as TempDirectory from "@effect-dcr/testing/TempDirectory"
import { assert, beforeAll, describe, it } from "@effect/vitest"
import { discoverAuthorizationServerMetadata, registerClient } from "@modelcontextprotocol/sdk/client/auth.js"
import { Effect } from "effect"
import { writeFileSync } from "node:fs"
import { join } from "node:path"

beforeAll(build, 180_000)

const tempDirectory = TempDirectory.make("effect-dcr-mcp-sdk-")

/** The authorization server's metadata, as an operator would put it in a file. */
const asMetadata = {
  authorization_endpoint: "https://as.example.com/authorize",
  token_endpoint: "https://as.example.com/token",
  response_types_supported: ["code"],
  grant_types_supported: ["authorization_code", "refresh_token"],
  code_challenge_methods_supported: ["S256"],
  token_endpoint_auth_methods_supported: ["none"],
  scopes_supported: ["mcp"]
}

/** What an MCP client registers: a public client with a loopback redirect URI. */
const clientMetadata = {
  client_name: "MCP SDK interop",
  redirect_uris: ["http://127.0.0.1:6274/oauth/callback"],
  grant_types: ["authorization_code", "refresh_token"],
  response_types: ["code"],
  token_endpoint_auth_method: "none"
}

/** `fetch`, recording the method, URL and status of every exchange the SDK makes. */
const recordingFetch = (log: Array<string>): typeof fetch => async (input, init) => {
  const response = await fetch(input, init)
  log.push(`${init?.method ?? "GET"} ${String(input)} ${response.status}`)
  return response
}

// The tests are independent (each its own directory, database and processes): they run concurrently.
describe.concurrent("MCP TypeScript SDK against serve", () => {
  it.live(
    "with DCR_AUTHORIZATION_SERVER_METADATA: the SDK discovers the server and registers a client",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDirectory
        const file = join(dir, "as-metadata.json")
        writeFileSync(file, JSON.stringify(asMetadata))
        const { registrationEndpoint } = yield* serve({
          DCR_DATABASE_URL: `sqlite:${join(dir, "dcr.sqlite")}`,
          DCR_AUTHORIZATION_SERVER_METADATA: `@${file}`
        })
        const issuer = new URL(registrationEndpoint).origin
        const log: Array<string> = []
        const fetchFn = recordingFetch(log)

        const metadata = yield* Effect.promise(() => discoverAuthorizationServerMetadata(issuer, { fetchFn }))
        assert.isDefined(metadata, "the SDK found no metadata")
        assert.strictEqual(log[0], `GET ${issuer}/.well-known/oauth-authorization-server 200`)
        assert.strictEqual(metadata!.issuer, issuer)
        assert.strictEqual(metadata!.registration_endpoint, registrationEndpoint)
        assert.strictEqual(metadata!.authorization_endpoint, asMetadata.authorization_endpoint)
        assert.strictEqual(metadata!.token_endpoint, asMetadata.token_endpoint)
        assert.deepStrictEqual(metadata!.response_types_supported, ["code"])
        assert.deepStrictEqual(metadata!.code_challenge_methods_supported, ["S256"])

        const client = yield* Effect.promise(() =>
          registerClient(issuer, { metadata: metadata!, clientMetadata, fetchFn })
        )
        assert.strictEqual(log[1], `POST ${registrationEndpoint} 201`)
        assert.isString(client.client_id)
        assert.isNotEmpty(client.client_id)
        assert.deepStrictEqual(client.redirect_uris, clientMetadata.redirect_uris)
        assert.strictEqual(client.token_endpoint_auth_method, "none")
        assert.isUndefined(client.client_secret, "a public client gets no secret")
        assert.lengthOf(log, 2)
      }).pipe(Effect.scoped),
    60_000
  )

  it.live(
    "without it: the SDK refuses the partial document (no authorization_endpoint, token_endpoint, …)",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDirectory
        const { registrationEndpoint } = yield* serve({ DCR_DATABASE_URL: `sqlite:${join(dir, "dcr.sqlite")}` })
        const issuer = new URL(registrationEndpoint).origin
        const document = yield* Effect.promise(() =>
          fetch(`${issuer}/.well-known/oauth-authorization-server`).then((r) => r.json())
        )
        assert.deepStrictEqual(document, { issuer, registration_endpoint: registrationEndpoint })
        const refusal = yield* Effect.promise(() =>
          discoverAuthorizationServerMetadata(issuer).then(
            (metadata) => ({ accepted: metadata }),
            (error: unknown) => ({ refused: String(error) })
          )
        )
        assert.property(refusal, "refused", JSON.stringify(refusal))
        const reason = (refusal as { readonly refused: string }).refused
        for (const member of ["authorization_endpoint", "token_endpoint", "response_types_supported"]) {
          assert.include(reason, member)
        }
      }).pipe(Effect.scoped),
    60_000
  )
})
