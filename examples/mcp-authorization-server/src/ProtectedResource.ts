/**
 * The protected resource served next to the authorization server: its RFC 9728 metadata (which
 * names this authorization server) and `/mcp`, which answers 401 with a `WWW-Authenticate: Bearer`
 * challenge pointing at that metadata (RFC 9728 §5.1, RFC 6750 §3) without a valid access token
 * for it, and 200 with one. A real MCP server puts its transport behind this check.
 *
 * @since 0.1.0
 */
import { BearerToken } from "@effect-dcr/http-server"
import { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { AccessTokens } from "./AccessTokens.js"
import type { Urls } from "./Urls.js"

/**
 * The RFC 9728 §2 metadata of the resource.
 *
 * @since 0.1.0
 * @category constructors
 */
export const metadata = (urls: Urls) => ({
  resource: urls.resource,
  authorization_servers: [urls.issuer],
  bearer_methods_supported: ["header"],
  resource_name: "effect-dcr example MCP endpoint"
})

/**
 * The `GET` handler of the metadata document.
 *
 * @since 0.1.0
 * @category handlers
 */
export const metadataHandler = (urls: Urls) => Effect.succeed(HttpServerResponse.unsafeJson(metadata(urls)))

/**
 * The resource's handler, on the token store in context.
 *
 * @since 0.1.0
 * @category handlers
 */
export const handler = (urls: Urls) =>
  Effect.gen(function*() {
    const tokens = yield* AccessTokens
    const challenge = (error?: string) =>
      HttpServerResponse.unsafeJson(
        { error: error ?? "unauthorized" },
        {
          status: 401,
          headers: {
            "www-authenticate": `Bearer resource_metadata="${urls.resourceMetadata}"${
              error === undefined ? "" : `, error="${error}"`
            }`
          }
        }
      )
    return Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const presented = BearerToken.fromHeaders(request.headers)
      if (presented === undefined) return challenge()
      const info = yield* tokens.verify(Redacted.make(presented))
      if (Option.isNone(info) || (info.value.resource !== undefined && info.value.resource !== urls.resource)) {
        return challenge("invalid_token")
      }
      return HttpServerResponse.unsafeJson({ client_id: info.value.clientId, scope: info.value.scope.join(" ") })
    })
  })
