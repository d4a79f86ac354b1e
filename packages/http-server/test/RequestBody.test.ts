/**
 * `RequestBody.readText` / `readForm`, the public bounded reader: over real HTTP on loopback on both
 * server flavours (a declared Content-Length over the limit and a chunked body past it are 413 with
 * the whole answer before the close; at the limit the body is read), and on a web `Request` (any
 * platform's stream). A limit that is not a non-negative integer is a defect, never an unbounded read.
 */
import { RequestBody } from "@effect-dcr/http-server"
import { HttpServer, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Context, Effect, Exit, Layer } from "effect"
import { flavours, postChunked, serverLayer } from "./support.js"

const limit = 64

/** Serves `POST /text` (readText, errors left to their `Respondable` answer) and `POST /form` (readForm as JSON). */
const start = (flavour: (typeof flavours)[number]) =>
  Effect.gen(function*() {
    const context = yield* Layer.build(serverLayer(flavour))
    const app = Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      if (request.url.startsWith("/form")) {
        const form = yield* RequestBody.readForm(request, limit)
        return HttpServerResponse.unsafeJson({ grant_type: form.get("grant_type"), scope: form.getAll("scope") })
      }
      return HttpServerResponse.text(yield* RequestBody.readText(request, limit))
    })
    yield* Layer.build(HttpServer.serve(app).pipe(Layer.provide(Layer.succeedContext(context))))
    const address = Context.get(context, HttpServer.HttpServer).address
    return address._tag === "TcpAddress" ? `http://127.0.0.1:${address.port}` : ""
  })

const post = (url: string, body: string) =>
  Effect.promise(async () => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body
    })
    return { status: response.status, connection: response.headers.get("connection"), text: await response.text() }
  })

describe("RequestBody", () => {
  for (const flavour of flavours) {
    describe(flavour, () => {
      it.scoped("reads a form and a text up to the limit; past it 413 invalid_request, the connection closed", () =>
        Effect.gen(function*() {
          const base = yield* start(flavour)
          const form = yield* post(`${base}/form`, "grant_type=authorization_code&scope=a&scope=b%20c")
          assert.strictEqual(form.status, 200, form.text)
          assert.deepStrictEqual(JSON.parse(form.text), { grant_type: "authorization_code", scope: ["a", "b c"] })

          const atLimit = "é".repeat(limit / 2) // 2 bytes each in UTF-8
          const read = yield* post(`${base}/text`, atLimit)
          assert.deepStrictEqual([read.status, read.text], [200, atLimit])

          const over = yield* post(`${base}/text`, `${atLimit}x`)
          assert.strictEqual(over.status, 413)
          assert.strictEqual(over.connection, "close")
          assert.strictEqual(JSON.parse(over.text).error, "invalid_request")

          const chunked = yield* postChunked(`${base}/form`, 64 * 1024)
          assert.strictEqual(chunked.status, 413)
          assert.isTrue(chunked.completeBeforeClose, "the whole 413 arrives, not a reset")

          const after = yield* post(`${base}/form`, "grant_type=refresh_token")
          assert.strictEqual(JSON.parse(after.text).grant_type, "refresh_token", "the server still answers")
        }))
    })
  }

  it.effect("reads any platform's request through its stream (a web Request), stopping past the limit", () =>
    Effect.gen(function*() {
      const request = (body: string) =>
        HttpServerRequest.fromWeb(new Request("http://localhost/token", { method: "POST", body }))
      const form = yield* RequestBody.readForm(request("code=abc&code_verifier=xyz"), limit)
      assert.deepStrictEqual([form.get("code"), form.get("code_verifier")], ["abc", "xyz"])
      const empty = yield* RequestBody.readText(request(""), 0)
      assert.strictEqual(empty, "")
      const over = yield* Effect.flip(RequestBody.readText(request("x".repeat(limit + 1)), limit))
      assert.strictEqual(over._tag, "PayloadTooLarge")
      assert.strictEqual(over._tag === "PayloadTooLarge" ? over.limit : 0, limit)
    }))

  it.effect("a limit that is not a non-negative integer is a defect, before anything is read", () =>
    Effect.gen(function*() {
      for (const maxBytes of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        const request = HttpServerRequest.fromWeb(new Request("http://localhost/", { method: "POST", body: "a=1" }))
        const exit = yield* Effect.exit(RequestBody.readForm(request, maxBytes))
        assert.isTrue(Exit.isFailure(exit) && Cause.isDie(exit.cause), String(maxBytes))
      }
    }))
})
