/**
 * Which IP addresses a client metadata document may be fetched from: a global unicast address, never
 * a special-use one (draft-ietf-oauth-client-id-metadata-document §8.6, RFC 6890). The range names
 * are ipaddr.js's (the library behind the http-server's trusted proxies).
 *
 * @internal
 */
import ipaddr from "ipaddr.js"

/**
 * The special-use range `address` is in (`loopback`, `private`, `linkLocal`, `uniqueLocal`,
 * `carrierGradeNat`, `multicast`, `unspecified`, `reserved`, `rfc6052`, `teredo`, …; an IPv4-mapped
 * IPv6 address by its IPv4 range, the deprecated IPv4-compatible `::a.b.c.d` as `ipv4Compatible`),
 * `invalid` for a string that is no address, `undefined` for a global unicast address.
 *
 * @internal
 */
export const specialUse = (address: string): string | undefined => {
  if (!ipaddr.isValid(address)) return "invalid"
  const parsed = ipaddr.parse(address)
  if (parsed.kind() === "ipv6") {
    const v6 = parsed as ipaddr.IPv6
    if (v6.isIPv4MappedAddress()) return rangeOf(v6.toIPv4Address().range())
    // ::/96 (RFC 4291 §2.5.5.1, deprecated): some stacks still route it as IPv4
    if (v6.parts.slice(0, 6).every((part) => part === 0) && v6.range() === "unicast") return "ipv4Compatible"
  }
  return rangeOf(parsed.range())
}

const rangeOf = (range: string): string | undefined => range === "unicast" ? undefined : range

/** Whether `address` is a loopback address (`127.0.0.0/8`, `::1`, `::ffff:127.0.0.0/104`). @internal */
export const isLoopback = (address: string): boolean => specialUse(address) === "loopback"

/** The address family of a valid address. @internal */
export const family = (address: string): 4 | 6 => ipaddr.parse(address).kind() === "ipv6" ? 6 : 4

const loopbackHostNames: ReadonlySet<string> = new Set(["127.0.0.1", "localhost", "[::1]"])

/**
 * Whether a URL's `hostname` is one the development switch `allowInsecureLoopback` opens:
 * `127.0.0.1`, `localhost` or `[::1]`.
 *
 * @internal
 */
export const isLoopbackHostName = (hostname: string): boolean => loopbackHostNames.has(hostname)
