/**
 * Reading a registration request's body: the `application/json` check, a size limit enforced while
 * the body streams in, and the check that it is a JSON object. The body text itself is handed to
 * the backend untouched.
 *
 * @since 0.1.0
 */
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { BodyReadError, MalformedBody, PayloadTooLarge } from "./RequestError.js"

/**
 * The default body limit: 64 KiB.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultMaxBytes = 64 * 1024

/**
 * Whether a `Content-Type` header value is `application/json`, with or without parameters
 * (`application/json; charset=utf-8`); the media type is matched case-insensitively.
 *
 * @since 0.1.0
 * @category guards
 */
export const isJsonContentType = (value: string | undefined): boolean => {
  if (value === undefined) return false
  if (value === "application/json") return true
  const semicolon = value.indexOf(";")
  return (semicolon === -1 ? value : value.slice(0, semicolon)).trim().toLowerCase() === "application/json"
}

/**
 * Whether a declared `Content-Length` already exceeds the limit, so the body need not be read at all.
 *
 * @since 0.1.0
 * @category guards
 */
export const declaresMoreThan = (contentLength: string | undefined, maxBytes: number): boolean => {
  if (contentLength === undefined) return false
  const length = Number(contentLength)
  return Number.isFinite(length) && length > maxBytes
}

/**
 * Checks that a body is a JSON object (RFC 7591 §3.1) without keeping the parsed value: the text is
 * what the backend receives. Returns the reason it is not, or `undefined`.
 *
 * @since 0.1.0
 * @category guards
 */
export const checkObject = (text: string): MalformedBody | undefined => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return new MalformedBody({ reason: text.trim() === "" ? "empty" : "syntax" })
  }
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? undefined
    : new MalformedBody({ reason: "not-object" })
}

/** The subset of a Node.js `IncomingMessage` the reader uses. */
interface NodeReadable {
  readonly readableEnded: boolean
  readonly readableFlowing: boolean | null
  readonly on: (event: string, listener: (...args: Array<any>) => void) => unknown
  readonly removeListener: (event: string, listener: (...args: Array<any>) => void) => unknown
  readonly resume: () => unknown
}

/**
 * The Node.js `IncomingMessage` behind a request served by `@effect/platform-node` (the value its
 * `NodeHttpServerRequest.toIncomingMessage` returns), if it has not been read yet.
 */
const unreadNodeSource = (request: HttpServerRequest.HttpServerRequest): NodeReadable | undefined => {
  const source = (request as { readonly source?: unknown }).source as Partial<NodeReadable> | null | undefined
  if (
    typeof source !== "object" || source === null || typeof source.on !== "function" ||
    typeof source.resume !== "function" || typeof source.removeListener !== "function" ||
    source.readableEnded !== false || source.readableFlowing === true
  ) return undefined
  return source as NodeReadable
}

const utf8 = new TextDecoder("utf-8")

const concat = (chunks: Array<Uint8Array>, size: number): Uint8Array => {
  if (chunks.length === 1) return chunks[0]!
  const out = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.length
  }
  return out
}

const decode = (bytes: Uint8Array): string =>
  typeof (bytes as { readonly utf8Slice?: unknown }).utf8Slice === "function"
    ? (bytes as unknown as { readonly toString: (encoding: string) => string }).toString("utf8")
    : utf8.decode(bytes)

/**
 * Reads a Node.js request directly. Past the limit it stops collecting and lets Node discard the
 * rest, instead of destroying the socket, so the 413 still reaches the client.
 */
const readNode = (source: NodeReadable, maxBytes: number) =>
  Effect.async<string, PayloadTooLarge | BodyReadError>((resume) => {
    const chunks: Array<Uint8Array> = []
    let size = 0
    const cleanup = () => {
      source.removeListener("data", onData)
      source.removeListener("end", onEnd)
      source.removeListener("error", onError)
      source.removeListener("close", onClose)
    }
    function onData(chunk: Uint8Array | string) {
      const bytes = typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk
      size += bytes.length
      if (size > maxBytes) {
        cleanup()
        source.resume()
        resume(Effect.fail(new PayloadTooLarge({ limit: maxBytes })))
      } else {
        chunks.push(bytes)
      }
    }
    function onEnd() {
      cleanup()
      resume(Effect.succeed(size === 0 ? "" : decode(concat(chunks, size))))
    }
    function onError(cause: unknown) {
      cleanup()
      resume(Effect.fail(new BodyReadError({ cause })))
    }
    function onClose() {
      cleanup()
      resume(Effect.fail(new BodyReadError({ cause: new Error("The connection closed before the body ended") })))
    }
    source.on("data", onData)
    source.on("end", onEnd)
    source.on("error", onError)
    source.on("close", onClose)
    return Effect.sync(cleanup)
  })

/** Reads any platform's request through its byte stream, failing as soon as the limit is passed. */
const readStream = (request: HttpServerRequest.HttpServerRequest, maxBytes: number) =>
  request.stream.pipe(
    Stream.mapError((cause) => new BodyReadError({ cause })),
    Stream.runFoldEffect({ chunks: [] as Array<Uint8Array>, size: 0 }, (acc, chunk) => {
      acc.size += chunk.length
      if (acc.size > maxBytes) return Effect.fail(new PayloadTooLarge({ limit: maxBytes }))
      acc.chunks.push(chunk)
      return Effect.succeed(acc)
    }),
    Effect.map(({ chunks, size }) => size === 0 ? "" : utf8.decode(concat(chunks, size)))
  )

/**
 * Reads the body as UTF-8 text, refusing more than `maxBytes`. A declared `Content-Length` over the
 * limit fails at once without reading; otherwise the count is kept while the body streams in, and
 * reading stops at the first byte past the limit, so an oversized body is never buffered.
 *
 * @since 0.1.0
 * @category constructors
 */
export const readText = (
  request: HttpServerRequest.HttpServerRequest,
  maxBytes: number = defaultMaxBytes
): Effect.Effect<string, PayloadTooLarge | BodyReadError> => {
  if (declaresMoreThan(request.headers["content-length"], maxBytes)) {
    return Effect.fail(new PayloadTooLarge({ limit: maxBytes }))
  }
  const source = unreadNodeSource(request)
  return source === undefined ? readStream(request, maxBytes) : readNode(source, maxBytes)
}
