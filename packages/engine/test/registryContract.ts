/**
 * The `ClientRegistry` contract as tests, for every layer that provides the tag: what is the same
 * whichever backend keeps the clients. `registryContract("…", target)` in a `*.test.ts` file runs
 * them: find, RFC 6749 §2.3 authentication (basic, post, none, private_key_jwt with keys made by
 * jose), redirect URI matching (RFC 8252 §7.3 loopback ports), grant type, response type and scope
 * checks. Each table is run whole and compared at once, so a failure shows every case that went
 * wrong. What differs between backends (the engine's hashed secrets and their expiry, Authlete's
 * client_secret_jwt, store and HTTP failures) is tested next to each backend.
 */
import type { ClientRegistry } from "@effect-dcr/client"
import { ClientRegistryError } from "@effect-dcr/client"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Schema, type Scope, TestClock } from "effect"
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose"
import { randomUUID } from "node:crypto"

export const tokenEndpoint = "https://as.example.com/token"
export const issuer = "https://as.example.com"

/** A registered client: its id, and its secret (`undefined` for a client without one). */
export interface Registered {
  readonly clientId: string
  readonly secret: string | undefined
}

/**
 * One backend for one test: the registry (`tokenEndpoint` and `issuer` as above; a client's
 * `scope` kept as its requestable scopes) and a way to register clients in the same backend from
 * RFC 7591 metadata.
 */
export interface RegistryTarget {
  readonly registry: ClientRegistry.Service
  readonly register: (metadata: Record<string, unknown>) => Effect.Effect<Registered>
}

const start = Date.parse("2026-12-01T00:00:00Z")

export const webClient = {
  client_name: "Example App",
  redirect_uris: ["https://app.example.com/callback"]
}

/** RFC 6749 §2.3.1 Basic credentials: base64 of `id:secret` (ours need no form-urlencoding). */
export const basic = (id: string, secret: string) => "Basic " + Buffer.from(`${id}:${secret}`).toString("base64")

/** The secret with its last character changed. */
export const offByOne = (secret: string) => secret.slice(0, -1) + (secret.endsWith("A") ? "B" : "A")

export const form = (parameters: Record<string, string>) => new URLSearchParams(parameters)

const encodeError = Schema.encodeSync(ClientRegistryError.ClientRegistryError)

/**
 * What a call gave: `ok …` or `<_tag>/<reason>`; each error's description is checked on the way,
 * and no error, encoded or as a message, holds one of `secrets`.
 */
export const outcome = <A, R>(
  effect: Effect.Effect<A, ClientRegistryError.ClientRegistryError, R>,
  show: (a: A) => string,
  secrets: ReadonlyArray<string> = []
) =>
  Effect.match(effect, {
    onSuccess: (a) => `ok ${show(a)}`,
    onFailure: (error) => {
      // RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E
      assert.match(error.description, /^[\x20\x21\x23-\x5B\x5D-\x7E]+$/, error.description)
      const encoded = JSON.stringify(encodeError(error)) + error.message
      for (const secret of secrets) assert.notInclude(encoded, secret, "an error never carries a secret")
      assert.deepStrictEqual(ClientRegistryError.toResponseBody(error), {
        error: error.error,
        error_description: error.description
      })
      return `${error._tag}/${error.reason}`
    }
  })

/** Runs `table` (name, effect, expected) and compares all results at once. */
const runTable = <E>(
  table: ReadonlyArray<readonly [string, Effect.Effect<string, E>, string]>
) =>
  Effect.gen(function*() {
    const actual: Array<readonly [string, string]> = []
    for (const [name, effect] of table) actual.push([name, yield* effect])
    assert.deepStrictEqual(actual, table.map(([name, , expected]) => [name, expected] as const))
  })

const keyPair = Effect.promise(async () => {
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true })
  return { privateKey, jwk: await exportJWK(publicKey) }
})

/**
 * Registers the contract tests of a registry backend under `describe(name)`. `makeTarget` gives a
 * fresh backend for each test (in the test's scope).
 */
export const registryContract = (
  name: string,
  makeTarget: Effect.Effect<RegistryTarget, never, Scope.Scope>
) =>
  describe(`${name}: ClientRegistry contract`, () => {
    const authenticate = (
      target: RegistryTarget,
      credentials: ClientRegistry.ClientCredentials,
      secrets: ReadonlyArray<string> = []
    ) =>
      outcome(
        target.registry.authenticate(credentials),
        (a) => `${a.method} ${a.clientId}`,
        secrets
      )

    it.scoped("find answers the registered Client (without its secret), None for an unknown id", () =>
      Effect.gen(function*() {
        const target = yield* makeTarget
        const r = target.registry
        const web = yield* target.register({ ...webClient, client_name: "Found" })
        const found = yield* r.find(web.clientId)
        assert.isTrue(Option.isSome(found))
        const client = Option.getOrThrow(found)
        assert.strictEqual(String(client.clientId), web.clientId)
        assert.strictEqual(client.clientName, "Found")
        assert.deepStrictEqual(client.redirectUris, webClient.redirect_uris)
        assert.isUndefined(client.clientSecret)
        assert.isTrue(Option.isNone(yield* r.find("100000000000000")))
        assert.isTrue(Option.isNone(yield* r.find("not an id")))
        assert.isTrue(Option.isNone(yield* r.find("")))
      }))

    it.scoped("client_secret_basic, client_secret_post and none, each only as registered", () =>
      Effect.gen(function*() {
        const target = yield* makeTarget
        const b = yield* target.register(webClient)
        const p = yield* target.register({ ...webClient, token_endpoint_auth_method: "client_secret_post" })
        const n = yield* target.register({ ...webClient, token_endpoint_auth_method: "none" })
        const bs = b.secret!
        const ps = p.secret!
        const secrets = [bs, ps, offByOne(bs), offByOne(ps)]
        const percentEncoded = (s: string) => [...s].map((c) => "%" + c.charCodeAt(0).toString(16)).join("")
        const cases: ReadonlyArray<readonly [string, ClientRegistry.ClientCredentials, string]> = [
          [
            "basic: right secret",
            { authorization: basic(b.clientId, bs), parameters: form({}) },
            `ok client_secret_basic ${b.clientId}`
          ],
          [
            "basic: id and secret percent-encoded (RFC 6749 §2.3.1)",
            { authorization: basic(percentEncoded(b.clientId), percentEncoded(bs)), parameters: form({}) },
            `ok client_secret_basic ${b.clientId}`
          ],
          [
            "basic: scheme name in any case, the same client_id in the body too",
            {
              authorization: basic(b.clientId, bs).replace("Basic", "bAsIc"),
              parameters: form({ client_id: b.clientId })
            },
            `ok client_secret_basic ${b.clientId}`
          ],
          [
            "basic: last char wrong",
            { authorization: basic(b.clientId, offByOne(bs)), parameters: form({}) },
            "InvalidClient/WrongSecret"
          ],
          [
            "basic: empty secret",
            { authorization: basic(b.clientId, ""), parameters: form({}) },
            "InvalidClient/WrongSecret"
          ],
          [
            "basic: another client's secret",
            { authorization: basic(b.clientId, ps), parameters: form({}) },
            "InvalidClient/WrongSecret"
          ],
          [
            "basic client via post",
            { parameters: form({ client_id: b.clientId, client_secret: bs }) },
            "InvalidClient/AuthMethodMismatch"
          ],
          [
            "basic client with only client_id",
            { parameters: form({ client_id: b.clientId }) },
            "InvalidClient/AuthMethodMismatch"
          ],
          [
            "post: right secret",
            { parameters: form({ client_id: p.clientId, client_secret: ps }) },
            `ok client_secret_post ${p.clientId}`
          ],
          [
            "post: last char wrong",
            { parameters: form({ client_id: p.clientId, client_secret: offByOne(ps) }) },
            "InvalidClient/WrongSecret"
          ],
          [
            "post: record body with an empty parameter (treated as omitted)",
            { parameters: { client_id: p.clientId, client_secret: ps, client_assertion: "" } },
            `ok client_secret_post ${p.clientId}`
          ],
          [
            "post client via basic",
            { authorization: basic(p.clientId, ps), parameters: form({}) },
            "InvalidClient/AuthMethodMismatch"
          ],
          ["public: none", { parameters: form({ client_id: n.clientId }) }, `ok none ${n.clientId}`],
          [
            "public client with a secret",
            { parameters: form({ client_id: n.clientId, client_secret: bs }) },
            "InvalidClient/AuthMethodMismatch"
          ],
          [
            "public client via basic",
            { authorization: basic(n.clientId, ""), parameters: form({}) },
            "InvalidClient/AuthMethodMismatch"
          ],
          [
            "unknown client: basic",
            { authorization: basic("100000000000000", bs), parameters: form({}) },
            "InvalidClient/UnknownClient"
          ],
          [
            "unknown client: none",
            { parameters: form({ client_id: "100000000000000" }) },
            "InvalidClient/UnknownClient"
          ],
          [
            "no credentials at all",
            { parameters: form({ grant_type: "client_credentials" }) },
            "InvalidClient/MissingCredentials"
          ],
          [
            "client_secret without client_id",
            { parameters: form({ client_secret: ps }) },
            "InvalidRequest/MissingParameter"
          ],
          [
            "client_id repeated",
            { parameters: new URLSearchParams(`client_id=${n.clientId}&client_id=${n.clientId}`) },
            "InvalidRequest/RepeatedParameter"
          ],
          [
            "client_id as a nested object (a body parser's a[b]=c)",
            { parameters: JSON.parse(`{"client_id":{"a":"${n.clientId}"}}`) },
            "InvalidRequest/MalformedParameter"
          ],
          [
            "client_secret repeated (record)",
            { parameters: { client_id: p.clientId, client_secret: [ps, ps] } },
            "InvalidRequest/RepeatedParameter"
          ],
          [
            "basic and post at once",
            { authorization: basic(b.clientId, bs), parameters: form({ client_secret: bs }) },
            "InvalidRequest/MultipleAuthMethods"
          ],
          ["basic header with another client_id", {
            authorization: basic(b.clientId, bs),
            parameters: form({ client_id: p.clientId })
          }, "InvalidRequest/ClientIdMismatch"],
          [
            "malformed: not base64",
            { authorization: "Basic !!!!", parameters: form({}) },
            "InvalidRequest/MalformedAuthorizationHeader"
          ],
          // "1:xy" is MTp4eQ== in base64
          [
            "malformed: base64 without its padding",
            { authorization: "Basic MTp4eQ", parameters: form({}) },
            "InvalidRequest/MalformedAuthorizationHeader"
          ],
          ["malformed: no colon", {
            authorization: "Basic " + Buffer.from(b.clientId).toString("base64"),
            parameters: form({})
          }, "InvalidRequest/MalformedAuthorizationHeader"],
          [
            "malformed: empty client_id",
            { authorization: basic("", bs), parameters: form({}) },
            "InvalidRequest/MalformedAuthorizationHeader"
          ],
          [
            "malformed: bad percent-encoding",
            { authorization: basic(b.clientId, "%zz"), parameters: form({}) },
            "InvalidRequest/MalformedAuthorizationHeader"
          ],
          ["malformed: not UTF-8", {
            authorization: "Basic " + Buffer.from([0x31, 0x3a, 0xff]).toString("base64"),
            parameters: form({})
          }, "InvalidRequest/MalformedAuthorizationHeader"],
          [
            "malformed: Basic without credentials",
            { authorization: "Basic", parameters: form({}) },
            "InvalidRequest/MalformedAuthorizationHeader"
          ],
          [
            "malformed: another scheme",
            { authorization: "Bearer abc", parameters: form({}) },
            "InvalidRequest/MalformedAuthorizationHeader"
          ]
        ]
        yield* runTable(
          cases.map(([name, credentials, expected]) =>
            [name, authenticate(target, credentials, secrets), expected] as const
          )
        )
      }))

    it.scoped("private_key_jwt against the registered jwks; jwks_uri is refused as unsupported", () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(start)
        const target = yield* makeTarget
        const key = yield* keyPair
        const second = yield* keyPair
        const other = yield* keyPair
        const jwk = (k: { readonly jwk: JWK }, kid?: string): JWK => ({
          ...k.jwk,
          alg: "ES256",
          use: "sig",
          ...(kid === undefined ? {} : { kid })
        })
        const kj = yield* target.register({
          ...webClient,
          token_endpoint_auth_method: "private_key_jwt",
          jwks: { keys: [jwk(key, "k1")] }
        })
        // two keys without kid: both fit the header, each is tried
        const twoKeys = yield* target.register({
          ...webClient,
          token_endpoint_auth_method: "private_key_jwt",
          jwks: { keys: [jwk(other), jwk(second)] }
        })
        const pinned = yield* target.register({
          ...webClient,
          token_endpoint_auth_method: "private_key_jwt",
          token_endpoint_auth_signing_alg: "RS256",
          jwks: { keys: [jwk(key, "k1")] }
        })
        const viaUri = yield* target.register({
          ...webClient,
          token_endpoint_auth_method: "private_key_jwt",
          jwks_uri: "https://app.example.com/jwks.json"
        })
        const noKeys = yield* target.register({ ...webClient, token_endpoint_auth_method: "private_key_jwt" })
        const b = yield* target.register(webClient)
        const now = Math.floor(start / 1000)
        const sign = (
          signer: { readonly privateKey: CryptoKey },
          claims: { iss?: string; sub?: string; aud?: string | Array<string>; exp?: number; iat?: number },
          kid?: string
        ) =>
          Effect.promise(() => {
            const jwt = new SignJWT({ jti: randomUUID(), iat: now, ...claims })
              .setProtectedHeader({ alg: "ES256", ...(kid === undefined ? {} : { kid }) })
            return jwt.sign(signer.privateKey)
          })
        const claims = (clientId: string) => ({ iss: clientId, sub: clientId, aud: tokenEndpoint, exp: now + 60 })
        const assertion = (jwt: string, clientId?: string) => ({
          parameters: form({
            ...(clientId === undefined ? {} : { client_id: clientId }),
            client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            client_assertion: jwt
          })
        })
        const cases: ReadonlyArray<readonly [string, ClientRegistry.ClientCredentials, string]> = [
          [
            "valid, with client_id",
            assertion(yield* sign(key, claims(kj.clientId), "k1"), kj.clientId),
            `ok private_key_jwt ${kj.clientId}`
          ],
          [
            "valid, client found by sub",
            assertion(yield* sign(key, claims(kj.clientId), "k1")),
            `ok private_key_jwt ${kj.clientId}`
          ],
          [
            "valid, aud an array with the issuer",
            assertion(yield* sign(key, { ...claims(kj.clientId), aud: ["x", issuer] }, "k1")),
            `ok private_key_jwt ${kj.clientId}`
          ],
          [
            "valid, no kid, the second of two keys",
            assertion(yield* sign(second, claims(twoKeys.clientId))),
            `ok private_key_jwt ${twoKeys.clientId}`
          ],
          [
            "wrong audience",
            assertion(yield* sign(key, { ...claims(kj.clientId), aud: "https://other.example.com/token" }, "k1")),
            "InvalidClient/InvalidAssertion"
          ],
          [
            "expired",
            assertion(yield* sign(key, { ...claims(kj.clientId), exp: now - 1 }, "k1")),
            "InvalidClient/InvalidAssertion"
          ],
          [
            "without exp",
            assertion(yield* sign(key, { iss: kj.clientId, sub: kj.clientId, aud: tokenEndpoint }, "k1")),
            "InvalidClient/InvalidAssertion"
          ],
          [
            "signed by another key (same kid)",
            assertion(yield* sign(other, claims(kj.clientId), "k1")),
            "InvalidClient/InvalidAssertion"
          ],
          [
            "signed by another key (no kid)",
            assertion(yield* sign(other, claims(kj.clientId))),
            "InvalidClient/InvalidAssertion"
          ],
          [
            "iss is another client",
            assertion(yield* sign(key, { ...claims(kj.clientId), iss: b.clientId }, "k1")),
            "InvalidClient/InvalidAssertion"
          ],
          [
            "client_id is not sub",
            assertion(yield* sign(key, claims(kj.clientId), "k1"), twoKeys.clientId),
            "InvalidClient/InvalidAssertion"
          ],
          [
            "alg other than the registered signing alg",
            assertion(yield* sign(key, claims(pinned.clientId), "k1")),
            "InvalidClient/InvalidAssertion"
          ],
          ["not a JWT", assertion("not.a.jwt", kj.clientId), "InvalidClient/InvalidAssertion"],
          ["not a JWT, no client_id", assertion("garbage"), "InvalidClient/InvalidAssertion"],
          [
            "wrong client_assertion_type",
            { parameters: form({ client_assertion_type: "urn:example:saml", client_assertion: "x" }) },
            "InvalidRequest/UnsupportedAssertionType"
          ],
          [
            "client_assertion_type missing",
            { parameters: form({ client_assertion: "x" }) },
            "InvalidRequest/MissingParameter"
          ],
          [
            "assertion and a basic header",
            { authorization: basic(b.clientId, b.secret!), parameters: assertion("x").parameters },
            "InvalidRequest/MultipleAuthMethods"
          ],
          ["private_key_jwt client with a secret", {
            authorization: basic(kj.clientId, b.secret!),
            parameters: form({})
          }, "InvalidClient/AuthMethodMismatch"],
          [
            "basic client with an assertion",
            assertion(yield* sign(key, claims(b.clientId), "k1")),
            "InvalidClient/AuthMethodMismatch"
          ],
          [
            "jwks_uri only",
            assertion(yield* sign(key, claims(viaUri.clientId), "k1")),
            "InvalidClient/JwksUriUnsupported"
          ],
          [
            "no keys at all",
            assertion(yield* sign(key, claims(noKeys.clientId), "k1")),
            "InvalidClient/UnusableKeys"
          ]
        ]
        yield* runTable(
          cases.map(([name, credentials, expected]) => [name, authenticate(target, credentials), expected] as const)
        )

        // the assertion's jti and exp come back for a replay cache
        const r = target.registry
        const jwt = yield* sign(key, claims(kj.clientId), "k1")
        const ok = yield* r.authenticate(assertion(jwt))
        assert.strictEqual(ok.assertion?.expiresAt, (now + 60) * 1000)
        assert.match(ok.assertion?.jti ?? "", /^[0-9a-f-]{36}$/)
        // the same assertion after its exp
        yield* TestClock.setTime((now + 60) * 1000)
        assert.strictEqual(yield* authenticate(target, assertion(jwt)), "InvalidClient/InvalidAssertion")
      }))

    it.scoped("redirect URIs: exact match, any port on 127.0.0.1 and [::1] (RFC 8252 §7.3), none on localhost", () =>
      Effect.gen(function*() {
        const target = yield* makeTarget
        const r = target.registry
        const app = yield* target.register({
          client_name: "Native app",
          application_type: "native",
          token_endpoint_auth_method: "none",
          redirect_uris: [
            "com.example.app:/oauth2redirect",
            "http://127.0.0.1:8080/cb?x=1",
            "http://[::1]:8080/cb",
            "http://localhost:8080/cb"
          ]
        })
        const web = yield* target.register(webClient)
        const client = Option.getOrThrow(yield* r.find(app.clientId))
        const webOnly = Option.getOrThrow(yield* r.find(web.clientId))
        const cases: ReadonlyArray<readonly [string | undefined, boolean]> = [
          ["com.example.app:/oauth2redirect", true],
          ["com.example.app:/oauth2redirect/", false],
          ["com.example.app:/OAuth2redirect", false],
          ["http://127.0.0.1:8080/cb?x=1", true],
          ["http://127.0.0.1:51234/cb?x=1", true],
          ["http://127.0.0.1/cb?x=1", true],
          ["http://127.0.0.1:65535/cb?x=1", true],
          ["http://127.0.0.1:51234/cb?x=2", false],
          ["http://127.0.0.1:51234/cb", false],
          ["http://127.0.0.1:51234/cb?x=1&y=2", false],
          ["http://127.0.0.1:51234/other?x=1", false],
          ["http://127.0.0.1:51234/cb/?x=1", false],
          ["http://127.0.0.1:0/cb?x=1", false],
          ["http://127.0.0.1:65536/cb?x=1", false],
          ["http://127.0.0.1:051234/cb?x=1", false],
          ["http://127.0.0.1:/cb?x=1", false],
          ["http://127.0.0.1:51234@evil.example/cb?x=1", false],
          ["http://127.1:8080/cb?x=1", false],
          ["http://127.0.0.2:8080/cb?x=1", false],
          ["https://127.0.0.1:51234/cb?x=1", false],
          ["http://127.0.0.1:51234/cb?x=1#f", false],
          ["http://[::1]:8080/cb", true],
          ["http://[::1]:9999/cb", true],
          ["http://[::1]/cb", true],
          ["http://[::1]:9999/cb/extra", false],
          ["http://[::1]:9999/cb?x=1", false],
          ["http://[0:0:0:0:0:0:0:1]:9999/cb", false],
          ["http://localhost:8080/cb", true],
          ["http://localhost:9090/cb", false],
          ["http://localhost/cb", false],
          ["https://app.example.com/callback", false],
          [undefined, false],
          ["", false]
        ]
        const actual: Array<readonly [string | undefined, boolean]> = []
        for (const [uri] of cases) {
          const result = yield* Effect.either(r.checkRedirectUri(client, uri))
          if (result._tag === "Right") assert.strictEqual(result.right, uri)
          else assert.include(["RedirectUriMismatch", "RedirectUriRequired"], result.left.reason)
          actual.push([uri, result._tag === "Right"])
        }
        assert.deepStrictEqual(actual, cases)
        // one registered URI: it is the default when none is presented (RFC 6749 §3.1.2.3)
        assert.strictEqual(yield* r.checkRedirectUri(webOnly, undefined), webClient.redirect_uris[0])
        assert.strictEqual(yield* r.checkRedirectUri(webOnly, webClient.redirect_uris[0]), webClient.redirect_uris[0])
        const missing = yield* Effect.flip(r.checkRedirectUri(client, undefined))
        assert.strictEqual(missing.reason, "RedirectUriRequired")
        assert.strictEqual(missing.error, "invalid_request")
      }))

    it.scoped("grant types, response types and scopes against the registration", () =>
      Effect.gen(function*() {
        const target = yield* makeTarget
        const r = target.registry
        const find = (clientId: string) => Effect.map(r.find(clientId), Option.getOrThrow)
        const scoped = yield* find(
          (yield* target.register({
            ...webClient,
            grant_types: ["authorization_code", "refresh_token"],
            response_types: ["code"],
            scope: "openid profile"
          })).clientId
        )
        const hybrid = yield* find(
          (yield* target.register({
            ...webClient,
            grant_types: ["authorization_code", "implicit"],
            response_types: ["code id_token"]
          })).clientId
        )
        const defaults = yield* find((yield* target.register(webClient)).clientId)
        const show = (a: unknown) => JSON.stringify(a ?? null)
        const cases: ReadonlyArray<
          readonly [string, Effect.Effect<unknown, ClientRegistryError.ClientRegistryError>, string]
        > = [
          ["grant authorization_code", r.checkGrantType(scoped, "authorization_code"), "ok null"],
          ["grant refresh_token", r.checkGrantType(scoped, "refresh_token"), "ok null"],
          [
            "grant client_credentials",
            r.checkGrantType(scoped, "client_credentials"),
            "UnauthorizedClient/GrantTypeNotRegistered"
          ],
          [
            "grant device_code",
            r.checkGrantType(scoped, "urn:ietf:params:oauth:grant-type:device_code"),
            "UnauthorizedClient/GrantTypeNotRegistered"
          ],
          [
            "grant wire name",
            r.checkGrantType(scoped, "AUTHORIZATION_CODE"),
            "UnauthorizedClient/GrantTypeNotRegistered"
          ],
          ["grant default authorization_code", r.checkGrantType(defaults, "authorization_code"), "ok null"],
          [
            "grant default: no refresh_token",
            r.checkGrantType(defaults, "refresh_token"),
            "UnauthorizedClient/GrantTypeNotRegistered"
          ],
          ["grant implicit", r.checkGrantType(hybrid, "implicit"), "ok null"],
          ["response code", r.checkResponseType(scoped, "code"), "ok null"],
          ["response token", r.checkResponseType(scoped, "token"), "UnauthorizedClient/ResponseTypeNotRegistered"],
          [
            "response code id_token not registered",
            r.checkResponseType(scoped, "code id_token"),
            "UnauthorizedClient/ResponseTypeNotRegistered"
          ],
          ["response id_token code (any order)", r.checkResponseType(hybrid, "id_token code"), "ok null"],
          [
            "response code only, hybrid client",
            r.checkResponseType(hybrid, "code"),
            "UnauthorizedClient/ResponseTypeNotRegistered"
          ],
          ["response default code", r.checkResponseType(defaults, "code"), "ok null"],
          [
            "response unknown",
            r.checkResponseType(scoped, "code bogus"),
            "UnsupportedResponseType/UnknownResponseType"
          ],
          ["response empty", r.checkResponseType(scoped, ""), "UnsupportedResponseType/UnknownResponseType"],
          ["scope openid", r.checkScope(scoped, "openid"), `ok ["openid"]`],
          ["scope repeated value", r.checkScope(scoped, "profile openid profile"), `ok ["profile","openid"]`],
          ["scope absent", r.checkScope(scoped, undefined), "ok []"],
          ["scope not registered", r.checkScope(scoped, "openid email"), "InvalidScope/ScopeNotRegistered"],
          ["scope double space", r.checkScope(scoped, "openid  profile"), "InvalidScope/MalformedScope"],
          ["scope with a quote", r.checkScope(scoped, "open\"id"), "InvalidScope/MalformedScope"],
          [
            "scope on a client without registered scopes",
            r.checkScope(defaults, "anything goes"),
            `ok ["anything","goes"]`
          ]
        ]
        yield* runTable(cases.map(([name, check, expected]) => [name, outcome(check, show), expected] as const))
      }))
  })
