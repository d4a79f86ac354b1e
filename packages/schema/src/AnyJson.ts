/**
 * Any JSON value, with a JSON Schema that says so (`Schema.Unknown` alone gets a fixed `$id`, which
 * an OpenAPI document then repeats wherever it is used).
 *
 * @since 0.1.0
 */
export { AnyJson } from "./internal/json.js"
