import { fileURLToPath } from "node:url"
import { defineProject, mergeConfig } from "vitest/config"
import shared from "../vitest.shared.js"

const packages = fileURLToPath(new URL("../packages", import.meta.url))

// Repository checks (README against the code, the JSDoc examples). The scripts package does not depend on the
// workspace packages, so `@effect-dcr/<pkg>` and `@effect-dcr/<pkg>/<Module>` are mapped to their TypeScript
// sources, as the `@effect-dcr/source` export condition does for the packages' own tests.
export default mergeConfig(
  shared,
  defineProject({
    resolve: {
      alias: [
        { find: /^@effect-dcr\/([\w-]+)$/, replacement: `${packages}/$1/src/index.ts` },
        { find: /^@effect-dcr\/([\w-]+)\/(.+)$/, replacement: `${packages}/$1/src/$2.ts` }
      ]
    },
    test: { name: "repo" }
  })
)
