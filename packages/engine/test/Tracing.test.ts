import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Tracer } from "effect"
import { memoryEngine, register, remove } from "./_helpers.js"

/** Records the span names, with their parent's name. */
const recording = (spans: Array<readonly [string, string | undefined]>) => {
  const native = Effect.runSync(Effect.tracer)
  return Tracer.make({
    span(name, parent, context, links, startTime, kind, options) {
      spans.push([name, Option.isSome(parent) && parent.value._tag === "Span" ? parent.value.name : undefined])
      return native.span(name, parent, context, links, startTime, kind, options)
    },
    context: (f) => f()
  })
}

describe("Engine spans", () => {
  it.effect("register opens Engine.register under the caller's span when a tracer collects spans", () =>
    Effect.gen(function*() {
      const spans: Array<readonly [string, string | undefined]> = []
      const response = yield* register({ redirect_uris: ["https://rp.example/cb"] }).pipe(
        Effect.withSpan("caller"),
        Effect.withTracer(recording(spans))
      )
      assert.strictEqual(response.action, "CREATED")
      assert.deepInclude(spans, ["Engine.register", "caller"])
      // the other operations keep their Effect.fn spans
      const info = JSON.parse(response.responseContent!)
      const deleted = yield* remove(info.client_id, info.registration_access_token).pipe(Effect.withTracer(recording(spans)))
      assert.strictEqual(deleted.action, "DELETED")
      assert.isTrue(spans.some(([name]) => name === "Engine.delete"))
    }).pipe(Effect.provide(memoryEngine())))
})
