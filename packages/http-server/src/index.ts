/**
 * Every HTTP surface of effect-dcr for `@effect/platform`, each an `HttpApi` definition that serves
 * the routes, writes the OpenAPI document and gives a typed client. The Node.js server with the
 * register fast path is the separate module `@effect-dcr/http-server/NodeRegistrationServer`.
 *
 * @since 0.1.0
 */

/**
 * The Authlete-compatible API (`/api/{serviceId}/client/registration…`) as an `HttpApi` group.
 *
 * @since 0.1.0
 */
export * as AuthleteApi from "./AuthleteApi.js"

/**
 * Parsing `Authorization: Bearer` tokens (RFC 6750 §2.1).
 *
 * @since 0.1.0
 */
export * as BearerToken from "./BearerToken.js"

/**
 * CORS for the registration, management and discovery routes.
 *
 * @since 0.1.0
 */
export * as Cors from "./Cors.js"

/**
 * RFC 8414 authorization server metadata.
 *
 * @since 0.1.0
 */
export * as Discovery from "./Discovery.js"

/**
 * `GET /healthz` and `GET /readyz` as an `HttpApi` group, on the backend's `Readiness`.
 *
 * @since 0.1.0
 */
export * as HealthApi from "./HealthApi.js"

/**
 * The server's metrics: request latency by route, operations by action, rate-limited requests.
 *
 * @since 0.1.0
 */
export * as Metrics from "./Metrics.js"

/**
 * One middleware for every response: `X-Request-Id`, the latency metric, the optional access log.
 *
 * @since 0.1.0
 */
export * as Observability from "./Observability.js"

/**
 * Abuse limits: registrations per client and in all, failed authentications per address.
 *
 * @since 0.1.0
 */
export * as RateLimit from "./RateLimit.js"

/**
 * The RFC 7591/7592 endpoints and discovery as an `HttpApi` group: routes, OpenAPI, typed client.
 *
 * @since 0.1.0
 */
export * as RegistrationApi from "./RegistrationApi.js"

/**
 * Authlete actions → HTTP responses.
 *
 * @since 0.1.0
 */
export * as RegistrationResponse from "./RegistrationResponse.js"

/**
 * Reading a request body with a size limit (413 past it), for your own endpoints: `readText`, `readForm`.
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
