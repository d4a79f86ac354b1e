/**
 * HTTP fuzzing of every endpoint of a real `serve` (embedded engine on a SQLite file) over
 * loopback: thousands of generated requests (methods, paths, content types, tokens, bodies); the
 * server must answer every one (per-request timeout), never with a 5xx, and every 4xx with an error
 * body: RFC 7591 / 6750 `{error}` on the registration endpoints, Authlete's `{resultCode,
 * resultMessage}` on `/api`. Seed and count: DCR_FUZZ_SEED, DCR_FUZZ_RUNS.
 */
import { ClientMetadata } from "@effect-dcr/schema"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Arbitrary, FastCheck as fc, Schema } from "effect"
import { join } from "node:path"
import { build, figure, Hygiene, json, kill, must, send, type Serve, serve, tempDirectory } from "./support.js"

const runs = Number(process.env["DCR_FUZZ_RUNS"] ?? 4000)
const seed = Number(process.env["DCR_FUZZ_SEED"] ?? Date.now() % 2 ** 31)
const concurrency = 16
const serviceToken = "fuzz-service-access-token-0123456789"

const hygiene = new Hygiene()
hygiene.add(serviceToken)
const dir = tempDirectory()
let server: Serve

beforeAll(() => {
  build()
}, 180_000)

afterAll(async () => {
  if (server !== undefined) await kill(server)
  dir.remove()
})

interface Case {
  readonly method: string
  readonly path: string
  readonly headers: Record<string, string>
  readonly body: string | Buffer | undefined
}

const printable = fc.string({ maxLength: 40 }).filter((s) => /^[\x20-\x7e]*$/.test(s))

/** Segments as a client could send them: percent-encoded text, dot segments, empties, long ones. */
const segment = fc.oneof(
  fc.string({ maxLength: 20, unit: "grapheme" }).map(encodeURIComponent),
  fc.constantFrom("", ".", "..", "%2e%2e", "%00", "%ff", "register", "api", "client", "registration", "1"),
  fc.nat({ max: 400 }).map((n) => "x".repeat(n))
)

const body = (metadata: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom("", " ", "null", "[]", "{}", "{", "\"x\"", "1e999", "{\"a\":1}x") },
    { weight: 4, arbitrary: metadata.map((m) => JSON.stringify(m)) },
    { weight: 2, arbitrary: fc.json() },
    { weight: 1, arbitrary: fc.string({ maxLength: 200, unit: "binary" }) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(65_535, 65_536, 65_537, 70_000, 1_100_000).map((size) =>
        `{"client_name":"${"a".repeat(Math.max(0, size - 18))}"}`
      )
    },
    { weight: 1, arbitrary: fc.constantFrom(5_000, 50_000).map((depth) => "[".repeat(depth) + "]".repeat(depth)) }
  )

const caseOf = (known: { readonly clientId: string; readonly token: string }): fc.Arbitrary<Case> => {
  // RFC 7591 metadata from the schema (valid shapes), mixed with arbitrary members
  const valid = fc.record({
    client_name: fc.string({ maxLength: 30 }),
    redirect_uris: fc.array(segment.map((path) => `https://rp.example/${path}`), { minLength: 1, maxLength: 3 }),
    token_endpoint_auth_method: fc.constantFrom("none", "client_secret_basic", "client_secret_post"),
    software_id: fc.string({ maxLength: 20 })
  }, { requiredKeys: ["redirect_uris"] })
  const metadata = fc.oneof(
    { weight: 3, arbitrary: valid.map((m) => ({ ...m, client_id: known.clientId })) },
    { weight: 3, arbitrary: valid },
    Arbitrary.make(ClientMetadata).map((m) => Schema.encodeSync(ClientMetadata)(m)),
    fc.dictionary(
      fc.constantFrom(
        "client_name",
        "redirect_uris",
        "grant_types",
        "response_types",
        "token_endpoint_auth_method",
        "software_id",
        "client_id",
        "jwks",
        "jwks_uri",
        "scope",
        "contacts",
        "client_name#ja",
        "logo_uri",
        "application_type"
      ),
      fc.jsonValue()
    ),
    fc.record({
      json: fc.oneof(fc.json(), fc.string()),
      clientId: fc.oneof(fc.constant(known.clientId), fc.string()),
      token: fc.oneof(fc.constant(known.token), fc.string())
    }, { requiredKeys: [] })
  )
  const clientId = fc.oneof(
    fc.constant(known.clientId),
    fc.stringMatching(/^[0-9]{1,20}$/),
    segment
  )
  const path = fc.oneof(
    { weight: 5, arbitrary: fc.constant("/register") },
    { weight: 4, arbitrary: clientId.map((id) => `/register/${id}`) },
    { weight: 1, arbitrary: fc.constantFrom("/.well-known/oauth-authorization-server", "/openapi.json", "/register/") },
    {
      weight: 4,
      arbitrary: fc.tuple(
        fc.constantFrom("1", "1", "2", "%31", ""),
        fc.constantFrom("", "/get", "/update", "/delete", "/x")
      )
        .map(([service, operation]) => `/api/${service}/client/registration${operation}`)
    },
    { weight: 2, arbitrary: fc.array(segment, { maxLength: 6 }).map((segments) => `/${segments.join("/")}`) }
  )
  const query = fc.oneof(
    { weight: 6, arbitrary: fc.constant("") },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }).map((q) => `?${encodeURIComponent(q)}`) }
  )
  const authorization = fc.oneof(
    fc.constant(undefined),
    fc.constant(`Bearer ${known.token}`),
    fc.constant(`Bearer ${serviceToken}`),
    fc.constantFrom("Bearer wrong", "bearer", "Bearer ", "Basic Zm9vOmJhcg==", "BEARER  x  ", "Bearer a b"),
    printable.map((s) => `Bearer ${s}`),
    printable
  )
  const contentType = fc.oneof(
    { weight: 6, arbitrary: fc.constant("application/json") },
    fc.constant(undefined),
    fc.constantFrom(
      "application/json",
      "application/json; charset=utf-8",
      "APPLICATION/JSON;charset=UTF-8",
      "application/jsonx",
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/json; charset=latin1",
      ""
    ),
    printable
  )
  const forwarded = fc.oneof(
    { weight: 6, arbitrary: fc.constant({}) },
    { weight: 1, arbitrary: printable.map((value) => ({ "x-forwarded-for": value })) },
    { weight: 1, arbitrary: printable.map((value) => ({ forwarded: value })) },
    { weight: 1, arbitrary: printable.map((value) => ({ origin: value })) }
  )
  return fc.record({
    method: fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "PROPFIND", "POST", "PUT"),
    path: fc.tuple(path, query).map(([path, query]) => path + query),
    authorization,
    contentType,
    forwarded,
    body: body(metadata),
    asService: fc.boolean()
  }).map(({ asService, authorization, body, contentType, forwarded, method, path }) => ({
    method,
    path,
    headers: {
      ...forwarded,
      // half of the /api calls carry the right service token, so the bodies reach the API's decoding
      ...(asService && path.startsWith("/api/")
        ? { authorization: `Bearer ${serviceToken}` }
        : authorization === undefined
        ? {}
        : { authorization }),
      ...(contentType === undefined ? {} : { "content-type": contentType })
    },
    body: method === "GET" || method === "HEAD" ? undefined : body
  }))
}

/** The server's default body limit. */
const maxBodySize = 1024 * 1024
const bodySize = (c: Case) => c.body === undefined ? 0 : Buffer.byteLength(c.body)

/** The route a path aims at, for the figures. */
const routeOf = (path: string): string => {
  const p = path.split("?")[0]!
  if (p === "/register") return "/register"
  if (/^\/register\/[^/]*$/.test(p)) return "/register/{id}"
  if (p.startsWith("/api/")) return "/api/…"
  if (p === "/.well-known/oauth-authorization-server" || p === "/openapi.json") return "discovery+openapi"
  return "other"
}

/** Why an answer breaks the contract, or `undefined`. */
const problem = (c: Case, answer: Awaited<ReturnType<typeof send>>): string | undefined => {
  if (answer._tag !== "Response") {
    if (answer._tag === "Hang") return "no answer within 10 s"
    // A body over the server's limit (1 MiB) may be answered before it is read and the connection
    // closed (RFC 9112 §9.6); Node's client then fails its write (EPIPE / ECONNRESET) and drops the
    // answer. Bare node:http does the same. Any other transport error is a failure.
    if (bodySize(c) > maxBodySize && /EPIPE|ECONNRESET/.test(answer.message)) return undefined
    return `transport: ${answer.message} (body ${bodySize(c)} bytes)`
  }
  if (answer.status >= 500) return `status ${answer.status}: ${answer.body.slice(0, 200)}`
  if (answer.status < 400 || c.method === "HEAD") return undefined
  if (!String(answer.headers["content-type"] ?? "").startsWith("application/json")) {
    return `${answer.status} with content-type ${String(answer.headers["content-type"])}`
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(answer.body)
  } catch {
    return `${answer.status} with a body that is not JSON: ${answer.body.slice(0, 200)}`
  }
  if (typeof parsed !== "object" || parsed === null) return `${answer.status} with a non-object body`
  const body = parsed as Record<string, unknown>
  const rfc = typeof body["error"] === "string" &&
    (body["error_description"] === undefined || typeof body["error_description"] === "string")
  const authlete = c.path.startsWith("/api/") && (typeof body["resultMessage"] === "string")
  return rfc || authlete ? undefined : `${answer.status} without an error body: ${answer.body.slice(0, 200)}`
}

describe("reliability: HTTP fuzzing", () => {
  it("every endpoint answers generated requests: 0 5xx, 0 hangs, every 4xx an error body", async () => {
    server = await serve(
      {
        DCR_DATABASE_URL: `sqlite:${join(dir.path, "fuzz.sqlite")}`,
        DCR_SERVICE_ACCESS_TOKEN: serviceToken,
        DCR_RATE_LIMIT_REGISTRATIONS: "off",
        DCR_RATE_LIMIT_TOTAL_REGISTRATIONS: "off",
        DCR_RATE_LIMIT_FAILED_AUTH: "off"
      },
      hygiene,
      "fuzz serve"
    )
    const created = await must(
      `${server.base}/register`,
      json("POST", { client_name: "fuzz", redirect_uris: ["https://rp.example/cb"] })
    )
    assert.strictEqual(created.status, 201, created.body)
    hygiene.addFromBody(created.body)
    const known = JSON.parse(created.body) as { client_id: string; registration_access_token: string }

    const cases = fc.sample(caseOf({ clientId: known.client_id, token: known.registration_access_token }), {
      numRuns: runs,
      seed
    })
    const failures: Array<string> = []
    const statuses = new Map<number | string, number>()
    const routes = new Map<string, number>()
    const started = performance.now()
    let next = 0
    const worker = async () => {
      while (next < cases.length) {
        const c = cases[next++]!
        const answer = await send(`${server.base}${c.path}`, { ...c, timeout: 10_000 })
        const key = answer._tag === "Response" ? answer.status : answer._tag
        statuses.set(key, (statuses.get(key) ?? 0) + 1)
        const route = `${c.method} ${routeOf(c.path)} ${key}`
        routes.set(route, (routes.get(route) ?? 0) + 1)
        if (answer._tag === "Response" && answer.status < 300) hygiene.addFromBody(answer.body)
        const why = problem(c, answer)
        if (why !== undefined) {
          failures.push(`${c.method} ${c.path.slice(0, 120)} ${JSON.stringify(c.headers).slice(0, 200)}: ${why}`)
        }
      }
    }
    await Promise.all(Array.from({ length: concurrency }, worker))
    const seconds = (performance.now() - started) / 1000
    const fives = [...statuses].filter(([s]) => typeof s === "number" && s >= 500).reduce((n, [, c]) => n + c, 0)
    const hangs = statuses.get("Hang") ?? 0
    figure(
      "fuzz",
      `${cases.length} requests (seed ${seed}) in ${seconds.toFixed(1)} s: ${fives} 5xx, ${hangs} hangs, ` +
        `${failures.length} contract failures; statuses ${
          JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => String(a).localeCompare(String(b)))))
        }`
    )
    figure("fuzz by route", JSON.stringify(Object.fromEntries([...routes].sort(([a], [b]) => a.localeCompare(b)))))
    assert.deepStrictEqual(failures.slice(0, 20), [], `seed ${seed}: ${failures.length} failures`)
    // the server is still up and answering
    assert.strictEqual((await must(`${server.base}/.well-known/oauth-authorization-server`)).status, 200)

    const scan = hygiene.scan()
    figure(
      "fuzz secret hygiene",
      `${scan.lines} log lines at debug level, ${hygiene.secrets.size} secrets, ${scan.found.length} found`
    )
    assert.deepStrictEqual(scan.found, [])
  }, 120_000)
})
