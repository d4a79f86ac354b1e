/**
 * The RFC 7591/7592 endpoint logic, shared by the `HttpApi` handlers and the Node.js fast path:
 * request guards (JSON content type, bounded body, JSON object), the backend call, and the
 * answer as a `RawResponse`. Backend failures, defects and unusable answers are logged and
 * become 500 `server_error`; nothing here fails. No span of its own: the server's `http.server` span
 * and the backend's span already frame it.
 *
 * @internal
 */
import type { DynamicClientRegistration, DynamicClientRegistrationError } from "@effect-dcr/client"
import { isJsonMediaType } from "@effect-dcr/schema"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type { BodyReadError, PayloadTooLarge } from "../RequestError.js"
import { UnsupportedContentType } from "../RequestError.js"
import * as RequestBody from "./requestBody.js"
import * as Responses from "./responses.js"

/** What the endpoint logic is configured with. @internal */
export interface Settings {
  /** The largest accepted request body, in bytes (default 64 KiB). */
  readonly maxBodySize?: number | undefined
  /** The realm advertised in `WWW-Authenticate` challenges. */
  readonly realm?: string | undefined
}

/** A request body as the logic sees it: its content type and a bounded reader. @internal */
export interface Body {
  readonly contentType: string | undefined
  readonly read: (maxBytes: number) => Effect.Effect<string, PayloadTooLarge | BodyReadError>
}

type Operation = DynamicClientRegistrationError.Operation
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
  const withToken: Responses.ChallengeOptions = { tokenPresented: true, realm: settings?.realm }
  const withoutToken: Responses.ChallengeOptions = { tokenPresented: false, realm: settings?.realm }
  const unsupportedContentType = Effect.succeed(new UnsupportedContentType({}).raw)

  const answer = <R extends Responses.ActionResponse>(
    operation: Operation,
    tokenPresented: boolean,
    call: Effect.Effect<R, BackendError>
  ): Effect.Effect<Responses.RawResponse> =>
    call.pipe(
      Effect.flatMap((response) =>
        Responses.isUnusable(response)
          ? Effect.as(logUnusable(operation, response), Responses.serverError)
          : Effect.succeed(Responses.toRaw(response, tokenPresented ? withToken : withoutToken))
      ),
      Effect.catchAll((error) => Effect.zipRight(logBackendFailure(operation, error), serverError)),
      Effect.catchAllDefect((defect) => Effect.zipRight(logDefect(operation, Cause.die(defect)), serverError))
    )

  /** Reads and checks a JSON object body, then hands its text to `f`. */
  const withJsonObject = (
    body: Body,
    f: (json: string) => Effect.Effect<Responses.RawResponse>
  ): Effect.Effect<Responses.RawResponse> => {
    if (!isJsonMediaType(body.contentType)) return unsupportedContentType
    return Effect.matchEffect(body.read(maxBytes), {
      onFailure: (error) => Effect.succeed(error.raw),
      onSuccess: (json) => {
        const malformed = RequestBody.checkObject(json)
        return malformed === undefined ? f(json) : Effect.succeed(malformed.raw)
      }
    })
  }

  return {
    maxBytes,
    /** RFC 7591 §3: the bearer token, if any, is the initial access token. */
    register: (
      service: Service,
      token: string | undefined,
      body: Body
    ): Effect.Effect<Responses.RawResponse> =>
      withJsonObject(body, (json) =>
        answer(
          "register",
          token !== undefined,
          service.register(token === undefined ? { json } : { json, token: Redacted.make(token) })
        )),
    /** RFC 7592 §2.1. */
    read: (service: Service, clientId: string, token: Redacted.Redacted<string>) =>
      answer("get", true, service.get({ clientId, token })),
    /** RFC 7592 §2.2: the body guards apply after the token check. */
    update: (service: Service, clientId: string, token: Redacted.Redacted<string>, body: Body) =>
      withJsonObject(body, (json) => answer("update", true, service.update({ clientId, token, json }))),
    /** RFC 7592 §2.3. */
    delete: (service: Service, clientId: string, token: Redacted.Redacted<string>) =>
      answer("delete", true, service.delete({ clientId, token }))
  } as const
}
