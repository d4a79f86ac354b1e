/**
 * `Effect.withSpan` for the registration hot path, skipped while tracing is disabled
 * (`Layer.setTracerEnabled(false)`, as `effect-dcr serve` runs without an exporter). Effect still
 * builds a no-op span and copies the context when tracing is disabled: about 6 µs per span here,
 * a tenth of a registration (BENCHMARKS.md).
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import type * as Tracer from "effect/Tracer"

/** @internal */
export const withSpan = (name: string, options: Tracer.SpanOptions) => <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.withFiberRuntime<A, E, R>((fiber) =>
    fiber.getFiberRef(FiberRef.currentTracerEnabled) ? Effect.withSpan(self, name, options) : self
  )
