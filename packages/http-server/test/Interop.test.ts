import { Engine } from "@effect-dcr/engine"
import { RegistrationApi } from "@effect-dcr/http-server"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import { join } from "node:path"
import * as oauth from "oauth4webapi"
import * as client from "openid-client"
import { type Flavour, flavours, listenWith, tempDirectory } from "./support.js"

const initialAccessToken = "initial-access-token-for-interop"

/** The standalone shape: RegistrationApi (endpoints + discovery), engine on a temporary SQLite file. */
const serverOn = (flavour: Flavour) =>
  Effect.gen(function*() {
    const dir = yield* tempDirectory
    const server = yield* listenWith(flavour)
    const engine = Engine.layerSqlite({
      filename: join(dir, "dcr.sqlite"),
      registrationEndpoint: `${server.base}/register`,
      initialAccessTokens: [Redacted.make(initialAccessToken)]
    })
    yield* server.serve(RegistrationApi.layer({ issuer: server.base }).pipe(Layer.provide(engine)))
    return server.base
  })

const metadata = {
  client_name: "interop",
  redirect_uris: ["http://127.0.0.1:8765/callback"],
  grant_types: ["authorization_code", "refresh_token"],
  response_types: ["code"],
  token_endpoint_auth_method: "client_secret_basic"
}

/** The libraries reject a 401 with a `WWW-Authenticate` challenge; answers what they rejected with. */
const rejected = (f: () => Promise<unknown>) => Effect.flip(Effect.tryPromise({ try: f, catch: (error) => error }))

const assertInvalidTokenChallenge = (error: unknown) => {
  assert.instanceOf(error, oauth.WWWAuthenticateChallengeError)
  const challenge = (error as oauth.WWWAuthenticateChallengeError).cause[0]!
  assert.strictEqual(challenge.scheme, "bearer")
  assert.strictEqual(challenge.parameters.error, "invalid_token")
  assert.strictEqual((error as oauth.WWWAuthenticateChallengeError).response.status, 401)
}

for (const flavour of flavours) {
  const server = serverOn(flavour)

  describe(`interop with OAuth client libraries (${flavour} server)`, () => {
    it.scoped("oauth4webapi: discovery, registration with an initial access token, RFC 7592 read/update/delete", () =>
      Effect.gen(function*() {
        const base = yield* server
        const issuer = new URL(base)
        const insecure = { [oauth.allowInsecureRequests]: true }
        const as = yield* Effect.promise(async () =>
          oauth.processDiscoveryResponse(
            issuer,
            await oauth.discoveryRequest(issuer, { algorithm: "oauth2", ...insecure })
          )
        )
        assert.strictEqual(as.registration_endpoint, `${base}/register`)

        const refused = yield* Effect.promise(() => oauth.dynamicClientRegistrationRequest(as, metadata, insecure))
        assert.strictEqual(refused.status, 401)
        assert.match(refused.headers.get("www-authenticate")!, /^Bearer/)

        const registered = yield* Effect.promise(async () =>
          oauth.processDynamicClientRegistrationResponse(
            await oauth.dynamicClientRegistrationRequest(as, metadata, { initialAccessToken, ...insecure })
          )
        )
        assert.isString(registered.client_id)
        assert.isString(registered.client_secret)
        assert.strictEqual(registered.client_secret_expires_at, 0)
        const uri = new URL(registered["registration_client_uri"] as string)
        const token = registered["registration_access_token"] as string
        assert.strictEqual(uri.href, `${base}/register/${registered.client_id}`)

        const read = yield* Effect.promise(() =>
          oauth.protectedResourceRequest(token, "GET", uri, undefined, null, insecure)
        )
        assert.strictEqual(read.status, 200)
        const current = yield* Effect.promise(() => read.json())
        assert.strictEqual(current.client_id, registered.client_id)
        assert.strictEqual(current.client_name, "interop")

        const updated = yield* Effect.promise(() =>
          oauth.protectedResourceRequest(
            token,
            "PUT",
            uri,
            new Headers({ "content-type": "application/json" }),
            JSON.stringify({ ...metadata, client_id: registered.client_id, client_name: "interop 2" }),
            insecure
          )
        )
        assert.strictEqual(updated.status, 200)
        assert.strictEqual((yield* Effect.promise(() => updated.json())).client_name, "interop 2")

        const deleted = yield* Effect.promise(() =>
          oauth.protectedResourceRequest(token, "DELETE", uri, undefined, null, insecure)
        )
        assert.strictEqual(deleted.status, 204)
        const gone = yield* rejected(() => oauth.protectedResourceRequest(token, "GET", uri, undefined, null, insecure))
        assertInvalidTokenChallenge(gone)
      }))

    it.scoped("openid-client v6: dynamicClientRegistration, then the RFC 7592 registration_client_uri", () =>
      Effect.gen(function*() {
        const base = yield* server
        const config = yield* Effect.promise(() =>
          client.dynamicClientRegistration(new URL(base), metadata, undefined, {
            algorithm: "oauth2",
            initialAccessToken,
            execute: [client.allowInsecureRequests]
          })
        )
        assert.strictEqual(config.serverMetadata().issuer, base)
        const registered = config.clientMetadata()
        assert.isString(registered.client_id)
        assert.isString(registered.client_secret)
        assert.strictEqual(registered["client_name"], "interop")
        const uri = new URL(registered["registration_client_uri"] as string)
        const token = registered["registration_access_token"] as string

        const read = yield* Effect.promise(() => client.fetchProtectedResource(config, token, uri, "GET"))
        assert.strictEqual(read.status, 200)
        assert.strictEqual((yield* Effect.promise(() => read.json())).client_id, registered.client_id)

        const deleted = yield* Effect.promise(() => client.fetchProtectedResource(config, token, uri, "DELETE"))
        assert.strictEqual(deleted.status, 204)
        const gone = yield* rejected(() => client.fetchProtectedResource(config, token, uri, "GET"))
        assertInvalidTokenChallenge(gone)
      }))

    it.scoped("openid-client surfaces the RFC 7591 error of a rejected registration", () =>
      Effect.gen(function*() {
        const base = yield* server
        const error = yield* Effect.flip(Effect.tryPromise(() =>
          client.dynamicClientRegistration(
            new URL(base),
            { ...metadata, redirect_uris: ["relative/path"] },
            undefined,
            {
              algorithm: "oauth2",
              initialAccessToken,
              execute: [client.allowInsecureRequests]
            }
          )
        ))
        const cause = error.error as { readonly error?: string; readonly status?: number }
        assert.strictEqual(cause.status, 400)
        assert.include(["invalid_redirect_uri", "invalid_client_metadata"], cause.error)
      }))
  })
}
