/**
 * The whole example in one place: which layers make an authorization server for MCP clients out
 * of effect-dcr's packages. `RegistrationApi` (RFC 7591/7592 and RFC 8414 discovery) on the
 * embedded engine (SQLite), the engine's `ClientRegistry` for the authorization and token
 * endpoints, in-memory code and token stores, and a protected resource (RFC 9728). With
 * `clientIdMetadataDocuments`, clients may also use an `https` client id URL instead of registering.
 *
 * @since 0.1.0
 */
import { ClientRegistry, Engine } from "@effect-dcr/engine"
import type { ClientIdMetadataDocument, ClientStore } from "@effect-dcr/engine"
import * as SqliteClientStore from "@effect-dcr/engine/SqliteClientStore"
import { Discovery, RegistrationApi } from "@effect-dcr/http-server"
import { HttpApiBuilder, type HttpRouter, type HttpServer } from "@effect/platform"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import { join } from "node:path"
import * as AccessTokens from "./AccessTokens.js"
import * as AuthorizationCodes from "./AuthorizationCodes.js"
import * as AuthorizeEndpoint from "./AuthorizeEndpoint.js"
import * as ProtectedResource from "./ProtectedResource.js"
import * as TokenEndpoint from "./TokenEndpoint.js"
import * as Urls from "./Urls.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The issuer: the origin the server is reached at, e.g. `http://127.0.0.1:3000`. */
  readonly issuer: string
  /** Where the client database (`clients.sqlite`) lives. */
  readonly dataDirectory: string
  /**
   * Client ID Metadata Documents (`ClientRegistry.layer`'s option): with `enabled`, an `https`
   * client id is resolved from the document at that URL (its `scope` the scopes it may request,
   * unless `dcrScopeUsedAsRequestable: false`), and discovery advertises
   * `client_id_metadata_document_supported`. Default off (clients register).
   */
  readonly clientIdMetadataDocuments?: ClientIdMetadataDocument.Options | undefined
}

/**
 * The RFC 8414 metadata beyond `issuer` and `registration_endpoint` (which `RegistrationApi` adds),
 * held to RFC 8414 §2 by `Discovery.checkMetadata`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const authorizationServerMetadata = (urls: Urls.Urls) =>
  Discovery.checkMetadata({
    authorization_endpoint: urls.authorizationEndpoint,
    token_endpoint: urls.tokenEndpoint,
    response_types_supported: ["code"],
    response_modes_supported: ["query"],
    grant_types_supported: ["authorization_code"],
    code_challenge_methods_supported: ["S256"],
    token_endpoint_auth_methods_supported: ["none", "client_secret_basic", "client_secret_post", "private_key_jwt"],
    token_endpoint_auth_signing_alg_values_supported: ["RS256", "ES256", "PS256", "EdDSA"],
    authorization_response_iss_parameter_supported: true
  }, { issuer: urls.issuer, registrationEndpoint: urls.registrationEndpoint })

/** `/authorize`, `/token`, the protected resource and its metadata, on the API's router. */
const oauthRoutes = (urls: Urls.Urls) =>
  HttpApiBuilder.Router.use((router) =>
    Effect.gen(function*() {
      const authorize = yield* AuthorizeEndpoint.handler(urls)
      const token = yield* TokenEndpoint.handler(urls)
      const resource = yield* ProtectedResource.handler(urls)
      yield* router.get(Urls.paths.authorize, authorize)
      yield* router.post(Urls.paths.token, token)
      yield* router.get(Urls.paths.resourceMetadata, ProtectedResource.metadataHandler(urls))
      yield* router.get(Urls.paths.mcp, resource)
      yield* router.post(Urls.paths.mcp, resource)
    })
  )

/**
 * The server on the `HttpServer` in context (with the platform services `NodeHttpServer.layer`
 * provides). Fails to build when the metadata is refused or the database cannot be opened.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options
): Layer.Layer<
  never,
  Error | ClientStore.ClientStoreError,
  HttpServer.HttpServer | HttpRouter.HttpRouter.DefaultServices
> => {
  const urls = Urls.fromIssuer(options.issuer)
  return Layer.unwrapEffect(Effect.gen(function*() {
    const checked = yield* Either.mapLeft(
      authorizationServerMetadata(urls),
      (reason) => new Error(`authorization server metadata: ${reason}`)
    )
    // draft-ietf-oauth-client-id-metadata-document §6
    const metadata = options.clientIdMetadataDocuments?.enabled === true
      ? { ...checked, client_id_metadata_document_supported: true }
      : checked
    // One client database: the engine registers clients in it, the registry reads them.
    const Store = SqliteClientStore.layer({ filename: join(options.dataDirectory, "clients.sqlite") })
    const Clients = Layer.mergeAll(
      Engine.layer({ registrationEndpoint: urls.registrationEndpoint, dcrScopeUsedAsRequestable: true }),
      ClientRegistry.layer({
        tokenEndpoint: urls.tokenEndpoint,
        issuer: urls.issuer,
        // as for registered clients: a document's scope is what its client may request
        clientIdMetadataDocuments: options.clientIdMetadataDocuments === undefined
          ? undefined
          : { dcrScopeUsedAsRequestable: true, ...options.clientIdMetadataDocuments }
      })
    ).pipe(Layer.provide(Store))
    const Stores = Layer.mergeAll(AuthorizationCodes.layer(), AccessTokens.layer())
    return HttpApiBuilder.serve().pipe(
      Layer.provide(oauthRoutes(urls)),
      Layer.provide(RegistrationApi.layer({ issuer: urls.issuer, path: Urls.paths.register, metadata })),
      Layer.provide(Stores),
      Layer.provide(Clients)
    )
  }))
}
