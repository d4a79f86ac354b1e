/**
 * One description of a schema decoding failure, for error messages and RFC 7591 / Authlete error
 * bodies: `client_name: must be a string (got 42)`; a URI's value is never quoted.
 *
 * @since 0.1.0
 */
import type * as ParseResult from "effect/ParseResult"
import { collectProblems, formatProblem, toAscii } from "./internal/issues.js"

/**
 * Options of {@link describeParseIssue}.
 *
 * @since 0.1.0
 * @category models
 */
export interface DescribeParseIssueOptions {
  /** At most this many problems are described (default 5). */
  readonly limit?: number | undefined
  /**
   * Whether the description may quote the offending values (default `true`). Use `false` for input
   * that can hold secrets (tokens, client secrets): paths and expected types are kept, and so are
   * the messages of refinements (the schema's own words), but never a value, and never the message
   * of a transformation (such as `JSON.parse`'s, which quotes the text).
   */
  readonly values?: boolean | undefined
}

/**
 * Describes a `ParseIssue` as `; `-separated problems, each `path: message`, in ASCII (other
 * characters are escaped as `\uXXXX`, as RFC 7591 §3.2.2 wants for `error_description`).
 *
 * @example
 * ```ts
 * import { ClientMetadata, describeParseIssue } from "@effect-dcr/schema"
 * import { Either, Schema } from "effect"
 *
 * const result = Schema.decodeUnknownEither(ClientMetadata)({ application_type: "ios" })
 * if (Either.isLeft(result)) {
 *   describeParseIssue(result.left.issue)
 *   // 'application_type: must be one of "web", "native" (got "ios")'
 *   describeParseIssue(result.left.issue, { values: false })
 *   // 'application_type: must be one of "web", "native"'
 * }
 * ```
 *
 * @since 0.1.0
 * @category formatting
 */
export const describeParseIssue = (issue: ParseResult.ParseIssue, options?: DescribeParseIssueOptions): string => {
  const problems = collectProblems(issue, options)
  return problems.length === 0 ? "the value is invalid" : toAscii(problems.map(formatProblem).join("; "))
}
