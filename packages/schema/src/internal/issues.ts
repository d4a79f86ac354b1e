/**
 * Turns a `ParseIssue` tree into short sentences a developer can act on, e.g.
 * `redirect_uris[0]: must be an absolute URI without a fragment (got "/cb")`.
 *
 * @internal
 */
import type * as ParseResult from "effect/ParseResult"
import * as AST from "effect/SchemaAST"

/**
 * Annotation naming what a schema expects, as a noun phrase ("an absolute URI"). Used when a value
 * has the wrong type and the failing node carries no message of its own.
 *
 * @internal
 */
export const ExpectedId: unique symbol = Symbol.for("@effect-dcr/schema/Expected")

/**
 * Annotation of a refinement whose input is never quoted when its predicate fails (URIs: an error
 * names the member and says why, but does not echo a `javascript:` URI back).
 *
 * @internal
 */
export const NoEchoId: unique symbol = Symbol.for("@effect-dcr/schema/NoEcho")

/** @internal */
export interface Problem {
  readonly path: ReadonlyArray<PropertyKey>
  readonly message: string
}

const maxPreview = 60

/**
 * A JSON string literal made of ASCII only (non-ASCII escaped as `\uXXXX`): RFC 7591 §3.2.2 wants
 * `error_description` to be ASCII text, and echoed values can hold anything.
 *
 * @internal
 */
export const asciiJsonString = (s: string): string => toAscii(JSON.stringify(s))

/**
 * Escapes every non-ASCII character as `\uXXXX`.
 *
 * @internal
 */
export const toAscii = (s: string): string =>
  s.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)

/** @internal */
export const describeValue = (value: unknown): string => {
  if (value === null) return "null"
  if (Array.isArray(value)) return "an array"
  switch (typeof value) {
    case "string": {
      // Cut on a code point boundary so that the preview never ends in half a surrogate pair.
      const cut = value.length > maxPreview ? Array.from(value.slice(0, maxPreview + 1)).slice(0, -1).join("") : value
      return cut === value ? asciiJsonString(value) : `${asciiJsonString(cut)}...`
    }
    case "number":
    case "boolean":
      return String(value)
    case "object":
      return "an object"
    case "undefined":
      return "nothing"
    default:
      return `a ${typeof value}`
  }
}

const identifierLike = /^[A-Za-z_][A-Za-z0-9_.-]*(?:#[A-Za-z0-9-]*)?$/

/** @internal */
export const formatPath = (path: ReadonlyArray<PropertyKey>): string => {
  let out = ""
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`
    else if (typeof key === "string" && identifierLike.test(key)) out += out === "" ? key : `.${key}`
    else out += `[${asciiJsonString(String(key))}]`
  }
  return out
}

const expectedOf = (ast: AST.AST): string => {
  const annotated = ast.annotations[ExpectedId]
  if (typeof annotated === "string") return annotated
  switch (ast._tag) {
    case "StringKeyword":
    case "TemplateLiteral":
      return "a string"
    case "NumberKeyword":
      return "a number"
    case "BooleanKeyword":
      return "true or false"
    case "TupleType":
      return "an array"
    case "TypeLiteral":
      return "a JSON object"
    case "Literal":
      return JSON.stringify(ast.literal)
    case "Union": {
      if (ast.types.every((t) => t._tag === "Literal")) {
        const values = ast.types.map((t) => JSON.stringify((t as AST.Literal).literal))
        return values.length === 1 ? values[0]! : `one of ${values.join(", ")}`
      }
      return ast.types.map(expectedOf).join(" or ")
    }
    case "Refinement":
      return expectedOf(ast.from)
    case "Transformation":
      return expectedOf(ast.from)
    case "Declaration":
      return "a valid value"
    default:
      return "a valid value"
  }
}

const isNullish = (ast: AST.AST): boolean =>
  (ast._tag === "Literal" && ast.literal === null) || ast._tag === "UndefinedKeyword"

/** @internal */
export interface CollectOptions {
  /** At most this many problems (default 5). */
  readonly limit?: number | undefined
  /**
   * Whether messages may quote the input (default `true`): `(got "...")`. With `false` only paths,
   * expected types and the messages of refinements (the schema's own words) are used; a
   * transformation's message (e.g. `JSON.parse`'s, which quotes the text) is replaced.
   */
  readonly values?: boolean | undefined
}

/**
 * Collects the leaf problems of an issue tree, in order.
 *
 * @internal
 */
export const collectProblems = (issue: ParseResult.ParseIssue, options?: CollectOptions): Array<Problem> => {
  const limit = options?.limit ?? 5
  const values = options?.values ?? true
  const withGot = (message: string, actual: unknown, echo = true): string =>
    values && echo ? `${message} (got ${describeValue(actual)})` : message
  const typeMessage = (issue: ParseResult.Type, hint: string | undefined): string => {
    const expected = `must be ${hint ?? expectedOf(issue.ast)}`
    if (values) return issue.message ?? expected
    if (issue.message !== undefined && issue.ast._tag === "Refinement") return issue.message
    if (issue.ast._tag !== "Transformation") return expected
    if (issue.ast.annotations[AST.SchemaIdAnnotationId] === AST.ParseJsonSchemaId) return "must be valid JSON"
    const target = issue.ast.to
    return target._tag === "UnknownKeyword" || target._tag === "AnyKeyword"
      ? "could not be decoded"
      : `could not be decoded as ${expectedOf(target)}`
  }
  const out: Array<Problem> = []
  const go = (
    issue: ParseResult.ParseIssue,
    path: ReadonlyArray<PropertyKey>,
    hint: string | undefined,
    echo = true
  ): void => {
    if (out.length >= limit) return
    switch (issue._tag) {
      case "Pointer": {
        const p = Array.isArray(issue.path) ? issue.path : [issue.path as PropertyKey]
        return go(issue.issue, [...path, ...p], undefined)
      }
      case "Composite": {
        let issues: ReadonlyArray<ParseResult.ParseIssue> = Array.isArray(issue.issues)
          ? issue.issues
          : [issue.issues as ParseResult.ParseIssue]
        if (issue.ast._tag === "Union") {
          // A union fails with one issue per member: report the expected values once, and never
          // suggest the `null` that an optional member tolerates.
          const members = issue.ast.types.filter((t) => !isNullish(t))
          if (members.length > 0 && members.every((t) => t._tag === "Literal")) {
            const values = members.map((t) => JSON.stringify((t as AST.Literal).literal))
            const expected = values.length === 1 ? values[0]! : `one of ${values.join(", ")}`
            out.push({ path, message: withGot(`must be ${expected}`, issue.actual) })
            return
          }
          issues = issues.filter((i) => !(i._tag === "Type" && isNullish(i.ast)))
        }
        for (const i of issues) go(i, path, hint)
        return
      }
      case "Refinement": {
        const annotated = issue.ast.annotations[ExpectedId]
        const quiet = issue.kind === "Predicate" && issue.ast.annotations[NoEchoId] === true
        return go(issue.issue, path, typeof annotated === "string" ? annotated : hint, echo && !quiet)
      }
      case "Transformation":
        return go(issue.issue, path, hint, echo)
      case "Type":
        out.push({ path, message: withGot(typeMessage(issue, hint), issue.actual, echo) })
        return
      case "Missing":
        out.push({ path, message: issue.message ?? "is required" })
        return
      case "Unexpected":
        out.push({ path, message: issue.message ?? "is not allowed here" })
        return
      case "Forbidden":
        out.push({ path, message: issue.message ?? "could not be checked" })
        return
    }
  }
  go(issue, [], undefined)
  return out
}

/**
 * One problem as a sentence: `path: message`.
 *
 * @internal
 */
export const formatProblem = (problem: Problem): string => {
  const path = formatPath(problem.path)
  return path === "" ? problem.message : `${path}: ${problem.message}`
}
