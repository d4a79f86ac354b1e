/**
 * The table of Authlete's four Dynamic Client Registration endpoints: for each operation its path
 * under `/api/{serviceId}`, Authlete's API number (the `A<api>…` of its result codes) and the
 * request and response schemas. `AuthleteClient` calls these endpoints and the Authlete-compatible
 * API of `@effect-dcr/http-server` serves them; both read this table. Next to it, the client read
 * of Authlete's Client Management API (`AuthleteClientGetEndpoint`), which
 * `AuthleteClientRegistry` calls.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Client } from "./Client.js"
import { DeleteRequest, GetRequest, RegisterRequest, UpdateRequest } from "./ClientRegistrationRequest.js"
import { DeleteResponse, GetResponse, RegisterResponse, UpdateResponse } from "./ClientRegistrationResponse.js"

/**
 * The four operations, as named in errors, spans and routes.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AuthleteOperation = Schema.Literal("register", "get", "update", "delete").annotations({
  identifier: "AuthleteOperation"
})

/**
 * @since 0.1.0
 * @category models
 */
export type AuthleteOperation = typeof AuthleteOperation.Type

/**
 * One endpoint of the table.
 *
 * @since 0.1.0
 * @category models
 */
export interface AuthleteEndpoint<
  Operation extends AuthleteOperation,
  Request extends Schema.Schema.AnyNoContext,
  Response extends Schema.Schema.AnyNoContext
> {
  readonly operation: Operation
  /** The path under `/api/{serviceId}`, e.g. `/client/registration/get`. */
  readonly path: `/client/registration${"" | "/get" | "/update" | "/delete"}`
  /** Authlete's API number, used in its result codes (`A202001`, `A217301`, …). */
  readonly apiNumber: "202" | "217" | "213" | "216"
  readonly request: Request
  readonly response: Response
}

/**
 * The endpoints by operation.
 *
 * @since 0.1.0
 * @category constants
 */
export const AuthleteEndpoints: {
  readonly register: AuthleteEndpoint<"register", typeof RegisterRequest, typeof RegisterResponse>
  readonly get: AuthleteEndpoint<"get", typeof GetRequest, typeof GetResponse>
  readonly update: AuthleteEndpoint<"update", typeof UpdateRequest, typeof UpdateResponse>
  readonly delete: AuthleteEndpoint<"delete", typeof DeleteRequest, typeof DeleteResponse>
} = {
  register: {
    operation: "register",
    path: "/client/registration",
    apiNumber: "202",
    request: RegisterRequest,
    response: RegisterResponse
  },
  get: {
    operation: "get",
    path: "/client/registration/get",
    apiNumber: "217",
    request: GetRequest,
    response: GetResponse
  },
  update: {
    operation: "update",
    path: "/client/registration/update",
    apiNumber: "213",
    request: UpdateRequest,
    response: UpdateResponse
  },
  delete: {
    operation: "delete",
    path: "/client/registration/delete",
    apiNumber: "216",
    request: DeleteRequest,
    response: DeleteResponse
  }
}

/**
 * The URL path of an operation for a service: `/api/{serviceId}{path}` (the service id
 * percent-encoded).
 *
 * @since 0.1.0
 * @category constructors
 */
export const authleteEndpointPath = (serviceId: string, operation: AuthleteOperation): string =>
  `/api/${encodeURIComponent(serviceId)}${AuthleteEndpoints[operation].path}`

/**
 * Authlete's client read, `GET /api/{serviceId}/client/get/{clientId}` (Client Management API;
 * `clientId` is the client ID or its enabled alias): the whole `Client`, its `clientSecret`
 * included, so the service access token needs the right to read clients. Errors are answered like
 * the other endpoints' (`{resultCode, resultMessage}` with 400, 401, 403 or 500), and an unknown
 * client with HTTP 404 (Authlete's own SDKs and Terraform provider read a 404 as "no such client").
 *
 * @since 0.1.0
 * @category constants
 */
export const AuthleteClientGetEndpoint: {
  readonly operation: "clientGet"
  readonly method: "GET"
  /** The path under `/api/{serviceId}`, followed by `/{clientId}`. */
  readonly path: "/client/get"
  readonly response: typeof Client
} = {
  operation: "clientGet",
  method: "GET",
  path: "/client/get",
  response: Client
}

/**
 * The URL path of a client read: `/api/{serviceId}/client/get/{clientId}` (both percent-encoded).
 *
 * @since 0.1.0
 * @category constructors
 */
export const authleteClientGetPath = (serviceId: string, clientId: string): string =>
  `/api/${encodeURIComponent(serviceId)}${AuthleteClientGetEndpoint.path}/${encodeURIComponent(clientId)}`
