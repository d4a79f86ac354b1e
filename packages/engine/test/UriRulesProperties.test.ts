import { DynamicClientRegistration } from "@effect-dcr/client"
import { Engine } from "@effect-dcr/engine"
import { type Client, clientToMetadata, refusedSchemes } from "@effect-dcr/schema"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as SqlClient from "@effect/sql/SqlClient"
import { assert, describe, it } from "@effect/vitest"
import { Effect, FastCheck as fc, Redacted } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { registrationEndpoint, tempDir } from "./_helpers.js"

// Generated URIs and metadata against the engine on a SQLite file; afterwards the file is read with SQL, and no
// stored client holds a refused scheme, user information, or a URI its application_type does not allow. The oracle
// below is written independently of schema's checkUriRules (string checks and the WHATWG parser only).

const schemes = [
  ...refusedSchemes,
  "JavaScript",
  "DATA",
  "http",
  "https",
  "HTTPS",
  "x",
  "myapp",
  "com.example.app",
  "io.github.someone.app"
]
const hosts = [
  "app.example.com",
  "evil.example",
  "localhost",
  "127.0.0.1",
  "127.8.9.10",
  "[::1]",
  "dev.localhost",
  "user:pass@app.example.com",
  "@app.example.com",
  "localhost.evil.example"
]

const anyUri = fc.oneof(
  fc.tuple(
    fc.constantFrom(...schemes),
    fc.oneof(fc.constantFrom(...hosts), fc.domain()),
    fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
    fc.array(fc.webSegment(), { maxLength: 2 })
  ).map(([scheme, host, port, segments]) =>
    `${scheme}://${host}${port === undefined ? "" : `:${port}`}/${segments.join("/")}`
  ),
  fc.tuple(fc.constantFrom(...schemes), fc.constantFrom("alert(1)", "/cb", "text/html,hi", "blank", "/etc/passwd")).map(
    (
      [scheme, rest]
    ) => `${scheme}:${rest}`
  )
)

/** Any URI, or (more often) one of the forms a registration server accepts. */
const uri = fc.oneof(
  { arbitrary: anyUri, weight: 3 },
  { arbitrary: fc.tuple(fc.domain(), fc.webSegment()).map(([host, path]) => `https://${host}/${path}`), weight: 5 },
  {
    arbitrary: fc.tuple(fc.constantFrom("127.0.0.1", "localhost", "[::1]"), fc.integer({ min: 1, max: 65535 })).map((
      [host, port]
    ) => `http://${host}:${port}/cb`),
    weight: 2
  },
  { arbitrary: fc.constantFrom("com.example.app:/cb", "io.github.someone.app:/oauth"), weight: 1 }
)

const flows = fc.constantFrom(
  {},
  { grant_types: ["implicit"], response_types: ["id_token"] },
  { grant_types: ["authorization_code", "implicit"], response_types: ["code id_token"] },
  { grant_types: ["authorization_code", "refresh_token"], response_types: ["code"] }
)

const uriMembers = [
  "logo_uri",
  "client_uri",
  "policy_uri",
  "tos_uri",
  "jwks_uri",
  "initiate_login_uri",
  "frontchannel_logout_uri",
  "backchannel_logout_uri"
] as const

const metadata = fc.record({
  application_type: fc.option(fc.constantFrom("web", "native"), { nil: undefined }),
  token_endpoint_auth_method: fc.option(fc.constant("none"), { nil: undefined }),
  flows,
  redirect_uris: fc.array(uri, { minLength: 1, maxLength: 2 }),
  post_logout_redirect_uris: fc.option(fc.array(uri, { minLength: 1, maxLength: 2 }), { nil: undefined }),
  request_uris: fc.option(fc.array(uri, { minLength: 1, maxLength: 2 }), { nil: undefined }),
  others: fc.array(fc.tuple(fc.constantFrom(...uriMembers), uri), { maxLength: 2 })
}).map(({ flows, others, ...rest }) => {
  const out: Record<string, unknown> = { ...flows }
  for (const [key, value] of Object.entries(rest)) if (value !== undefined) out[key] = value
  for (const [member, value] of others) out[member] = value
  return out
})

const refused = new Set(refusedSchemes)
const isLoopback = (hostname: string) =>
  hostname === "localhost" || hostname.endsWith(".localhost") || hostname === "[::1]" ||
  /^127\.\d+\.\d+\.\d+$/.test(hostname)

/** Why a stored URI breaks the rules, or undefined (the independent oracle). */
const violation = (value: string, kind: "web" | "native" | "other"): string | undefined => {
  const scheme = value.slice(0, value.indexOf(":")).toLowerCase()
  if (refused.has(scheme)) return "refused scheme"
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(value)) return "userinfo"
  const url = new URL(value)
  if (url.username !== "" || url.password !== "") return "userinfo"
  if (scheme === "https") return undefined
  if (scheme === "http") return isLoopback(url.hostname) ? undefined : "http to a non-loopback host"
  return kind === "native" && /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+$/.test(scheme) ? undefined : "scheme not allowed"
}

describe("URI rules: properties on a SQLite file", () => {
  it.live(
    "no stored client holds a refused scheme, user information or a URI its type does not allow",
    () =>
      Effect.gen(function*() {
        const dir = tempDir()
        const filename = path.join(dir, "dcr.sqlite")
        const samples = fc.sample(fc.tuple(metadata, metadata), { numRuns: 400, seed: 20261201 })
        let created = 0
        let refusedCount = 0
        let updated = 0
        yield* Effect.gen(function*() {
          const service = yield* DynamicClientRegistration.DynamicClientRegistration
          for (const [first, second] of samples) {
            const response = yield* service.register({ json: JSON.stringify(first) })
            assert.include(["CREATED", "BAD_REQUEST"], response.action, response.responseContent)
            if (response.action !== "CREATED") {
              refusedCount++
              continue
            }
            created++
            const info = JSON.parse(response.responseContent!)
            const replaced = yield* service.update({
              clientId: info.client_id,
              token: Redacted.make(info.registration_access_token),
              json: JSON.stringify({ ...second, client_id: info.client_id })
            })
            assert.include(["UPDATED", "BAD_REQUEST"], replaced.action, replaced.responseContent)
            if (replaced.action === "UPDATED") updated++
          }
        }).pipe(
          Effect.provide(Engine.layerSqlite({
            filename,
            registrationEndpoint,
            supportedCustomClientMetadata: [
              "post_logout_redirect_uris",
              "frontchannel_logout_uri",
              "backchannel_logout_uri"
            ]
          })),
          Effect.scoped
        )
        // the generator reaches both sides
        assert.isAtLeast(created, 20)
        assert.isAtLeast(refusedCount, 100)
        assert.isAtLeast(updated, 5)

        const rows = yield* Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          return yield* sql<{ client: string }>`SELECT client FROM dcr_clients`
        }).pipe(Effect.provide(SqliteClient.layer({ filename, readonly: true })), Effect.scoped)
        assert.strictEqual(rows.length, created, "only the CREATED registrations are stored")
        let checked = 0
        for (const row of rows) {
          const lower = row.client.toLowerCase()
          for (const scheme of refusedSchemes) assert.notInclude(lower, `"${scheme}:`, row.client)
          const stored = clientToMetadata(JSON.parse(row.client) as Client) as Record<string, unknown>
          const native = stored.application_type === "native"
          for (const value of (stored.redirect_uris as Array<string> | undefined) ?? []) {
            assert.isUndefined(violation(value, native ? "native" : "web"), `${value} in ${row.client}`)
            checked++
          }
          for (const member of [...uriMembers, "request_uris"]) {
            const values = stored[member]
            for (const value of values === undefined ? [] : Array.isArray(values) ? values : [values]) {
              assert.isUndefined(violation(value as string, "other"), `${member} ${value}`)
              checked++
            }
          }
        }
        assert.isAtLeast(checked, created)
        fs.rmSync(dir, { recursive: true, force: true })
      }),
    { timeout: 60_000 }
  )
})
