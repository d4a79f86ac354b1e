/**
 * Liveness and readiness as an `HttpApi` group named `health`: `GET /healthz` answers 200 while the
 * process serves HTTP; `GET /readyz` answers 200 when the backend's `Readiness` check succeeds
 * within a short timeout, else 503. The group has no middleware and no rate limit, so probes are
 * never refused for the callers' sake.
 *
 * @since 0.1.0
 */
import { Readiness } from "@effect-dcr/client"
import type * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as OpenApi from "@effect/platform/OpenApi"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"

/**
 * The liveness path, `/healthz`.
 *
 * @since 0.1.0
 * @category constants
 */
export const livenessPath = "/healthz" as const

/**
 * The readiness path, `/readyz`.
 *
 * @since 0.1.0
 * @category constants
 */
export const readinessPath = "/readyz" as const

/**
 * The default readiness timeout: 1 second, Kubernetes' default probe timeout.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultTimeout: Duration.Duration = Duration.seconds(1)

const Live = Schema.Struct({ status: Schema.Literal("ok") }).annotations({
  identifier: "Liveness",
  description: "The process serves HTTP"
})

const Ready = Schema.Struct({ status: Schema.Literal("ready") }).annotations({
  identifier: "Readiness",
  description: "The backend answered its readiness check"
})

const Unavailable = Schema.Struct({ status: Schema.Literal("unavailable") }).annotations(
  HttpApiSchema.annotations({
    status: 503,
    identifier: "NotReady",
    description: "The backend failed its readiness check or did not answer in time (the cause is logged)"
  })
)

/**
 * The endpoints as an `HttpApiGroup` named `health`, to add to an `HttpApi` (then serve it with
 * `layerGroup`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const group = HttpApiGroup.make("health")
  .add(
    HttpApiEndpoint.get("live", livenessPath)
      .addSuccess(Live)
      .annotate(OpenApi.Summary, "Liveness: the process serves HTTP")
  )
  .add(
    HttpApiEndpoint.get("ready", readinessPath)
      .addSuccess(Ready)
      .addError(Unavailable)
      .annotate(OpenApi.Summary, "Readiness: the backend (store or Authlete) answers")
  )
  .annotate(OpenApi.Description, "Probes for load balancers and orchestrators; never rate-limited")

/**
 * How the `health` group is served.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** How long `/readyz` waits for the backend's check. Default `defaultTimeout` (1 second). */
  readonly timeout?: Duration.DurationInput | undefined
}

const noStore = { "cache-control": "no-store" } as const

/**
 * Serves the `health` group of `api` on the `Readiness` in context (the backend layers provide
 * one; `Readiness.layerAlwaysReady` for a backend with nothing to check). A failed or late check is
 * logged at warning level with its cause and answered 503 `{"status":"unavailable"}`.
 *
 * @example
 * ```ts
 * import { Readiness } from "@effect-dcr/client"
 * import { HealthApi, RegistrationApi } from "@effect-dcr/http-server"
 * import { HttpApiBuilder } from "@effect/platform"
 * import { Layer } from "effect"
 *
 * const issuer = "http://127.0.0.1:3000"
 * const api = RegistrationApi.make({ issuer }).add(HealthApi.group)
 * const ApiLive = HttpApiBuilder.api(api).pipe(
 *   Layer.provide(RegistrationApi.layerGroup(api, { issuer })),
 *   Layer.provide(HealthApi.layerGroup(api)),
 *   Layer.provide(Readiness.layerAlwaysReady)
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerGroup = <ApiId extends string, Groups extends HttpApiGroup.HttpApiGroup.Any>(
  api: HttpApi.HttpApi<ApiId, Groups, any, any>,
  options?: Options | undefined
): Layer.Layer<HttpApiGroup.ApiGroup<ApiId, "health">, never, Readiness.Readiness> => {
  const timeout = Duration.decode(options?.timeout ?? defaultTimeout)
  const live = HttpServerResponse.unsafeJson({ status: "ok" }, { headers: noStore })
  const ready = HttpServerResponse.unsafeJson({ status: "ready" }, { headers: noStore })
  const unavailable = HttpServerResponse.unsafeJson({ status: "unavailable" }, { status: 503, headers: noStore })
  const definition = api as unknown as HttpApi.HttpApi<ApiId, typeof group>
  // the check is taken from the layer's context when it is built, not from each request's
  return HttpApiBuilder.group(definition, "health", (handlers) =>
    Effect.map(Readiness.Readiness, (readiness) => {
      const check = readiness.check.pipe(
        Effect.timeoutFail({
          duration: timeout,
          onTimeout: () =>
            new Readiness.NotReady({
              component: "backend",
              cause: new Error(`no answer within ${Duration.format(timeout)}`)
            })
        }),
        Effect.as(ready),
        Effect.catchAll((error) =>
          Effect.as(
            Effect.logWarning(`Not ready: ${error.message}`, Cause.fail(error)).pipe(
              Effect.annotateLogs("dcr.component", error.component)
            ),
            unavailable
          )
        )
      )
      return handlers
        .handleRaw("live", () => Effect.succeed(live))
        .handleRaw("ready", () => check)
    })) as unknown as Layer.Layer<HttpApiGroup.ApiGroup<ApiId, "health">, never, Readiness.Readiness>
}
