/**
 * The CORS headers of the `registration` group as flat header lists (`[name, value, …]`), computed
 * once per configuration: what an answer to a request with an `Origin` carries, and what a preflight
 * is answered. The router's handlers and the Node.js fast path both add them, so one definition
 * serves both paths. With `*`, a request without `Origin` (not from a browser) gets none; with a
 * list, every answer carries `Vary: Origin`.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Cors from "../Cors.js"

/** @internal */
export interface Headers {
  /** The headers of an answer to a request whose `Origin` is `origin`, or `undefined` for none. */
  readonly response: (origin: string | undefined) => ReadonlyArray<string> | undefined
  /**
   * The headers of the answer to a preflight (`OPTIONS` with `Origin` and
   * `Access-Control-Request-Method`) of a route that allows `methods`, or `undefined` when the
   * request is not a preflight or its origin is not allowed.
   */
  readonly preflight: (
    origin: string | undefined,
    requestMethod: string | undefined,
    requestHeaders: string | undefined,
    methods: string
  ) => ReadonlyArray<string> | undefined
}

/** No CORS: no headers. @internal */
export const none: Headers = { response: () => undefined, preflight: () => undefined }

const freeze = (headers: Array<string>): ReadonlyArray<string> => Object.freeze(headers)

/** The headers for `options`; throws on an origin that `Cors.parseOrigin` refuses. @internal */
export const make = (options: Cors.Options = {}): Headers => {
  const expose = ["access-control-expose-headers", Cors.exposedHeaders.join(", ")]
  const maxAge = String(Math.floor(Duration.toSeconds(Duration.decode(options.maxAge ?? Duration.minutes(10)))))
  const allowHeaders = options.allowedHeaders === undefined ? undefined : options.allowedHeaders.join(", ")
  const any = options.allowedOrigins === undefined || options.allowedOrigins === "*"

  const allowed = new Map<string, ReadonlyArray<string>>()
  if (!any) {
    for (const text of options.allowedOrigins as ReadonlyArray<string>) {
      const origin = Cors.parseOrigin(text)
      if (Either.isLeft(origin)) throw new Error(`CORS allowedOrigins: ${origin.left}`)
      allowed.set(origin.right, freeze(["access-control-allow-origin", origin.right, ...expose, "vary", "Origin"]))
    }
  }
  const anyOrigin = freeze(["access-control-allow-origin", "*", ...expose])
  const varyOnly = freeze(["vary", "Origin"])

  const response = any
    ? (origin: string | undefined) => origin === undefined ? undefined : anyOrigin
    : (origin: string | undefined) => (origin === undefined ? undefined : allowed.get(origin)) ?? varyOnly

  const preflight = (
    origin: string | undefined,
    requestMethod: string | undefined,
    requestHeaders: string | undefined,
    methods: string
  ): ReadonlyArray<string> | undefined => {
    if (origin === undefined || requestMethod === undefined) return undefined
    if (!any && !allowed.has(origin)) return undefined
    const headers = [
      "access-control-allow-origin",
      any ? "*" : origin,
      "access-control-allow-methods",
      methods,
      "access-control-max-age",
      maxAge
    ]
    const vary = any ? [] : ["Origin"]
    if (allowHeaders !== undefined) {
      headers.push("access-control-allow-headers", allowHeaders)
    } else if (requestHeaders !== undefined) {
      headers.push("access-control-allow-headers", requestHeaders)
      vary.push("Access-Control-Request-Headers")
    }
    if (vary.length > 0) headers.push("vary", vary.join(", "))
    return headers
  }

  return { response, preflight }
}

const records = new WeakMap<ReadonlyArray<string>, Readonly<Record<string, string>>>()

/** A header list as a record (for `HttpServerResponse.setHeaders`), computed once per list. @internal */
export const record = (headers: ReadonlyArray<string>): Readonly<Record<string, string>> => {
  let found = records.get(headers)
  if (found === undefined) {
    const built: Record<string, string> = {}
    for (let i = 0; i + 1 < headers.length; i += 2) built[headers[i]!] = headers[i + 1]!
    found = built
    records.set(headers, found)
  }
  return found
}
