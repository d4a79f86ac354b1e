/**
 * RFC 8414 authorization server metadata for the registration server: the `issuer` and its
 * `registration_endpoint`, served at `/.well-known/oauth-authorization-server` (see
 * `RegistrationApi`), so OAuth client libraries can discover where to register.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The issuer identifier: an `http(s)` URL without query or fragment. */
  readonly issuer: string
  /** The registration endpoint's absolute URL. */
  readonly registrationEndpoint: string
  /** Further metadata to advertise (e.g. `token_endpoint`); `issuer` and `registration_endpoint` win. */
  readonly metadata?: Readonly<Record<string, unknown>> | undefined
}

const trimSlash = (url: string): string => url.endsWith("/") ? url.slice(0, -1) : url

/**
 * An issuer identifier (RFC 8414 §2): an absolute `https` URL (`http` for local use) without query,
 * fragment or userinfo, since discovery publishes it. Answers it without a trailing slash, or why
 * `text` is not one.
 *
 * @example
 * ```ts
 * import { Discovery } from "@effect-dcr/http-server"
 *
 * Discovery.parseIssuer("https://as.example.com/") // Either.right("https://as.example.com")
 * Discovery.parseIssuer("https://user:pw@as.example.com") // Either.left(…)
 * ```
 *
 * @since 0.1.0
 * @category parsers
 */
export const parseIssuer = (text: string): Either.Either<string, string> => {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return Either.left(`the issuer must be an absolute http(s) URL, got ${JSON.stringify(text)}`)
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return Either.left(`the issuer must be an http(s) URL, got the scheme ${url.protocol}`)
  }
  if (url.username !== "" || url.password !== "") {
    return Either.left("the issuer must not contain userinfo (user:password@): discovery publishes it")
  }
  if (url.search !== "" || text.includes("?")) return Either.left("the issuer must not have a query (RFC 8414 §2)")
  if (url.hash !== "" || text.includes("#")) return Either.left("the issuer must not have a fragment (RFC 8414 §2)")
  return Either.right(url.href.replace(/\/+$/, ""))
}

/**
 * The metadata document: `{ ...metadata, issuer, registration_endpoint }`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const metadata = (options: Options): Readonly<Record<string, unknown>> => ({
  ...options.metadata,
  issuer: options.issuer,
  registration_endpoint: options.registrationEndpoint
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
export const wellKnownPath = (issuer: string | undefined): `/${string}` =>
  `/.well-known/oauth-authorization-server${issuer === undefined ? "" : trimSlash(new URL(issuer).pathname)}`

/**
 * The absolute URL of the endpoint mounted at `path` under the issuer's origin.
 *
 * @since 0.1.0
 * @category constructors
 */
export const endpointUrl = (issuer: string, path: `/${string}`): string => `${new URL(issuer).origin}${path}`
