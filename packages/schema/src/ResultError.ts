/**
 * The body Authlete sends with HTTP 400, 401, 403 and 500 (its own API failed, as opposed to an
 * action such as BAD_REQUEST, which comes with HTTP 200).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * `{ resultCode, resultMessage }`, e.g. `{"resultCode":"A001202","resultMessage":"[A001202] ..."}`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResultError = Schema.Struct({
  resultCode: Schema.optional(Schema.String),
  resultMessage: Schema.optional(Schema.String)
}).annotations({ identifier: "ResultError" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ResultError extends Schema.Schema.Type<typeof ResultError> {}
