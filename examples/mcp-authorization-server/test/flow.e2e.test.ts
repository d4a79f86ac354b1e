/**
 * The MCP TypeScript SDK's client (`auth()` from `@modelcontextprotocol/sdk`) completes a full
 * authorization flow against the example over loopback HTTP: it finds the authorization server
 * from the protected resource's 401 (RFC 9728), reads its RFC 8414 metadata, gets a client id,
 * authorizes with PKCE and redeems the code for an access token that the protected resource then
 * accepts. The client id comes once from the engine's RFC 7591 registration endpoint, once from a
 * Client ID Metadata Document the client serves over https on loopback (a test CA, trusted by the
 * example's resolver; the test CA of @effect-dcr/testing/Tls). The user agent is the test: it fetches the authorization
 * URL without following the redirect and reads the code from `Location`.
 */
import * as Server from "@effect-dcr/example-mcp-authorization-server/Server"
import * as TempDirectory from "@effect-dcr/testing/TempDirectory"
import * as Tls from "@effect-dcr/testing/Tls"
import { HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { auth, extractWWWAuthenticateParams, type OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js"
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens
} from "@modelcontextprotocol/sdk/shared/auth.js"
import { Context, Effect, Layer, TestClock } from "effect"
import { createHash } from "node:crypto"
import { createServer, request as httpRequest } from "node:http"
import * as https from "node:https"
import type { AddressInfo } from "node:net"

/** A scratch directory for the client database, removed with the scope. */
const tempDirectory = TempDirectory.make("mcp-as-")

/** The example on an ephemeral loopback port; answers its base URL (the issuer). */
const startServer = (options: Pick<Server.Options, "clientIdMetadataDocuments"> = {}) =>
  Effect.gen(function*() {
    const dir = yield* tempDirectory
    const context = yield* Layer.build(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" }))
    const address = Context.get(context, HttpServer.HttpServer).address
    assert.strictEqual(address._tag, "TcpAddress")
    const base = address._tag === "TcpAddress" ? `http://127.0.0.1:${address.port}` : ""
    yield* Layer.build(
      Server.layer({ ...options, issuer: base, dataDirectory: dir }).pipe(Layer.provide(Layer.succeedContext(context)))
    )
    return base
  })

/**
 * The client's own https server on loopback, serving its Client ID Metadata Document at
 * `/client.json` (the `client_id` being that URL); `hits` counts the requests for it.
 */
const documentServer = (metadata: OAuthClientMetadata) =>
  Effect.acquireRelease(
    Effect.async<{ readonly url: string; readonly hits: Array<string>; readonly server: https.Server }>((resume) => {
      const hits: Array<string> = []
      const server = https.createServer({ key: Tls.localhostKey, cert: Tls.localhostCertificate })
      server.on("request", (req, res) => {
        hits.push(req.url ?? "/")
        if (req.method !== "GET" || req.url !== "/client.json") {
          res.writeHead(404).end()
          return
        }
        res.writeHead(200, { "content-type": "application/json" })
        res.end(JSON.stringify({ ...metadata, client_id: url() }))
      })
      const url = () => `https://127.0.0.1:${(server.address() as AddressInfo).port}/client.json`
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed({ url: url(), hits, server })))
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )

/**
 * An `OAuthClientProvider` keeping everything in memory, whose user agent step fetches the
 * authorization URL (the consent stub approves at once) and captures the code from the redirect.
 */
class InMemoryProvider implements OAuthClientProvider {
  readonly redirectUrl = "http://127.0.0.1:8976/callback"
  readonly clientMetadata: OAuthClientMetadata = {
    client_name: "flow test",
    redirect_uris: [this.redirectUrl],
    grant_types: ["authorization_code"],
    response_types: ["code"],
    token_endpoint_auth_method: "none",
    scope: "mcp:tools"
  }
  information: OAuthClientInformationMixed | undefined
  savedTokens: OAuthTokens | undefined
  verifier: string | undefined
  expectedState: string | undefined
  /** What the authorization endpoint answered: the redirect's query. */
  callback: URLSearchParams | undefined

  state() {
    this.expectedState = crypto.randomUUID()
    return this.expectedState
  }
  clientInformation() {
    return this.information
  }
  saveClientInformation(information: OAuthClientInformationMixed) {
    this.information = information
  }
  tokens() {
    return this.savedTokens
  }
  saveTokens(tokens: OAuthTokens) {
    this.savedTokens = tokens
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier
  }
  codeVerifier() {
    if (this.verifier === undefined) throw new Error("no code verifier saved")
    return this.verifier
  }
  async redirectToAuthorization(url: URL) {
    const response = await fetch(url, { redirect: "manual" })
    const location = response.headers.get("location")
    if (response.status !== 302 || location === null) {
      throw new Error(`the authorization endpoint answered ${response.status}: ${await response.text()}`)
    }
    const target = new URL(location)
    assert.strictEqual(`${target.origin}${target.pathname}`, this.redirectUrl)
    this.callback = target.searchParams
  }
}

/** The provider of a client with a metadata document: its URL is the client id when the server supports that. */
class DocumentProvider extends InMemoryProvider {
  constructor(readonly clientMetadataUrl: string) {
    super()
  }
}

/** The value, or a failed assertion naming what is missing. */
const present = <A>(value: A | null | undefined, what: string): A => {
  if (value === null || value === undefined) assert.fail(`${what} is missing`)
  return value
}

const get = (url: string, token?: string) =>
  fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } })

describe("the MCP SDK's auth() against the example", () => {
  it.scoped("through dynamic client registration", () =>
    Effect.gen(function*() {
      const base = yield* startServer()
      const serverUrl = `${base}/mcp`
      const provider = new InMemoryProvider()

      // The resource without a token: 401 pointing at its metadata.
      const unauthorized = yield* Effect.promise(() => get(serverUrl))
      assert.strictEqual(unauthorized.status, 401)
      const resourceMetadataUrl = present(
        extractWWWAuthenticateParams(unauthorized).resourceMetadataUrl,
        "resource_metadata in WWW-Authenticate"
      )
      assert.strictEqual(resourceMetadataUrl.href, `${base}/.well-known/oauth-protected-resource/mcp`)

      // First call: discovery, registration, then the user agent is sent to /authorize.
      const first = yield* Effect.promise(() => auth(provider, { serverUrl, resourceMetadataUrl }))
      assert.strictEqual(first, "REDIRECT")
      const clientId = present(provider.information?.client_id, "the registered client_id")
      const callback = present(provider.callback, "the authorization response")
      assert.strictEqual(callback.get("state"), provider.expectedState)
      assert.strictEqual(callback.get("iss"), base)
      assert.isNull(callback.get("error"))
      const code = present(callback.get("code"), "the code")

      // Second call: the code is redeemed at /token with the PKCE verifier.
      const second = yield* Effect.promise(() =>
        auth(provider, { serverUrl, resourceMetadataUrl, authorizationCode: code })
      )
      assert.strictEqual(second, "AUTHORIZED")
      const accessToken = present(provider.savedTokens?.access_token, "the access token")
      assert.strictEqual(provider.savedTokens?.token_type.toLowerCase(), "bearer")
      assert.strictEqual(provider.savedTokens?.scope, "mcp:tools")

      // The resource accepts the token, and only that token.
      const ok = yield* Effect.promise(() => get(serverUrl, accessToken))
      assert.strictEqual(ok.status, 200)
      assert.deepStrictEqual(yield* Effect.promise(() => ok.json()), { client_id: clientId, scope: "mcp:tools" })
      const wrong = yield* Effect.promise(() => get(serverUrl, `${accessToken}x`))
      assert.strictEqual(wrong.status, 401)
      assert.include(wrong.headers.get("www-authenticate") ?? "", "error=\"invalid_token\"")

      // The code was good once.
      const replay = yield* Effect.promise(() =>
        fetch(`${base}/token`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({
            grant_type: "authorization_code",
            code,
            client_id: clientId,
            redirect_uri: provider.redirectUrl,
            code_verifier: provider.codeVerifier()
          })
        })
      )
      assert.strictEqual(replay.status, 400)
      assert.strictEqual((yield* Effect.promise(() => replay.json())).error, "invalid_grant")
    }))
})

describe("the MCP SDK's auth() against the example, with Client ID Metadata Documents", () => {
  it.scopedLive("through the client's metadata document, without registration", () =>
    Effect.gen(function*() {
      const metadata = new InMemoryProvider().clientMetadata
      const document = yield* documentServer(metadata)
      const base = yield* startServer({
        clientIdMetadataDocuments: {
          enabled: true,
          // the document is on 127.0.0.1 (development only), behind the test CA's certificate
          allowInsecureLoopback: true,
          trustedCertificates: [Tls.caCertificate]
        }
      })
      const serverUrl = `${base}/mcp`
      const provider = new DocumentProvider(document.url)
      // what the SDK asks the authorization server
      const requested: Array<string> = []
      const fetchFn = (url: string | URL, init?: RequestInit) => {
        requested.push(`${init?.method ?? "GET"} ${url.toString()}`)
        return fetch(url, init)
      }

      const discovery = yield* Effect.promise(() => get(`${base}/.well-known/oauth-authorization-server`))
      assert.isTrue((yield* Effect.promise(() => discovery.json())).client_id_metadata_document_supported)
      const unauthorized = yield* Effect.promise(() => get(serverUrl))
      const resourceMetadataUrl = present(
        extractWWWAuthenticateParams(unauthorized).resourceMetadataUrl,
        "resource_metadata in WWW-Authenticate"
      )

      // First call: discovery, the document URL as the client id, then the user agent at /authorize.
      const first = yield* Effect.promise(() => auth(provider, { serverUrl, resourceMetadataUrl, fetchFn }))
      assert.strictEqual(first, "REDIRECT")
      assert.strictEqual(provider.information?.client_id, document.url)
      const callback = present(provider.callback, "the authorization response")
      assert.isNull(callback.get("error"), callback.get("error_description") ?? "")
      assert.strictEqual(callback.get("state"), provider.expectedState)
      assert.strictEqual(callback.get("iss"), base)
      const code = present(callback.get("code"), "the code")
      // the authorization server fetched the document (the SDK never does)
      assert.deepStrictEqual(document.hits, ["/client.json"])

      // Second call: the code is redeemed at /token, the client public (`none`).
      const second = yield* Effect.promise(() =>
        auth(provider, { serverUrl, resourceMetadataUrl, authorizationCode: code, fetchFn })
      )
      assert.strictEqual(second, "AUTHORIZED")
      const accessToken = present(provider.savedTokens?.access_token, "the access token")
      assert.strictEqual(provider.savedTokens?.scope, "mcp:tools")

      const ok = yield* Effect.promise(() => get(serverUrl, accessToken))
      assert.strictEqual(ok.status, 200)
      assert.deepStrictEqual(yield* Effect.promise(() => ok.json()), { client_id: document.url, scope: "mcp:tools" })

      // The document's scope bounds what its client may request.
      const beyond = yield* authorize(base, {
        response_type: "code",
        client_id: document.url,
        redirect_uri: provider.redirectUrl,
        code_challenge: challenge,
        code_challenge_method: "S256",
        state: "s2",
        scope: "mcp:admin"
      })
      assert.strictEqual(beyond.redirect?.searchParams.get("error"), "invalid_scope")

      // The SDK did discovery and the token request, and never registered.
      assert.include(requested, `POST ${base}/token`)
      assert.notInclude(requested.map((request) => request.split(" ")[1]), `${base}/register`)
      assert.isEmpty(requested.filter((request) => new URL(request.split(" ")[1]!).pathname.startsWith("/register")))
    }))
})

/** A public client registered through `/register` (RFC 7591). */
const registerClient = (base: string, redirectUri: string) =>
  Effect.promise(async () => {
    const response = await fetch(`${base}/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        client_name: "refusals",
        redirect_uris: [redirectUri],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "none"
      })
    })
    assert.strictEqual(response.status, 201)
    const body: { readonly client_id: string } = await response.json()
    return body.client_id
  })

const verifier = "v".repeat(20) + "-._~0123456789abcdefghijklmnop"
const challenge = createHash("sha256").update(verifier).digest("base64url")

/** `/authorize` with `overrides` over a valid request; answers the status and the redirect's query, if any. */
const authorize = (base: string, parameters: Record<string, string | undefined>) =>
  Effect.promise(async () => {
    const url = new URL(`${base}/authorize`)
    for (const [name, value] of Object.entries(parameters)) if (value !== undefined) url.searchParams.set(name, value)
    const response = await fetch(url, { redirect: "manual" })
    const location = response.headers.get("location")
    return {
      status: response.status,
      redirect: location === null ? undefined : new URL(location),
      body: location === null ? await response.json() : undefined
    }
  })

const token = (base: string, parameters: Record<string, string>) =>
  Effect.promise(async () => {
    const response = await fetch(`${base}/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(parameters)
    })
    return { status: response.status, body: await response.json() }
  })

/** A token request whose form body (`size` bytes) goes chunked, without a Content-Length. */
const tokenChunked = (base: string, size: number) =>
  Effect.async<{ readonly status: number; readonly body: Record<string, unknown> }, Error>((resume) => {
    const request = httpRequest(`${base}/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" }
    }, (response) => {
      let text = ""
      response.setEncoding("utf8")
      response.on("data", (chunk: string) => (text += chunk))
      response.on("end", () => resume(Effect.succeed({ status: response.statusCode ?? 0, body: JSON.parse(text) })))
    })
    request.on("error", (error) => resume(Effect.fail(error)))
    const chunk = `code=${"x".repeat(1019)}`
    for (let sent = 0; sent < size; sent += chunk.length) request.write(chunk)
    request.end()
  })

describe("what the example refuses", () => {
  it.scoped("authorization requests and token requests that do not hold", () =>
    Effect.gen(function*() {
      const base = yield* startServer()
      const redirectUri = "http://127.0.0.1:8976/callback"
      const clientId = yield* registerClient(base, redirectUri)
      const otherClientId = yield* registerClient(base, redirectUri)
      const valid = {
        response_type: "code",
        client_id: clientId,
        redirect_uri: redirectUri,
        code_challenge: challenge,
        code_challenge_method: "S256",
        state: "s1"
      }
      const codeOf = Effect.map(authorize(base, valid), (answer) =>
        present(answer.redirect?.searchParams.get("code"), "code"))

      // No redirect when the client or the redirect URI cannot be trusted.
      const unknown = yield* authorize(base, { ...valid, client_id: "nobody" })
      assert.strictEqual(unknown.status, 400)
      assert.isUndefined(unknown.redirect)
      const elsewhere = yield* authorize(base, { ...valid, redirect_uri: "https://attacker.example/cb" })
      assert.strictEqual(elsewhere.status, 400)
      assert.isUndefined(elsewhere.redirect)
      assert.strictEqual(elsewhere.body.error, "invalid_request")

      // Otherwise the error goes back to the client, with its state.
      for (
        const [overrides, error] of [
          [{ code_challenge: undefined }, "invalid_request"],
          [{ code_challenge_method: "plain" }, "invalid_request"],
          [{ code_challenge: "short" }, "invalid_request"],
          [{ response_type: "token" }, "unauthorized_client"],
          [{ resource: "https://elsewhere.example/mcp" }, "invalid_target"]
        ] as const
      ) {
        const answer = yield* authorize(base, { ...valid, ...overrides })
        assert.strictEqual(answer.status, 302, JSON.stringify(overrides))
        assert.strictEqual(answer.redirect?.searchParams.get("error"), error, JSON.stringify(overrides))
        assert.strictEqual(answer.redirect?.searchParams.get("state"), "s1")
        assert.isNull(answer.redirect?.searchParams.get("code") ?? null)
      }

      const redeem = { grant_type: "authorization_code", client_id: clientId, redirect_uri: redirectUri }
      assert.strictEqual(
        (yield* token(base, { ...redeem, grant_type: "password", code: "x", code_verifier: verifier })).body.error,
        "unsupported_grant_type"
      )
      const stranger = yield* token(base, { ...redeem, client_id: "nobody", code: "x", code_verifier: verifier })
      assert.strictEqual(stranger.status, 400)
      assert.strictEqual(stranger.body.error, "invalid_client")

      const huge = yield* token(base, { ...redeem, code: "x".repeat(100_000), code_verifier: verifier })
      assert.strictEqual(huge.status, 413)
      assert.strictEqual(huge.body.error, "invalid_request")
      const chunked = yield* tokenChunked(base, 100_000)
      assert.strictEqual(chunked.status, 413)
      assert.strictEqual(chunked.body.error, "invalid_request")

      // A wrong verifier spends the code: the right one is too late.
      const code = yield* codeOf
      assert.strictEqual(
        (yield* token(base, { ...redeem, code, code_verifier: `${verifier}x` })).body.error,
        "invalid_grant"
      )
      assert.strictEqual((yield* token(base, { ...redeem, code, code_verifier: verifier })).body.error, "invalid_grant")

      // Another client, another redirect URI, no verifier: refused.
      const forOther = yield* codeOf
      assert.strictEqual(
        (yield* token(base, { ...redeem, client_id: otherClientId, code: forOther, code_verifier: verifier })).body
          .error,
        "invalid_grant"
      )
      const otherRedirect = yield* codeOf
      assert.strictEqual(
        (yield* token(base, {
          ...redeem,
          redirect_uri: "http://127.0.0.1:8976/other",
          code: otherRedirect,
          code_verifier: verifier
        })).body.error,
        "invalid_grant"
      )
      assert.strictEqual((yield* token(base, { ...redeem, code: yield* codeOf })).body.error, "invalid_grant")

      // A code expires after 60 seconds.
      const late = yield* codeOf
      yield* TestClock.adjust("61 seconds")
      assert.strictEqual(
        (yield* token(base, { ...redeem, code: late, code_verifier: verifier })).body.error,
        "invalid_grant"
      )

      // The right request works, once.
      const good = yield* token(base, { ...redeem, code: yield* codeOf, code_verifier: verifier })
      assert.strictEqual(good.status, 200, JSON.stringify(good.body))
      assert.strictEqual(good.body.token_type, "Bearer")
      assert.strictEqual(
        (yield* Effect.promise(() =>
          get(`${base}/mcp`, good.body.access_token)
        )).status,
        200
      )
    }))
})
