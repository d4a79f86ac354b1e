/**
 * The engine's metric: how long its client store takes, per operation, whatever the store
 * (SQLite, PostgreSQL, your own). `Engine.make` measures the `ClientStore` in context with
 * `instrument`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as MetricLabel from "effect/MetricLabel"
import type * as ClientStore from "./ClientStore.js"

/**
 * `dcr.store.duration`: seconds per client store call, by `dcr.store.operation` (`insert`, `find`,
 * `replace`, `delete`, …). Buckets from 0.1 ms, doubling, to about 1.6 s. An insert's time
 * includes the wait for its group commit.
 *
 * @since 0.1.0
 * @category metrics
 */
export const storeDuration = Metric.histogram(
  "dcr.store.duration",
  MetricBoundaries.exponential({ start: 0.0001, factor: 2, count: 15 }),
  "Duration of client store operations, in seconds"
)

const labels = new Map<string, ReadonlyArray<MetricLabel.MetricLabel>>()

const labelsOf = (operation: string): ReadonlyArray<MetricLabel.MetricLabel> => {
  let cached = labels.get(operation)
  if (cached === undefined) {
    cached = [MetricLabel.make("dcr.store.operation", operation)]
    labels.set(operation, cached)
  }
  return cached
}

/** One step around the call (not `ensuring`: a registration's hot path); an interrupted call is not measured. */
const timed = <A, E, R>(operation: string, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.suspend(() => {
    const start = performance.now()
    const record = () => storeDuration.unsafeUpdate((performance.now() - start) / 1000, labelsOf(operation))
    return Effect.matchCauseEffect(effect, {
      onSuccess: (value) => {
        record()
        return Effect.succeed(value)
      },
      onFailure: (cause) => {
        record()
        return Effect.failCause(cause)
      }
    })
  })

/**
 * The store with every operation measured in `storeDuration` (each function of the service that
 * answers an Effect, so operations added later are measured too).
 *
 * @since 0.1.0
 * @category combinators
 */
export const instrument = (service: ClientStore.Service): ClientStore.Service => {
  const measured: Record<string, unknown> = {}
  for (const [name, member] of Object.entries(service)) {
    measured[name] = typeof member === "function"
      ? (...args: Array<unknown>) => {
        const result = (member as (...args: Array<unknown>) => unknown)(...args)
        return Effect.isEffect(result) ? timed(name, result) : result
      }
      : member
  }
  return measured as unknown as ClientStore.Service
}
