/**
 * Whether the backend behind `DynamicClientRegistration` can serve requests now: the engine's
 * store answers a cheap query, Authlete answers HTTP. The layers that provide a backend provide
 * this next to it; `HealthApi`'s `GET /readyz` asks it with a short timeout.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"

/**
 * The backend is not ready. `component` names what was checked (`sqlite`, `authlete`, …); `cause`
 * is the driver's or the HTTP client's failure, which holds no secret (no token is sent to check).
 *
 * @since 0.1.0
 * @category errors
 */
export class NotReady extends Schema.TaggedError<NotReady>()("NotReady", {
  component: Schema.String,
  cause: Schema.Defect
}) {
  override get message(): string {
    return `${this.component} is not ready`
  }
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** Succeeds when the backend can serve requests; bounded by the caller (e.g. `Effect.timeout`). */
  readonly check: Effect.Effect<void, NotReady>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Readiness extends Context.Tag("@effect-dcr/client/Readiness")<Readiness, Service>() {}

/**
 * A readiness check from any effect: its success means ready; its failure or defect becomes
 * `NotReady` for `component`.
 *
 * @example
 * ```ts
 * import { Readiness } from "@effect-dcr/client"
 * import { Effect } from "effect"
 *
 * const always = Readiness.make("memory", Effect.void)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (component: string, check: Effect.Effect<unknown, unknown>): Service => ({
  check: check.pipe(
    Effect.asVoid,
    Effect.catchAllCause((cause) => Effect.fail(new NotReady({ component, cause: Cause.squash(cause) })))
  )
})

/**
 * A backend with nothing to check (in memory, or checked elsewhere): always ready.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerAlwaysReady: Layer.Layer<Readiness> = Layer.succeed(Readiness, make("always", Effect.void))
