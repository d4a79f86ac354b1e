/**
 * Where everything lives, derived from the issuer: the authorization server's endpoints and the
 * protected resource (the MCP endpoint) served next to them, with its RFC 9728 metadata URL.
 *
 * @since 0.1.0
 */
import { Discovery } from "@effect-dcr/http-server"

/**
 * @since 0.1.0
 * @category models
 */
export interface Urls {
  readonly issuer: string
  readonly authorizationEndpoint: string
  readonly tokenEndpoint: string
  readonly registrationEndpoint: string
  /** The protected resource's identifier (RFC 8707, RFC 9728 `resource`): the MCP endpoint. */
  readonly resource: string
  /** Its metadata document (RFC 9728 §3.1: the well-known path inserted before the resource's path). */
  readonly resourceMetadata: string
}

/**
 * The paths the example serves.
 *
 * @since 0.1.0
 * @category constants
 */
export const paths = {
  authorize: "/authorize",
  token: "/token",
  register: "/register",
  mcp: "/mcp",
  resourceMetadata: "/.well-known/oauth-protected-resource/mcp"
} as const

/**
 * The URLs of an issuer (an origin such as `http://127.0.0.1:3000`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromIssuer = (issuer: string): Urls => ({
  issuer,
  authorizationEndpoint: Discovery.endpointUrl(issuer, paths.authorize),
  tokenEndpoint: Discovery.endpointUrl(issuer, paths.token),
  registrationEndpoint: Discovery.endpointUrl(issuer, paths.register),
  resource: Discovery.endpointUrl(issuer, paths.mcp),
  resourceMetadata: Discovery.endpointUrl(issuer, paths.resourceMetadata)
})
