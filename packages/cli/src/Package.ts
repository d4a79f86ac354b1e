/**
 * The CLI package's name and version, read from its `package.json` (one directory above `src/` and
 * `dist/`), so `--version` and the exported telemetry's `service.version` follow releases.
 *
 * @since 0.1.0
 */
import { createRequire } from "node:module"

const manifest = createRequire(import.meta.url)("../package.json") as {
  readonly name: string
  readonly version: string
}

/**
 * The package's name, e.g. `effect-dcr`.
 *
 * @since 0.1.0
 * @category constants
 */
export const name: string = manifest.name

/**
 * The package's version, e.g. `0.1.0`.
 *
 * @since 0.1.0
 * @category constants
 */
export const version: string = manifest.version
