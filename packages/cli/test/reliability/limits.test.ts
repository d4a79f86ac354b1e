/**
 * Abuse limits as `serve` ships them (no limit setting given): one address registering in a loop
 * and one guessing registration access tokens are both answered 429 with `Retry-After` and an RFC
 * error body once past the defaults, on the fast path and the router alike.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { join } from "node:path"
import { build, figure, Hygiene, json, kill, must, type Serve, serve, tempDirectory } from "./support.js"

const hygiene = new Hygiene()
const dir = tempDirectory()
let server: Serve | undefined

beforeAll(() => {
  build()
}, 180_000)

afterAll(async () => {
  if (server !== undefined) await kill(server)
  dir.remove()
})

const metadata = { client_name: "loop", redirect_uris: ["https://rp.example/cb"] }

describe("reliability: abuse limits on by default", () => {
  it("a registration loop and a token-guessing loop from one address get 429 past the defaults", async () => {
    server = await serve({ DCR_DATABASE_URL: `sqlite:${join(dir.path, "limits.sqlite")}` }, hygiene, "limits serve")
    const statuses: Array<number> = []
    let refused: Awaited<ReturnType<typeof must>> | undefined
    for (let i = 0; i < 40 && refused === undefined; i++) {
      const answer = await must(`${server.base}/register`, json("POST", metadata))
      statuses.push(answer.status)
      if (answer.status === 201) hygiene.addFromBody(answer.body)
      else refused = answer
    }
    const created = statuses.filter((status) => status === 201).length
    assert.strictEqual(created, 30, `statuses ${statuses.join(",")}`)
    assert.strictEqual(refused?.status, 429)
    assert.strictEqual(refused?.headers["retry-after"], "2")
    assert.strictEqual(JSON.parse(refused!.body).error, "temporarily_unavailable")

    let failed = 0
    let guessRefused: Awaited<ReturnType<typeof must>> | undefined
    for (let i = 0; i < 40 && guessRefused === undefined; i++) {
      const answer = await must(`${server.base}/register/123456789012345`, {
        headers: { authorization: `Bearer guess-${i}` }
      })
      if (answer.status === 401) failed++
      else guessRefused = answer
    }
    assert.strictEqual(failed, 30)
    assert.strictEqual(guessRefused?.status, 429)
    assert.isTrue(Number(guessRefused?.headers["retry-after"]) >= 1)
    figure(
      "limits",
      `defaults: ${created} registrations from one address, then 429 (Retry-After ${
        String(refused?.headers["retry-after"])
      } s); ${failed} wrong registration access tokens, then 429 (Retry-After ${
        String(guessRefused?.headers["retry-after"])
      } s)`
    )
    const scan = hygiene.scan()
    assert.deepStrictEqual(scan.found, [])
  }, 60_000)
})
