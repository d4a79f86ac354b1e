/**
 * The seam of effect-dcr: the four Dynamic Client Registration operations as a service.
 *
 * `AuthleteClient.layer` provides it by calling Authlete over HTTP; `Engine.layer` (in
 * `@effect-dcr/engine`) provides it in-process. Next to the wire-shaped accessors,
 * `registerMetadata`, `updateMetadata` and `decodeResponseContent` take and give typed values.
 *
 * @since 0.1.0
 */
import {
  ClientInformationResponseFromJson,
  ClientMetadataFromJson,
  describeParseIssue,
  RegistrationErrorResponseFromJson
} from "@effect-dcr/schema"
import type {
  ClientInformationResponse,
  ClientMetadata,
  ClientRegistrationAction,
  DeleteRequest,
  DeleteResponse,
  GetRequest,
  GetResponse,
  RegisterRequest,
  RegisterResponse,
  RegistrationErrorResponse,
  UpdateRequest,
  UpdateResponse
} from "@effect-dcr/schema"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as ParseResult from "effect/ParseResult"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type { DynamicClientRegistrationError } from "./DynamicClientRegistrationError.js"
import { ResponseContentError } from "./DynamicClientRegistrationError.js"

/**
 * The service shape: each operation answers the `ClientRegistrationResponse` narrowed to the
 * actions it can produce, and fails only with a `DynamicClientRegistrationError`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** RFC 7591 registration (`/client/registration`). */
  readonly register: (request: RegisterRequest) => Effect.Effect<RegisterResponse, DynamicClientRegistrationError>
  /** RFC 7592 §2.1 read (`/client/registration/get`). */
  readonly get: (request: GetRequest) => Effect.Effect<GetResponse, DynamicClientRegistrationError>
  /** RFC 7592 §2.2 update (`/client/registration/update`). */
  readonly update: (request: UpdateRequest) => Effect.Effect<UpdateResponse, DynamicClientRegistrationError>
  /** RFC 7592 §2.3 delete (`/client/registration/delete`). */
  readonly delete: (request: DeleteRequest) => Effect.Effect<DeleteResponse, DynamicClientRegistrationError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class DynamicClientRegistration extends Context.Tag("@effect-dcr/client/DynamicClientRegistration")<
  DynamicClientRegistration,
  Service
>() {}

/**
 * Registers a client with the provided backend.
 *
 * @example
 * ```ts
 * import { DynamicClientRegistration } from "@effect-dcr/client"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const res = yield* DynamicClientRegistration.register({ json: JSON.stringify({ client_name: "demo" }) })
 *   return res.action
 * })
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const register = (
  request: RegisterRequest
): Effect.Effect<RegisterResponse, DynamicClientRegistrationError, DynamicClientRegistration> =>
  Effect.flatMap(DynamicClientRegistration, (service) => service.register(request))

/**
 * Reads a client's current registration (RFC 7592 §2.1).
 *
 * @since 0.1.0
 * @category accessors
 */
export const get = (
  request: GetRequest
): Effect.Effect<GetResponse, DynamicClientRegistrationError, DynamicClientRegistration> =>
  Effect.flatMap(DynamicClientRegistration, (service) => service.get(request))

/**
 * Replaces a client's registration (RFC 7592 §2.2).
 *
 * @since 0.1.0
 * @category accessors
 */
export const update = (
  request: UpdateRequest
): Effect.Effect<UpdateResponse, DynamicClientRegistrationError, DynamicClientRegistration> =>
  Effect.flatMap(DynamicClientRegistration, (service) => service.update(request))

/**
 * Deletes a client (RFC 7592 §2.3).
 *
 * @since 0.1.0
 * @category accessors
 */
const delete_ = (
  request: DeleteRequest
): Effect.Effect<DeleteResponse, DynamicClientRegistrationError, DynamicClientRegistration> =>
  Effect.flatMap(DynamicClientRegistration, (service) => service.delete(request))

export {
  /**
   * Deletes a client (RFC 7592 §2.3).
   *
   * @since 0.1.0
   * @category accessors
   */
  delete_ as delete
}

const encodeMetadata = Schema.encode(ClientMetadataFromJson)

/**
 * Registers a client from a `ClientMetadata` value: the metadata is encoded with schema's
 * `ClientMetadataFromJson` (a value that breaks a rule of the schema, such as a relative redirect
 * URI, fails with the `ParseError` and nothing is sent), and `initialAccessToken` is the RFC 7591 §3
 * initial access token, if the server wants one.
 *
 * @example
 * ```ts
 * import { DynamicClientRegistration } from "@effect-dcr/client"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const res = yield* DynamicClientRegistration.registerMetadata({
 *     client_name: "My App",
 *     redirect_uris: ["https://app.example.com/cb"]
 *   })
 *   const answer = yield* DynamicClientRegistration.decodeResponseContent(res)
 *   return answer.action === "CREATED" ? answer.content.client_id : answer.content.error
 * })
 * ```
 *
 * @since 0.1.0
 * @category conveniences
 */
export const registerMetadata = (
  metadata: ClientMetadata,
  options?: { readonly initialAccessToken?: Redacted.Redacted<string> | undefined }
): Effect.Effect<
  RegisterResponse,
  DynamicClientRegistrationError | ParseResult.ParseError,
  DynamicClientRegistration
> => Effect.flatMap(encodeMetadata(metadata), (json) => register({ json, token: options?.initialAccessToken }))

/**
 * Replaces a client's registration (RFC 7592 §2.2) with a `ClientMetadata` value, encoded as in
 * {@link registerMetadata}. RFC 7592 wants the `client_id` in the body: it is added from
 * `clientId` when `metadata` has none.
 *
 * @example
 * ```ts
 * import { DynamicClientRegistration } from "@effect-dcr/client"
 * import { Effect, Redacted } from "effect"
 *
 * const rename = (clientId: string, token: Redacted.Redacted) =>
 *   DynamicClientRegistration.updateMetadata({
 *     clientId,
 *     token,
 *     metadata: { client_name: "My App v2", redirect_uris: ["https://app.example.com/cb"] }
 *   }).pipe(Effect.flatMap(DynamicClientRegistration.decodeResponseContent))
 * ```
 *
 * @since 0.1.0
 * @category conveniences
 */
export const updateMetadata = (request: {
  readonly clientId: string
  readonly token: Redacted.Redacted<string>
  readonly metadata: ClientMetadata
}): Effect.Effect<UpdateResponse, DynamicClientRegistrationError | ParseResult.ParseError, DynamicClientRegistration> =>
  Effect.flatMap(
    encodeMetadata(
      request.metadata.client_id === undefined ? { client_id: request.clientId, ...request.metadata } : request.metadata
    ),
    (json) => update({ clientId: request.clientId, token: request.token, json })
  )

/**
 * The actions whose `responseContent` is a client information response (RFC 7591 §3.2.1).
 *
 * @since 0.1.0
 * @category models
 */
export type InformationAction = "CREATED" | "OK" | "UPDATED"

/**
 * The actions whose `responseContent` is an error body (RFC 7591 §3.2.2).
 *
 * @since 0.1.0
 * @category models
 */
export type ErrorAction = "BAD_REQUEST" | "UNAUTHORIZED" | "INTERNAL_SERVER_ERROR"

/**
 * A response's `responseContent`, decoded according to its action: `ClientInformationResponse` for
 * CREATED, OK and UPDATED, `RegistrationErrorResponse` for BAD_REQUEST, UNAUTHORIZED and
 * INTERNAL_SERVER_ERROR, nothing for DELETED. A union discriminated by `action`.
 *
 * @since 0.1.0
 * @category models
 */
export type ResponseContent<Action extends ClientRegistrationAction = ClientRegistrationAction> = Action extends
  InformationAction ? { readonly action: Action; readonly content: ClientInformationResponse }
  : Action extends ErrorAction ? { readonly action: Action; readonly content: RegistrationErrorResponse }
  : { readonly action: Action }

const decodeInformation = Schema.decodeEither(ClientInformationResponseFromJson)
const decodeErrorBody = Schema.decodeEither(RegistrationErrorResponseFromJson)

const contentError = (action: ClientRegistrationAction | undefined, description: string) =>
  Effect.fail(new ResponseContentError({ action, description }))

const decodeContent = <A>(
  action: ClientRegistrationAction,
  responseContent: string | undefined,
  decode: (text: string) => Either.Either<A, ParseResult.ParseError>
): Effect.Effect<{ readonly action: ClientRegistrationAction; readonly content: A }, ResponseContentError> => {
  if (responseContent === undefined) return contentError(action, "responseContent: is missing")
  const decoded = decode(responseContent)
  return Either.isRight(decoded)
    ? Effect.succeed({ action, content: decoded.right })
    // paths and expected types only: the content carries the client secret and the tokens
    : contentError(action, describeParseIssue(decoded.left.issue, { values: false }))
}

/**
 * Decodes a response's `responseContent` according to its `action` (see {@link ResponseContent}),
 * so that code never parses it by hand; the result's type follows the operation's actions. Fails
 * with a `ResponseContentError` when the content is missing or does not decode, or when the
 * response has no action. Secrets in the client information stay `Redacted`.
 *
 * @example
 * ```ts
 * import { DynamicClientRegistration } from "@effect-dcr/client"
 * import { Effect, Redacted } from "effect"
 *
 * const read = (clientId: string, token: Redacted.Redacted) =>
 *   Effect.gen(function*() {
 *     const res = yield* DynamicClientRegistration.get({ clientId, token })
 *     const answer = yield* DynamicClientRegistration.decodeResponseContent(res)
 *     switch (answer.action) {
 *       case "OK":
 *         return answer.content.client_name
 *       case "BAD_REQUEST":
 *       case "UNAUTHORIZED":
 *       case "INTERNAL_SERVER_ERROR":
 *         return yield* Effect.fail(answer.content.error)
 *     }
 *   })
 * ```
 *
 * @since 0.1.0
 * @category conveniences
 */
export const decodeResponseContent = <Action extends ClientRegistrationAction>(response: {
  readonly action?: Action | undefined
  readonly responseContent?: string | undefined
}): Effect.Effect<ResponseContent<Action>, ResponseContentError> => {
  const action: ClientRegistrationAction | undefined = response.action
  switch (action) {
    case "CREATED":
    case "OK":
    case "UPDATED":
      return decodeContent(action, response.responseContent, decodeInformation) as Effect.Effect<
        ResponseContent<Action>,
        ResponseContentError
      >
    case "BAD_REQUEST":
    case "UNAUTHORIZED":
    case "INTERNAL_SERVER_ERROR":
      return decodeContent(action, response.responseContent, decodeErrorBody) as Effect.Effect<
        ResponseContent<Action>,
        ResponseContentError
      >
    case "DELETED":
      return Effect.succeed({ action } as ResponseContent<Action>)
    case undefined:
      return contentError(undefined, "the response has no action")
  }
}
