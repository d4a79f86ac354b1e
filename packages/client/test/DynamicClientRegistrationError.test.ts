import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Equal, Schema } from "effect"
import { DynamicClientRegistrationError as E } from "../src/index.js"

const errors: ReadonlyArray<E.DynamicClientRegistrationError | E.ResponseContentError> = [
  new E.ResultError({
    operation: "register",
    status: 401,
    resultCode: "A001202",
    resultMessage: "[A001202] Authorization failed.",
    retryAfter: Duration.seconds(2)
  }),
  new E.ResultError({ operation: "get", status: 500 }),
  new E.AuthleteDefaultError({ operation: "update", status: 502, contentType: "text/html", body: "<html>" }),
  new E.AuthleteDefaultError({ operation: "delete", status: 503, body: "", retryAfter: Duration.zero }),
  new E.TransportError({ operation: "register", requestSent: false, description: "could not connect" }),
  new E.TimeoutError({ operation: "get", timeout: Duration.millis(1500) }),
  new E.ResponseDecodeError({ operation: "update", description: "client.clientId: must be a string" }),
  new E.ResponseContentError({ action: "CREATED", description: "client_id: is required" })
]

const AnyError = Schema.Union(E.DynamicClientRegistrationError, E.ResponseContentError)

describe("DynamicClientRegistrationError", () => {
  it("every error encodes to JSON and decodes back to an equal instance", () => {
    for (const error of errors) {
      const encoded = Schema.encodeSync(AnyError)(error)
      const json = JSON.parse(JSON.stringify(encoded))
      assert.deepStrictEqual(json, encoded, error._tag)
      assert.strictEqual(json._tag, error._tag)
      const decoded = Schema.decodeUnknownSync(AnyError)(json)
      assert.strictEqual(decoded.constructor, error.constructor)
      assert.isTrue(Equal.equals(decoded, error), error._tag)
      assert.strictEqual(decoded.message, error.message)
    }
  })

  it("durations travel as milliseconds", () => {
    assert.deepStrictEqual(Schema.encodeSync(E.TimeoutError)(errors[5] as E.TimeoutError), {
      _tag: "TimeoutError",
      operation: "get",
      timeout: 1500
    })
    assert.strictEqual(Schema.encodeSync(E.ResultError)(errors[0] as E.ResultError).retryAfter, 2000)
  })

  it("a TransportError's cause is encoded as a defect (name and message only)", () => {
    const error = new E.TransportError({
      operation: "get",
      requestSent: true,
      cause: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
      description: "the connection failed"
    })
    const encoded = Schema.encodeSync(E.TransportError)(error)
    assert.deepStrictEqual(encoded.cause, { name: "Error", message: "socket hang up" })
    const decoded = Schema.decodeUnknownSync(E.TransportError)(encoded)
    assert.strictEqual((decoded.cause as Error).message, "socket hang up")
  })

  it("an unknown operation or tag does not decode", () => {
    assert.throws(() => Schema.decodeUnknownSync(E.ResultError)({ _tag: "ResultError", operation: "patch", status: 1 }))
    assert.throws(() => Schema.decodeUnknownSync(AnyError)({ _tag: "Nope", operation: "get" }))
  })

  it.effect("decoded errors still match with Effect.catchTag", () =>
    Effect.gen(function*() {
      for (const error of errors) {
        const decoded = Schema.decodeUnknownSync(AnyError)(
          JSON.parse(JSON.stringify(Schema.encodeSync(AnyError)(error)))
        )
        const caught = yield* Effect.fail(decoded).pipe(
          Effect.catchTag("ResultError", (e) => Effect.succeed(`ResultError ${e.status}`)),
          Effect.catchTag("AuthleteDefaultError", (e) => Effect.succeed(`AuthleteDefaultError ${e.status}`)),
          Effect.catchTag("TransportError", (e) => Effect.succeed(`TransportError ${e.requestSent}`)),
          Effect.catchTag("TimeoutError", (e) => Effect.succeed(`TimeoutError ${Duration.toMillis(e.timeout)}`)),
          Effect.catchTag("ResponseDecodeError", (e) => Effect.succeed(`ResponseDecodeError ${e.operation}`)),
          Effect.catchTag("ResponseContentError", (e) => Effect.succeed(`ResponseContentError ${e.action}`))
        )
        assert.isTrue(caught.startsWith(error._tag), caught)
      }
    }))

  it.effect("errors are yieldable and keep their messages", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Effect.gen(function*() {
        return yield* new E.TimeoutError({ operation: "delete", timeout: Duration.seconds(1) })
      }))
      assert.strictEqual(error.message, "Authlete delete timed out")
      assert.instanceOf(error, Error)
      assert.strictEqual(
        (errors[0] as E.ResultError).message,
        "Authlete register failed with HTTP 401: [A001202] Authorization failed."
      )
    }))
})
