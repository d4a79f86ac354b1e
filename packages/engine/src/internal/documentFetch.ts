/**
 * The GET of a client metadata document, guarded against SSRF (draft §8.6): the host's addresses
 * resolved first and every one of them checked, the connection pinned to the checked addresses (a
 * custom `lookup`, so a second DNS answer cannot rebind it), no redirect followed (draft §5), at most
 * `maxBytes` read, all within `timeout`. Node's `http`/`https` clients; nothing is cached here.
 *
 * @internal
 */
import { isJsonMediaType } from "@effect-dcr/schema"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { LookupAddress } from "node:dns"
import { lookup } from "node:dns/promises"
import * as http from "node:http"
import * as https from "node:https"
import type { LookupFunction } from "node:net"
import { ClientIdMetadataDocumentError } from "../ClientIdMetadataDocument.js"
import * as AddressRanges from "./addressRanges.js"

/** @internal */
export interface Options {
  readonly timeout: Duration.Duration
  readonly maxBytes: number
  /**
   * URLs on `127.0.0.1`, `localhost` or `[::1]` (`http://` ones already limited to these hosts by the
   * URL check) may be fetched from loopback, and only from loopback.
   */
  readonly allowInsecureLoopback: boolean
  /** The CA certificates trusted for `https://` (`ca`), or `undefined` for Node's default trust. */
  readonly ca: ReadonlyArray<string> | undefined
}

/** A fetched document. @internal */
export interface Fetched {
  readonly body: string
  readonly cacheControl: string | undefined
}

const specificJson = /^application\/[a-z0-9!#$&^_.+-]+\+json$/i

/** `application/json` or an `application/…+json` type (draft §4), parameters aside. */
const isJson = (contentType: string | undefined): boolean =>
  isJsonMediaType(contentType) ||
  (contentType !== undefined && specificJson.test(contentType.split(";")[0]!.trim()))

/** The addresses to connect to: the literal, or every address the host resolves to. */
const addressesOf = (url: URL, fail: Failure) => {
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1")
  if (AddressRanges.specialUse(host) !== "invalid") return Effect.succeed([host])
  return Effect.tryPromise({
    try: () => lookup(host, { all: true, verbatim: true }),
    catch: () => fail("UnresolvableHost", "the client id host does not resolve")
  }).pipe(Effect.map((found: ReadonlyArray<LookupAddress>) => found.map((entry) => entry.address)))
}

type Failure = (
  reason: ClientIdMetadataDocumentError["reason"],
  description: string
) => ClientIdMetadataDocumentError

/**
 * A `lookup` that answers the checked addresses whatever it is asked: all of them when asked for
 * all (Node's happy eyeballs), else the first.
 */
const pinned = (addresses: ReadonlyArray<string>): LookupFunction => (_hostname, options, callback) => {
  if (options.all === true) {
    callback(null, addresses.map((address) => ({ address, family: AddressRanges.family(address) })))
  } else {
    callback(null, addresses[0]!, AddressRanges.family(addresses[0]!))
  }
}

/**
 * GETs the document at `url` (already checked by `checkClientIdUrl`).
 *
 * @internal
 */
export const fetchDocument = (
  url: URL,
  clientId: string,
  options: Options
): Effect.Effect<Fetched, ClientIdMetadataDocumentError> => {
  const fail: Failure = (reason, description) => new ClientIdMetadataDocumentError({ reason, clientId, description })
  return Effect.gen(function*() {
    const addresses = yield* addressesOf(url, fail)
    if (addresses.length === 0) return yield* fail("UnresolvableHost", "the client id host does not resolve")
    // the development switch: a loopback host name, fetched from loopback only (http or https)
    const loopback = options.allowInsecureLoopback && AddressRanges.isLoopbackHostName(url.hostname)
    for (const address of addresses) {
      const range = AddressRanges.specialUse(address)
      if (loopback) {
        if (range !== "loopback") {
          return yield* fail("ForbiddenAddress", "a loopback client id is only fetched from a loopback address")
        }
      } else if (range !== undefined) {
        return yield* fail("ForbiddenAddress", `the client id host is or resolves to a special-use address (${range})`)
      } else if (url.protocol !== "https:") {
        return yield* fail("ForbiddenAddress", "an http client id is only fetched from a loopback address")
      }
    }
    return yield* request(url, addresses, options, fail)
  }).pipe(
    Effect.timeoutFail({
      duration: options.timeout,
      onTimeout: () => fail("Timeout", `no complete answer within ${Duration.format(options.timeout)}`)
    })
  )
}

/** OpenSSL's verification errors as Node reports them (`error.code`) for a certificate it does not trust. */
const tlsRefusals: ReadonlySet<string> = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_UNTRUSTED",
  "CERT_REVOKED",
  "CERT_SIGNATURE_FAILURE",
  "HOSTNAME_MISMATCH"
])

const request = (url: URL, addresses: ReadonlyArray<string>, options: Options, fail: Failure) =>
  Effect.async<Fetched, ClientIdMetadataDocumentError>((resume) => {
    const common = { method: "GET", headers: { accept: "application/json" }, lookup: pinned(addresses), agent: false }
    const req = url.protocol === "https:"
      ? https.request(url, options.ca === undefined ? common : { ...common, ca: [...options.ca] })
      : http.request(url, common)
    let settled = false
    const settle = (outcome: Effect.Effect<Fetched, ClientIdMetadataDocumentError>) => {
      if (settled) return
      settled = true
      resume(outcome)
    }
    const refuse = (reason: ClientIdMetadataDocumentError["reason"], description: string) => {
      settle(Effect.fail(fail(reason, description)))
      req.destroy()
    }
    req.on("error", (error: NodeJS.ErrnoException) => {
      const code = error.code ?? "network error"
      const what = tlsRefusals.has(code) || code.startsWith("ERR_TLS_")
        ? "the document's TLS certificate is not trusted"
        : "the document could not be fetched"
      settle(Effect.fail(fail("FetchFailed", `${what} (${code})`)))
    })
    req.on("response", (res) => {
      const status = res.statusCode ?? 0
      if (status >= 300 && status < 400) {
        return refuse("Redirect", `the document answered a redirect (${status}), which is not followed`)
      }
      if (status !== 200) return refuse("UnexpectedStatus", `the document answered ${status} instead of 200`)
      if (!isJson(res.headers["content-type"])) {
        return refuse("NotJson", "the document is not served as application/json")
      }
      const tooLarge = `the document is larger than ${options.maxBytes} bytes`
      const length = Number(res.headers["content-length"])
      if (Number.isFinite(length) && length > options.maxBytes) return refuse("TooLarge", tooLarge)
      const chunks: Array<Buffer> = []
      let size = 0
      res.on("data", (chunk: Buffer) => {
        if (settled) return
        size += chunk.length
        if (size > options.maxBytes) return refuse("TooLarge", tooLarge)
        chunks.push(chunk)
      })
      res.on("error", () => settle(Effect.fail(fail("FetchFailed", "the document's answer broke off"))))
      res.on("end", () => {
        if (!res.complete) return settle(Effect.fail(fail("FetchFailed", "the document's answer broke off")))
        try {
          const body = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks))
          settle(Effect.succeed({ body, cacheControl: res.headers["cache-control"] }))
        } catch {
          settle(Effect.fail(fail("MalformedDocument", "the document is not UTF-8")))
        }
      })
    })
    req.end()
    return Effect.sync(() => req.destroy())
  })
