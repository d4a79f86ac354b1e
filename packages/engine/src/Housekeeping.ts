/**
 * Automatic pruning of unused clients: MCP clients often register again on every start, leaving
 * clients that never authenticate behind. `layer` runs `Operator.prune` on a schedule for as long
 * as its scope is open (a server's lifetime). Several instances on one database may all run it: each
 * delete checks the criteria again, so they only share the work.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import type { ClientStore } from "./ClientStore.js"
import * as Operator from "./Operator.js"

/**
 * Options of `layer`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Prune the clients registered more than this long ago and never used (`Operator.UnusedOptions.olderThan`). */
  readonly olderThan: Duration.DurationInput
  /** Also the clients not used for this long; absent: only never-used ones. */
  readonly notUsedFor?: Duration.DurationInput | undefined
  /** Time between two runs, the first at once (default `defaultInterval`). */
  readonly interval?: Duration.DurationInput | undefined
}

/**
 * The default `interval`: one hour.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultInterval: Duration.Duration = Duration.hours(1)

/**
 * One run: prunes, logs how many clients it deleted (when any); a failure is logged and is not the
 * caller's (the next run tries again).
 *
 * @since 0.1.0
 * @category operations
 */
export const pruneOnce = (options: Options): Effect.Effect<void, never, ClientStore> =>
  Operator.prune({ olderThan: options.olderThan, notUsedFor: options.notUsedFor }).pipe(
    Effect.flatMap(({ deleted }) =>
      deleted === 0
        ? Effect.logDebug("Housekeeping: no unused clients to prune")
        : Effect.logInfo(`Housekeeping: pruned ${deleted} unused client${deleted === 1 ? "" : "s"}`)
    ),
    Effect.catchAllCause((cause) => Effect.logWarning("Housekeeping: pruning unused clients failed", cause))
  )

/**
 * Runs `pruneOnce` at once and then every `interval`, in a fiber of the layer's scope (stopped when
 * it closes).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<never, never, ClientStore> =>
  Layer.scopedDiscard(
    Effect.forkScoped(
      Effect.repeat(pruneOnce(options), Schedule.spaced(Duration.decode(options.interval ?? defaultInterval)))
    )
  )
