/**
 * The RFC 7591/7592 endpoint logic, shared by the `HttpApi` handlers and the Node.js fast path:
 * request guards (JSON content type, bounded body, JSON object), the backend call, and the
 * answer as a `RawResponse`, with the rate limits when configured (checked after the body guards,
 * before the backend; every 401 counts as a failed authentication of the client's address), and the
 * CORS headers that both the handlers and the fast path add to every answer.
 * Backend failures, defects and unusable answers are logged and become 500 `server_error`;
 * nothing here fails. No span of its own: the server's `http.server` span
 * and the backend's span already frame it.
 *
 * @internal
 */
import type { DynamicClientRegistration, DynamicClientRegistrationError } from "@effect-dcr/client"
import { type AuthleteOperation, isJsonMediaType } from "@effect-dcr/schema"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Cors from "../Cors.js"
import * as Metrics from "../Metrics.js"
import type * as RateLimit from "../RateLimit.js"
import type { BodyReadError, PayloadTooLarge } from "../RequestError.js"
import { MalformedBody, MissingToken, UnsupportedContentType } from "../RequestError.js"
import * as CorsHeaders from "./cors.js"
import type * as RateLimiter from "./rateLimiter.js"
import * as RequestBody from "./requestBody.js"
import * as Responses from "./responses.js"

/** What the endpoint logic is configured with. @internal */
export interface Settings {
  /** The largest accepted request body, in bytes (default 64 KiB). */
  readonly maxBodySize?: number | undefined
  /** The realm advertised in `WWW-Authenticate` challenges. */
  readonly realm?: string | undefined
  /** CORS (default: any origin); `false` for none. */
  readonly cors?: Cors.Options | false | undefined
  /** The rate limits (none when absent). */
  readonly rateLimit?: RateLimit.RateLimiter | undefined
}

/** Who sent a request: the TCP peer's address and the headers (for trusted proxies). @internal */
export interface Peer {
  readonly address: string | undefined
  readonly headers: RateLimiter.Headers
}

/**
 * A request body as the logic sees it: its content type and either a bounded reader or, when the
 * server has already read it (the Node.js fast path), the outcome of that read. @internal
 */
export type Body =
  | {
    readonly contentType: string | undefined
    readonly read: (maxBytes: number) => Effect.Effect<string, PayloadTooLarge | BodyReadError>
  }
  | { readonly contentType: string | undefined; readonly text: string | PayloadTooLarge | BodyReadError }

/** The four registration operations (not the registry's `clientGet`, which no route serves). */
type Operation = AuthleteOperation
type Service = DynamicClientRegistration.Service
type BackendError = DynamicClientRegistrationError.DynamicClientRegistrationError

const logBackendFailure = (operation: Operation, error: BackendError) =>
  Effect.logError("Dynamic Client Registration backend failed; answering 500 server_error").pipe(
    Effect.annotateLogs({ "dcr.operation": operation, "error.tag": error._tag, "error.message": error.message })
  )

const logDefect = (operation: Operation, cause: Cause.Cause<unknown>) =>
  Effect.logError("Dynamic Client Registration endpoint crashed; answering 500 server_error", cause).pipe(
    Effect.annotateLogs("dcr.operation", operation)
  )

const logUnusable = (operation: Operation, response: Responses.ActionResponse) =>
  Effect.logError("Dynamic Client Registration backend answered an unusable response; answering 500 server_error")
    .pipe(Effect.annotateLogs({
      "dcr.operation": operation,
      "dcr.action": String(response.action),
      "dcr.responseContent": response.responseContent === undefined ? "absent" : "present"
    }))

const serverError = Effect.succeed(Responses.serverError)

/** The endpoint logic for one configuration, with its constant answers computed once. @internal */
export const make = (settings?: Settings | undefined) => {
  const maxBytes = settings?.maxBodySize ?? RequestBody.defaultMaxBytes
  const cors = settings?.cors === false ? CorsHeaders.none : CorsHeaders.make(settings?.cors)
  const limiter = settings?.rateLimit
  const withToken: Responses.ChallengeOptions = { tokenPresented: true, realm: settings?.realm }
  const withoutToken: Responses.ChallengeOptions = { tokenPresented: false, realm: settings?.realm }
  const unsupportedContentType = Effect.succeed(new UnsupportedContentType({}).raw)
  const missingToken = Effect.succeed(new MissingToken({ realm: settings?.realm }).raw)

  /**
   * The backend's answer as a `RawResponse`, in one step (no Effect per concern: this is the hot
   * path). `onUnauthorized` sees every 401 (the failed-authentication count).
   */
  const answer = <R extends Responses.ActionResponse>(
    operation: Operation,
    tokenPresented: boolean,
    call: Effect.Effect<R, BackendError>,
    onUnauthorized?: (() => void) | undefined
  ): Effect.Effect<Responses.RawResponse> =>
    Effect.matchCauseEffect(call, {
      onSuccess: (response) => {
        if (Responses.isUnusable(response)) {
          Metrics.recordOperation(operation, "FAILED")
          return Effect.as(logUnusable(operation, response), Responses.serverError)
        }
        Metrics.recordOperation(operation, response.action!)
        const raw = Responses.toRaw(response, tokenPresented ? withToken : withoutToken)
        if (raw.status === 401 && onUnauthorized !== undefined) onUnauthorized()
        return Effect.succeed(raw)
      },
      onFailure: (cause) => {
        if (Cause.isInterruptedOnly(cause)) return Effect.interrupt
        Metrics.recordOperation(operation, "FAILED")
        const failure = Cause.failureOption(cause)
        return Effect.zipRight(
          failure._tag === "Some" ? logBackendFailure(operation, failure.value) : logDefect(operation, cause),
          serverError
        )
      }
    })

  /** Reads and checks a JSON object body, then hands its text and value to `f`. */
  const withJsonObject = (
    body: Body,
    f: (json: string, value: { readonly [key: string]: unknown }) => Effect.Effect<Responses.RawResponse>
  ): Effect.Effect<Responses.RawResponse> => {
    if (!isJsonMediaType(body.contentType)) return unsupportedContentType
    const parsed = (json: string) => {
      const value = RequestBody.parseObject(json)
      return value instanceof MalformedBody ? Effect.succeed(value.raw) : f(json, value)
    }
    if ("text" in body) return typeof body.text === "string" ? parsed(body.text) : Effect.succeed(body.text.raw)
    return Effect.matchEffect(body.read(maxBytes), {
      onFailure: (error) => Effect.succeed(error.raw),
      onSuccess: parsed
    })
  }

  /** A client configuration request: refused while the address is over its failed-authentication limit. */
  const manage = (
    peer: Peer,
    token: string | undefined,
    f: (
      token: Redacted.Redacted<string>,
      onUnauthorized?: (() => void) | undefined
    ) => Effect.Effect<Responses.RawResponse>
  ): Effect.Effect<Responses.RawResponse> => {
    if (limiter === undefined) return token === undefined ? missingToken : f(Redacted.make(token))
    const address = limiter.address(peer.address, peer.headers)
    const wait = limiter.authenticationWait(address)
    if (wait > 0) {
      Metrics.recordRateLimited("failed_authentications")
      return Effect.succeed(Responses.tooManyRequests(wait))
    }
    if (token === undefined) {
      limiter.failedAuthentication(address)
      return missingToken
    }
    return f(Redacted.make(token), () => limiter.failedAuthentication(address))
  }

  const register = (service: Service, token: string | undefined, json: string, onUnauthorized?: () => void) =>
    answer(
      "register",
      token !== undefined,
      service.register(token === undefined ? { json } : { json, token: Redacted.make(token) }),
      onUnauthorized
    )

  return {
    maxBytes,
    /** The CORS headers that every answer of these endpoints carries. */
    cors,
    /**
     * RFC 7591 §3: the bearer token, if any, is the initial access token. With rate limits: refused
     * while the address is over its failed-authentication limit, then counted per client and in all.
     */
    register: (
      service: Service,
      token: string | undefined,
      body: Body,
      peer: Peer
    ): Effect.Effect<Responses.RawResponse> =>
      withJsonObject(body, (json, value) => {
        if (limiter === undefined) return register(service, token, json)
        const address = limiter.address(peer.address, peer.headers)
        let wait = limiter.authenticationWait(address)
        let limit = "failed_authentications"
        if (wait === 0) {
          const softwareId = value["software_id"]
          wait = limiter.register(address, token, typeof softwareId === "string" ? softwareId : undefined)
          limit = "registrations"
        }
        if (wait > 0) {
          Metrics.recordRateLimited(limit)
          return Effect.succeed(Responses.tooManyRequests(wait))
        }
        return register(service, token, json, () => limiter.failedAuthentication(address))
      }),
    /** RFC 7592 §2.1. */
    read: (service: Service, clientId: string, token: string | undefined, peer: Peer) =>
      manage(peer, token, (token, counted) => answer("get", true, service.get({ clientId, token }), counted)),
    /** RFC 7592 §2.2: the body guards apply after the token check. */
    update: (service: Service, clientId: string, token: string | undefined, body: Body, peer: Peer) =>
      manage(
        peer,
        token,
        (token, counted) =>
          withJsonObject(body, (json) => answer("update", true, service.update({ clientId, token, json }), counted))
      ),
    /** RFC 7592 §2.3. */
    delete: (service: Service, clientId: string, token: string | undefined, peer: Peer) =>
      manage(peer, token, (token, counted) => answer("delete", true, service.delete({ clientId, token }), counted))
  } as const
}
