/**
 * Reading OAuth request parameters: each at most once (RFC 6749 §3.1, §3.2).
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import { OAuthError } from "../OAuthError.js"

/** The parameter's value (`undefined` when absent or empty), or `invalid_request` when it is repeated. */
export const single = (parameters: URLSearchParams, name: string): Effect.Effect<string | undefined, OAuthError> => {
  const values = parameters.getAll(name)
  if (values.length > 1) {
    return Effect.fail(new OAuthError({ error: "invalid_request", description: `the parameter ${name} is repeated` }))
  }
  const value = values[0]
  return Effect.succeed(value === undefined || value === "" ? undefined : value)
}

/** The parameter's value, or `invalid_request` when it is absent, empty or repeated. */
export const required = (parameters: URLSearchParams, name: string): Effect.Effect<string, OAuthError> =>
  Effect.flatMap(
    single(parameters, name),
    (value) =>
      value === undefined
        ? Effect.fail(new OAuthError({ error: "invalid_request", description: `the parameter ${name} is missing` }))
        : Effect.succeed(value)
  )
