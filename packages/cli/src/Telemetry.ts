/**
 * OpenTelemetry for `serve`: with `OTEL_EXPORTER_OTLP_ENDPOINT` set, traces and metrics are exported
 * over OTLP/HTTP (`{endpoint}/v1/traces`, `{endpoint}/v1/metrics`; protobuf or JSON) by
 * `@effect/opentelemetry`'s OTLP exporters, which read Effect's spans and metrics directly (no
 * OpenTelemetry SDK runs). Without it, tracing is switched off, since spans would be built and
 * dropped.
 *
 * @since 0.1.0
 */
import * as OtlpMetrics from "@effect/opentelemetry/OtlpMetrics"
import * as OtlpSerialization from "@effect/opentelemetry/OtlpSerialization"
import * as OtlpTracer from "@effect/opentelemetry/OtlpTracer"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Arr from "effect/Array"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"

/**
 * The OTLP/HTTP encodings (`OTEL_EXPORTER_OTLP_PROTOCOL`); `grpc` is not supported.
 *
 * @since 0.1.0
 * @category models
 */
export type Protocol = "http/protobuf" | "http/json"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** `OTEL_EXPORTER_OTLP_ENDPOINT`, e.g. `http://collector:4318`; unset: no export, tracing off. */
  readonly endpoint: string | undefined
  readonly protocol: Protocol
  /** `OTEL_EXPORTER_OTLP_HEADERS`, e.g. an API key for a hosted backend. */
  readonly headers: Redacted.Redacted<Readonly<Record<string, string>>> | undefined
  readonly serviceName: string
  readonly serviceVersion: string
  /** `OTEL_RESOURCE_ATTRIBUTES`. */
  readonly resourceAttributes: Readonly<Record<string, string>>
  /** How often metrics are exported (`OTEL_METRIC_EXPORT_INTERVAL`, default 60 s). */
  readonly metricExportInterval: Duration.Duration
  /** How often finished spans are exported (`OTEL_BSP_SCHEDULE_DELAY`, default 5 s). */
  readonly traceExportInterval: Duration.Duration
}

const keyValues = (name: string, text: string): Either.Either<Record<string, string>, ConfigError.ConfigError> => {
  const entries: Array<[string, string]> = []
  for (const item of text.split(",")) {
    if (item.trim() === "") continue
    const at = item.indexOf("=")
    const key = at === -1 ? "" : item.slice(0, at).trim()
    if (key === "") {
      return Either.left(ConfigError.InvalidData([name], `${name}: expected key=value pairs separated by commas`))
    }
    let value: string
    try {
      value = decodeURIComponent(item.slice(at + 1).trim())
    } catch {
      return Either.left(ConfigError.InvalidData([name], `${name}: a value of ${key} is not percent-encoded`))
    }
    entries.push([key, value])
  }
  return entries.length === 0
    ? Either.left(ConfigError.InvalidData([name], `${name} is set but empty`))
    : Either.right(Object.fromEntries(entries))
}

/**
 * Reads a comma-separated list of `key=value` pairs (values percent-decoded), as
 * `OTEL_EXPORTER_OTLP_HEADERS` and `OTEL_RESOURCE_ATTRIBUTES` are written.
 *
 * @since 0.1.0
 * @category config
 */
export const keyValueList = (name: string): Config.Config<Readonly<Record<string, string>>> =>
  Config.string(name).pipe(Config.mapOrFail((text) => keyValues(name, text)))

/**
 * An OTLP/HTTP base URL: `http:` or `https:`.
 *
 * @since 0.1.0
 * @category config
 */
export const endpointConfig = (name: string): Config.Config<string> =>
  Config.url(name).pipe(
    Config.validate({
      message: `Expected ${name} to be an http(s) URL, e.g. http://localhost:4318`,
      validation: (url) => url.protocol === "http:" || url.protocol === "https:"
    }),
    Config.map((url) => url.href.replace(/\/+$/, ""))
  )

/**
 * A duration in milliseconds, as the OpenTelemetry variables are written.
 *
 * @since 0.1.0
 * @category config
 */
export const millisConfig = (name: string): Config.Config<Duration.Duration> =>
  Config.integer(name).pipe(
    Config.validate({ message: `Expected ${name} to be a number of milliseconds > 0`, validation: (n) => n > 0 }),
    Config.map(Duration.millis)
  )

/**
 * The exporters and the tracer for `options`: with an endpoint, tracing on and both exporters
 * (flushed when the layer's scope closes, after the server has drained); without, tracing off.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<never> => {
  if (options.endpoint === undefined) return Layer.setTracerEnabled(false)
  const resource = {
    serviceName: options.serviceName,
    serviceVersion: options.serviceVersion,
    attributes: options.resourceAttributes
  }
  const headers = options.headers === undefined ? undefined : Redacted.value(options.headers)
  return Layer.mergeAll(
    OtlpTracer.layer({
      url: `${options.endpoint}/v1/traces`,
      resource,
      headers,
      exportInterval: options.traceExportInterval
    }),
    OtlpMetrics.layer({
      url: `${options.endpoint}/v1/metrics`,
      resource,
      headers,
      exportInterval: options.metricExportInterval
    }),
    Layer.setTracerEnabled(true)
  ).pipe(
    Layer.provide(options.protocol === "http/json" ? OtlpSerialization.layerJson : OtlpSerialization.layerProtobuf),
    Layer.provide(NodeHttpClient.layerUndici)
  )
}

/**
 * The names of the headers, for a log line (values never leave `Redacted`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const headerNames = (options: Options): ReadonlyArray<string> =>
  options.headers === undefined ? [] : Arr.fromIterable(Object.keys(Redacted.value(options.headers)))
