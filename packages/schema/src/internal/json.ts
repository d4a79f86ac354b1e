/**
 * Schemas whose JSON Schema needs saying: any JSON value (`Schema.Unknown` alone would get a fixed
 * `$id`, repeated wherever it is used) and a secret string (redacted in memory, a plain string on
 * the wire).
 *
 * @internal
 */
import * as Schema from "effect/Schema"

/** @internal */
export const AnyJson = Schema.Unknown.annotations({
  jsonSchema: { type: ["object", "array", "string", "number", "boolean", "null"] }
})

/** A secret string: `Redacted` once decoded, a string on the wire. @internal */
export const SecretString = Schema.Redacted(Schema.String).annotations({
  description: "A secret string (kept Redacted in memory once decoded)",
  jsonSchema: { type: "string" }
})
