/**
 * URI checks shared by the client metadata schemas. They use the WHATWG `URL` parser (a global in
 * Node and browsers) for structure, plus RFC 3986 character rules that the lenient WHATWG parser
 * does not enforce (it silently strips whitespace and accepts `\` as `/`).
 *
 * @internal
 */

/** RFC 3986 `scheme ":"` at the start of the string. */
const schemePattern = /^[A-Za-z][A-Za-z0-9+.-]*:/

/** Characters allowed in an RFC 3986 URI: unreserved, reserved and `%` (for percent-encoding). */
const uriCharsPattern = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]*$/

/** Whitespace and control characters (C0, DEL, C1). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const controlPattern = /[\u0000-\u0020\u007f-\u009f]/

/** A lone UTF-16 surrogate (with the `u` flag a paired surrogate is one code point and does not match). */
const loneSurrogatePattern = /[\uD800-\uDFFF]/u

/** @internal */
export const hasLoneSurrogate = (s: string): boolean => loneSurrogatePattern.test(s)

/** @internal */
export const maxRedirectUriLength = 2000

/**
 * The WHATWG `URL` of `s`, or `undefined` when it does not parse.
 *
 * @internal
 */
export const parseUrl = (s: string): URL | undefined => {
  try {
    return new URL(s)
  } catch {
    return undefined
  }
}

/** `http`/`https` URIs need an authority with a host: `http://host…` (WHATWG would repair `http:///x`). */
const httpSchemePattern = /^https?:/i
const httpAuthorityPattern = /^https?:\/\/[^/?#]/i

const lacksHttpHost = (s: string, url: URL): boolean =>
  (httpSchemePattern.test(s) && !httpAuthorityPattern.test(s)) ||
  ((url.protocol === "http:" || url.protocol === "https:") && url.hostname === "")

/** `127.0.0.0/8` as the WHATWG parser writes an IPv4 host (dotted decimal, whatever the input form). */
const ipv4LoopbackPattern = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/

/**
 * Is this WHATWG `URL.hostname` a loopback host: `localhost` or a `.localhost` name (RFC 6761 §6.3),
 * an address in `127.0.0.0/8`, or `[::1]`?
 *
 * @internal
 */
export const isLoopbackHost = (hostname: string): boolean =>
  hostname === "localhost" || hostname === "[::1]" || hostname.endsWith(".localhost") ||
  ipv4LoopbackPattern.test(hostname)

/**
 * Checks an absolute URI (any scheme). Returns `undefined` when valid, else the reason as a phrase
 * that completes "must be …"/"is …" style messages.
 *
 * @internal
 */
export const checkAbsoluteUri = (s: string): string | undefined => {
  if (s.length === 0) return "must be an absolute URI (got an empty string)"
  if (hasLoneSurrogate(s)) return "must not contain a lone UTF-16 surrogate"
  if (controlPattern.test(s)) return "must be an absolute URI without spaces or control characters"
  if (!schemePattern.test(s)) return "must be an absolute URI with a scheme, such as https://example.com/"
  const url = parseUrl(s)
  if (url === undefined) return "must be a valid absolute URI"
  if (lacksHttpHost(s, url)) return "must be a valid absolute URI with a host (http[s]://host/…)"
  return undefined
}

/**
 * Checks an absolute `https` URL.
 *
 * @internal
 */
export const checkHttpsUrl = (s: string): string | undefined => {
  const reason = checkAbsoluteUri(s)
  if (reason !== undefined) return reason
  if (!s.slice(0, 8).toLowerCase().startsWith("https://")) return "must be an https URL"
  return undefined
}

/**
 * Checks a redirection URI: RFC 7591 §2 / RFC 6749 §3.1.2 (absolute, no fragment) plus the
 * restrictions Authlete documents for `Client.redirectUris` (printable ASCII only). Loopback `http`
 * URIs with any port (`http://localhost:3000/callback`, `http://127.0.0.1:49152/cb`) are valid, and
 * so are private-use schemes (`com.example.app:/callback`).
 *
 * @internal
 */
export const checkRedirectUri = (s: string): string | undefined => {
  const base = "must be an absolute URI without a fragment"
  if (s.length === 0) return `${base} (got an empty string)`
  if (s.length > maxRedirectUriLength) return `${base}, at most ${maxRedirectUriLength} characters long`
  if (s.includes("#")) return base
  if (!uriCharsPattern.test(s)) return `${base}, made of printable ASCII characters (percent-encode the others)`
  if (!schemePattern.test(s)) return `${base}; a relative reference is not allowed`
  const url = parseUrl(s)
  if (url === undefined) return base
  if (lacksHttpHost(s, url)) return `${base}, with a host (http[s]://host/…)`
  return undefined
}
