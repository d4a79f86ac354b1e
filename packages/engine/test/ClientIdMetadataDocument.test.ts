/**
 * Client ID Metadata Documents through `ClientRegistry`, against a real document server on
 * 127.0.0.1 (node:http) and a SQLite file: a good document resolves (and authenticates with `none`
 * and `private_key_jwt`), the cache honours `max-age` and `no-store`, and every refusal (client id
 * mismatch, shared secret, private key, oversize, timeout, redirect, status, media type, special-use
 * addresses without the development switch) is `invalid_client` without the server being asked
 * when the guard is before the fetch. Also the tables of the address classifier, the client id URL
 * rules and the cache lifetime.
 */
import { ClientIdMetadataDocument, ClientRegistry, ClientRegistryError } from "@effect-dcr/engine"
import * as SqliteClientStore from "@effect-dcr/engine/SqliteClientStore"
import * as Tls from "@effect-dcr/testing/Tls"
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Either, Layer, Option } from "effect"
import { exportJWK, generateKeyPair, SignJWT } from "jose"
import { randomUUID } from "node:crypto"
import * as http from "node:http"
import * as https from "node:https"
import type { AddressInfo } from "node:net"
import * as path from "node:path"
import * as AddressRanges from "../src/internal/addressRanges.js"
import { cacheLifetime } from "../src/internal/metadataDocument.js"
import { tempDir } from "./_helpers.js"

const tokenEndpoint = "https://as.example.com/token"

interface Route {
  readonly status?: number
  readonly headers?: Record<string, string>
  /** The body, or a function of the document's URL. */
  readonly body: string | ((url: string) => string)
  /** Milliseconds before answering. */
  readonly delay?: number
  /** Break the connection after the first bytes of the body. */
  readonly truncate?: boolean
}

/** The test CA and the certificate it signed for 127.0.0.1, localhost and [::1]. */
const testCa = Tls.caCertificate

/**
 * A document server on 127.0.0.1 (https with `certificate`, else http): `routes` by path, the number
 * of requests per path in `hits`. Closing it cancels the delayed answers still pending (a timer that
 * fired later would run in whatever test file the worker runs next).
 */
const serveDocuments = (certificate?: { readonly key: string; readonly cert: string }) =>
  Effect.acquireRelease(
    Effect.async<{
      base: string
      routes: Map<string, Route>
      hits: Map<string, number>
      server: http.Server
      delayed: Set<NodeJS.Timeout>
    }>(
      (resume) => {
        const routes = new Map<string, Route>()
        const hits = new Map<string, number>()
        const delayed = new Set<NodeJS.Timeout>()
        const scheme = certificate === undefined ? "http" : "https"
        const handler: http.RequestListener = (req, res) => {
          const path = req.url ?? "/"
          hits.set(path, (hits.get(path) ?? 0) + 1)
          const route = routes.get(path)
          if (route === undefined) {
            res.writeHead(404).end()
            return
          }
          const answer = () => {
            const url = `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}${path}`
            res.writeHead(route.status ?? 200, { "content-type": "application/json", ...route.headers })
            const body = typeof route.body === "string" ? route.body : route.body(url)
            if (route.truncate === true) res.write(body.slice(0, 10), () => res.socket?.destroy())
            else res.end(body)
          }
          if (route.delay === undefined) return answer()
          const timer = setTimeout(() => {
            delayed.delete(timer)
            answer()
          }, route.delay).unref()
          delayed.add(timer)
        }
        const server: http.Server = certificate === undefined
          ? http.createServer(handler)
          : https.createServer(certificate, handler)
        server.listen(0, "127.0.0.1", () => {
          const base = `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`
          resume(Effect.succeed({ base, routes, hits, server, delayed }))
        })
      }
    ),
    ({ delayed, server }) =>
      Effect.async<void>((resume) => {
        for (const timer of delayed) clearTimeout(timer)
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )

const documentServer = serveDocuments()

/** The registry on a new SQLite file with `options` as its document settings. */
const registryLayer = (options: ClientIdMetadataDocument.Options | undefined) =>
  ClientRegistry.layer({ tokenEndpoint, clientIdMetadataDocuments: options }).pipe(
    Layer.provide(SqliteClientStore.layer({ filename: path.join(tempDir(), "dcr.sqlite") }))
  )

const development: ClientIdMetadataDocument.Options = {
  enabled: true,
  allowInsecureLoopback: true,
  timeout: "500 millis",
  cache: { minTtl: 0 }
}

/** A document for `url`: a public client with a loopback redirect URI, plus `extra`. */
const document = (extra: Record<string, unknown> = {}) => (url: string) =>
  JSON.stringify({
    client_id: url,
    client_name: "Document Client",
    redirect_uris: ["http://127.0.0.1:8080/callback"],
    token_endpoint_auth_method: "none",
    ...extra
  })

/** `ok <clientIdAlias>` or `InvalidClient/<documentReason>` (the description checked on the way). */
const find = (clientId: string) =>
  Effect.flatMap(ClientRegistry.ClientRegistry, (registry) => registry.find(clientId)).pipe(
    Effect.match({
      onSuccess: (found) => Option.match(found, { onNone: () => "none", onSome: (c) => `ok ${c.clientIdAlias}` }),
      onFailure: (error) => {
        if (error._tag === "ServerError") return `ServerError/${error.reason}`
        assert.strictEqual(error.reason, "MetadataDocumentRefused")
        assert.strictEqual(error.clientId, clientId)
        assert.match(error.description, /^client metadata document refused: [\x20\x21\x23-\x5B\x5D-\x7E]+$/)
        assert.deepStrictEqual(ClientRegistryError.toResponseBody(error), {
          error: "invalid_client",
          error_description: error.description
        })
        return `InvalidClient/${error.documentReason}`
      }
    })
  )

describe("ClientIdMetadataDocument", () => {
  it.scopedLive("a good document resolves to a public client the registry checks and authenticates", () =>
    Effect.gen(function*() {
      const server = yield* documentServer
      server.routes.set("/client.json", { body: document({ scope: "read" }) })
      const url = `${server.base}/client.json`
      yield* Effect.gen(function*() {
        const registry = yield* ClientRegistry.ClientRegistry
        const client = Option.getOrThrow(yield* registry.find(url))
        assert.strictEqual(client.clientIdAlias, url)
        assert.strictEqual(client.metadataDocumentLocation, url)
        assert.strictEqual(client.clientSource, "METADATA_DOCUMENT")
        assert.strictEqual(client.clientType, "PUBLIC")
        assert.strictEqual(client.clientName, "Document Client")
        assert.isUndefined(client.clientId)
        assert.strictEqual(
          yield* registry.checkRedirectUri(client, "http://127.0.0.1:8080/callback"),
          "http://127.0.0.1:8080/callback"
        )
        const wrongRedirect = yield* Effect.flip(registry.checkRedirectUri(client, "https://evil.example/cb"))
        assert.strictEqual(wrongRedirect.reason, "RedirectUriMismatch")
        yield* registry.checkGrantType(client, "authorization_code")
        const authenticated = yield* registry.authenticate({ parameters: new URLSearchParams({ client_id: url }) })
        assert.deepStrictEqual([authenticated.clientId, authenticated.method], [url, "none"])
        // a secret is never accepted for a document's client
        const basic = "Basic " + Buffer.from(`${encodeURIComponent(url)}:secret`).toString("base64")
        const refused = yield* Effect.flip(registry.authenticate({ authorization: basic, parameters: {} }))
        assert.strictEqual(refused._tag === "InvalidClient" && refused.reason, "AuthMethodMismatch")
      }).pipe(Effect.provide(registryLayer(development)))
    }))

  it.scopedLive("private_key_jwt against the document's inline jwks, iss and sub being the URL", () =>
    Effect.gen(function*() {
      const server = yield* documentServer
      const { privateKey, publicKey } = yield* Effect.promise(() => generateKeyPair("ES256", { extractable: true }))
      const jwk = yield* Effect.promise(() => exportJWK(publicKey))
      server.routes.set("/signed", {
        body: document({
          token_endpoint_auth_method: "private_key_jwt",
          jwks: { keys: [{ ...jwk, kid: "k1", alg: "ES256" }] }
        })
      })
      const url = `${server.base}/signed`
      const now = Math.floor(Date.now() / 1000)
      const assertion = (iss: string) =>
        Effect.promise(() =>
          new SignJWT({ jti: randomUUID(), iss, sub: iss, aud: tokenEndpoint, exp: now + 60, iat: now })
            .setProtectedHeader({ alg: "ES256", kid: "k1" }).sign(privateKey)
        )
      const parameters = (jwt: string) =>
        new URLSearchParams({
          client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
          client_assertion: jwt
        })
      yield* Effect.gen(function*() {
        const registry = yield* ClientRegistry.ClientRegistry
        const ok = yield* registry.authenticate({ parameters: parameters(yield* assertion(url)) })
        assert.deepStrictEqual([ok.clientId, ok.method, ok.client.clientType], [url, "private_key_jwt", "CONFIDENTIAL"])
        const none = yield* Effect.flip(registry.authenticate({ parameters: new URLSearchParams({ client_id: url }) }))
        assert.strictEqual(none._tag === "InvalidClient" && none.reason, "AuthMethodMismatch")
      }).pipe(Effect.provide(registryLayer(development)))
    }))

  it.scopedLive("cache: a second find does not fetch; max-age is honoured; no-store is never kept", () =>
    Effect.gen(function*() {
      const server = yield* documentServer
      server.routes.set("/cached", { body: document(), headers: { "cache-control": "public, max-age=1" } })
      server.routes.set("/no-store", { body: document(), headers: { "cache-control": "no-store" } })
      server.routes.set("/plain", { body: document() })
      yield* Effect.gen(function*() {
        for (let i = 0; i < 3; i++) assert.strictEqual(yield* find(`${server.base}/cached`), `ok ${server.base}/cached`)
        assert.strictEqual(server.hits.get("/cached"), 1)
        yield* Effect.sleep("1200 millis")
        yield* find(`${server.base}/cached`)
        assert.strictEqual(server.hits.get("/cached"), 2, "fetched again once max-age has passed")
        for (let i = 0; i < 3; i++) yield* find(`${server.base}/no-store`)
        assert.strictEqual(server.hits.get("/no-store"), 3)
      }).pipe(Effect.provide(registryLayer(development)))
      // without max-age, minTtl (here 1 minute) applies; maxTtl caps max-age
      yield* Effect.gen(function*() {
        yield* find(`${server.base}/plain`)
        yield* find(`${server.base}/plain`)
        assert.strictEqual(server.hits.get("/plain"), 1)
      }).pipe(Effect.provide(registryLayer({ ...development, cache: { minTtl: "1 minute" } })))
      // maxEntries 0: no cache at all
      yield* Effect.gen(function*() {
        yield* find(`${server.base}/plain`)
        yield* find(`${server.base}/plain`)
        assert.strictEqual(server.hits.get("/plain"), 3)
      }).pipe(Effect.provide(registryLayer({ ...development, cache: { maxEntries: 0, minTtl: "1 minute" } })))
    }))

  it.scopedLive("refused documents: invalid_client with the reason, never cached", () =>
    Effect.gen(function*() {
      const server = yield* documentServer
      const big = "x".repeat(6000)
      const routes: ReadonlyArray<readonly [string, Route, string]> = [
        ["/other-id", { body: (url) => document()(url + "-other") }, "ClientIdMismatch"],
        ["/no-id", { body: JSON.stringify({ redirect_uris: ["https://app.example/cb"] }) }, "ClientIdMismatch"],
        ["/basic", { body: document({ token_endpoint_auth_method: "client_secret_basic" }) }, "SharedSecret"],
        ["/secret-jwt", { body: document({ token_endpoint_auth_method: "client_secret_jwt" }) }, "SharedSecret"],
        ["/secret", { body: document({ client_secret: "s3cret" }) }, "SharedSecret"],
        [
          "/private-key",
          { body: document({ jwks: { keys: [{ kty: "EC", crv: "P-256", x: "a", y: "b", d: "c" }] } }) },
          "PrivateKey"
        ],
        ["/no-redirect", { body: document({ redirect_uris: [] }) }, "InvalidMetadata"],
        ["/js-redirect", { body: document({ redirect_uris: ["javascript:alert(1)"] }) }, "InvalidMetadata"],
        ["/big", { body: document({ client_name: big }) }, "TooLarge"],
        [
          "/big-chunked",
          { body: document({ client_name: big }), headers: { "transfer-encoding": "chunked" } },
          "TooLarge"
        ],
        ["/html", { body: "<html></html>", headers: { "content-type": "text/html" } }, "NotJson"],
        ["/vendor-json", { body: document(), headers: { "content-type": "application/vnd.x+json" } }, "ok"],
        ["/truncated", { body: document(), headers: { "content-length": "2000" }, truncate: true }, "FetchFailed"],
        ["/array", { body: "[]" }, "MalformedDocument"],
        ["/broken", { body: "{\"client_id\":" }, "MalformedDocument"],
        ["/missing", { status: 404, body: "{}" }, "UnexpectedStatus"],
        ["/moved", { status: 302, body: "", headers: { location: "/client.json" } }, "Redirect"]
      ]
      for (const [path, route] of routes) server.routes.set(path, route)
      server.routes.set("/client.json", { body: document() })
      yield* Effect.gen(function*() {
        const got: Array<string> = []
        for (const [path] of routes) {
          const outcome = yield* find(`${server.base}${path}`)
          got.push(`${path} ${outcome.startsWith("ok ") ? "ok" : outcome.replace("InvalidClient/", "")}`)
          yield* find(`${server.base}${path}`)
        }
        assert.deepStrictEqual(got, routes.map(([path, , expected]) => `${path} ${expected}`))
        // minTtl 0 and no max-age: the accepted /vendor-json is not kept either
        for (const [path] of routes) assert.strictEqual(server.hits.get(path), 2, `${path}: a refusal is not cached`)
        assert.isUndefined(server.hits.get("/client.json"), "the redirect is not followed")
      }).pipe(Effect.provide(registryLayer(development)))
    }))

  it.scopedLive("a slow document is refused at the timeout, and the fetch is abandoned", () =>
    Effect.gen(function*() {
      const server = yield* documentServer
      server.routes.set("/slow", { body: document(), delay: 3000 })
      yield* Effect.gen(function*() {
        const [elapsed, outcome] = yield* Effect.timed(find(`${server.base}/slow`))
        assert.strictEqual(outcome, "InvalidClient/Timeout")
        assert.isBelow(Duration.toMillis(elapsed), 2500) // the document takes 3 s
      }).pipe(Effect.provide(registryLayer({ ...development, timeout: "300 millis" })))
    }))

  it.scopedLive("special-use addresses are refused before any request, loopback included without the switch", () =>
    Effect.gen(function*() {
      const server = yield* documentServer
      server.routes.set("/client.json", { body: document() })
      const port = new URL(server.base).port
      const production = { enabled: true, timeout: "2 seconds" } as const
      const cases: ReadonlyArray<readonly [string, string]> = [
        [`http://127.0.0.1:${port}/client.json`, "InvalidClientIdUrl"],
        [`https://127.0.0.1:${port}/client.json`, "ForbiddenAddress"],
        [`https://localhost:${port}/client.json`, "ForbiddenAddress"],
        [`https://[::1]:${port}/client.json`, "ForbiddenAddress"],
        [`https://[::ffff:127.0.0.1]:${port}/client.json`, "ForbiddenAddress"],
        ["https://10.0.0.1/client.json", "ForbiddenAddress"],
        ["https://169.254.169.254/latest/meta-data", "ForbiddenAddress"],
        ["https://[fd00::1]/client.json", "ForbiddenAddress"],
        ["https://100.64.0.1/client.json", "ForbiddenAddress"],
        ["https://0.0.0.0/client.json", "ForbiddenAddress"],
        ["https://app.example.com", "InvalidClientIdUrl"],
        ["https://app.example.com/a/../client.json#x", "InvalidClientIdUrl"],
        ["https://user@app.example.com/client.json", "InvalidClientIdUrl"],
        ["https://name.invalid/client.json", "UnresolvableHost"]
      ]
      const run = (options: ClientIdMetadataDocument.Options) =>
        Effect.forEach(cases, ([url]) => find(url)).pipe(Effect.provide(registryLayer(options)))
      assert.deepStrictEqual(yield* run(production), cases.map(([, reason]) => `InvalidClient/${reason}`))
      // the development switch opens 127.0.0.1, localhost and [::1], http or https: the https ones are
      // fetched (a TLS handshake with this plain http server fails; nothing listens on [::1]); every
      // other special-use address stays refused
      const withSwitch = yield* run({ ...production, allowInsecureLoopback: true })
      assert.deepStrictEqual(withSwitch, [
        `ok http://127.0.0.1:${port}/client.json`,
        "InvalidClient/FetchFailed",
        "InvalidClient/FetchFailed",
        "InvalidClient/FetchFailed",
        ...cases.slice(4).map(([, r]) => `InvalidClient/${r}`)
      ])
      assert.strictEqual(server.hits.get("/client.json"), 1, "only the allowed http://127.0.0.1 document was fetched")
      // a host name: resolved, checked, and the connection made to the checked addresses
      server.routes.set("/named", { body: (url) => document()(url.replace("127.0.0.1", "localhost")) })
      const named = `http://localhost:${port}/named`
      const resolved = yield* find(named).pipe(
        Effect.provide(registryLayer({ ...production, allowInsecureLoopback: true }))
      )
      assert.strictEqual(resolved, `ok ${named}`)
      // http to another host is refused even with the switch
      const other = yield* find("http://app.example.com/client.json").pipe(
        Effect.provide(registryLayer({ ...production, allowInsecureLoopback: true }))
      )
      assert.strictEqual(other, "InvalidClient/InvalidClientIdUrl")
    }))

  it.scopedLive("https on loopback: resolved under the switch with a trusted test CA, else refused", () =>
    Effect.gen(function*() {
      const server = yield* serveDocuments({ key: Tls.localhostKey, cert: Tls.localhostCertificate })
      server.routes.set("/client.json", { body: document() })
      server.routes.set("/named", { body: (url) => document()(url.replace("127.0.0.1", "localhost")) })
      const port = new URL(server.base).port
      const url = `https://127.0.0.1:${port}/client.json`
      const named = `https://localhost:${port}/named`
      const trusted = { enabled: true, timeout: "2 seconds", trustedCertificates: [testCa] } as const
      const findAll = (options: ClientIdMetadataDocument.Options) =>
        Effect.forEach([url, named], find).pipe(Effect.provide(registryLayer(options)))

      // without the switch: refused before any request, the test CA notwithstanding
      assert.deepStrictEqual(yield* findAll(trusted), [
        "InvalidClient/ForbiddenAddress",
        "InvalidClient/ForbiddenAddress"
      ])
      assert.strictEqual(server.hits.size, 0)

      // with it: fetched over https and resolved, by address and by name
      assert.deepStrictEqual(yield* findAll({ ...trusted, allowInsecureLoopback: true }), [`ok ${url}`, `ok ${named}`])
      assert.strictEqual(server.hits.get("/client.json"), 1)
      assert.strictEqual(server.hits.get("/named"), 1)

      // the switch does not trust the certificate: without the test CA the handshake is refused
      const untrusted = yield* Effect.flatMap(ClientRegistry.ClientRegistry, (registry) => registry.find(url)).pipe(
        Effect.flip,
        Effect.provide(registryLayer({ ...trusted, trustedCertificates: undefined, allowInsecureLoopback: true }))
      )
      assert.strictEqual(untrusted._tag, "InvalidClient")
      if (untrusted._tag === "InvalidClient") {
        assert.strictEqual(untrusted.documentReason, "FetchFailed")
        assert.match(untrusted.description, /TLS certificate is not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/)
      }
      // an unrelated extra CA does not help either
      const otherCa = yield* find(url).pipe(
        Effect.provide(
          registryLayer({ ...trusted, trustedCertificates: [Tls.localhostCertificate], allowInsecureLoopback: true })
        )
      )
      assert.strictEqual(otherCa, "InvalidClient/FetchFailed")
      assert.strictEqual(server.hits.get("/client.json"), 1, "no request went through an untrusted connection")
    }))

  it.scopedLive("disabled (the default): a URL client id is looked up in the store like any other", () =>
    Effect.gen(function*() {
      const server = yield* documentServer
      server.routes.set("/client.json", { body: document() })
      assert.strictEqual(
        yield* find(`${server.base}/client.json`).pipe(Effect.provide(registryLayer(undefined))),
        "none"
      )
      assert.strictEqual(
        yield* find(`${server.base}/client.json`).pipe(
          Effect.provide(registryLayer({ ...development, enabled: false }))
        ),
        "none"
      )
      assert.isUndefined(server.hits.get("/client.json"))
    }))

  it("the address classifier: special-use IPv4 and IPv6 ranges, IPv4-mapped included", () => {
    const table: ReadonlyArray<readonly [string, string | undefined]> = [
      ["127.0.0.1", "loopback"],
      ["127.255.0.9", "loopback"],
      ["10.1.2.3", "private"],
      ["172.16.0.1", "private"],
      ["172.31.255.255", "private"],
      ["172.32.0.1", undefined],
      ["192.168.1.1", "private"],
      ["100.64.0.1", "carrierGradeNat"],
      ["100.128.0.1", undefined],
      ["169.254.169.254", "linkLocal"],
      ["224.0.0.1", "multicast"],
      ["0.0.0.0", "unspecified"],
      ["255.255.255.255", "broadcast"],
      ["192.0.2.1", "reserved"],
      ["240.0.0.1", "reserved"],
      ["8.8.8.8", undefined],
      ["93.184.216.34", undefined],
      ["::1", "loopback"],
      ["::", "unspecified"],
      ["fe80::1", "linkLocal"],
      ["fc00::1", "uniqueLocal"],
      ["fd12:3456::1", "uniqueLocal"],
      ["ff02::1", "multicast"],
      ["::ffff:127.0.0.1", "loopback"],
      ["::ffff:7f00:1", "loopback"],
      ["::ffff:10.0.0.1", "private"],
      ["::ffff:8.8.8.8", undefined],
      ["::7f00:1", "ipv4Compatible"],
      ["64:ff9b::a00:1", "rfc6052"],
      ["2002:7f00:1::", "6to4"],
      ["2001::1", "teredo"],
      ["2001:db8::1", "reserved"],
      ["2606:4700:4700::1111", undefined],
      ["example.com", "invalid"],
      ["", "invalid"]
    ]
    assert.deepStrictEqual(
      table.map(([address]) => [address, AddressRanges.specialUse(address)]),
      table.map(([address, range]) => [address, range])
    )
  })

  it("client id URL rules (draft section 3)", () => {
    const table: ReadonlyArray<readonly [string, boolean, boolean?]> = [
      ["https://app.example.com/client.json", true],
      ["https://app.example.com:8443/oauth/client?v=1", true],
      ["https://app.example.com/", true],
      ["https://app.example.com", false],
      ["https://app.example.com?x=1", false],
      ["https://app.example.com/client#frag", false],
      ["https://user:pw@app.example.com/client", false],
      ["https://@app.example.com/client", false],
      ["https://app.example.com/a/./client", false],
      ["https://app.example.com/a/%2E%2E/client", false],
      ["http://app.example.com/client", false],
      ["http://127.0.0.1:3000/client", false],
      ["http://127.0.0.1:3000/client", true, true],
      ["http://localhost/client", true, true],
      ["http://[::1]:80/client", true, true],
      ["http://10.0.0.1/client", false, true],
      ["ftp://app.example.com/client", false],
      ["not a url", false]
    ]
    assert.deepStrictEqual(
      table.map(([url, , insecure]) => [
        url,
        insecure === true,
        Either.isRight(ClientIdMetadataDocument.checkClientIdUrl(url, { allowInsecureLoopback: insecure === true }))
      ]),
      table.map(([url, ok, insecure]) => [url, insecure === true, ok])
    )
  })

  it("cache lifetime: max-age within [minTtl, maxTtl], no-store and no-cache never kept", () => {
    const table: ReadonlyArray<readonly [string | undefined, number]> = [
      [undefined, 30_000],
      ["public", 30_000],
      ["max-age=300", 300_000],
      ["public, max-age=5", 30_000],
      ["max-age=999999", 3_600_000],
      ["max-age=\"120\"", 120_000],
      ["no-store", 0],
      ["max-age=300, no-store", 0],
      ["no-cache", 0],
      ["No-Cache=\"set-cookie\", max-age=300", 0]
    ]
    assert.deepStrictEqual(
      table.map(([header]) => [header, cacheLifetime(header, 30_000, 3_600_000)]),
      table.map(([header, ttl]) => [header, ttl])
    )
  })
})
