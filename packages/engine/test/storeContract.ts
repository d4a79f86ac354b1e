/**
 * The store contract as tests, for any implementation of `ClientStore` + `InitialAccessTokenStore`:
 * `storeContract("PgClientStore", () => PgClientStore.layer(...))` in a `*.test.ts` file runs them.
 * `makeLayer` must give a fresh, empty store each time it is called (one per test).
 */
import { ClientStore, InitialAccessTokenStore } from "@effect-dcr/engine"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, type Layer, Option } from "effect"
import { createHash, randomBytes } from "node:crypto"

type Stores = ClientStore.ClientStore | InitialAccessTokenStore.InitialAccessTokenStore

/** A SHA-256 in base64url, the form the engine stores. */
const hashOf = (text: string) => createHash("sha256").update(text).digest("base64url")

let nextId = 800_000_000_000_000
const record = (overrides: Partial<ClientStore.ClientRecord> = {}): ClientStore.ClientRecord => {
  const clientId = String(nextId++)
  return {
    clientId,
    client: JSON.stringify({ clientId: Number(clientId), clientName: "c" + clientId }),
    registrationAccessTokenHash: hashOf(randomBytes(32).toString("base64url")),
    clientSecretHash: hashOf(randomBytes(64).toString("base64url")),
    clientSecretExpiresAt: undefined,
    softwareId: undefined,
    createdAt: 1_700_000_000_000,
    modifiedAt: 1_700_000_000_000,
    ...overrides
  }
}

const now = 1_800_000_000_000

const newToken = (
  overrides: Partial<InitialAccessTokenStore.NewInitialAccessToken> = {}
): InitialAccessTokenStore.NewInitialAccessToken => ({
  id: randomBytes(8).toString("hex"),
  tokenHash: hashOf(randomBytes(32).toString("base64url")),
  policy: undefined,
  createdAt: now - 1000,
  expiresAt: now + 60_000,
  maxUses: 1,
  ...overrides
})

/**
 * Registers the contract tests of a store under `describe(name)`.
 *
 * @since 0.1.0
 */
export const storeContract = (name: string, makeLayer: () => Layer.Layer<Stores, unknown>) => {
  const run = <A, E>(effect: Effect.Effect<A, E, Stores>) => Effect.provide(effect, makeLayer())

  describe(`${name}: ClientStore contract`, () => {
    it.effect("find returns what insert stored, clientSecretExpiresAt and registrationPolicy included; none for an unknown id", () =>
      run(Effect.gen(function*() {
        const store = yield* ClientStore.ClientStore
        const expiring = record({ clientSecretExpiresAt: now + 86_400_000, softwareId: "sw" })
        const never = record()
        const publicClient = record({ clientSecretHash: undefined })
        const underPolicy = record({ registrationPolicy: "partners" })
        const all = [expiring, never, publicClient, underPolicy]
        // one by one, and several in one batch
        for (const r of all.slice(0, 2)) yield* store.insert(r, { uniqueSoftwareId: false })
        yield* Effect.all(all.slice(2).map((r) => store.insert(r, { uniqueSoftwareId: false })), { concurrency: 2 })
        for (const r of all) {
          assert.deepStrictEqual(yield* store.find(r.clientId), Option.some(r))
        }
        assert.deepStrictEqual(yield* store.find("999999999999998"), Option.none())
      })))

    it.effect("replace is compare-and-set on the token hash, writes clientSecretExpiresAt, keeps registrationPolicy", () =>
      run(Effect.gen(function*() {
        const store = yield* ClientStore.ClientStore
        const r = record({ clientSecretExpiresAt: now, registrationPolicy: "partners" })
        yield* store.insert(r, { uniqueSoftwareId: false })
        const next: ClientStore.ClientReplacement = {
          client: "{\"clientName\":\"new\"}",
          registrationAccessTokenHash: r.registrationAccessTokenHash,
          clientSecretHash: hashOf("new secret"),
          clientSecretExpiresAt: now + 5000,
          softwareId: undefined,
          modifiedAt: r.modifiedAt + 1
        }
        assert.isFalse(yield* store.replace(r.clientId, hashOf("wrong"), next))
        assert.isTrue(yield* store.replace(r.clientId, r.registrationAccessTokenHash, next))
        assert.deepStrictEqual(yield* store.find(r.clientId), Option.some({ ...r, ...next }))
        const cleared = { ...next, clientSecretHash: undefined, clientSecretExpiresAt: undefined }
        assert.isTrue(yield* store.replace(r.clientId, r.registrationAccessTokenHash, cleared))
        assert.deepStrictEqual(yield* store.find(r.clientId), Option.some({ ...r, ...cleared }))
      })))

    it.effect("revokeRegistrationAccessToken invalidates the named client's token if it still holds it, nothing else", () =>
      run(Effect.gen(function*() {
        const store = yield* ClientStore.ClientStore
        const owner = record()
        const bystander = record()
        yield* store.insert(owner, { uniqueSoftwareId: false })
        yield* store.insert(bystander, { uniqueSoftwareId: false })
        // the hash of another client's token, or a token of the right client that is not current: nothing
        assert.isFalse(
          yield* store.revokeRegistrationAccessToken(owner.clientId, bystander.registrationAccessTokenHash)
        )
        assert.isFalse(yield* store.revokeRegistrationAccessToken(owner.clientId, hashOf("an older token")))
        assert.isFalse(yield* store.revokeRegistrationAccessToken("999999999999999", owner.registrationAccessTokenHash))
        assert.deepStrictEqual(yield* store.find(owner.clientId), Option.some(owner))
        assert.isTrue(yield* store.revokeRegistrationAccessToken(owner.clientId, owner.registrationAccessTokenHash))
        const revoked = Option.getOrThrow(yield* store.find(owner.clientId))
        assert.deepStrictEqual(revoked, { ...owner, registrationAccessTokenHash: ClientStore.revokedTokenHash })
        assert.deepStrictEqual(yield* store.find(bystander.clientId), Option.some(bystander))
        // the old hash guards nothing any more
        assert.isFalse(yield* store.delete(owner.clientId, owner.registrationAccessTokenHash))
        assert.isFalse(yield* store.revokeRegistrationAccessToken(owner.clientId, owner.registrationAccessTokenHash))
        // a second revoked client does not clash with the first (the marker is not unique)
        assert.isTrue(
          yield* store.revokeRegistrationAccessToken(bystander.clientId, bystander.registrationAccessTokenHash)
        )
        assert.strictEqual(
          Option.getOrThrow(yield* store.find(bystander.clientId)).registrationAccessTokenHash,
          ClientStore.revokedTokenHash
        )
      })))

    it.effect("list pages through every client in byte order of the id, each record as find answers it", () =>
      run(Effect.gen(function*() {
        const store = yield* ClientStore.ClientStore
        assert.deepStrictEqual(yield* store.list({ limit: 10 }), [])
        // inserted out of order, one with every optional field, one revoked
        const all = [
          record(),
          record({ softwareId: "sw", clientSecretExpiresAt: now, registrationPolicy: "p" }),
          record({
            clientSecretHash: undefined
          }),
          record(),
          record()
        ]
        for (const r of [...all].reverse()) yield* store.insert(r, { uniqueSoftwareId: false })
        assert.isTrue(yield* store.revokeRegistrationAccessToken(all[3]!.clientId, all[3]!.registrationAccessTokenHash))
        const expected = all.map((r, i) =>
          i === 3 ? { ...r, registrationAccessTokenHash: ClientStore.revokedTokenHash } : r
        )
          .sort((a, b) => a.clientId < b.clientId ? -1 : 1)
        const pages: Array<ReadonlyArray<ClientStore.ClientRecord>> = []
        let after: string | undefined
        for (;;) {
          const page = yield* store.list({ limit: 2, after })
          pages.push(page)
          if (page.length < 2) break
          after = page[page.length - 1]!.clientId
        }
        assert.deepStrictEqual(pages.map((page) => page.length), [2, 2, 1])
        assert.deepStrictEqual(pages.flat(), expected)
        assert.deepStrictEqual(yield* store.list({ limit: 100 }), expected)
        // bounded: a limit below 1 is 1, an id past the last gives an empty page
        assert.deepStrictEqual(yield* store.list({ limit: 0 }), expected.slice(0, 1))
        assert.deepStrictEqual(yield* store.list({ limit: 10, after: expected[4]!.clientId }), [])
        assert.deepStrictEqual(yield* store.list({ limit: 10, after: expected[1]!.clientId }), expected.slice(2))
      })))
  })

  describe(`${name}: ClientStore housekeeping contract`, () => {
    const plain = { uniqueSoftwareId: false }

    it.effect("recordUse writes lastUsedAt only when absent or older than staleBefore; replace keeps it", () =>
      run(Effect.gen(function*() {
        const store = yield* ClientStore.ClientStore
        const r = record()
        yield* store.insert(r, plain)
        const lastUsed = (id: string) => Effect.map(store.find(id), (found) => Option.getOrThrow(found).lastUsedAt)
        assert.isUndefined(yield* lastUsed(r.clientId))
        assert.isTrue(yield* store.recordUse(r.clientId, now, now - 3_600_000))
        assert.strictEqual(yield* lastUsed(r.clientId), now)
        // within the granularity: nothing written
        assert.isFalse(yield* store.recordUse(r.clientId, now + 60_000, now + 60_000 - 3_600_000))
        assert.strictEqual(yield* lastUsed(r.clientId), now)
        // once the stored use is older than staleBefore: written
        assert.isTrue(yield* store.recordUse(r.clientId, now + 3_600_001, now + 1))
        assert.strictEqual(yield* lastUsed(r.clientId), now + 3_600_001)
        // an unknown client: nothing
        assert.isFalse(yield* store.recordUse("999999999999997", now, now))
        // replace and revocation keep it; find and list answer it
        const next: ClientStore.ClientReplacement = {
          client: r.client,
          registrationAccessTokenHash: hashOf("next"),
          clientSecretHash: r.clientSecretHash,
          clientSecretExpiresAt: undefined,
          softwareId: undefined,
          modifiedAt: r.modifiedAt + 1
        }
        assert.isTrue(yield* store.replace(r.clientId, r.registrationAccessTokenHash, next))
        assert.deepStrictEqual(
          yield* store.find(r.clientId),
          Option.some({ ...r, ...next, lastUsedAt: now + 3_600_001 })
        )
        assert.deepStrictEqual(yield* store.list({ limit: 10 }), [{ ...r, ...next, lastUsedAt: now + 3_600_001 }])
      })))

    it.effect("listUnused walks the primary key in bounded windows and answers the never-used clients older than the cutoff", () =>
      run(Effect.gen(function*() {
        const store = yield* ClientStore.ClientStore
        const old = now - 10 * 86_400_000
        const criteria = { createdBefore: now - 7 * 86_400_000 }
        assert.deepStrictEqual(yield* store.listUnused({ ...criteria, limit: 10 }), { clients: [], next: undefined })
        const unusedOld = Array.from({ length: 5 }, () => record({ createdAt: old, modifiedAt: old }))
        const usedOld = Array.from({ length: 2 }, () => record({ createdAt: old, modifiedAt: old }))
        const recent = Array.from({ length: 2 }, () => record({ createdAt: now - 86_400_000 }))
        const all = [...unusedOld, ...usedOld, ...recent]
        for (const r of [...all].reverse()) yield* store.insert(r, plain)
        for (const r of usedOld) assert.isTrue(yield* store.recordUse(r.clientId, now - 8 * 86_400_000, now))
        const ids = all.map((r) => r.clientId).sort()
        // windows of 2 clients (matching or not): 9 clients give 5 windows, the cursor is the window's last id
        const windows: Array<ClientStore.UnusedPage> = []
        let after: string | undefined
        do {
          const page = yield* store.listUnused({ ...criteria, limit: 2, after })
          windows.push(page)
          after = page.next
        } while (after !== undefined)
        assert.deepStrictEqual(windows.map((w) => w.next), [ids[1], ids[3], ids[5], ids[7], undefined])
        for (const w of windows) assert.isAtMost(w.clients.length, 2)
        assert.deepStrictEqual(
          windows.flatMap((w) => w.clients),
          [...unusedOld].sort((a, b) => a.clientId < b.clientId ? -1 : 1)
        )
        // also the clients not used since a time: the used ones were last used 8 days ago
        const stale = yield* store.listUnused({ ...criteria, lastUsedBefore: now - 7 * 86_400_000, limit: 100 })
        assert.deepStrictEqual(
          stale.clients.map((r) => r.clientId),
          [...unusedOld, ...usedOld].map((r) => r.clientId).sort()
        )
        assert.deepStrictEqual(
          (yield* store.listUnused({ ...criteria, lastUsedBefore: now - 9 * 86_400_000, limit: 100 })).clients.length,
          5
        )
        // every client is recent for an older cutoff
        assert.deepStrictEqual((yield* store.listUnused({ createdBefore: old, limit: 100 })).clients, [])
      })))

    it.effect("deleteUnused deletes only the given clients still unused: a used one and a recent one stay", () =>
      run(Effect.gen(function*() {
        const store = yield* ClientStore.ClientStore
        const old = now - 10 * 86_400_000
        const criteria = { createdBefore: now - 7 * 86_400_000 }
        const unusedOld = [record({ createdAt: old }), record({ createdAt: old }), record({ createdAt: old })]
        const used = record({ createdAt: old })
        const recent = record({ createdAt: now })
        for (const r of [...unusedOld, used, recent]) yield* store.insert(r, plain)
        yield* store.recordUse(used.clientId, now, now)
        assert.deepStrictEqual(yield* store.deleteUnused([], criteria), [])
        const deleted = yield* store.deleteUnused(
          [unusedOld[0]!.clientId, unusedOld[1]!.clientId, used.clientId, recent.clientId, "999999999999996"],
          criteria
        )
        assert.deepStrictEqual([...deleted].sort(), [unusedOld[0]!.clientId, unusedOld[1]!.clientId].sort())
        for (const r of unusedOld.slice(0, 2)) assert.isTrue(Option.isNone(yield* store.find(r.clientId)))
        for (const r of [unusedOld[2]!, used, recent]) assert.isTrue(Option.isSome(yield* store.find(r.clientId)))
        // with lastUsedBefore after the use, the used client goes too; the recent one never
        assert.deepStrictEqual(
          yield* store.deleteUnused([used.clientId, recent.clientId], { ...criteria, lastUsedBefore: now + 1 }),
          [used.clientId]
        )
        assert.isTrue(Option.isSome(yield* store.find(recent.clientId)))
      })))
  })

  describe(`${name}: InitialAccessTokenStore contract`, () => {
    it.effect("create then list: every field, oldest first, no token or hash", () =>
      run(Effect.gen(function*() {
        const tokens = yield* InitialAccessTokenStore.InitialAccessTokenStore
        const first = newToken({ createdAt: now - 2000, policy: "partners", maxUses: 10 })
        const second = newToken({ createdAt: now - 1000 })
        yield* tokens.create(second)
        yield* tokens.create(first)
        const listed = yield* tokens.list
        assert.deepStrictEqual(listed, [
          {
            id: first.id,
            policy: "partners",
            createdAt: first.createdAt,
            expiresAt: first.expiresAt,
            maxUses: 10,
            uses: 0,
            revokedAt: undefined
          },
          {
            id: second.id,
            policy: undefined,
            createdAt: second.createdAt,
            expiresAt: second.expiresAt,
            maxUses: 1,
            uses: 0,
            revokedAt: undefined
          }
        ])
        const duplicate = yield* Effect.either(tokens.create({ ...newToken(), tokenHash: first.tokenHash }))
        assert.isTrue(Either.isLeft(duplicate), "a second token with the same hash is refused")
      })))

    it.effect("consume takes one use per call until maxUses, answering the id and policy", () =>
      run(Effect.gen(function*() {
        const tokens = yield* InitialAccessTokenStore.InitialAccessTokenStore
        const token = newToken({ maxUses: 3, policy: "p" })
        yield* tokens.create(token)
        for (let i = 0; i < 3; i++) {
          assert.deepStrictEqual(
            yield* tokens.consume(token.tokenHash, now),
            Option.some({ id: token.id, policy: "p" })
          )
        }
        assert.deepStrictEqual(yield* tokens.consume(token.tokenHash, now), Option.none())
        assert.strictEqual((yield* tokens.list)[0]!.uses, 3)
        assert.deepStrictEqual(yield* tokens.consume(hashOf("unknown"), now), Option.none())
      })))

    it.effect("release gives a use back, never below zero", () =>
      run(Effect.gen(function*() {
        const tokens = yield* InitialAccessTokenStore.InitialAccessTokenStore
        const token = newToken({ maxUses: 1 })
        yield* tokens.create(token)
        assert.isTrue(Option.isSome(yield* tokens.consume(token.tokenHash, now)))
        assert.isTrue(Option.isNone(yield* tokens.consume(token.tokenHash, now)))
        yield* tokens.release(token.id)
        assert.strictEqual((yield* tokens.list)[0]!.uses, 0)
        yield* tokens.release(token.id)
        assert.strictEqual((yield* tokens.list)[0]!.uses, 0)
        assert.isTrue(Option.isSome(yield* tokens.consume(token.tokenHash, now)))
        yield* tokens.release("0000000000000000") // an unknown id changes nothing
      })))

    it.effect("an expired token is refused from expiresAt on", () =>
      run(Effect.gen(function*() {
        const tokens = yield* InitialAccessTokenStore.InitialAccessTokenStore
        const token = newToken({ maxUses: 5, expiresAt: now })
        yield* tokens.create(token)
        assert.isTrue(Option.isSome(yield* tokens.consume(token.tokenHash, now - 1)))
        assert.isTrue(Option.isNone(yield* tokens.consume(token.tokenHash, now)))
        assert.isTrue(Option.isNone(yield* tokens.consume(token.tokenHash, now + 1)))
        assert.strictEqual((yield* tokens.list)[0]!.uses, 1)
      })))

    it.effect("a revoked token is refused; revoke answers whether it changed anything", () =>
      run(Effect.gen(function*() {
        const tokens = yield* InitialAccessTokenStore.InitialAccessTokenStore
        const token = newToken({ maxUses: 5 })
        const other = newToken({ maxUses: 5 })
        yield* tokens.create(token)
        yield* tokens.create(other)
        assert.isTrue(yield* tokens.revoke(token.id, now))
        assert.isFalse(yield* tokens.revoke(token.id, now + 1))
        assert.isFalse(yield* tokens.revoke("0000000000000000", now))
        assert.isTrue(Option.isNone(yield* tokens.consume(token.tokenHash, now)))
        assert.isTrue(Option.isSome(yield* tokens.consume(other.tokenHash, now)))
        const listed = yield* tokens.list
        assert.strictEqual(listed.find((t) => t.id === token.id)!.revokedAt, now)
        assert.isUndefined(listed.find((t) => t.id === other.id)!.revokedAt)
      })))

    it.effect("concurrent consumes of a 10-use token: exactly 10 succeed", () =>
      run(Effect.gen(function*() {
        const tokens = yield* InitialAccessTokenStore.InitialAccessTokenStore
        const token = newToken({ maxUses: 10 })
        yield* tokens.create(token)
        const results = yield* Effect.all(
          Array.from({ length: 60 }, () => tokens.consume(token.tokenHash, now)),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(results.filter(Option.isSome).length, 10)
        assert.strictEqual((yield* tokens.list)[0]!.uses, 10)
      })))
  })
}
