/**
 * `HttpApi.make` without the `HttpApiDecodeError` it declares on every endpoint: these handlers
 * decode nothing that can fail (bodies are read raw, path parameters are plain strings), so the
 * error is never sent, and the OpenAPI document must not promise it.
 *
 * @internal
 */
import * as HttpApi from "@effect/platform/HttpApi"
import * as Schema from "effect/Schema"

/** @internal */
export const make = <const Id extends string>(identifier: Id): ReturnType<typeof HttpApi.make<Id>> => {
  const api = HttpApi.make(identifier)
  ;(api as unknown as { errorSchema: Schema.Schema<never> }).errorSchema = Schema.Never
  return api
}
