/**
 * The seam of effect-dcr: the four Dynamic Client Registration operations as a service.
 *
 * `AuthleteClient.layer` provides it by calling Authlete over HTTP; `Engine.layer` (in
 * `@effect-dcr/engine`) provides it in-process. The HTTP endpoints in `@effect-dcr/http-server`
 * depend on nothing else.
 *
 * @since 0.1.0
 */
import type {
  DeleteRequest,
  DeleteResponse,
  GetRequest,
  GetResponse,
  RegisterRequest,
  RegisterResponse,
  UpdateRequest,
  UpdateResponse
} from "@effect-dcr/schema"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type { DynamicClientRegistrationError } from "./DynamicClientRegistrationError.js"

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
