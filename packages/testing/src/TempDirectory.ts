/**
 * Temporary directories for tests, each removed (with everything in it) when its scope closes.
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** A new temporary directory named `<prefix><random>`, removed when the scope closes. */
export const make = (prefix = "effect-dcr-test-"): Effect.Effect<string, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => mkdtempSync(join(tmpdir(), prefix))),
    (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
  )

/** The same without a scope (for `beforeAll`/`afterAll`): its path, and `remove` to delete it. */
export const makeSync = (prefix = "effect-dcr-test-"): { readonly path: string; readonly remove: () => void } => {
  const path = mkdtempSync(join(tmpdir(), prefix))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}
