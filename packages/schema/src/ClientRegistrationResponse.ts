/**
 * `ClientRegistrationResponse`: what Authlete answers to each of the four operations. The `action`
 * tells the authorization server which HTTP response to send, with `responseContent` as its body.
 *
 * Each operation has its own narrowed schema, so a caller's `switch (response.action)` is exhaustive
 * for the operation it called.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Client } from "./Client.js"

/**
 * All seven actions, in the order of Authlete's Java enum.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ClientRegistrationAction = Schema.Literal(
  "INTERNAL_SERVER_ERROR",
  "BAD_REQUEST",
  "UNAUTHORIZED",
  "CREATED",
  "UPDATED",
  "DELETED",
  "OK"
).annotations({ identifier: "ClientRegistrationAction" })

/**
 * @since 0.1.0
 * @category models
 */
export type ClientRegistrationAction = typeof ClientRegistrationAction.Type

/**
 * Actions of `register`. `UNAUTHORIZED` is not in Authlete's list for register; it is answered by
 * backends that enforce an RFC 7591 §3 initial access token (the embedded engine does).
 *
 * @since 0.1.0
 * @category schemas
 */
export const RegisterAction = Schema.Literal("CREATED", "BAD_REQUEST", "UNAUTHORIZED", "INTERNAL_SERVER_ERROR")

/**
 * @since 0.1.0
 * @category schemas
 */
export const GetAction = Schema.Literal("OK", "BAD_REQUEST", "UNAUTHORIZED", "INTERNAL_SERVER_ERROR")

/**
 * @since 0.1.0
 * @category schemas
 */
export const UpdateAction = Schema.Literal("UPDATED", "BAD_REQUEST", "UNAUTHORIZED", "INTERNAL_SERVER_ERROR")

/**
 * @since 0.1.0
 * @category schemas
 */
export const DeleteAction = Schema.Literal("DELETED", "BAD_REQUEST", "UNAUTHORIZED", "INTERNAL_SERVER_ERROR")

const fields = {
  resultCode: Schema.optional(Schema.String),
  resultMessage: Schema.optional(Schema.String),
  responseContent: Schema.optional(Schema.String),
  client: Schema.optional(Client)
} as const

/**
 * The response of any of the four operations.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ClientRegistrationResponse = Schema.Struct({
  ...fields,
  action: Schema.optional(ClientRegistrationAction)
}).annotations({ identifier: "ClientRegistrationResponse" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ClientRegistrationResponse extends Schema.Schema.Type<typeof ClientRegistrationResponse> {}

/**
 * @since 0.1.0
 * @category models
 */
export interface ClientRegistrationResponseEncoded extends Schema.Schema.Encoded<typeof ClientRegistrationResponse> {}

/**
 * The response of `register`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RegisterResponse = Schema.Struct({ ...fields, action: Schema.optional(RegisterAction) })
  .annotations({ identifier: "RegisterResponse" })

/**
 * @since 0.1.0
 * @category models
 */
export interface RegisterResponse extends Schema.Schema.Type<typeof RegisterResponse> {}

/**
 * The response of `get`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const GetResponse = Schema.Struct({ ...fields, action: Schema.optional(GetAction) })
  .annotations({ identifier: "GetResponse" })

/**
 * @since 0.1.0
 * @category models
 */
export interface GetResponse extends Schema.Schema.Type<typeof GetResponse> {}

/**
 * The response of `update`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const UpdateResponse = Schema.Struct({ ...fields, action: Schema.optional(UpdateAction) })
  .annotations({ identifier: "UpdateResponse" })

/**
 * @since 0.1.0
 * @category models
 */
export interface UpdateResponse extends Schema.Schema.Type<typeof UpdateResponse> {}

/**
 * The response of `delete`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const DeleteResponse = Schema.Struct({ ...fields, action: Schema.optional(DeleteAction) })
  .annotations({ identifier: "DeleteResponse" })

/**
 * @since 0.1.0
 * @category models
 */
export interface DeleteResponse extends Schema.Schema.Type<typeof DeleteResponse> {}
