/**
 * RFC 7591/7592 endpoints for `@effect/platform`, on top of the `DynamicClientRegistration` tag:
 * Authlete's actions as HTTP responses, a router value to mount, an OpenAPI description and
 * authorization-server discovery metadata.
 *
 * @since 0.1.0
 */

/**
 * Parsing `Authorization: Bearer` tokens (RFC 6750 §2.1).
 *
 * @since 0.1.0
 */
export * as BearerToken from "./BearerToken.js"

/**
 * RFC 8414 authorization server metadata advertising the registration endpoint.
 *
 * @since 0.1.0
 */
export * as Discovery from "./Discovery.js"

/**
 * A Node.js `HttpServer` with a fast path for `POST /register`.
 *
 * @since 0.1.0
 */
export * as NodeRegistrationServer from "./NodeRegistrationServer.js"

/**
 * The HttpApi description of the endpoints and its OpenAPI document.
 *
 * @since 0.1.0
 */
export * as RegistrationApi from "./RegistrationApi.js"

/**
 * `toHttpServerResponse`: Authlete actions → HTTP responses.
 *
 * @since 0.1.0
 */
export * as RegistrationResponse from "./RegistrationResponse.js"

/**
 * The endpoints as an `HttpRouter` value or an `HttpLayerRouter` layer.
 *
 * @since 0.1.0
 */
export * as RegistrationRouter from "./RegistrationRouter.js"

/**
 * Reading and checking request bodies (content type, size limit, JSON object).
 *
 * @since 0.1.0
 */
export * as RequestBody from "./RequestBody.js"

/**
 * Why a request was refused before it reached the backend.
 *
 * @since 0.1.0
 */
export * as RequestError from "./RequestError.js"
