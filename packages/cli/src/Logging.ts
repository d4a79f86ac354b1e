/**
 * How `serve` writes its log: `DCR_LOG_FORMAT` picks Effect's pretty, JSON (one object per line)
 * or logfmt logger, `DCR_LOG_LEVEL` the least severe level written. Warnings and errors go to
 * stderr, everything else to stdout.
 *
 * @since 0.1.0
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as HashSet from "effect/HashSet"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"

/**
 * The log formats: `pretty` (Effect's multi-line, coloured on a terminal), `json` (one JSON object
 * per line) and `logfmt` (one `key=value` line).
 *
 * @since 0.1.0
 * @category models
 */
export type Format = "pretty" | "json" | "logfmt"

/**
 * @since 0.1.0
 * @category constants
 */
export const formats: ReadonlyArray<Format> = ["pretty", "json", "logfmt"]

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly format: Format
  /** The least severe level written. */
  readonly level: LogLevel.LogLevel
}

const toStderr = (level: LogLevel.LogLevel): boolean => LogLevel.greaterThanEqual(level, LogLevel.Warning)

/** The loggers `make` built, so that `layer` replaces them too when it is applied twice. */
const ours = new WeakSet<Logger.Logger<unknown, void>>()

const remember = (logger: Logger.Logger<unknown, void>): Logger.Logger<unknown, void> => {
  ours.add(logger)
  return logger
}

/**
 * The logger of a format: warnings and worse on stderr, the rest on stdout.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (format: Format): Logger.Logger<unknown, void> => {
  if (format === "pretty") {
    const out = Logger.prettyLogger()
    const err = Logger.prettyLogger({ stderr: true })
    return remember(Logger.make((options) => toStderr(options.logLevel) ? err.log(options) : out.log(options)))
  }
  const line = format === "json" ? Logger.jsonLogger : Logger.logfmtLogger
  return remember(Logger.make((options) => {
    const text = line.log(options)
    if (toStderr(options.logLevel)) globalThis.console.error(text)
    else globalThis.console.log(text)
  }))
}

/**
 * The format's logger in place of Effect's default logger (and of the pretty logger that
 * `NodeRuntime.runMain` installs, and of one an outer `layer` added), with the minimum level.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<never> =>
  Layer.merge(
    Layer.scopedDiscard(
      Effect.locallyScopedWith(
        FiberRef.currentLoggers,
        (loggers) =>
          loggers.pipe(
            HashSet.filter((logger) =>
              logger !== Logger.defaultLogger && logger !== Logger.prettyLoggerDefault && !ours.has(logger)
            ),
            HashSet.add(make(options.format))
          )
      )
    ),
    Logger.minimumLogLevel(options.level)
  )

/**
 * Tells the operator something once (the startup banner, shutting down): the lines as they are on
 * the console in the `pretty` format; one info log line with `fields` as annotations otherwise, so
 * that every line of a `json` or `logfmt` log stays machine-readable.
 *
 * @since 0.1.0
 * @category constructors
 */
export const announce = (
  format: Format,
  message: string,
  lines: ReadonlyArray<string>,
  fields: Readonly<Record<string, unknown>> = {}
): Effect.Effect<void> =>
  format === "pretty"
    ? Effect.forEach(lines, (line) => Console.log(line), { discard: true })
    : Effect.logInfo(message).pipe(Effect.annotateLogs(fields))

/**
 * Reports a failure to start: `message` on stderr as is in the `pretty` format, as an error log
 * line otherwise.
 *
 * @since 0.1.0
 * @category constructors
 */
export const reportError = (format: Format, message: string): Effect.Effect<void> =>
  format === "pretty" ? Console.error(message) : Effect.logError(message)
