import { assert, describe, it } from "@effect/vitest"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { checkExamples, extractExamples } from "../check-examples.mjs"

const fixture = `/**
 * A module.
 *
 * @since 0.1.0
 */

/**
 * Not an example:
 * \`\`\`ts
 * const ignored: number = "not checked"
 * \`\`\`
 *
 * @example
 * \`\`\`ts
 * import { Effect } from "effect"
 *
 * const ok = Effect.succeed(1)
 * \`\`\`
 *
 * @example
 * \`\`\`ts
 * import { Effect } from "effect"
 *
 * const wrong: Effect.Effect<string> = Effect.succeed(1)
 * \`\`\`
 *
 * @since 0.1.0
 */
export const value = 1
`

describe("check-examples", () => {
  it("extracts the ts blocks under @example tags, with their source lines", () => {
    const examples = extractExamples(fixture)
    assert.deepStrictEqual(examples.map((e) => e.line), [15, 22])
    assert.strictEqual(examples[0]!.code, "import { Effect } from \"effect\"\n\nconst ok = Effect.succeed(1)\n")
  })

  it("reports a type error at the example's line in the source file", () => {
    const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "check-examples-test-"))
    try {
      const file = Path.join(dir, "Fixture.ts")
      Fs.writeFileSync(file, fixture)
      const { errors, examples } = checkExamples({ files: [file], markdown: [] })
      assert.strictEqual(examples, 2)
      assert.strictEqual(errors.length, 1)
      assert.match(errors[0]!, /Fixture\.ts:24:10: error TS\d+: Type .Effect<number, never, never>. is not assignable/)
    } finally {
      Fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
