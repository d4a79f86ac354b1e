/**
 * `Credentials`, the public face of the engine's credential rules: its tokens, their stored form
 * (the very hashes the engine stores for a registration access token and a client secret) and the
 * constant-time checks.
 */
import { ClientStore, Credentials, Engine } from "@effect-dcr/engine"
import * as SqliteClientStore from "@effect-dcr/engine/SqliteClientStore"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option, Redacted } from "effect"
import { createHash } from "node:crypto"
import { content, register, registrationEndpoint } from "./_helpers.js"

describe("Credentials (public)", () => {
  it("generateToken: 256 random bits, base64url, all different, redacted when printed", () => {
    const seen = new Set<string>()
    for (let i = 0; i < 2000; i++) {
      const token = Credentials.generateToken()
      const value = Redacted.value(token)
      assert.match(value, /^[A-Za-z0-9_-]{43}$/)
      assert.strictEqual(Buffer.from(value, "base64url").length, 32)
      assert.notInclude(String(token), value)
      seen.add(value)
    }
    assert.strictEqual(seen.size, 2000)
  })

  it("hash: SHA-256 in base64url (a known vector), deterministic", () => {
    assert.strictEqual(Credentials.hash(Redacted.make("abc")), "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0")
    const token = Credentials.generateToken()
    assert.strictEqual(
      Credentials.hash(token),
      createHash("sha256").update(Redacted.value(token)).digest("base64url")
    )
    assert.strictEqual(Credentials.hash(token), Credentials.hash(Redacted.make(Redacted.value(token))))
  })

  it.effect("the stored form is the engine's: what it keeps for a registration access token and a client secret", () =>
    Effect.gen(function*() {
      const created = content(
        yield* register({ client_name: "stored", redirect_uris: ["https://app.example.com/cb"] })
      )
      const store = yield* ClientStore.ClientStore
      const stored = Option.getOrThrow(yield* store.find(created.client_id))
      const token = Redacted.make<string>(created.registration_access_token)
      const secret = Redacted.make<string>(created.client_secret)
      assert.strictEqual(stored.registrationAccessTokenHash, Credentials.hash(token))
      assert.strictEqual(stored.clientSecretHash, Credentials.hash(secret))
      assert.isTrue(Credentials.matches(token, stored.registrationAccessTokenHash))
      assert.isFalse(Credentials.matches(secret, stored.registrationAccessTokenHash))
    }).pipe(
      Effect.provide(
        Engine.layer({ registrationEndpoint }).pipe(
          Layer.provideMerge(SqliteClientStore.layer({ filename: ":memory:" }))
        )
      )
    ))

  it("matches and equals: right and wrong secrets, a malformed stored hash, different lengths", () => {
    const token = Credentials.generateToken()
    const stored = Credentials.hash(token)
    assert.isTrue(Credentials.matches(token, stored))
    assert.isFalse(Credentials.matches(Credentials.generateToken(), stored))
    for (const malformed of ["", "not a hash", stored.slice(0, 42), `${stored}AA`]) {
      assert.isFalse(Credentials.matches(token, malformed), JSON.stringify(malformed))
    }
    assert.isTrue(Credentials.equals(token, Redacted.make(Redacted.value(token))))
    assert.isFalse(Credentials.equals(token, Credentials.generateToken()))
    assert.isFalse(Credentials.equals(Redacted.make("short"), Redacted.make("a much longer secret")))
    assert.isFalse(Credentials.equals(Redacted.make(""), Redacted.make("x")))
  })
})
