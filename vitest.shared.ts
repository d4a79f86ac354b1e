import { defineConfig } from "vitest/config"

/**
 * Settings every package's vitest project shares: workspace packages resolve to their TypeScript
 * sources through the `@effect-dcr/source` export condition, so tests need no build step.
 */
export default defineConfig({
  resolve: { conditions: ["@effect-dcr/source"] },
  ssr: { resolve: { conditions: ["@effect-dcr/source"] } },
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: [new URL("./vitest.setup.ts", import.meta.url).pathname],
    fakeTimers: { toFake: undefined },
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})
