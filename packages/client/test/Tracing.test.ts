import { Tracing } from "@effect-dcr/client"
import { assert, describe, it } from "@effect/vitest"
import { Cause, type Context, Effect, Exit, Option, Tracer } from "effect"

interface Recorded {
  readonly name: string
  readonly parent: string | undefined
  exit: Exit.Exit<unknown, unknown> | undefined
}

/** A tracer that records every span it is asked for. */
const recording = (spans: Array<Recorded>) =>
  Tracer.make({
    span(name, parent, context, links, startTime, kind) {
      const recorded: Recorded = {
        name,
        parent: Option.isSome(parent) && parent.value._tag === "Span" ? parent.value.name : undefined,
        exit: undefined
      }
      spans.push(recorded)
      return {
        _tag: "Span",
        name,
        spanId: `span-${spans.length}`,
        traceId: "trace",
        parent,
        context: context as Context.Context<never>,
        status: { _tag: "Started", startTime },
        attributes: new Map(),
        links,
        sampled: true,
        kind,
        end(_endTime, exit) {
          recorded.exit = exit
        },
        attribute() {},
        event() {},
        addLinks() {}
      }
    },
    context: (f) => f()
  })

const options = { kind: "internal", captureStackTrace: false } as const

describe("Tracing.withSpan", () => {
  it.effect("with Effect's built-in tracer no span is created; the effect runs unchanged", () =>
    Effect.gen(function*() {
      assert.isTrue(Tracing.isBuiltIn(yield* Effect.tracer))
      const inner = yield* Effect.option(Effect.currentSpan).pipe(Tracing.withSpan("Hot.path", options))
      assert.isTrue(Option.isNone(inner))
      assert.strictEqual(yield* Effect.succeed(42).pipe(Tracing.withSpan("Hot.path", options)), 42)
      const failed = yield* Effect.exit(Effect.fail("boom").pipe(Tracing.withSpan("Hot.path", options)))
      assert.deepStrictEqual(failed, Exit.fail("boom"))
    }))

  it.effect("with another tracer the span is created under the current span and ended with the exit", () =>
    Effect.gen(function*() {
      const spans: Array<Recorded> = []
      const program = Effect.gen(function*() {
        assert.isFalse(Tracing.isBuiltIn(yield* Effect.tracer))
        const inner = yield* Effect.currentSpan.pipe(Tracing.withSpan("Hot.path", options))
        assert.strictEqual(inner.name, "Hot.path")
        return yield* Effect.exit(Effect.fail("boom").pipe(Tracing.withSpan("Hot.failing", options)))
      }).pipe(Effect.withSpan("Outer"), Effect.withTracer(recording(spans)))
      const exit = yield* program
      assert.isTrue(Exit.isFailure(exit) && Cause.isFailType(exit.cause))
      assert.deepStrictEqual(spans.map((s) => [s.name, s.parent]), [
        ["Outer", undefined],
        ["Hot.path", "Outer"],
        ["Hot.failing", "Outer"]
      ])
      assert.isTrue(spans.every((s) => s.exit !== undefined))
      assert.isTrue(Exit.isFailure(spans[2]!.exit!))
    }))
})
