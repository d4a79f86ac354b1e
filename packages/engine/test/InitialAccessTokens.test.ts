import { ClientStore, Engine, InitialAccessTokenStore } from "@effect-dcr/engine"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Redacted } from "effect"
import * as TestClock from "effect/TestClock"
import { content, get, register, registered, registrationEndpoint, webClient } from "./_helpers.js"
import { forEachStore, type StoreLayer } from "./_stores.js"

/** The engine and, next to it, the stores it runs on (to issue, list and revoke tokens). */
const engineWithStores = (stores: StoreLayer, options: Partial<Engine.Options> = {}) =>
  Engine.layer({ registrationEndpoint, ...options }).pipe(Layer.provideMerge(stores))

const issue = (options: Partial<InitialAccessTokenStore.IssueOptions> = {}) =>
  Effect.map(
    InitialAccessTokenStore.issue({ expiresIn: "1 hour", maxUses: 1, ...options }),
    ({ details, token }) => ({ details, token: Redacted.value(token) })
  )

const listed = (id: string) =>
  Effect.map(
    Effect.flatMap(InitialAccessTokenStore.InitialAccessTokenStore, (tokens) => tokens.list),
    (all) => all.find((token) => token.id === id)!
  )

const unauthorized = (
  response: { readonly action?: string | undefined; readonly responseContent?: string | undefined }
) => {
  assert.strictEqual(response.action, "UNAUTHORIZED")
  assert.strictEqual(content(response).error, "invalid_token")
}

forEachStore("managed initial access tokens", (store) => {
  it.effect("issue stores only the hash: a 43-character token, a 16-hex-digit id, the limits", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1_700_000_000_000)
      const { details, token } = yield* issue({ expiresIn: "7 days", maxUses: 10, policy: "partners" })
      assert.match(token, /^[A-Za-z0-9_-]{43}$/)
      assert.match(details.id, /^[0-9a-f]{16}$/)
      assert.deepStrictEqual(yield* listed(details.id), {
        id: details.id,
        policy: "partners",
        createdAt: 1_700_000_000_000,
        expiresAt: 1_700_000_000_000 + 7 * 86_400_000,
        maxUses: 10,
        uses: 0,
        revokedAt: undefined
      })
      for (const bad of [{ expiresIn: 0 }, { expiresIn: "-1 hours" }, { maxUses: 0 }, { maxUses: 1.5 }]) {
        const error = yield* Effect.flip(issue(bad as Partial<InitialAccessTokenStore.IssueOptions>))
        assert.strictEqual(error._tag, "InvalidIssueOptions")
      }
    }).pipe(Effect.provide(engineWithStores(store.fresh()))))

  it.effect("a managed token admits registrations up to its maximum number of uses", () =>
    Effect.gen(function*() {
      const { details, token } = yield* issue({ maxUses: 2 })
      yield* registered(webClient, token)
      yield* registered(webClient, token)
      unauthorized(yield* register(webClient, token))
      assert.strictEqual((yield* listed(details.id)).uses, 2)
    }).pipe(Effect.provide(engineWithStores(store.fresh(), { requireInitialAccessToken: true }))))

  it.effect("a managed token expires at its expiry time", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1_700_000_000_000)
      const { token } = yield* issue({ expiresIn: "1 hour", maxUses: 5 })
      yield* TestClock.adjust("59 minutes")
      yield* registered(webClient, token)
      yield* TestClock.adjust("1 minute")
      unauthorized(yield* register(webClient, token))
    }).pipe(Effect.provide(engineWithStores(store.fresh(), { requireInitialAccessToken: true }))))

  it.effect("a revoked token is refused at once; other tokens keep working", () =>
    Effect.gen(function*() {
      const revoked = yield* issue({ maxUses: 5 })
      const kept = yield* issue({ maxUses: 5 })
      yield* registered(webClient, revoked.token)
      const tokens = yield* InitialAccessTokenStore.InitialAccessTokenStore
      assert.isTrue(yield* tokens.revoke(revoked.details.id, 1))
      unauthorized(yield* register(webClient, revoked.token))
      yield* registered(webClient, kept.token)
    }).pipe(Effect.provide(engineWithStores(store.fresh(), { requireInitialAccessToken: true }))))

  it.effect("a failed registration gives its use back: only CREATED registrations count", () =>
    Effect.gen(function*() {
      const { details, token } = yield* issue({ maxUses: 1 })
      const invalid = yield* register({ redirect_uris: "not a list" }, token)
      assert.strictEqual(invalid.action, "BAD_REQUEST")
      assert.strictEqual((yield* listed(details.id)).uses, 0)
      yield* registered({ ...webClient, software_id: "app" }, (yield* issue({ maxUses: 1 })).token)
      const duplicate = yield* register({ ...webClient, software_id: "app" }, token)
      assert.strictEqual(duplicate.action, "BAD_REQUEST")
      assert.strictEqual((yield* listed(details.id)).uses, 0)
      yield* registered(webClient, token)
      unauthorized(yield* register(webClient, token))
      assert.strictEqual((yield* listed(details.id)).uses, 1)
    }).pipe(
      Effect.provide(
        engineWithStores(store.fresh(), { requireInitialAccessToken: true, dcrDuplicateSoftwareIdBlocked: true })
      )
    ))

  it.effect("requireInitialAccessToken: without a token UNAUTHORIZED; static and managed tokens both admit", () =>
    Effect.gen(function*() {
      unauthorized(yield* register(webClient))
      yield* registered(webClient, "static-token")
      yield* registered(webClient, (yield* issue()).token)
      unauthorized(yield* register(webClient, "unknown-token"))
    }).pipe(
      Effect.provide(
        engineWithStores(store.fresh(), {
          requireInitialAccessToken: true,
          initialAccessTokens: [Redacted.make("static-token")]
        })
      )
    ))

  it.effect("static tokens alone make a token required (the default), and managed ones are accepted too", () =>
    Effect.gen(function*() {
      unauthorized(yield* register(webClient))
      yield* registered(webClient, (yield* issue()).token)
    }).pipe(Effect.provide(engineWithStores(store.fresh(), { initialAccessTokens: [Redacted.make("static-token")] }))))

  it.effect("when no token is required, none is needed, but a presented one must be valid", () =>
    Effect.gen(function*() {
      yield* registered(webClient)
      const { details, token } = yield* issue({ maxUses: 1 })
      yield* registered(webClient, token)
      assert.strictEqual((yield* listed(details.id)).uses, 1)
      unauthorized(yield* register(webClient, token))
      unauthorized(yield* register(webClient, "unknown-token"))
    }).pipe(Effect.provide(engineWithStores(store.fresh()))))

  it.effect("without an InitialAccessTokenStore only the static tokens are accepted", () =>
    Effect.gen(function*() {
      yield* registered(webClient)
      unauthorized(yield* register(webClient, "unknown-token"))
    }).pipe(
      Effect.provide(
        Engine.layer({ registrationEndpoint }).pipe(
          Layer.provide(Layer.effect(ClientStore.ClientStore, ClientStore.ClientStore)),
          Layer.provide(store.fresh())
        )
      )
    ))

  it.effect("a storage failure while taking a use is INTERNAL_SERVER_ERROR, never a registration", () =>
    Effect.gen(function*() {
      const response = yield* register(webClient, "some-token")
      assert.strictEqual(response.action, "INTERNAL_SERVER_ERROR")
      assert.strictEqual(content(response).error, "server_error")
    }).pipe(
      Effect.provide(
        Engine.layer({ registrationEndpoint }).pipe(
          Layer.provide(Layer.succeed(
            InitialAccessTokenStore.InitialAccessTokenStore,
            InitialAccessTokenStore.InitialAccessTokenStore.of({
              create: () => Effect.die("unused"),
              consume: () =>
                Effect.fail(
                  new ClientStore.ClientStoreError({ operation: "consumeInitialAccessToken", cause: new Error("io") })
                ),
              release: () => Effect.die("unused"),
              list: Effect.die("unused"),
              revoke: () => Effect.die("unused")
            })
          )),
          Layer.provide(store.fresh())
        )
      )
    ))

  it.scoped(
    "many concurrent registrations on two engines sharing a database against a 10-use token: exactly 10 succeed",
    () =>
      Effect.gen(function*() {
        const database = yield* store.database
        const { details, token } = yield* issue({ maxUses: 10 }).pipe(Effect.provide(database.open()))
        const attempts = (n: number) =>
          Array.from({ length: n }, (_, i) => register({ ...webClient, client_name: `client ${i}` }, token))
        const engine = () =>
          Engine.layer({ registrationEndpoint, requireInitialAccessToken: true }).pipe(
            Layer.provide(database.open())
          )
        // two engines, two connections (pools) to the same database: the use count is shared through it
        const [first, second] = yield* Effect.all([
          Effect.all(attempts(40), { concurrency: "unbounded" }).pipe(Effect.provide(engine())),
          Effect.all(attempts(40), { concurrency: "unbounded" }).pipe(Effect.provide(engine()))
        ], { concurrency: 2 })
        const responses = [...first, ...second]
        const created = responses.filter((response) => response.action === "CREATED")
        assert.strictEqual(created.length, 10)
        for (const response of responses) {
          if (response.action !== "CREATED") unauthorized(response)
        }
        const check = Effect.gen(function*() {
          assert.strictEqual((yield* listed(details.id)).uses, 10)
          for (const response of created) {
            const info = content(response)
            assert.strictEqual((yield* get(info.client_id, info.registration_access_token)).action, "OK")
          }
        })
        yield* check.pipe(Effect.provide(engineWithStores(database.open())))
      }),
    60_000
  )
})

describe("Engine.config: initial access tokens", () => {
  it.effect("DCR_INITIAL_ACCESS_TOKEN is read when DCR_INITIAL_ACCESS_TOKENS is unset", () =>
    Effect.gen(function*() {
      const read = (entries: ReadonlyArray<readonly [string, string]>) =>
        Effect.withConfigProvider(
          Engine.config,
          ConfigProvider.fromMap(new Map([["DCR_REGISTRATION_ENDPOINT", registrationEndpoint], ...entries]))
        )
      const values = (options: Engine.Options) => options.initialAccessTokens?.map(Redacted.value)
      assert.deepStrictEqual(values(yield* read([["DCR_INITIAL_ACCESS_TOKENS", "a,b"]])), ["a", "b"])
      assert.deepStrictEqual(values(yield* read([["DCR_INITIAL_ACCESS_TOKEN", "single"]])), ["single"])
      assert.deepStrictEqual(values(yield* read([])), [])
      assert.isUndefined((yield* read([])).requireInitialAccessToken)
      assert.isTrue((yield* read([["DCR_REQUIRE_INITIAL_ACCESS_TOKEN", "true"]])).requireInitialAccessToken)
    }))
})
