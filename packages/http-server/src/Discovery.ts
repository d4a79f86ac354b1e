/**
 * RFC 8414 authorization server metadata for the registration server, served at
 * `/.well-known/oauth-authorization-server` (see `RegistrationApi`): the authorization server's own
 * metadata (`checkMetadata` holds it to RFC 8414 §2) with the `issuer` and `registration_endpoint`
 * added, so OAuth client libraries can discover the server and where to register.
 *
 * @since 0.1.0
 */
import { checkHttpsUri } from "@effect-dcr/schema"
import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"

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
 * The grant types RFC 8414 §2 assumes when `grant_types_supported` is omitted.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultGrantTypes: ReadonlyArray<string> = ["authorization_code", "implicit"]

/** The grant types that use the authorization endpoint (RFC 6749 §4.1, §4.2). */
const usesAuthorizationEndpoint = (grantType: string): boolean =>
  grantType === "authorization_code" || grantType === "implicit"

const isStringArray = (value: unknown): value is ReadonlyArray<string> =>
  Array.isArray(value) && value.every((item) => typeof item === "string")

/**
 * The members holding a URL: `service_documentation`, every `*_endpoint` and `*_uri` member
 * (`authorization_endpoint`, `jwks_uri`, `op_tos_uri`, …) and the endpoints in
 * `mtls_endpoint_aliases` (RFC 8705 §5), as `[name, value, isEndpoint]`.
 */
const urlMembers = (
  metadata: Readonly<Record<string, unknown>>
): ReadonlyArray<readonly [string, unknown, boolean]> => {
  const members: Array<readonly [string, unknown, boolean]> = []
  for (const [name, value] of Object.entries(metadata)) {
    const endpoint = name.endsWith("_endpoint")
    if (endpoint || name.endsWith("_uri") || name === "service_documentation") members.push([name, value, endpoint])
  }
  const aliases = metadata["mtls_endpoint_aliases"]
  if (Predicate.isRecord(aliases)) {
    for (const [name, value] of Object.entries(aliases)) {
      members.push([`mtls_endpoint_aliases.${name}`, value, true])
    }
  }
  return members
}

/** A URL as the WHATWG parser writes it (so that `HTTPS://AS.example.com` is `https://as.example.com/`). */
const normalUrl = (text: string): string => {
  try {
    return new URL(text).href
  } catch {
    return text
  }
}

/** Why a URL member is refused, or `undefined`: `checkHttpsUri`'s rule; an endpoint has no fragment. */
const urlProblem = (name: string, value: unknown, endpoint: boolean): string | undefined => {
  if (typeof value !== "string") return `${name} must be a URL (a JSON string)`
  const refused = checkHttpsUri(value)
  if (Either.isLeft(refused)) return `${name} ${refused.left}`
  if (endpoint && value.includes("#")) return `${name} must not contain a fragment (RFC 6749 section 3.1)`
  return undefined
}

/**
 * Checks an authorization server's metadata (RFC 8414 §2) before it is published; answers it as is,
 * or the first reason it is refused:
 *
 * - a JSON object;
 * - `response_types_supported`: required, an array of strings; `grant_types_supported`, when
 *   given, an array of strings (omitted: `authorization_code` and `implicit`);
 * - `authorization_endpoint`: required unless no supported grant type uses it (only
 *   `authorization_code` and `implicit` do); `token_endpoint`: required unless only the implicit
 *   grant is supported;
 * - every URL (`*_endpoint`, `*_uri`, `service_documentation`, `mtls_endpoint_aliases`): an
 *   absolute `https` URL, `http` only on a loopback host (schema's `checkHttpsUri`); endpoints
 *   without a fragment;
 * - `issuer`, when given, an issuer (`parseIssuer`); with `ours`, `issuer` and
 *   `registration_endpoint`, when given, must be the ones the server adds (`metadata` writes them
 *   over the given ones, which would silently change what the authorization server says).
 *
 * @example
 * ```ts
 * import { Discovery } from "@effect-dcr/http-server"
 *
 * Discovery.checkMetadata({
 *   authorization_endpoint: "https://as.example.com/authorize",
 *   token_endpoint: "https://as.example.com/token",
 *   response_types_supported: ["code"]
 * }) // Either.right(…)
 * Discovery.checkMetadata({ response_types_supported: ["code"] }) // Either.left("authorization_endpoint is missing: …")
 * ```
 *
 * @since 0.1.0
 * @category validation
 */
export const checkMetadata = (
  metadata: unknown,
  ours?: Pick<Options, "issuer" | "registrationEndpoint"> | undefined
): Either.Either<Readonly<Record<string, unknown>>, string> => {
  if (!Predicate.isRecord(metadata)) {
    const got = metadata === null ? "null" : Array.isArray(metadata) ? "an array" : `a ${typeof metadata}`
    return Either.left(`the metadata must be a JSON object, got ${got}`)
  }
  const members: Readonly<Record<string, unknown>> = metadata
  const responseTypes = members["response_types_supported"]
  if (responseTypes === undefined) {
    return Either.left("response_types_supported is missing (RFC 8414 section 2 requires it)")
  }
  if (!isStringArray(responseTypes)) return Either.left("response_types_supported must be a JSON array of strings")
  const grantTypes = members["grant_types_supported"] ?? defaultGrantTypes
  if (!isStringArray(grantTypes)) return Either.left("grant_types_supported must be a JSON array of strings")
  if (members["authorization_endpoint"] === undefined && grantTypes.some(usesAuthorizationEndpoint)) {
    return Either.left(
      `authorization_endpoint is missing: RFC 8414 section 2 requires it unless no supported grant type uses the ` +
        `authorization endpoint (grant_types_supported: ${grantTypes.join(", ")}${
          members["grant_types_supported"] === undefined ? ", the default" : ""
        })`
    )
  }
  const implicitOnly = grantTypes.length > 0 && grantTypes.every((grantType) => grantType === "implicit")
  if (members["token_endpoint"] === undefined && !implicitOnly) {
    return Either.left(
      "token_endpoint is missing: RFC 8414 section 2 requires it unless only the implicit grant is supported"
    )
  }
  const issuer = members["issuer"]
  if (issuer !== undefined) {
    if (typeof issuer !== "string") return Either.left("issuer must be a URL (a JSON string)")
    const parsed = parseIssuer(issuer)
    if (Either.isLeft(parsed)) return Either.left(parsed.left)
    if (ours !== undefined && parsed.right !== Either.getOrElse(parseIssuer(ours.issuer), () => ours.issuer)) {
      return Either.left(
        `the metadata's issuer ${JSON.stringify(issuer)} is not this server's issuer ${ours.issuer}: ` +
          `leave issuer out (it is added) or make the two the same`
      )
    }
  }
  const aliases = members["mtls_endpoint_aliases"]
  if (aliases !== undefined && !Predicate.isRecord(aliases)) {
    return Either.left("mtls_endpoint_aliases must be a JSON object (RFC 8705 section 5)")
  }
  for (const [name, value, endpoint] of urlMembers(members)) {
    const problem = urlProblem(name, value, endpoint)
    if (problem !== undefined) return Either.left(problem)
  }
  const registrationEndpoint = members["registration_endpoint"]
  if (
    ours !== undefined && typeof registrationEndpoint === "string" &&
    normalUrl(registrationEndpoint) !== normalUrl(ours.registrationEndpoint)
  ) {
    return Either.left(
      `the metadata's registration_endpoint ${JSON.stringify(registrationEndpoint)} is not this server's ` +
        `${ours.registrationEndpoint}: leave registration_endpoint out (it is added) or make the two the same`
    )
  }
  return Either.right(members)
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
