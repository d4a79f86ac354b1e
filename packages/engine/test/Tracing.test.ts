import { ClientStore, Engine } from "@effect-dcr/engine"
import * as SqliteClientStore from "@effect-dcr/engine/SqliteClientStore"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option, Tracer } from "effect"
import { memoryEngine, register, registrationEndpoint, remove } from "./_helpers.js"

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
      const deleted = yield* remove(info.client_id, info.registration_access_token).pipe(
        Effect.withTracer(recording(spans))
      )
      assert.strictEqual(deleted.action, "DELETED")
      assert.isTrue(spans.some(([name]) => name === "Engine.delete"))
    }).pipe(Effect.provide(memoryEngine())))

  it.effect("with tracing disabled register opens no span at all, not even a no-op one", () => {
    // The store sees the span it runs under: Engine.register when a span is opened (even a no-op
    // one while tracing is disabled), the caller's context (no span) when it is skipped.
    const seen: Array<string> = []
    const store = Layer.effect(
      ClientStore.ClientStore,
      Effect.map(ClientStore.ClientStore, (inner) => ({
        ...inner,
        insert: (record, options) =>
          Effect.zipRight(
            Effect.sync(() => seen.push("insert")).pipe(
              Effect.zipRight(Effect.flatMap(Effect.currentSpan, (span) => Effect.sync(() => seen.push(span.name)))),
              Effect.ignore
            ),
            inner.insert(record, options)
          )
      }))
    ).pipe(Layer.provide(SqliteClientStore.layer({ filename: ":memory:" })))
    const engine = Engine.layer({ registrationEndpoint }).pipe(Layer.provide(store))
    return Effect.gen(function*() {
      const traced = yield* register({ redirect_uris: ["https://rp.example/cb"] })
      assert.strictEqual(traced.action, "CREATED")
      assert.deepStrictEqual(seen, ["insert", "Engine.register"])
      seen.length = 0
      const untraced = yield* register({ redirect_uris: ["https://rp.example/cb"] }).pipe(
        Effect.withTracerEnabled(false)
      )
      assert.strictEqual(untraced.action, "CREATED")
      assert.deepStrictEqual(seen, ["insert"])
    }).pipe(Effect.provide(engine))
  })
})
