/**
 * `GET /authorize` (RFC 6749 §4.1.1 with PKCE, RFC 7636): checks the client and the request with
 * the engine's `ClientRegistry`, requires an `S256` code challenge, "asks the user" (a stub that
 * approves at once: a real authorization server signs the user in and shows a consent page here)
 * and redirects back with a one-time code. Errors follow RFC 6749 §4.1.2.1: a 400 page when the
 * client or redirect URI cannot be trusted, else a redirect carrying `error`.
 *
 * @since 0.1.0
 */
import { ClientRegistry } from "@effect-dcr/engine"
import type { Client } from "@effect-dcr/schema"
import { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { AuthorizationCodes } from "./AuthorizationCodes.js"
import * as Parameters from "./internal/parameters.js"
import { type EndpointError, OAuthError, toResponseBody } from "./OAuthError.js"
import * as Pkce from "./Pkce.js"
import type { Urls } from "./Urls.js"

/** Where the request came from and where errors may be sent. */
interface Trusted {
  readonly client: Client
  readonly clientId: string
  readonly redirectUri: string
  readonly redirectUriGiven: boolean
}

const badRequest = (error: EndpointError) =>
  HttpServerResponse.unsafeJson(toResponseBody(error), { status: 400, headers: { "cache-control": "no-store" } })

/** The redirect back to the client with `parameters` added to its redirect URI's query. */
const redirectBack = (redirectUri: string, parameters: Record<string, string | undefined>) => {
  const location = new URL(redirectUri)
  for (const [name, value] of Object.entries(parameters)) {
    if (value !== undefined) location.searchParams.set(name, value)
  }
  return HttpServerResponse.redirect(location.href, { status: 302, headers: { "cache-control": "no-store" } })
}

/**
 * The consent step, a STUB: approves every request at once. A real authorization server
 * authenticates the user and shows them the client (`client_name`, `logo_uri`, the redirect URI's
 * host) and the scope before it issues a code, and redirects with `access_denied` when they refuse.
 */
const consentStub = (request: { readonly clientId: string; readonly scope: ReadonlyArray<string> }) =>
  Effect.logDebug("consent stub: approved").pipe(Effect.annotateLogs({ client_id: request.clientId }))

/**
 * The handler, on the registry and code store in context.
 *
 * @since 0.1.0
 * @category handlers
 */
export const handler = (urls: Urls) =>
  Effect.gen(function*() {
    const registry = yield* ClientRegistry.ClientRegistry
    const codes = yield* AuthorizationCodes

    /** Steps 1: the client and its redirect URI; failures must not redirect (RFC 6749 §4.1.2.1). */
    const trust = Effect.fn("AuthorizeEndpoint.trust")(function*(parameters: URLSearchParams) {
      const clientId = yield* Parameters.required(parameters, "client_id")
      const client = yield* registry.find(clientId).pipe(
        Effect.flatMap(Option.match({
          onNone: () => Effect.fail(new OAuthError({ error: "invalid_request", description: "unknown client_id" })),
          onSome: Effect.succeed
        }))
      )
      const given = yield* Parameters.single(parameters, "redirect_uri")
      const redirectUri = yield* registry.checkRedirectUri(client, given)
      return { client, clientId, redirectUri, redirectUriGiven: given !== undefined } satisfies Trusted
    })

    /** Step 2: the rest of the request; failures redirect with `error`. */
    const authorize = Effect.fn("AuthorizeEndpoint.authorize")(
      function*(trusted: Trusted, parameters: URLSearchParams) {
        const responseType = yield* Parameters.required(parameters, "response_type")
        yield* registry.checkResponseType(trusted.client, responseType)
        if (responseType !== "code") {
          return yield* new OAuthError({
            error: "unsupported_response_type",
            description: "this server supports the authorization code flow only (response_type=code)"
          })
        }
        const codeChallenge = yield* Parameters.single(parameters, "code_challenge")
        const method = yield* Parameters.single(parameters, "code_challenge_method")
        if (codeChallenge === undefined) {
          return yield* new OAuthError({ error: "invalid_request", description: "PKCE is required: code_challenge" })
        }
        if (method !== "S256") {
          return yield* new OAuthError({ error: "invalid_request", description: "code_challenge_method must be S256" })
        }
        if (!Pkce.isCodeChallenge(codeChallenge)) {
          return yield* new OAuthError({ error: "invalid_request", description: "code_challenge is malformed" })
        }
        const scope = yield* registry.checkScope(trusted.client, yield* Parameters.single(parameters, "scope"))
        const resource = yield* Parameters.single(parameters, "resource")
        if (resource !== undefined && resource !== urls.resource) {
          return yield* new OAuthError({ error: "invalid_target", description: "unknown resource" })
        }
        yield* consentStub({ clientId: trusted.clientId, scope })
        return yield* codes.issue({
          clientId: trusted.clientId,
          redirectUri: trusted.redirectUri,
          redirectUriGiven: trusted.redirectUriGiven,
          codeChallenge,
          scope,
          resource
        })
      }
    )

    return Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const parameters = new URL(request.url, urls.issuer).searchParams
      const trusted = yield* trust(parameters).pipe(Effect.either)
      if (trusted._tag === "Left") {
        const error = trusted.left
        return error._tag === "ServerError" ? HttpServerResponse.empty({ status: 500 }) : badRequest(error)
      }
      const state = Option.getOrUndefined(
        Option.fromNullable(parameters.get("state")).pipe(Option.filter((value) => value !== ""))
      )
      return yield* authorize(trusted.right, parameters).pipe(
        Effect.match({
          onFailure: (error) =>
            redirectBack(trusted.right.redirectUri, {
              error: error.error,
              error_description: error.description,
              state,
              iss: urls.issuer
            }),
          onSuccess: (code) =>
            redirectBack(trusted.right.redirectUri, { code: Redacted.value(code), state, iss: urls.issuer })
        })
      )
    })
  })
