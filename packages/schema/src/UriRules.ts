/**
 * What a registration server accepts as URIs in client metadata (RFC 7591 §2 and §5, OpenID Connect
 * Registration §2, RFC 8252 §7–8): redirect URIs by `application_type`, every other URI member
 * `https` only. Pure; the refusals name the member, never its value. Rules: the package README.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import type { ClientMetadata } from "./ClientMetadata.js"
import { isLoopbackHost, parseUrl } from "./internal/uri.js"
import type { RegistrationErrorResponse } from "./RegistrationErrorResponse.js"
import { invalidClientMetadata, invalidRedirectUri } from "./RegistrationErrorResponse.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface UriRulesOptions {
  /**
   * Accept `http` on a loopback host (`localhost`, `*.localhost`, `127.0.0.0/8`, `[::1]`) in a web
   * client's redirect URIs and in the other URI members, for development. Default `true`. A native
   * client's loopback redirect URIs (RFC 8252 §7.3) do not depend on it; a client of the implicit or
   * hybrid flow never gets `http`.
   */
  readonly allowLoopbackHttp?: boolean | undefined
}

/**
 * Schemes refused in every URI member: they run code, read local or in-memory data, or do not
 * navigate (`javascript`, `vbscript`, `data`, `file`, `about`, `blob`, `filesystem`, …).
 *
 * @since 0.1.0
 * @category constants
 */
export const refusedSchemes: ReadonlyArray<string> = [
  "javascript",
  "vbscript",
  "data",
  "file",
  "about",
  "blob",
  "filesystem",
  "view-source",
  "jar",
  "mailto",
  "tel",
  "sms",
  "ws",
  "wss",
  "ftp",
  "urn"
]

/**
 * The URI members other than the redirect URIs that the rules hold to `https` (with the loopback
 * exception): what an authorization server fetches, displays as a link or redirects to. Identity
 * URIs (`tls_client_auth_san_uri`, `spiffe_id`) and the wallet's `credential_offer_endpoint`, which
 * legitimately use other schemes, are not among them.
 *
 * @since 0.1.0
 * @category constants
 */
export const httpsUriMembers = [
  "client_uri",
  "logo_uri",
  "tos_uri",
  "policy_uri",
  "jwks_uri",
  "sector_identifier_uri",
  "initiate_login_uri",
  "request_uris",
  "frontchannel_logout_uri",
  "backchannel_logout_uri",
  "backchannel_client_notification_endpoint",
  "signed_jwks_uri",
  "spiffe_bundle_endpoint"
] as const

const refused: ReadonlySet<string> = new Set(refusedSchemes)

/** The language-tagged URI members (`logo_uri#fr`, …), checked like their base member. */
const taggedUriBases: ReadonlySet<string> = new Set(["client_uri", "logo_uri", "tos_uri", "policy_uri"])

/** RFC 8252 §7.1: a private-use scheme is a domain name the developer controls, reversed. */
const reverseDomainSchemePattern = /^[a-z][a-z0-9+-]*(?:\.[a-z0-9+-]+)+$/

/** `scheme://` followed by an authority holding `@`: user information, even an empty one. */
const userinfoPattern = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*@/

const loopbackHosts = "a loopback host (localhost, 127.0.0.1, [::1])"

/** Does the client use the implicit or the hybrid flow (a response type with `token` or `id_token`)? */
const usesImplicitOrHybrid = (metadata: ClientMetadata): boolean =>
  metadata.grant_types?.includes("implicit") === true ||
  metadata.response_types?.some((rt) => rt.split(" ").some((part) => part === "token" || part === "id_token")) === true

/** The problems every URI member shares: not parseable, a refused scheme, user information. */
const commonProblem = (uri: string): { readonly url: URL; readonly scheme: string } | string => {
  const url = parseUrl(uri)
  if (url === undefined) return "must be an absolute URI"
  const scheme = url.protocol.slice(0, -1).toLowerCase()
  if (refused.has(scheme)) return `must not use the "${scheme}" scheme`
  if (url.username !== "" || url.password !== "" || userinfoPattern.test(uri)) {
    return "must not contain user information (user:password@)"
  }
  return { url, scheme }
}

interface RedirectContext {
  readonly native: boolean
  readonly implicit: boolean
  readonly allowLoopbackHttp: boolean
}

/** Why a redirection URI is refused for this client, or `undefined`. Never quotes the URI. */
const redirectUriProblem = (uri: string, context: RedirectContext): string | undefined => {
  const common = commonProblem(uri)
  if (typeof common === "string") return common
  const { scheme, url } = common
  if (url.hash !== "" || uri.includes("#")) return "must not contain a fragment"
  const loopback = (scheme === "http" || scheme === "https") && isLoopbackHost(url.hostname)
  if (context.implicit) {
    if (scheme === "http") return "must use https: the client uses the implicit or hybrid flow"
    if (!context.native && loopback) {
      return `must not be on ${loopbackHosts}: a web client using the implicit or hybrid flow (OpenID Connect Registration section 2)`
    }
  }
  if (scheme === "https") return undefined
  if (context.native) {
    if (scheme === "http") {
      return loopback ? undefined : `a native client may use http only on ${loopbackHosts} (RFC 8252 section 7.3)`
    }
    return reverseDomainSchemePattern.test(scheme)
      ? undefined
      : "a native client's private-use scheme must be a reversed domain name such as com.example.app (RFC 8252 section 7.1)"
  }
  if (scheme === "http" && loopback && context.allowLoopbackHttp) return undefined
  return `a web client must use https${
    context.allowLoopbackHttp ? ` (http only on ${loopbackHosts})` : ""
  }; a private-use scheme needs application_type "native"`
}

/** Why a URI member other than a redirect URI is refused, or `undefined`. Never quotes the URI. */
const httpsUriProblem = (uri: string, allowLoopbackHttp: boolean): string | undefined => {
  const common = commonProblem(uri)
  if (typeof common === "string") return common
  const { scheme, url } = common
  if (scheme === "https") return undefined
  if (scheme === "http" && allowLoopbackHttp && isLoopbackHost(url.hostname)) return undefined
  return `must be an https URL${allowLoopbackHttp ? ` (http only on ${loopbackHosts})` : ""}`
}

/**
 * Checks one URI by the rule of {@link httpsUriMembers}: `https`, or `http` on a loopback host when
 * `allowLoopbackHttp` (default); never a refused scheme or user information. Answers the URI, or the
 * reason as a phrase to follow its name ("must be an https URL …"), never quoting it. Used for the
 * endpoints of RFC 8414 metadata too.
 *
 * @example
 * ```ts
 * import { checkHttpsUri } from "@effect-dcr/schema"
 *
 * checkHttpsUri("https://as.example.com/token") // Either.right("https://as.example.com/token")
 * checkHttpsUri("http://as.example.com/token") // Either.left("must be an https URL (http only on a loopback host …)")
 * ```
 *
 * @since 0.1.0
 * @category validation
 */
export const checkHttpsUri = (uri: string, options?: UriRulesOptions | undefined): Either.Either<string, string> => {
  const problem = httpsUriProblem(uri, options?.allowLoopbackHttp !== false)
  return problem === undefined ? Either.right(uri) : Either.left(problem)
}

/**
 * Checks every URI member of the metadata (defaults applied or not); the metadata unchanged, or
 * the first refusal naming the member (never its value):
 *
 * - every URI: no refused scheme ({@link refusedSchemes}), no user information;
 * - `redirect_uris` (`invalid_redirect_uri`) and `post_logout_redirect_uris`
 *   (`invalid_client_metadata`): no fragment; a web client (the default `application_type`) uses
 *   `https`, or `http` on a loopback host when `allowLoopbackHttp` (default); a native client uses
 *   `http` on a loopback host with any port (RFC 8252 §7.3), a private-use scheme that is a reversed
 *   domain name (`com.example.app:/cb`, §7.1) or a claimed `https` URL (§7.2), never `http` to
 *   another host; a client of the implicit or hybrid flow never uses `http`, and as a web client
 *   not a loopback host (OpenID Connect Registration §2);
 * - the members of {@link httpsUriMembers} and the language-tagged `client_uri#…`, `logo_uri#…`,
 *   `tos_uri#…`, `policy_uri#…` (`invalid_client_metadata`): `https`, or `http` on a loopback host
 *   when `allowLoopbackHttp`.
 *
 * @example
 * ```ts
 * import { checkUriRules } from "@effect-dcr/schema"
 * import { Either } from "effect"
 *
 * const refused = checkUriRules({ redirect_uris: ["javascript:alert(1)"] })
 * // Either.left({ error: "invalid_redirect_uri", error_description: "redirect_uris[0]: must not use the \"javascript\" scheme" })
 * const native = checkUriRules({ application_type: "native", redirect_uris: ["http://127.0.0.1:49152/cb"] })
 * console.log(Either.isLeft(refused), Either.isRight(native)) // true true
 * ```
 *
 * @since 0.1.0
 * @category validation
 */
export const checkUriRules = <M extends ClientMetadata>(
  metadata: M,
  options?: UriRulesOptions | undefined
): Either.Either<M, RegistrationErrorResponse> => {
  const allowLoopbackHttp = options?.allowLoopbackHttp !== false
  const native = metadata.application_type === "native"
  const redirects = metadata.redirect_uris
  if (redirects !== undefined) {
    const context: RedirectContext = { native, implicit: usesImplicitOrHybrid(metadata), allowLoopbackHttp }
    for (let i = 0; i < redirects.length; i++) {
      const problem = redirectUriProblem(redirects[i]!, context)
      if (problem !== undefined) return Either.left(invalidRedirectUri(`redirect_uris[${i}]: ${problem}`))
    }
  }
  const logout = metadata.post_logout_redirect_uris
  if (logout !== undefined) {
    const context: RedirectContext = { native, implicit: false, allowLoopbackHttp }
    for (let i = 0; i < logout.length; i++) {
      const problem = redirectUriProblem(logout[i]!, context)
      if (problem !== undefined) {
        return Either.left(invalidClientMetadata(`post_logout_redirect_uris[${i}]: ${problem}`))
      }
    }
  }
  for (const name of httpsUriMembers) {
    const value = metadata[name]
    if (value === undefined) continue
    if (typeof value === "string") {
      const problem = httpsUriProblem(value, allowLoopbackHttp)
      if (problem !== undefined) return Either.left(invalidClientMetadata(`${name}: ${problem}`))
      continue
    }
    for (let i = 0; i < value.length; i++) {
      const problem = httpsUriProblem(value[i]!, allowLoopbackHttp)
      if (problem !== undefined) return Either.left(invalidClientMetadata(`${name}[${i}]: ${problem}`))
    }
  }
  for (const key in metadata) {
    const hash = key.indexOf("#")
    if (hash < 0 || !taggedUriBases.has(key.slice(0, hash))) continue
    const value = (metadata as Record<string, unknown>)[key]
    if (typeof value !== "string") continue
    const problem = httpsUriProblem(value, allowLoopbackHttp)
    if (problem !== undefined) {
      return Either.left(invalidClientMetadata(`${key.slice(0, hash)} (a language-tagged variant): ${problem}`))
    }
  }
  return Either.right(metadata)
}
