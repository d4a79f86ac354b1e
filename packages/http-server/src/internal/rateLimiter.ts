/**
 * The rate limiter behind `RateLimit`: GCRA buckets (one number per key: the theoretical arrival
 * time) in a bounded, least-recently-used `Map`, and the client address behind trusted proxies.
 * Everything is synchronous: a check is a map lookup and some arithmetic.
 *
 * @internal
 */
import forwardedParse from "forwarded-parse"
import ipaddr from "ipaddr.js"
import { hash } from "node:crypto"
import proxyAddr from "proxy-addr"

/**
 * A burst of `limit`, refilled at `limit` per `window` (GCRA, the token bucket with one number per
 * key). `take` answers 0 when allowed, else the milliseconds until the next one is.
 *
 * @internal
 */
export class Buckets {
  /** key → theoretical arrival time (ms); insertion order is recency of use. */
  readonly times = new Map<string, number>()
  private readonly interval: number
  private readonly tolerance: number

  constructor(limit: number, windowMillis: number, readonly maxKeys: number) {
    this.interval = windowMillis / limit
    this.tolerance = windowMillis - this.interval
  }

  /** Milliseconds until `key` may take one (0: now), without taking. */
  wait(key: string, now: number): number {
    const time = this.times.get(key)
    if (time === undefined) return 0
    const excess = time - now - this.tolerance
    return excess > 0 ? excess : 0
  }

  /** Takes one for `key`: 0 when allowed, else the milliseconds until it would be (nothing taken). */
  take(key: string, now: number): number {
    const times = this.times
    const time = times.get(key)
    if (time === undefined) {
      this.evict(now)
      times.set(key, now + this.interval)
      return 0
    }
    const start = time > now ? time : now
    const excess = start - now - this.tolerance
    if (excess > 0) return excess
    // delete + set moves the key to the end: the map stays in order of last use
    times.delete(key)
    times.set(key, start + this.interval)
    return 0
  }

  /**
   * Before adding a key: forgets up to two expired keys from the front (the least recently used;
   * a key whose time has passed is a full bucket, the same as no entry), then the least recently
   * used ones while the map is full.
   */
  private evict(now: number): void {
    const times = this.times
    if (times.size === 0) return
    let dropped = 0
    for (const [key, time] of times) {
      if (dropped >= 2 || (time > now && times.size < this.maxKeys)) break
      times.delete(key)
      dropped++
    }
    while (times.size >= this.maxKeys) {
      const oldest = times.keys().next()
      if (oldest.done === true) break
      times.delete(oldest.value)
    }
  }
}

/** One bucket for everything (the registrations cap). @internal */
export class Bucket {
  private time = 0
  private readonly interval: number
  private readonly tolerance: number

  constructor(limit: number, windowMillis: number) {
    this.interval = windowMillis / limit
    this.tolerance = windowMillis - this.interval
  }

  /** Milliseconds until one may be taken (0: now), without taking. */
  wait(now: number): number {
    const excess = this.time - now - this.tolerance
    return excess > 0 ? excess : 0
  }

  /** Takes one: 0 when allowed, else the milliseconds until it would be. */
  take(now: number): number {
    const start = this.time > now ? this.time : now
    const excess = start - now - this.tolerance
    if (excess > 0) return excess
    this.time = start + this.interval
    return 0
  }
}

/** The longest key part taken as is; longer ones (header garbage, a long `software_id`) are hashed. */
const maxKeyPart = 64

/** SHA-256, base64url: `crypto.hash` (one shot) costs a third of `createHash` for a short token. */
const digest = (value: string): string => hash("sha256", value, "base64url")

/** A key part of bounded length. @internal */
export const bounded = (value: string): string => value.length <= maxKeyPart ? value : `#${digest(value)}`

/** The key of an initial access token: its SHA-256 (the token itself is not kept). @internal */
export const tokenKey = (token: string): string => digest(token)

/**
 * The rate-limit key of an address: IPv4 as is (also when IPv4-mapped), IPv6 by its /64 prefix
 * (a host usually holds a whole /64), anything else (`unknown`, an obfuscated `Forwarded`
 * identifier) bounded in length.
 *
 * @internal
 */
export const addressKey = (address: string): string => {
  if (!address.includes(":")) return bounded(address)
  if (address.startsWith("::ffff:") && address.includes(".")) return address.slice(7)
  try {
    const parsed = ipaddr.parse(address)
    if (parsed.kind() === "ipv4") return parsed.toString()
    const ipv6 = parsed as ipaddr.IPv6
    if (ipv6.isIPv4MappedAddress()) return ipv6.toIPv4Address().toString()
    return `${ipv6.parts.slice(0, 4).map((part) => part.toString(16)).join(":")}::/64`
  } catch {
    return bounded(address)
  }
}

/** Where the proxies in front put the client's address. @internal */
export type ProxyHeader = "x-forwarded-for" | "forwarded"

/** The address of a `Forwarded` `for=` value: without brackets and port. */
const forAddress = (value: string): string => {
  if (value.startsWith("[")) {
    const end = value.indexOf("]")
    return end === -1 ? value : value.slice(1, end)
  }
  const colon = value.indexOf(":")
  return colon !== -1 && colon === value.lastIndexOf(":") ? value.slice(0, colon) : value
}

/** The addresses a header lists, nearest proxy last; `undefined` when it cannot be parsed. */
const listed = (header: ProxyHeader, value: string): ReadonlyArray<string> | undefined => {
  if (header === "x-forwarded-for") {
    const out: Array<string> = []
    for (const part of value.split(",")) {
      const address = part.trim()
      if (address !== "") out.push(address)
    }
    return out
  }
  try {
    const out: Array<string> = []
    for (const element of forwardedParse(value)) {
      const value = element["for"]
      if (value !== undefined) out.push(forAddress(value))
    }
    return out
  } catch {
    return undefined
  }
}

/** A request's headers as either platform passes them. @internal */
export type Headers = { readonly [name: string]: string | ReadonlyArray<string> | undefined }

/**
 * The client's address: the peer's, unless the peer is a trusted proxy; then, walking the header's
 * list from the nearest proxy back, the first address that is not a trusted proxy (proxy-addr's
 * rule, as Express applies it). A header that cannot be parsed is ignored (the peer is the client).
 *
 * @internal
 */
export const makeClientAddress = (
  trustedProxies: ReadonlyArray<string>,
  header: ProxyHeader
): (peer: string | undefined, headers: Headers) => string => {
  if (trustedProxies.length === 0) return (peer) => peer ?? "unknown"
  const trust = proxyAddr.compile([...trustedProxies])
  return (peer, headers) => {
    if (peer === undefined) return "unknown"
    const raw = headers[header]
    if (raw === undefined || !trust(peer, 0)) return peer
    const addresses = listed(header, typeof raw === "string" ? raw : raw.join(", "))
    if (addresses === undefined || addresses.length === 0) return peer
    for (let i = addresses.length - 1, hop = 1; i > 0; i--, hop++) {
      if (!trust(addresses[i]!, hop)) return addresses[i]!
    }
    return addresses[0]!
  }
}

/** Validates a trusted-proxy entry (an address, a CIDR range, or `loopback` / `linklocal` / `uniquelocal`). @internal */
export const checkTrustedProxy = (entry: string): string | undefined => {
  try {
    proxyAddr.compile([entry])
    return undefined
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
}
