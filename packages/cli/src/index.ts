/**
 * The effect-dcr application: configuration, backend selection, the standalone server and the
 * command line. The executable is `bin.ts`.
 *
 * @since 0.1.0
 */

/**
 * Backend selection (embedded engine on SQLite, or Authlete).
 *
 * @since 0.1.0
 */
export * as Backend from "./Backend.js"

/**
 * The `effect-dcr` commands.
 *
 * @since 0.1.0
 */
export * as Commands from "./Commands.js"

/**
 * The log format and level of `serve` (`DCR_LOG_FORMAT`, `DCR_LOG_LEVEL`).
 *
 * @since 0.1.0
 */
export * as Logging from "./Logging.js"

/**
 * The package's name and version, from its `package.json`.
 *
 * @since 0.1.0
 */
export * as Package from "./Package.js"

/**
 * The standalone server.
 *
 * @since 0.1.0
 */
export * as Server from "./Server.js"

/**
 * Configuration from the environment.
 *
 * @since 0.1.0
 */
export * as ServerConfig from "./ServerConfig.js"

/**
 * The settings of `serve`: environment variables and flags, one table.
 *
 * @since 0.1.0
 */
export * as Settings from "./Settings.js"

/**
 * OpenTelemetry export of traces and metrics over OTLP/HTTP (`OTEL_EXPORTER_OTLP_ENDPOINT`, …).
 *
 * @since 0.1.0
 */
export * as Telemetry from "./Telemetry.js"
