// Type-checks every ```ts block under an `@example` tag in the JSDoc of packages/*/src (not src/internal), as
// @effect/docgen does for effect's packages: each example becomes its own module in a temporary folder, and one
// TypeScript program (the repo's compiler options, `noEmit`, unused locals allowed) checks them all. An example
// resolves imports as a file of its own package would, so `@effect-dcr/<pkg>` reaches the TypeScript sources through
// the `@effect-dcr/source` condition. Errors are reported at the example's line in the source file; exit code 1.
//
// Usage: node scripts/check-examples.mjs [--keep]   (--keep leaves the generated modules on disk)
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"

const root = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..")

/**
 * The ```ts / ```typescript blocks under `@example` tags in the JSDoc comments of a source text, each with the
 * 1-based line and the column (0-based) in the source where its first code line starts.
 */
export const extractExamples = (text) => {
  const examples = []
  const lineStarts = [0]
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") lineStarts.push(i + 1)
  const lineOf = (offset) => {
    let lo = 0
    let hi = lineStarts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (lineStarts[mid] <= offset) lo = mid
      else hi = mid - 1
    }
    return lo + 1
  }
  for (const match of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const firstLine = lineOf(match.index)
    const lines = match[0].split("\n")
    let inExample = false
    let code = undefined
    lines.forEach((raw, i) => {
      const prefix = /^\s*(?:\/\*\*|\*\/|\*(?!\/))? ?/.exec(raw)[0]
      const line = raw.slice(prefix.length).replace(/\s*\*\/\s*$/, "")
      if (code !== undefined) {
        if (/^\s*```\s*$/.test(line)) {
          examples.push(code)
          code = undefined
        } else {
          code.lines.push(line)
        }
        return
      }
      if (/^@example\b/.test(line)) inExample = true
      else if (/^@\w+/.test(line)) inExample = false
      else if (inExample && /^\s*```(ts|typescript)\s*$/.test(line)) {
        code = { line: firstLine + i + 1, column: prefix.length, lines: [] }
      }
    })
  }
  return examples.map(({ column, line, lines }) => ({ line, column, code: lines.join("\n") + "\n" }))
}

/**
 * The ```ts blocks of a Markdown text (README.md), each with the 1-based line of its first code line. A block
 * fenced as ```ts no-check is left out (for fragments that cannot stand alone).
 */
export const extractMarkdownBlocks = (text) => {
  const blocks = []
  let code = undefined
  text.split("\n").forEach((line, i) => {
    if (code !== undefined) {
      if (/^```\s*$/.test(line)) {
        blocks.push({ line: code.line, column: 0, code: code.lines.join("\n") + "\n" })
        code = undefined
      } else {
        code.lines.push(line)
      }
    } else if (/^```(ts|typescript)\s*$/.test(line)) {
      code = { line: i + 2, lines: [] }
    }
  })
  return blocks
}

/** The public source files of every workspace package: packages/<pkg>/src/**\/*.ts outside src/internal. */
export const sourceFiles = () => {
  const files = []
  const walk = (dir) => {
    for (const entry of Fs.readdirSync(dir, { withFileTypes: true })) {
      const path = Path.join(dir, entry.name)
      if (entry.isDirectory()) {
        if (entry.name !== "internal") walk(path)
      } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
        files.push(path)
      }
    }
  }
  const packages = Path.join(root, "packages")
  for (const pkg of Fs.readdirSync(packages).sort()) {
    const src = Path.join(packages, pkg, "src")
    if (Fs.existsSync(src)) walk(src)
  }
  return files.sort()
}

const compilerOptions = (configDir) => {
  const base = ts.readConfigFile(Path.join(root, "tsconfig.base.json"), ts.sys.readFile)
  if (base.error) throw new Error(ts.flattenDiagnosticMessageText(base.error.messageText, "\n"))
  const parsed = ts.parseJsonConfigFileContent(
    {
      ...base.config,
      compilerOptions: {
        ...base.config.compilerOptions,
        noEmit: true,
        noUnusedLocals: false,
        noUnusedParameters: false,
        composite: false,
        incremental: false,
        declaration: false,
        declarationMap: false,
        sourceMap: false
      },
      files: []
    },
    ts.sys,
    configDir
  )
  return parsed.options
}

const format = (diagnostic, where) => {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")
  return `${where}: error TS${diagnostic.code}: ${message}`
}

/** The READMEs whose ```ts blocks are checked: the repository's and each package's. */
const markdownFiles = () => [
  Path.join(root, "README.md"),
  ...Fs.readdirSync(Path.join(root, "packages")).map((pkg) => Path.join(root, "packages", pkg, "README.md"))
    .filter((file) => Fs.existsSync(file))
]

/** Checks the examples; returns the number of examples and the error lines. */
export const checkExamples = (options = {}) => {
  const examples = []
  for (const file of options.files ?? sourceFiles()) {
    const text = Fs.readFileSync(file, "utf8")
    for (const example of extractExamples(text)) examples.push({ ...example, source: file })
  }
  for (const file of options.markdown ?? markdownFiles()) {
    const text = Fs.readFileSync(file, "utf8")
    for (const block of extractMarkdownBlocks(text)) examples.push({ ...block, source: file, markdown: true })
  }
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-dcr-examples-"))
  try {
    Fs.writeFileSync(Path.join(dir, "package.json"), JSON.stringify({ type: "module" }) + "\n")
    const byFile = new Map()
    examples.forEach((example, i) => {
      const relative = Path.relative(root, example.source)
      const name = `${String(i).padStart(3, "0")}_${relative.replace(/[/\\.]/g, "_")}_${example.line}.ts`
      const file = Path.join(dir, name)
      Fs.writeFileSync(file, example.code)
      byFile.set(file, example)
    })

    const options_ = compilerOptions(root)
    const host = ts.createCompilerHost(options_)
    const cache = ts.createModuleResolutionCache(root, (s) => s, options_)
    // An example resolves its imports as a module of its own package would (package self-reference and the
    // package's node_modules), falling back to the cli package, which depends on every other package.
    const fallback = Path.join(root, "packages", "cli", "src", "__example__.ts")
    // A README block may import any package's dependencies (the Authlete SDK is a dev dependency of the client).
    const everyPackage = ["cli", "http-server", "engine", "client", "schema"].map((pkg) =>
      Path.join(root, "packages", pkg, "src", "__example__.ts")
    )
    host.resolveModuleNameLiterals = (literals, containingFile, redirectedReference, opts) => {
      const example = byFile.get(containingFile)
      const candidates = example === undefined
        ? [containingFile]
        : example.markdown
        ? everyPackage
        : [Path.join(Path.dirname(example.source), "__example__.ts"), fallback]
      return literals.map((literal) => {
        let resolved
        for (const from of candidates) {
          resolved = ts.resolveModuleName(
            literal.text,
            from,
            opts,
            host,
            cache,
            redirectedReference,
            example === undefined ? undefined : ts.ModuleKind.ESNext
          )
          if (resolved.resolvedModule !== undefined) break
        }
        return resolved
      })
    }
    const program = ts.createProgram({ rootNames: [...byFile.keys()], options: options_, host })
    const errors = []
    for (const diagnostic of program.getOptionsDiagnostics().concat(program.getGlobalDiagnostics())) {
      errors.push(format(diagnostic, "tsconfig"))
    }
    for (const [file, example] of byFile) {
      const sourceFile = program.getSourceFile(file)
      const diagnostics = program.getSyntacticDiagnostics(sourceFile).concat(program.getSemanticDiagnostics(sourceFile))
      for (const diagnostic of diagnostics) {
        const { character, line } = sourceFile.getLineAndCharacterOfPosition(diagnostic.start ?? 0)
        const where = `${Path.relative(root, example.source)}:${example.line + line}:${example.column + character + 1}`
        errors.push(format(diagnostic, where))
      }
    }
    const resolved = program.getSourceFiles().map((sourceFile) => sourceFile.fileName)
    return { examples: examples.length, errors, dir, resolved }
  } finally {
    if (!options.keep) Fs.rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv[1] !== undefined && Path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const keep = process.argv.includes("--keep")
  const started = performance.now()
  const { dir, errors, examples } = checkExamples({ keep })
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  for (const error of errors) console.error(error)
  if (keep) console.log(`examples written to ${dir}`)
  console.log(`${examples} JSDoc and README examples checked in ${seconds}s, ${errors.length} error(s)`)
  process.exit(errors.length === 0 ? 0 : 1)
}
