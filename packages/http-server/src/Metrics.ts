/**
 * The server's metrics, as Effect `Metric`s (exported over OTLP by the CLI when
 * `OTEL_EXPORTER_OTLP_ENDPOINT` is set, or read with `Metric.snapshot`): request latency by route,
 * Dynamic Client Registration operations by action, and requests refused by a rate limit. Labels
 * come from bounded sets (route templates, not paths), so a client cannot grow them.
 *
 * @since 0.1.0
 */
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as MetricLabel from "effect/MetricLabel"

/**
 * `http.server.request.duration`: seconds from the request's arrival to its response, by
 * `http.request.method`, `http.route` (the route template) and `http.response.status_code`
 * (OpenTelemetry's HTTP semantic conventions). Buckets from 0.5 ms, doubling, to about 8 s.
 *
 * @since 0.1.0
 * @category metrics
 */
export const requestDuration = Metric.histogram(
  "http.server.request.duration",
  MetricBoundaries.exponential({ start: 0.0005, factor: 2, count: 15 }),
  "Duration of HTTP server requests, in seconds"
)

/**
 * `dcr.operations`: Dynamic Client Registration operations answered by the endpoints, by
 * `dcr.operation` (`register`, `get`, `update`, `delete`) and `dcr.action` (the backend's action:
 * `CREATED`, `BAD_REQUEST`, …; `FAILED` when the backend call failed or its answer was unusable).
 *
 * @since 0.1.0
 * @category metrics
 */
export const operations = Metric.counter("dcr.operations", {
  description: "Dynamic Client Registration operations answered, by operation and action",
  incremental: true
})

/**
 * `dcr.rate_limited`: requests answered 429 by a rate limit, by `dcr.limit`: `registrations` (per
 * client or in all) or `failed_authentications`. Increment it with `recordRateLimited`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const rateLimited = Metric.counter("dcr.rate_limited", {
  description: "Requests refused by a rate limit, by limit",
  incremental: true
})

const methods = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])

/** Label arrays, one per combination: the metric's hook cache is keyed by the array's identity. */
const labelCache = new Map<string, ReadonlyArray<MetricLabel.MetricLabel>>()

const labels = (key: string, make: () => ReadonlyArray<MetricLabel.MetricLabel>) => {
  let cached = labelCache.get(key)
  if (cached === undefined) {
    cached = make()
    labelCache.set(key, cached)
  }
  return cached
}

/**
 * Records one answered request in `requestDuration`. A method outside the standard ones is
 * labelled `_OTHER`, as the semantic conventions ask.
 *
 * @since 0.1.0
 * @category recording
 */
export const recordRequest = (method: string, route: string, status: number, seconds: number): void => {
  const normalized = methods.has(method) ? method : "_OTHER"
  requestDuration.unsafeUpdate(
    seconds,
    labels(`r ${normalized} ${status} ${route}`, () => [
      MetricLabel.make("http.request.method", normalized),
      MetricLabel.make("http.route", route),
      MetricLabel.make("http.response.status_code", String(status))
    ])
  )
}

/**
 * Counts one answered operation in `operations`.
 *
 * @since 0.1.0
 * @category recording
 */
export const recordOperation = (operation: "register" | "get" | "update" | "delete", action: string): void =>
  operations.unsafeUpdate(
    1,
    labels(`o ${operation} ${action}`, () => [
      MetricLabel.make("dcr.operation", operation),
      MetricLabel.make("dcr.action", action)
    ])
  )

/**
 * Counts one request refused by the limit named `limit` in `rateLimited`.
 *
 * @since 0.1.0
 * @category recording
 */
export const recordRateLimited = (limit: string): void =>
  rateLimited.unsafeUpdate(1, labels(`l ${limit}`, () => [MetricLabel.make("dcr.limit", limit)]))
