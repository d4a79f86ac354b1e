/**
 * RFC 8414 authorization server metadata for a standalone registration server: the `issuer` and
 * its `registration_endpoint`, served at `/.well-known/oauth-authorization-server`, so OAuth
 * client libraries can discover where to register.
 *
 * @since 0.1.0
 */
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The issuer identifier: an `http(s)` URL without query or fragment. */
  readonly issuer: string
  /** The registration endpoint. Default `{issuer}/register`. */
  readonly registrationEndpoint?: string | undefined
  /** Further metadata to advertise (e.g. `token_endpoint`); `issuer` and `registration_endpoint` win. */
  readonly metadata?: Readonly<Record<string, unknown>> | undefined
}

const trimSlash = (url: string): string => url.endsWith("/") ? url.slice(0, -1) : url

/**
 * The metadata document: `{ ...metadata, issuer, registration_endpoint }`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const metadata = (options: Options): Readonly<Record<string, unknown>> => ({
  ...options.metadata,
  issuer: options.issuer,
  registration_endpoint: options.registrationEndpoint ?? `${trimSlash(options.issuer)}/register`
})

/**
 * Where the metadata of `issuer` lives (RFC 8414 §3): `/.well-known/oauth-authorization-server`
 * followed by the issuer's path, if it has one.
 *
 * @example
 * ```ts
 * import { Discovery } from "@effect-dcr/http-server"
 *
 * Discovery.wellKnownPath("https://as.example.com") // "/.well-known/oauth-authorization-server"
 * Discovery.wellKnownPath("https://as.example.com/tenant") // "/.well-known/oauth-authorization-server/tenant"
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const wellKnownPath = (issuer: string): `/${string}` => {
  const pathname = trimSlash(new URL(issuer).pathname)
  return `/.well-known/oauth-authorization-server${pathname}`
}

/**
 * A handler answering the metadata document (built once, when this is called).
 *
 * @since 0.1.0
 * @category constructors
 */
export const handler = (options: Options): Effect.Effect<HttpServerResponse.HttpServerResponse> =>
  Effect.succeed(HttpServerResponse.text(JSON.stringify(metadata(options)), { contentType: "application/json" }))

/**
 * The discovery route as an `HttpRouter` value.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): HttpRouter.HttpRouter =>
  HttpRouter.empty.pipe(HttpRouter.get(wellKnownPath(options.issuer), handler(options)))
