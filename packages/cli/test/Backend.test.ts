import { assert, describe, it } from "@effect/vitest"
import { makeDirectories } from "effect-dcr/Backend"
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const errorCode = async (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(() => "resolved", (error) => (error as { code?: unknown }).code)

describe("Backend.makeDirectories", () => {
  it("creates missing parents, and accepts a directory that exists", async () => {
    const root = mkdtempSync(join(tmpdir(), "effect-dcr-mkdir-"))
    try {
      const deep = join(root, "a", "b", "c")
      await makeDirectories(deep)
      assert.isTrue(statSync(deep).isDirectory())
      await makeDirectories(deep)
      await makeDirectories(root)
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })

  it("fails when a path component is a file", async () => {
    const root = mkdtempSync(join(tmpdir(), "effect-dcr-mkdir-"))
    try {
      writeFileSync(join(root, "file"), "")
      assert.strictEqual(await errorCode(makeDirectories(join(root, "file", "sub"))), "ENOTDIR")
      assert.strictEqual(await errorCode(makeDirectories(join(root, "file"))), "ENOTDIR")
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })

  it.runIf(existsSync("/proc/self"))(
    "fails instead of hanging under /proc (Node's recursive mkdir never settles there)",
    async () => {
      const code = await errorCode(makeDirectories("/proc/effect-dcr-does-not-exist/data"))
      assert.include(["ENOENT", "EACCES", "EPERM", "EROFS"], code)
    },
    10_000
  )
})
