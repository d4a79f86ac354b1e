import { AuthleteApi, RateLimit, RegistrationApi } from "@effect-dcr/http-server"
import { RegistrationErrorResponse } from "@effect-dcr/schema"
import { HttpApiBuilder } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Either, Layer, Redacted, Schema, TestClock } from "effect"
import { request as httpRequest } from "node:http"
import * as Internal from "../src/internal/rateLimiter.js"
import { fakeBackend, flavours, listenWith } from "./support.js"

const created = { action: "CREATED" as const, responseContent: `{"client_id":"42"}` }
const unauthorized = { action: "UNAUTHORIZED" as const, responseContent: `{"error":"invalid_token"}` }

interface Answer {
  readonly status: number
  readonly headers: Record<string, string | Array<string> | undefined>
  readonly body: string
}

/** One request over loopback from `from` (any 127.x address is this host), with Node's own client. */
const send = (
  url: string,
  options: {
    readonly method?: string
    readonly body?: string
    readonly headers?: Record<string, string>
    readonly from?: string
  } = {}
) =>
  Effect.async<Answer, Error>((resume) => {
    const req = httpRequest(url, {
      method: options.method ?? "POST",
      localAddress: options.from ?? "127.0.0.1",
      headers: { "content-type": "application/json", ...options.headers }
    }, (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (chunk: Buffer) => chunks.push(chunk))
      res.on("end", () =>
        resume(Effect.succeed({
          status: res.statusCode!,
          headers: res.headers,
          body: Buffer.concat(chunks).toString("utf8")
        })))
    })
    req.on("error", (error) => resume(Effect.fail(error)))
    req.end(options.body ?? (options.method === undefined || options.method === "POST" ? "{}" : undefined))
  })

const assertTooMany = (answer: Answer) => {
  assert.strictEqual(answer.status, 429, answer.body)
  const seconds = Number(answer.headers["retry-after"])
  assert.isTrue(Number.isInteger(seconds) && seconds >= 1, `Retry-After: ${String(answer.headers["retry-after"])}`)
  assert.strictEqual(answer.headers["content-type"], "application/json")
  assert.strictEqual(answer.headers["cache-control"], "no-store")
  const body = Schema.decodeUnknownSync(RegistrationErrorResponse)(JSON.parse(answer.body))
  assert.strictEqual(body.error, "temporarily_unavailable")
  assert.include(body.error_description ?? "", `${seconds} second`)
  return seconds
}

const serviceAccessToken = "service-token-for-the-rate-limit-test"

for (const flavour of flavours) {
  describe(`rate limits over HTTP (${flavour} server)`, () => {
    /** The registration endpoints and the Authlete-compatible API on one limiter, on a scripted backend. */
    const serve = (options: RateLimit.Options, backend = fakeBackend({ register: () => Effect.succeed(created) })) =>
      Effect.gen(function*() {
        const rateLimit = yield* RateLimit.make(options)
        const server = yield* listenWith(flavour)
        yield* server.serve(apiLayer(server.base, rateLimit).pipe(Layer.provide(backend.layer)))
        return { base: server.base, backend }
      })

    it.scoped("POST /register: 429 with Retry-After and an RFC error body after N from one address", () =>
      Effect.gen(function*() {
        const { backend, base } = yield* serve({ registrations: { limit: 3, window: "1 minute" } })
        for (let i = 0; i < 3; i++) assert.strictEqual((yield* send(`${base}/register`)).status, 201)
        const seconds = assertTooMany(yield* send(`${base}/register`))
        assert.strictEqual(seconds, 20) // one registration back every 60 / 3 s
        assert.strictEqual(backend.calls.length, 3, "refused registrations never reach the backend")
        // another address has its own budget
        assert.strictEqual((yield* send(`${base}/register`, { from: "127.0.0.2" })).status, 201)
        // after Retry-After the first address may register again, once
        yield* TestClock.adjust(`${seconds} seconds`)
        assert.strictEqual((yield* send(`${base}/register`)).status, 201)
        assertTooMany(yield* send(`${base}/register`))
      }))

    it.scoped("a different software_id or initial access token has its own budget; the same one does not", () =>
      Effect.gen(function*() {
        const { base } = yield* serve({ registrations: { limit: 2, window: "1 minute" } })
        const withSoftware = (id: string) => ({ body: JSON.stringify({ software_id: id }) })
        for (let i = 0; i < 2; i++) assert.strictEqual((yield* send(`${base}/register`, withSoftware("a"))).status, 201)
        assertTooMany(yield* send(`${base}/register`, withSoftware("a")))
        assert.strictEqual((yield* send(`${base}/register`, withSoftware("b"))).status, 201)
        assert.strictEqual((yield* send(`${base}/register`)).status, 201, "the bare address is another key")
        const iat = (token: string) => ({ headers: { authorization: `Bearer ${token}` } })
        for (let i = 0; i < 2; i++) assert.strictEqual((yield* send(`${base}/register`, iat("tenant-1"))).status, 201)
        assertTooMany(yield* send(`${base}/register`, iat("tenant-1")))
        // the same initial access token from another address shares its budget
        assertTooMany(yield* send(`${base}/register`, { ...iat("tenant-1"), from: "127.0.0.3" }))
        assert.strictEqual((yield* send(`${base}/register`, iat("tenant-2"))).status, 201)
      }))

    it.scoped("the registrations cap counts every client", () =>
      Effect.gen(function*() {
        const { base } = yield* serve({ registrations: false, totalRegistrations: { limit: 4, window: "1 hour" } })
        for (let i = 0; i < 4; i++) {
          assert.strictEqual((yield* send(`${base}/register`, { from: `127.0.1.${i + 1}` })).status, 201)
        }
        const seconds = assertTooMany(yield* send(`${base}/register`, { from: "127.0.2.1" }))
        assert.strictEqual(seconds, 900)
      }))

    it.scoped("failed authentications (management, initial access token, /api) are throttled per address", () =>
      Effect.gen(function*() {
        const backend = fakeBackend({
          register: (request) => Effect.succeed(request.token === undefined ? created : unauthorized),
          get: () => Effect.succeed(unauthorized)
        })
        const { base } = yield* serve({ failedAuthentications: { limit: 4, window: "1 minute" } }, backend)
        const read = (from?: string) =>
          send(`${base}/register/42`, {
            method: "GET",
            headers: { authorization: "Bearer wrong" },
            ...(from ? { from } : {})
          })
        assert.strictEqual((yield* read()).status, 401)
        assert.strictEqual((yield* send(`${base}/register/42`, { method: "DELETE" })).status, 401, "no token")
        assert.strictEqual(
          (yield* send(`${base}/register`, { headers: { authorization: "Bearer bad-iat" } })).status,
          401
        )
        const api = `${base}/api/1/client/registration/get`
        const apiCall = (token: string, from?: string) =>
          send(api, {
            body: `{"clientId":"42","token":"x"}`,
            headers: { authorization: `Bearer ${token}` },
            ...(from ? { from } : {})
          })
        assert.strictEqual((yield* apiCall("wrong-service-token")).status, 401)
        // four failures: this address is now refused everywhere it would authenticate
        const calls = backend.calls.length
        assertTooMany(yield* read())
        assertTooMany(yield* send(`${base}/register`))
        const apiRefused = yield* apiCall(serviceAccessToken)
        assert.strictEqual(apiRefused.status, 429)
        assert.isTrue(Number(apiRefused.headers["retry-after"]) >= 1)
        assert.include(JSON.parse(apiRefused.body).resultMessage, "Too many failed authentications")
        assert.strictEqual(backend.calls.length, calls, "refused requests never reach the backend")
        // another address is not affected
        assert.strictEqual((yield* read("127.0.0.2")).status, 401)
        assert.strictEqual((yield* send(`${base}/register`, { from: "127.0.0.2" })).status, 201)
        // successes do not count: the right service token from a fresh address goes on working
        for (let i = 0; i < 6; i++) {
          assert.strictEqual((yield* apiCall(serviceAccessToken, "127.0.0.4")).status, 200)
        }
      }))

    it.scoped("X-Forwarded-For and Forwarded are believed only from configured trusted proxies", () =>
      Effect.gen(function*() {
        const limit = { registrations: { limit: 1, window: "1 minute" } } as const
        const untrusted = yield* serve(limit)
        const xff = (address: string) => ({ headers: { "x-forwarded-for": address } })
        assert.strictEqual((yield* send(`${untrusted.base}/register`, xff("203.0.113.1"))).status, 201)
        // not configured: the header is ignored, both come from 127.0.0.1
        assertTooMany(yield* send(`${untrusted.base}/register`, xff("203.0.113.2")))

        const trusted = yield* serve({ ...limit, trustedProxies: ["loopback"] })
        assert.strictEqual((yield* send(`${trusted.base}/register`, xff("203.0.113.1"))).status, 201)
        assert.strictEqual((yield* send(`${trusted.base}/register`, xff("203.0.113.2"))).status, 201)
        assertTooMany(yield* send(`${trusted.base}/register`, xff("203.0.113.1")))
        // a client cannot spoof past the nearest untrusted hop: the proxy appended the real client
        assertTooMany(yield* send(`${trusted.base}/register`, xff("198.51.100.7, 203.0.113.1")))
        // without the header the client is the proxy itself
        assert.strictEqual((yield* send(`${trusted.base}/register`)).status, 201)

        const forwarded = yield* serve({ ...limit, trustedProxies: ["127.0.0.1"], proxyHeader: "forwarded" })
        const fwd = (value: string) => ({ headers: { forwarded: value } })
        assert.strictEqual((yield* send(`${forwarded.base}/register`, fwd(`for="[2001:db8::1]:4711"`))).status, 201)
        // the same /64
        assertTooMany(yield* send(`${forwarded.base}/register`, fwd(`for="[2001:db8::2]"`)))
        assert.strictEqual((yield* send(`${forwarded.base}/register`, fwd("for=192.0.2.60;proto=http"))).status, 201)
        // X-Forwarded-For is not the configured header here: ignored, the peer is the client
        assert.strictEqual((yield* send(`${forwarded.base}/register`, xff("192.0.2.61"))).status, 201)
        assertTooMany(yield* send(`${forwarded.base}/register`, xff("192.0.2.62")))
        // only 127.0.0.1 is trusted: from 127.0.0.2 the header is ignored
        assert.strictEqual(
          (yield* send(`${forwarded.base}/register`, { ...fwd("for=192.0.2.70"), from: "127.0.0.2" })).status,
          201
        )
        assertTooMany(yield* send(`${forwarded.base}/register`, { ...fwd("for=192.0.2.71"), from: "127.0.0.2" }))
      }))
  })
}

/** The registration group and the Authlete-compatible API on one `HttpApi`, both with the limiter. */
const apiLayer = (issuer: string, rateLimit: RateLimit.RateLimiter) => {
  const api = RegistrationApi.make({ issuer }).add(AuthleteApi.group)
  return HttpApiBuilder.api(api).pipe(Layer.provide(Layer.merge(
    RegistrationApi.layerGroup(api, { issuer, rateLimit }),
    AuthleteApi.layerGroup(api, { serviceId: "1", serviceAccessToken: Redacted.make(serviceAccessToken), rateLimit })
  )))
}

describe("the GCRA buckets", () => {
  it("a burst of `limit`, then one per window / limit", () => {
    const buckets = new Internal.Buckets(5, 60_000, 100)
    for (let i = 0; i < 5; i++) assert.strictEqual(buckets.take("k", 0), 0)
    assert.strictEqual(buckets.take("k", 0), 12_000)
    assert.strictEqual(buckets.wait("k", 0), 12_000)
    assert.strictEqual(buckets.take("k", 11_999), 1)
    assert.strictEqual(buckets.take("k", 12_000), 0)
    assert.strictEqual(buckets.take("k", 12_000), 12_000)
    // a full refill after a whole window
    for (let i = 0; i < 5; i++) assert.strictEqual(buckets.take("k", 72_000), 0)
  })

  it("memory stays bounded while an attacker rotates keys", () => {
    const maxKeys = 1000
    const buckets = new Internal.Buckets(3, 60_000, maxKeys)
    // legitimate state, then a flood of one-off keys at the same instant (nothing expires)
    for (let i = 0; i < 3; i++) buckets.take("victim", 0)
    let peak = 0
    for (let i = 0; i < 200_000; i++) {
      buckets.take(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 1)
      if (buckets.times.size > peak) peak = buckets.times.size
    }
    assert.strictEqual(peak, maxKeys)
    // keys used in the last window stay (the map is in order of use); stale ones are dropped as new ones come
    const spread = new Internal.Buckets(3, 1_000, maxKeys)
    for (let i = 0; i < 100_000; i++) spread.take(`k${i}`, i * 10) // one new key every 10 ms: ~100 live at a time
    assert.isAtMost(spread.times.size, 110)
  })

  it("addresses: IPv4 as is, IPv4-mapped as IPv4, IPv6 by /64, garbage bounded", () => {
    assert.strictEqual(Internal.addressKey("192.0.2.1"), "192.0.2.1")
    assert.strictEqual(Internal.addressKey("::ffff:192.0.2.1"), "192.0.2.1")
    assert.strictEqual(Internal.addressKey("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64")
    assert.strictEqual(Internal.addressKey("2001:DB8:1:2::9"), "2001:db8:1:2::/64")
    assert.strictEqual(Internal.addressKey("::1"), "0:0:0:0::/64")
    assert.isAtMost(Internal.addressKey("x".repeat(10_000)).length, 64)
  })

  it("the client behind trusted proxies (proxy-addr's rule), either header", () => {
    const xff = Internal.makeClientAddress(["loopback", "10.0.0.0/8"], "x-forwarded-for")
    assert.strictEqual(xff("127.0.0.1", { "x-forwarded-for": "1.2.3.4, 10.0.0.5" }), "1.2.3.4")
    assert.strictEqual(xff("127.0.0.1", { "x-forwarded-for": "5.6.7.8, 1.2.3.4, 10.0.0.5" }), "1.2.3.4")
    assert.strictEqual(xff("127.0.0.1", { "x-forwarded-for": "10.0.0.1, 10.0.0.5" }), "10.0.0.1")
    assert.strictEqual(xff("192.0.2.9", { "x-forwarded-for": "1.2.3.4" }), "192.0.2.9")
    assert.strictEqual(xff("127.0.0.1", {}), "127.0.0.1")
    assert.strictEqual(xff(undefined, {}), "unknown")
    const fwd = Internal.makeClientAddress(["127.0.0.1"], "forwarded")
    assert.strictEqual(fwd("127.0.0.1", { forwarded: `for="192.0.2.43:47011", for="[2001:db8::1]:80"` }), "2001:db8::1")
    assert.strictEqual(fwd("127.0.0.1", { forwarded: `for=unknown` }), "unknown")
    assert.strictEqual(fwd("127.0.0.1", { forwarded: `for=` }), "127.0.0.1", "an unparsable header is ignored")
    assert.strictEqual(Internal.checkTrustedProxy("not an address")?.length !== undefined, true)
    assert.strictEqual(Internal.checkTrustedProxy("10.0.0.0/8"), undefined)
  })
})

it.effect("RateLimit.make dies on a limit that is not a positive integer per a positive window", () =>
  Effect.gen(function*() {
    const exit = yield* Effect.exit(RateLimit.make({ registrations: { limit: 0, window: "1 minute" } }))
    assert.isTrue(exit._tag === "Failure")
    const proxy = yield* Effect.exit(RateLimit.make({ trustedProxies: ["300.1.1.1"] }))
    assert.isTrue(proxy._tag === "Failure")
  }))

describe("RateLimit.parseLimit", () => {
  it("reads N/window and off; refuses the rest with a reason", () => {
    const ok = (text: string) => {
      const parsed = RateLimit.parseLimit(text)
      assert.isTrue(Either.isRight(parsed), text)
      const value = (parsed as Either.Right<never, RateLimit.Limit | false>).right
      return value === false ? false : [value.limit, Duration.toMillis(Duration.decode(value.window))]
    }
    assert.deepStrictEqual(ok("30/minute"), [30, 60_000])
    assert.deepStrictEqual(ok(" 600 / 1 hour "), [600, 3_600_000])
    assert.deepStrictEqual(ok("5/10 seconds"), [5, 10_000])
    assert.strictEqual(ok("OFF"), false)
    for (
      const bad of ["", "30", "0/minute", "-1/minute", "1.5/minute", "30/fortnight", "30/0 seconds", "30/minute/2"]
    ) {
      assert.isTrue(Either.isLeft(RateLimit.parseLimit(bad)), bad)
    }
  })
})
