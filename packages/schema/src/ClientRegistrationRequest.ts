/**
 * Request bodies of Authlete's four Dynamic Client Registration operations
 * (`POST /api/{serviceId}/client/registration[/get|/update|/delete]`).
 *
 * Wire names are exactly `json`, `token` and `clientId`, all strings. The seeds disagree on
 * `clientId` (a number in the TypeScript SDK docs): decoding accepts a number or a string of digits,
 * encoding always sends a string. Tokens are `Redacted` once decoded so that they never reach a log.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { SecretString } from "./internal/json.js"

/**
 * A client id as it travels in a request body: a string on the wire (a number is accepted on input).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ClientIdParam: Schema.Schema<string, string | number> = Schema.Union(
  Schema.String,
  Schema.transform(Schema.Number.pipe(Schema.int(), Schema.nonNegative()), Schema.String, {
    strict: true,
    decode: (n) => String(n),
    encode: (s) => Number(s)
  })
).annotations({ identifier: "ClientIdParam", description: "A client ID (string; a number is accepted on input)" })

/**
 * A bearer token (initial access token or registration access token), redacted in memory.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Token = SecretString.annotations({ identifier: "Token" })

/**
 * Body of `POST /api/{serviceId}/client/registration` (RFC 7591 registration).
 *
 * - `json`: the client metadata the client sent, as a JSON string (required).
 * - `token`: the initial access token the client presented, if any.
 * - `clientId`: unused by register; accepted for symmetry with the SDKs.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RegisterRequest = Schema.Struct({
  json: Schema.String,
  token: Schema.optional(Token),
  clientId: Schema.optional(ClientIdParam)
}).annotations({ identifier: "RegisterRequest" })

/**
 * @since 0.1.0
 * @category models
 */
export interface RegisterRequest extends Schema.Schema.Type<typeof RegisterRequest> {}

/**
 * @since 0.1.0
 * @category models
 */
export interface RegisterRequestEncoded extends Schema.Schema.Encoded<typeof RegisterRequest> {}

/**
 * Body of `POST /api/{serviceId}/client/registration/get` (RFC 7592 §2.1 read).
 *
 * @since 0.1.0
 * @category schemas
 */
export const GetRequest = Schema.Struct({
  token: Token,
  clientId: ClientIdParam,
  json: Schema.optional(Schema.String)
}).annotations({ identifier: "GetRequest" })

/**
 * @since 0.1.0
 * @category models
 */
export interface GetRequest extends Schema.Schema.Type<typeof GetRequest> {}

/**
 * @since 0.1.0
 * @category models
 */
export interface GetRequestEncoded extends Schema.Schema.Encoded<typeof GetRequest> {}

/**
 * Body of `POST /api/{serviceId}/client/registration/update` (RFC 7592 §2.2 update).
 *
 * @since 0.1.0
 * @category schemas
 */
export const UpdateRequest = Schema.Struct({
  json: Schema.String,
  token: Token,
  clientId: ClientIdParam
}).annotations({ identifier: "UpdateRequest" })

/**
 * @since 0.1.0
 * @category models
 */
export interface UpdateRequest extends Schema.Schema.Type<typeof UpdateRequest> {}

/**
 * @since 0.1.0
 * @category models
 */
export interface UpdateRequestEncoded extends Schema.Schema.Encoded<typeof UpdateRequest> {}

/**
 * Body of `POST /api/{serviceId}/client/registration/delete` (RFC 7592 §2.3 delete).
 *
 * @since 0.1.0
 * @category schemas
 */
export const DeleteRequest = Schema.Struct({
  token: Token,
  clientId: ClientIdParam,
  json: Schema.optional(Schema.String)
}).annotations({ identifier: "DeleteRequest" })

/**
 * @since 0.1.0
 * @category models
 */
export interface DeleteRequest extends Schema.Schema.Type<typeof DeleteRequest> {}

/**
 * @since 0.1.0
 * @category models
 */
export interface DeleteRequestEncoded extends Schema.Schema.Encoded<typeof DeleteRequest> {}
