/**
 * Authlete's HTTP answer → the operation's response or a typed error.
 *
 * @internal
 */
import { describeParseIssue, isJsonMediaType, ResultError as ResultErrorBody } from "@effect-dcr/schema"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { AuthleteDefaultError, ResponseDecodeError, ResultError } from "../DynamicClientRegistrationError.js"
import type { Operation } from "../DynamicClientRegistrationError.js"

/**
 * Statuses for which Authlete documents a JSON `{resultCode, resultMessage}` body.
 *
 * @internal
 */
export const resultErrorStatuses: ReadonlySet<number> = new Set([400, 401, 403, 500])

/** How much of an error body is read, and how much of it an `AuthleteDefaultError` keeps. */
const maxErrorBodyBytes = 64 * 1024
const maxErrorBodyChars = 2000

/** IMF-fixdate, RFC 850 and asctime dates all start with a day name and carry hh:mm:ss. */
const httpDate = /^[A-Za-z]{3,9},?\s.*\b\d{2}:\d{2}:\d{2}\b/

/**
 * `Retry-After` as delta-seconds or an HTTP-date, relative to `now` (epoch millis). A date in the
 * past is a zero delay; anything unparseable is ignored.
 *
 * @internal
 */
export const parseRetryAfter = (value: string | undefined, now: number): Duration.Duration | undefined => {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Duration.seconds(Number(trimmed))
  if (!httpDate.test(trimmed)) return undefined
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? undefined : Duration.millis(Math.max(0, date - now))
}

const decodeResultErrorBody = Schema.decodeUnknownOption(ResultErrorBody)

const parseJson = (text: string): Option.Option<unknown> => {
  try {
    return Option.some(JSON.parse(text))
  } catch {
    return Option.none()
  }
}

/**
 * Reads at most `maxErrorBodyBytes` of a (non-success) body; the rest is not downloaded.
 */
const readBoundedText = (
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<string, HttpClientError.ResponseError> =>
  response.stream.pipe(
    Stream.runFoldWhile(
      { chunks: [] as Array<Uint8Array>, size: 0 },
      (state) => state.size < maxErrorBodyBytes,
      (state, chunk) => {
        state.chunks.push(chunk)
        state.size += chunk.length
        return state
      }
    ),
    Effect.map(({ chunks, size }) => {
      const bytes = new Uint8Array(Math.min(size, maxErrorBodyBytes))
      let offset = 0
      for (const chunk of chunks) {
        if (offset >= bytes.length) break
        const part = chunk.subarray(0, bytes.length - offset)
        bytes.set(part, offset)
        offset += part.length
      }
      return utf8.decode(bytes)
    })
  )

const utf8 = new TextDecoder()

const truncate = (text: string): string =>
  text.length <= maxErrorBodyChars
    ? text
    : `${text.slice(0, maxErrorBodyChars)}… (truncated, ${text.length} chars read)`

/**
 * Builds the handler of one operation's HTTP response, with the response decoder compiled once.
 *
 * - 200 + JSON: decode with `schema` (failure → `ResponseDecodeError`).
 * - a status of `resultStatuses` (default 400/401/403/500) + JSON `{resultCode, resultMessage}`:
 *   `ResultError`.
 * - anything else: `AuthleteDefaultError` with a truncated body.
 *
 * Both error kinds keep the `Retry-After` header as a delay.
 *
 * @internal
 */
export const makeResponseHandler = <A, I>(
  operation: Operation,
  schema: Schema.Schema<A, I>,
  resultStatuses: ReadonlySet<number> = resultErrorStatuses
) => {
  const decode = Schema.decodeUnknownEither(schema)
  return (
    response: HttpClientResponse.HttpClientResponse
  ): Effect.Effect<A, ResultError | AuthleteDefaultError | ResponseDecodeError | HttpClientError.ResponseError> => {
    const status = response.status
    const contentType = response.headers["content-type"]
    const json = isJsonMediaType(contentType)
    if (status === 200 && json) {
      return Effect.flatMap(response.text, (text) => {
        const body = parseJson(text)
        if (Option.isNone(body)) {
          return Effect.fail(new ResponseDecodeError({ operation, description: "the body is not valid JSON" }))
        }
        const decoded = decode(body.value)
        return Either.isRight(decoded)
          ? Effect.succeed(decoded.right)
          : Effect.fail(
            new ResponseDecodeError({
              operation,
              // paths and expected types only: the response carries the secret and the tokens
              description: describeParseIssue(decoded.left.issue, { values: false })
            })
          )
      })
    }
    return Effect.flatMap(Effect.zip(readBoundedText(response), Clock.currentTimeMillis), ([text, now]): Effect.Effect<
      never,
      ResultError | AuthleteDefaultError
    > => {
      const retryAfter = parseRetryAfter(response.headers["retry-after"], now)
      if (json && resultStatuses.has(status)) {
        const result = Option.flatMap(parseJson(text), decodeResultErrorBody)
        if (Option.isSome(result)) {
          return Effect.fail(
            new ResultError({
              operation,
              status,
              resultCode: result.value.resultCode,
              resultMessage: result.value.resultMessage,
              retryAfter
            })
          )
        }
      }
      return Effect.fail(
        new AuthleteDefaultError({ operation, status, contentType, body: truncate(text), retryAfter })
      )
    })
  }
}
