/**
 * The engine's `ClientRegistry` on every store (`_stores.ts`; SQLite on a real file), against
 * clients registered through the engine on the same database: the registry contract every backend
 * meets (`registryContract.ts`; `RegistryContract.test.ts` runs it against Authlete), then what is
 * the engine's own: a stored client that does not decode, secrets kept as hashes (their expiry, no
 * `client_secret_jwt`).
 */
import { ClientRegistry, ClientStore, Engine } from "@effect-dcr/engine"
import { assert, it } from "@effect/vitest"
import { Context, Effect, Layer, Option, type Scope, TestClock } from "effect"
import { SignJWT } from "jose"
import { registered, registrationEndpoint, webClient } from "./_helpers.js"
import { forEachStore, type StoreTarget } from "./_stores.js"
import {
  basic,
  form,
  issuer,
  offByOne,
  outcome,
  registryContract,
  type RegistryTarget,
  tokenEndpoint
} from "./registryContract.js"

const start = Date.parse("2026-12-01T00:00:00Z")
const hour = 3_600_000

/** The engine and the registry on one new database of `store` (the test's scope). */
const onDatabase = (store: StoreTarget, options: Partial<Engine.Options> = {}) =>
  Effect.flatMap(store.database, (db) =>
    Layer.build(
      Layer.mergeAll(
        Engine.layer({ registrationEndpoint, ...options }),
        ClientRegistry.layer({ tokenEndpoint, issuer })
      ).pipe(Layer.provideMerge(db.open()))
    ))

/** The registry contract's backend: the engine on `store`, keeping scopes as requestable scopes. */
const engineTarget = (store: StoreTarget): Effect.Effect<RegistryTarget, never, Scope.Scope> =>
  Effect.map(Effect.orDie(onDatabase(store, { dcrScopeUsedAsRequestable: true })), (context) => ({
    registry: Context.get(context, ClientRegistry.ClientRegistry),
    register: (metadata) =>
      registered(metadata).pipe(
        Effect.map(({ clientId, info }) => ({ clientId, secret: info.client_secret as string | undefined })),
        Effect.provide(context),
        Effect.orDie
      )
  }))

const authenticate = (credentials: ClientRegistry.ClientCredentials) =>
  outcome(
    Effect.flatMap(ClientRegistry.ClientRegistry, (r) => r.authenticate(credentials)),
    (a) => `${a.method} ${a.clientId}`
  )

forEachStore("ClientRegistry", (store) => {
  registryContract(`engine on ${store.name}`, engineTarget(store))

  it.scoped("a stored client that does not decode is a ServerError (its cause a ClientStoreError), not a crash", () =>
    Effect.gen(function*() {
      const context = yield* onDatabase(store)
      yield* Effect.gen(function*() {
        const clientStore = yield* ClientStore.ClientStore
        yield* clientStore.insert({
          clientId: "100000000000001",
          client: "{not json",
          registrationAccessTokenHash: "x",
          clientSecretHash: undefined,
          clientSecretExpiresAt: undefined,
          softwareId: undefined,
          createdAt: 0,
          modifiedAt: 0
        }, { uniqueSoftwareId: false })
        const broken = yield* Effect.flip(
          Effect.flatMap(ClientRegistry.ClientRegistry, (r) => r.find("100000000000001"))
        )
        assert.strictEqual(broken._tag, "ServerError")
        assert.strictEqual(broken.error, "server_error")
        const cause = broken.cause as ClientStore.ClientStoreError
        assert.strictEqual(
          `${broken.reason} ${cause._tag} ${cause.operation}`,
          "ClientStoreFailed ClientStoreError find"
        )
        assert.strictEqual(
          yield* authenticate({ parameters: form({ client_id: "100000000000001" }) }),
          "ServerError/ClientStoreFailed"
        )
      }).pipe(Effect.provide(context))
    }))

  it.scoped("an expired client secret no longer authenticates (client_secret_expires_at), the right one before", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(start)
      const context = yield* onDatabase(store, { clientSecretLifetime: "1 hour" })
      yield* Effect.gen(function*() {
        const b = yield* registered(webClient)
        const n = yield* registered({ ...webClient, token_endpoint_auth_method: "none" })
        const right = { authorization: basic(b.clientId, b.info.client_secret), parameters: form({}) }
        const wrong = { authorization: basic(b.clientId, offByOne(b.info.client_secret)), parameters: form({}) }
        yield* TestClock.setTime(start + hour - 1)
        assert.strictEqual(yield* authenticate(right), `ok client_secret_basic ${b.clientId}`)
        yield* TestClock.setTime(start + hour)
        assert.strictEqual(yield* authenticate(right), "InvalidClient/SecretExpired")
        assert.strictEqual(
          yield* authenticate(wrong),
          "InvalidClient/WrongSecret",
          "a wrong secret is not told it expired"
        )
        assert.strictEqual(
          yield* authenticate({ parameters: form({ client_id: n.clientId }) }),
          `ok none ${n.clientId}`
        )
      }).pipe(Effect.provide(context))
    }))

  it.scoped("client_secret_jwt is refused as unsupported: the engine keeps only a hash of the secret", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(start)
      const context = yield* onDatabase(store)
      yield* Effect.gen(function*() {
        const csj = yield* registered({ ...webClient, token_endpoint_auth_method: "client_secret_jwt" })
        const now = Math.floor(start / 1000)
        // signed with the very secret: still not verifiable, the engine cannot know it is right
        const jwt = yield* Effect.promise(() =>
          new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setIssuer(csj.clientId).setSubject(csj.clientId)
            .setAudience(tokenEndpoint).setExpirationTime(now + 60)
            .sign(new TextEncoder().encode(csj.info.client_secret))
        )
        const assertion = form({
          client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
          client_assertion: jwt
        })
        assert.deepStrictEqual(
          [
            yield* authenticate({ parameters: assertion }),
            yield* authenticate({ authorization: basic(csj.clientId, csj.info.client_secret), parameters: form({}) })
          ],
          ["InvalidClient/ClientSecretJwtUnsupported", "InvalidClient/AuthMethodMismatch"]
        )
        const found = Option.getOrThrow(
          yield* Effect.flatMap(ClientRegistry.ClientRegistry, (r) => r.find(csj.clientId))
        )
        assert.strictEqual(found.tokenAuthMethod, "CLIENT_SECRET_JWT")
      }).pipe(Effect.provide(context))
    }))
})
