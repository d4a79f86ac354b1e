/**
 * The one bounded body reader: every endpoint (RFC 7591/7592, the Authlete-compatible API, the
 * Node.js fast path) reads request bodies here. Past the limit it stops collecting and lets the
 * rest drain, so the 413 reaches the client before the connection closes.
 *
 * @internal
 */
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { BodyReadError, MalformedBody, PayloadTooLarge } from "../RequestError.js"

/** @internal */
export const defaultMaxBytes = 64 * 1024

/** Whether a declared `Content-Length` already exceeds the limit. @internal */
export const declaresMoreThan = (contentLength: string | undefined, maxBytes: number): boolean => {
  if (contentLength === undefined) return false
  const length = Number(contentLength)
  return Number.isFinite(length) && length > maxBytes
}

/**
 * Checks that a body is a JSON object (RFC 7591 §3.1): answers the parsed object (for a glance at a
 * member, such as `software_id`; the text is what the backend receives), or the reason it is not one.
 *
 * @internal
 */
export const parseObject = (text: string): { readonly [key: string]: unknown } | MalformedBody => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return new MalformedBody({ reason: text.trim() === "" ? "empty" : "syntax" })
  }
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? value as { readonly [key: string]: unknown }
    : new MalformedBody({ reason: "not-object" })
}

/** The subset of a Node.js `IncomingMessage` the reader uses. @internal */
export interface NodeReadable {
  readonly readableEnded: boolean
  readonly readableFlowing: boolean | null
  readonly on: (event: string, listener: (...args: Array<any>) => void) => unknown
  readonly removeListener: (event: string, listener: (...args: Array<any>) => void) => unknown
  readonly resume: () => unknown
}

/**
 * The Node.js `IncomingMessage` behind a request served by `@effect/platform-node`, if it has not
 * been read yet.
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
 * Reads a Node.js request body with callbacks: `onDone` gets the text or the reason it could not
 * be read. Past the limit it stops collecting and resumes the stream (Node discards the rest)
 * instead of destroying the socket. Returns a function that detaches the listeners.
 *
 * @internal
 */
export const readNodeCallback = (
  source: NodeReadable,
  maxBytes: number,
  onDone: (result: string | PayloadTooLarge | BodyReadError) => void
): () => void => {
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
      onDone(new PayloadTooLarge({ limit: maxBytes }))
    } else {
      chunks.push(bytes)
    }
  }
  function onEnd() {
    cleanup()
    onDone(size === 0 ? "" : decode(concat(chunks, size)))
  }
  function onError(cause: unknown) {
    cleanup()
    onDone(new BodyReadError({ cause }))
  }
  function onClose() {
    cleanup()
    onDone(new BodyReadError({ cause: new Error("The connection closed before the body ended") }))
  }
  source.on("data", onData)
  source.on("end", onEnd)
  source.on("error", onError)
  source.on("close", onClose)
  return cleanup
}

const readNode = (source: NodeReadable, maxBytes: number) =>
  Effect.async<string, PayloadTooLarge | BodyReadError>((resume) => {
    const cleanup = readNodeCallback(
      source,
      maxBytes,
      (result) => resume(typeof result === "string" ? Effect.succeed(result) : Effect.fail(result))
    )
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
 * Reads the body as UTF-8 text, refusing more than `maxBytes`: a declared `Content-Length` over
 * the limit fails at once; otherwise reading stops at the first byte past the limit.
 *
 * @internal
 */
export const readText = (
  request: HttpServerRequest.HttpServerRequest,
  maxBytes: number
): Effect.Effect<string, PayloadTooLarge | BodyReadError> => {
  if (declaresMoreThan(request.headers["content-length"], maxBytes)) {
    return Effect.fail(new PayloadTooLarge({ limit: maxBytes }))
  }
  const source = unreadNodeSource(request)
  return source === undefined ? readStream(request, maxBytes) : readNode(source, maxBytes)
}
