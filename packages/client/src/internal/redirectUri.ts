/**
 * Matching a presented redirect URI against a registered one: exact string comparison (RFC 6749
 * §3.1.2.3, OAuth 2.1 §2.3.1), except that for a loopback IP literal (`http://127.0.0.1`,
 * `http://[::1]`) the port may differ (RFC 8252 §7.3), as a native app gets its port from the
 * operating system when it starts. `localhost` gets no such exemption (RFC 8252 §8.3).
 *
 * @internal
 */

/**
 * `http://` + a loopback IP literal, an optional port, and the rest (path and query), on the
 * string as sent: no normalisation, so `http://127.1/` or `http://127.0.0.1:8080@evil/` never match.
 */
const loopbackPattern = /^(http:\/\/(?:127\.0\.0\.1|\[::1\]))(?::([0-9]+))?([/?].*)?$/is

interface Loopback {
  readonly origin: string
  readonly port: string | undefined
  readonly rest: string
}

const loopback = (uri: string): Loopback | undefined => {
  const match = loopbackPattern.exec(uri)
  return match === null ? undefined : { origin: match[1]!, port: match[2], rest: match[3] ?? "" }
}

const validPort = (port: string | undefined): boolean =>
  port === undefined || (/^[1-9][0-9]{0,4}$/.test(port) && Number(port) <= 65535)

/**
 * Does the presented URI match this registered one?
 *
 * @internal
 */
export const matches = (registered: string, presented: string): boolean => {
  if (registered === presented) return true
  const r = loopback(registered)
  if (r === undefined) return false
  const p = loopback(presented)
  return p !== undefined && validPort(p.port) && p.origin === r.origin && p.rest === r.rest
}
