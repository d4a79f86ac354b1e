/**
 * `POST /token`, the `authorization_code` grant (RFC 6749 §4.1.3 with PKCE, RFC 7636 §4.6):
 * authenticates the client with the engine's `ClientRegistry` (public clients: `none`), redeems
 * the one-time code (same client, same redirect URI, not expired), verifies the `S256` code
 * verifier and issues an opaque bearer access token. Errors are RFC 6749 §5.2 bodies.
 *
 * @since 0.1.0
 */
import { ClientRegistry } from "@effect-dcr/engine"
import { RequestBody } from "@effect-dcr/http-server"
import { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { AccessTokens } from "./AccessTokens.js"
import { AuthorizationCodes } from "./AuthorizationCodes.js"
import * as Parameters from "./internal/parameters.js"
import { type EndpointError, OAuthError, toResponseBody } from "./OAuthError.js"
import * as Pkce from "./Pkce.js"
import type { Urls } from "./Urls.js"

/**
 * The largest token request body read, in bytes: a larger one is answered 413 (a declared
 * `Content-Length` at once, a chunked body at the first byte past it), and the connection closes.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxBodyBytes = 16 * 1024

const noStore = { "cache-control": "no-store", pragma: "no-cache" } as const

const invalidGrant = (description: string) => new OAuthError({ error: "invalid_grant", description })

/** The error response: 401 with a `Basic` challenge when the client tried the `Authorization` header. */
const errorResponse = (error: EndpointError, usedAuthorizationHeader: boolean) =>
  HttpServerResponse.unsafeJson(toResponseBody(error), {
    status: error.error === "invalid_client" && usedAuthorizationHeader ? 401 : 400,
    headers: error.error === "invalid_client" && usedAuthorizationHeader
      ? { ...noStore, "www-authenticate": "Basic realm=\"token\"" }
      : noStore
  })

/**
 * The handler, on the registry, code store and token store in context.
 *
 * @since 0.1.0
 * @category handlers
 */
export const handler = (urls: Urls) =>
  Effect.gen(function*() {
    const registry = yield* ClientRegistry.ClientRegistry
    const codes = yield* AuthorizationCodes
    const tokens = yield* AccessTokens

    const exchange = Effect.fn("TokenEndpoint.exchange")(
      function*(authorization: string | undefined, parameters: URLSearchParams) {
        const grantType = yield* Parameters.required(parameters, "grant_type")
        if (grantType !== "authorization_code") {
          return yield* new OAuthError({
            error: "unsupported_grant_type",
            description: "this server supports the authorization_code grant only"
          })
        }
        const authenticated = yield* registry.authenticate({ authorization, parameters })
        yield* registry.checkGrantType(authenticated.client, grantType)
        const code = Redacted.make(yield* Parameters.required(parameters, "code"))
        const redirectUri = yield* Parameters.single(parameters, "redirect_uri")
        const verifier = yield* Parameters.single(parameters, "code_verifier")
        const resource = yield* Parameters.single(parameters, "resource")
        // Redeemed (and so gone) before any check: a code is good for one attempt only.
        const grant = yield* codes.consume(code).pipe(
          Effect.flatMap(Option.match({
            onNone: () => Effect.fail(invalidGrant("the code is unknown, used or expired")),
            onSome: Effect.succeed
          }))
        )
        if (grant.clientId !== authenticated.clientId) {
          return yield* invalidGrant("the code was issued to another client")
        }
        if (
          grant.redirectUriGiven
            ? redirectUri !== grant.redirectUri
            : redirectUri !== undefined && redirectUri !== grant.redirectUri
        ) {
          return yield* invalidGrant("redirect_uri does not match the authorization request")
        }
        if (verifier === undefined || !Pkce.verifyS256(Redacted.make(verifier), grant.codeChallenge)) {
          return yield* invalidGrant("the code_verifier does not match the code_challenge")
        }
        if (resource !== undefined && resource !== (grant.resource ?? urls.resource)) {
          return yield* new OAuthError({ error: "invalid_target", description: "the resource was not authorized" })
        }
        const issued = yield* tokens.issue({
          clientId: grant.clientId,
          scope: grant.scope,
          resource: resource ?? grant.resource
        })
        return {
          access_token: Redacted.value(issued.accessToken),
          token_type: "Bearer",
          expires_in: issued.expiresIn,
          ...(grant.scope.length > 0 ? { scope: grant.scope.join(" ") } : {})
        }
      }
    )

    return Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const authorization = request.headers["authorization"]
      const contentType = (request.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase()
      if (contentType !== "application/x-www-form-urlencoded") {
        return errorResponse(
          new OAuthError({
            error: "invalid_request",
            description: "the body must be application/x-www-form-urlencoded"
          }),
          false
        )
      }
      // http-server's bounded reader; over the limit a 413, and the connection closes so the rest of
      // the body is not waited for.
      const form = yield* Effect.either(RequestBody.readForm(request, maxBodyBytes))
      if (Either.isLeft(form)) {
        return form.left._tag === "PayloadTooLarge"
          ? HttpServerResponse.unsafeJson(
            { error: "invalid_request", error_description: `the body exceeds ${maxBodyBytes} bytes` },
            { status: 413, headers: { ...noStore, connection: "close" } }
          )
          : errorResponse(
            new OAuthError({ error: "invalid_request", description: "the body could not be read" }),
            false
          )
      }
      return yield* exchange(authorization, form.right).pipe(
        Effect.match({
          onFailure: (error) =>
            error._tag === "ServerError"
              ? HttpServerResponse.unsafeJson({ error: "server_error" }, { status: 500, headers: noStore })
              : errorResponse(error, authorization !== undefined),
          onSuccess: (body) => HttpServerResponse.unsafeJson(body, { headers: noStore })
        })
      )
    })
  })
