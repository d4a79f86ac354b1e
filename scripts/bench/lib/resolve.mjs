// Imports a dependency as the measured tree's packages see it, so that a script in this directory
// and the built packages of `--root DIR` share one copy of `effect` (and of @effect/platform-node).
// Node's `import.meta.resolve` cannot take a parent URL without a flag, so this follows
// node_modules and the package's "exports" (conditions node, import, default) by hand.
import { existsSync, readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { pathToFileURL } from "node:url"

const pick = (entry) => {
  if (typeof entry === "string") return entry
  if (entry === null || typeof entry !== "object") return undefined
  for (const condition of ["node", "import", "default"]) {
    if (condition in entry) {
      const found = pick(entry[condition])
      if (found !== undefined) return found
    }
  }
  return undefined
}

/** The file URL of `specifier` ("effect", "effect/Schema", "@effect/platform-node/NodeHttpClient") seen from `fromDir`. */
export const resolveFrom = (fromDir, specifier) => {
  const parts = specifier.split("/")
  const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]
  const subpath = specifier.slice(name.length) === "" ? "." : `.${specifier.slice(name.length)}`
  for (let dir = fromDir;; dir = dirname(dir)) {
    const pkgDir = join(dir, "node_modules", name)
    if (existsSync(join(pkgDir, "package.json"))) {
      const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"))
      const target = pkg.exports
        ? pick(pkg.exports[subpath])
        : subpath === "."
        ? (pkg.module ?? pkg.main ?? "index.js")
        : subpath
      if (target === undefined) throw new Error(`${specifier}: no export ${subpath} in ${pkgDir}`)
      return pathToFileURL(join(pkgDir, target)).href
    }
    if (dirname(dir) === dir) throw new Error(`${specifier} not found from ${fromDir}`)
  }
}

export const importFrom = (fromDir, specifier) => import(resolveFrom(fromDir, specifier))
