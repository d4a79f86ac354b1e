import { assert, describe, it } from "@effect/vitest"
import { Redacted } from "effect"
import * as Credentials from "../src/internal/credentials.js"

describe("Credentials", () => {
  it("client ids are 15-digit decimal strings below 2^53, all different", () => {
    const ids = new Set<string>()
    for (let i = 0; i < 5000; i++) {
      const id = Credentials.generateClientId()
      assert.match(id, /^[1-9][0-9]{14}$/)
      assert.isTrue(Number.isSafeInteger(Number(id)))
      ids.add(id)
    }
    assert.strictEqual(ids.size, 5000)
  })

  it("client ids are not sequential", () => {
    const a = Number(Credentials.generateClientId())
    const b = Number(Credentials.generateClientId())
    assert.notStrictEqual(Math.abs(a - b), 1)
  })

  it("a confidential client gets a 512-bit secret and a 256-bit token, stored only as SHA-256 hashes", () => {
    const issued = Credentials.issue({ confidential: true })
    assert.isDefined(issued.clientSecret)
    const secret = Redacted.value(issued.clientSecret!)
    const token = Redacted.value(issued.registrationAccessToken)
    assert.match(secret, /^[A-Za-z0-9_-]{86}$/)
    assert.strictEqual(Buffer.from(secret, "base64url").length, 64)
    // `{client_id}.{256 random bits}`: the prefix names the owner (RFC 7592 revocation by primary key)
    assert.match(token, /^[0-9]{15}\.[A-Za-z0-9_-]{43}$/)
    assert.strictEqual(token.slice(0, 16), `${issued.clientId}.`)
    assert.strictEqual(Buffer.from(token.slice(16), "base64url").length, 32)
    assert.strictEqual(Credentials.ownerOf(issued.registrationAccessToken), issued.clientId)
    assert.strictEqual(issued.registrationAccessTokenHash, Credentials.hash(issued.registrationAccessToken))
    assert.strictEqual(issued.clientSecretHash, Credentials.hash(issued.clientSecret!))
    assert.notInclude(issued.registrationAccessTokenHash, token)
    assert.match(issued.registrationAccessTokenHash, /^[A-Za-z0-9_-]{43}$/)
    assert.strictEqual(String(issued.registrationAccessToken), "<redacted>")
  })

  it("a public client gets no secret", () => {
    const issued = Credentials.issue({ confidential: false })
    assert.isUndefined(issued.clientSecret)
    assert.isUndefined(issued.clientSecretHash)
  })

  it("every issue is fresh", () => {
    const a = Credentials.issue({ confidential: true })
    const b = Credentials.issue({ confidential: true })
    assert.notStrictEqual(a.clientId, b.clientId)
    assert.notStrictEqual(Redacted.value(a.clientSecret!), Redacted.value(b.clientSecret!))
    assert.notStrictEqual(Redacted.value(a.registrationAccessToken), Redacted.value(b.registrationAccessToken))
  })

  it("credentials stay distinct across many refills of the random pool", () => {
    const seen = new Set<string>()
    const count = 2000 // 2000 × 104 bytes: about 13 refills of the 16 KiB pool
    for (let i = 0; i < count; i++) {
      const issued = Credentials.issue({ confidential: true })
      seen.add(issued.clientId)
      seen.add(Redacted.value(issued.registrationAccessToken))
      seen.add(Redacted.value(issued.clientSecret!))
      assert.match(Redacted.value(issued.registrationAccessToken), /^[0-9]{15}\.[A-Za-z0-9_-]{43}$/)
      assert.match(Redacted.value(issued.clientSecret!), /^[A-Za-z0-9_-]{86}$/)
    }
    assert.strictEqual(seen.size, 3 * count)
  })

  it("matches compares against the stored hash", () => {
    const issued = Credentials.issue({ confidential: false })
    assert.isTrue(Credentials.matches(issued.registrationAccessToken, issued.registrationAccessTokenHash))
    assert.isFalse(Credentials.matches(Redacted.make("wrong"), issued.registrationAccessTokenHash))
    assert.isFalse(Credentials.matches(Redacted.make(""), issued.registrationAccessTokenHash))
    assert.isFalse(Credentials.matches(issued.registrationAccessToken, "not-a-hash"))
    assert.isFalse(Credentials.matches(issued.registrationAccessToken, ""))
  })

  it("equals compares secrets of any length", () => {
    assert.isTrue(Credentials.equals(Redacted.make("abc"), Redacted.make("abc")))
    assert.isFalse(Credentials.equals(Redacted.make("abc"), Redacted.make("abcd")))
    assert.isFalse(Credentials.equals(Redacted.make(""), Redacted.make("a")))
  })
  it("ownerOf reads the client id prefix of a registration access token, nothing else", () => {
    const token = Credentials.generateRegistrationAccessToken("123456789012345")
    assert.strictEqual(Credentials.ownerOf(token), "123456789012345")
    for (const other of ["", "abc", "123", ".abc", "123.", "12a.abc", "123.a.b", "123.abc def", "x123.abc"]) {
      assert.isUndefined(Credentials.ownerOf(Redacted.make(other)), other)
    }
    assert.strictEqual(Credentials.ownerOf(Redacted.make("42.abc_-")), "42")
  })
})
