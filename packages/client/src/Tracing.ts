/**
 * Spans for the hot paths (registration), at no cost while nobody collects them.
 *
 * Every `Effect.withSpan` builds a span object (random trace and span ids), copies the fiber's
 * context to make it the parent, and ends it on exit. With Effect's built-in tracer, which exports
 * nothing, that work is thrown away — and on the registration path it measured at about 10 µs per
 * span, a tenth of a whole registration (see BENCHMARKS.md). `withSpan` here creates the span only
 * when the running fiber has another tracer (for instance `@effect/opentelemetry`'s), so a traced
 * application sees exactly the spans it would with `Effect.withSpan`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Tracer from "effect/Tracer"

/** Effect's built-in tracer: what a fiber uses when no tracer was provided. */
const builtInTracer: Tracer.Tracer = Effect.runSync(Effect.tracer)

/**
 * Whether `tracer` is Effect's built-in tracer (spans are created but never exported).
 *
 * @since 0.1.0
 * @category predicates
 */
export const isBuiltIn = (tracer: Tracer.Tracer): boolean => tracer === builtInTracer

/**
 * `Effect.withSpan`, skipped while the fiber's tracer is Effect's built-in one. Pass span options
 * built once (they are not copied); `captureStackTrace: false` avoids an `Error` per call.
 *
 * @example
 * ```ts
 * import { Tracing } from "@effect-dcr/client"
 * import { Effect } from "effect"
 *
 * const options = { kind: "internal", captureStackTrace: false } as const
 * const traced = Effect.succeed(42).pipe(Tracing.withSpan("MyService.answer", options))
 * ```
 *
 * @since 0.1.0
 * @category tracing
 */
export const withSpan = (name: string, options?: Tracer.SpanOptions | undefined) =>
<A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.tracerWith((tracer) => tracer === builtInTracer ? self : Effect.withSpan(self, name, options))
