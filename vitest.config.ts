import { defineConfig } from "vitest/config"

/**
 * The workspace's test run: one project per package (its `vitest.config.ts`, on `vitest.shared.ts`),
 * the repository checks (`scripts`) and the examples.
 *
 * `isolate: false`: a worker process runs file after file of one project in one module graph,
 * instead of a new process importing effect, the platform and the packages for every file; that
 * import was most of the unit tests' CPU (schema, client, http-server, engine and the example:
 * 122 s of CPU → 49 s, 109 s → 54 s on two cores). Vitest reads it from this root config only. The
 * tests keep no state in shared modules that another file could see (metrics are read as
 * differences, generated ids only need to be unique, nothing is mocked, `process.env` is not
 * written); keep it that way.
 */
export default defineConfig({
  test: {
    projects: ["packages/*/vitest.config.ts", "scripts/vitest.config.ts", "examples/*/vitest.config.ts"],
    isolate: false
  }
})
