/**
 * An Authlete-compatible server on loopback for the registry contract: Authlete's client read
 * (`GET /api/{serviceId}/client/get/{clientId}`) answered from the clients a test registers, each
 * kept as Authlete keeps it (schema's `metadataToClient` of its RFC 7591 metadata, a numeric client
 * id, a clear 512-bit secret, the scope as requestable scopes). Every request must carry the service
 * access token as Bearer and ask for that path: anything else is answered 401 or an HTML 404, which
 * the registry reports as a `ServerError`, so a contract test that passes also checked the request.
 */
import { AuthleteClientRegistry } from "@effect-dcr/client"
import { Client, decodeClientMetadata, metadataToClient } from "@effect-dcr/schema"
import * as Loopback from "@effect-dcr/testing/Loopback"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { Effect, Either, Redacted, Schema, type Scope } from "effect"
import { randomBytes } from "node:crypto"
import * as Http from "node:http"
import { issuer, type RegistryTarget, tokenEndpoint } from "./registryContract.js"

const serviceId = "715948317"
const serviceAccessToken = "sat-contract-token"
const encodeClient = Schema.encodeSync(Client)

let nextId = 500_000_000_000_000

/** A fresh Authlete server and the registry on it (closed with the scope). */
export const authleteTarget: Effect.Effect<RegistryTarget, never, Scope.Scope> = Effect.gen(
  function*() {
    const clients = new Map<string, string>()
    const prefix = `/api/${serviceId}/client/get/`
    const server = Http.createServer((request, response) => {
      const json = (status: number, body: string) => {
        response.writeHead(status, { "content-type": "application/json" })
        response.end(body)
      }
      if (request.headers.authorization !== `Bearer ${serviceAccessToken}`) {
        return json(401, JSON.stringify({ resultCode: "A001202", resultMessage: "[A001202] Bad access token." }))
      }
      const url = request.url ?? ""
      if (request.method !== "GET" || !url.startsWith(prefix)) {
        response.writeHead(404, { "content-type": "text/html" })
        return response.end("<html>no such route</html>")
      }
      const client = clients.get(decodeURIComponent(url.slice(prefix.length)))
      return client === undefined
        ? json(404, JSON.stringify({ resultCode: "A031201", resultMessage: "[A031201] No such client." }))
        : json(200, client)
    })
    const { port } = yield* Loopback.listen(server)
    const registry = yield* AuthleteClientRegistry.make({
      baseUrl: `http://127.0.0.1:${port}`,
      serviceId,
      serviceAccessToken: Redacted.make(serviceAccessToken),
      tokenEndpoint,
      issuer
    }).pipe(Effect.provide(FetchHttpClient.layer), Effect.orDie)

    const register = (metadata: Record<string, unknown>) =>
      Effect.sync(() => {
        const decoded = decodeClientMetadata(metadata)
        if (Either.isLeft(decoded)) throw new Error(`metadata refused: ${decoded.left.error_description}`)
        const clientId = String(nextId++)
        const secret = randomBytes(64).toString("base64url")
        const isPublic = metadata["token_endpoint_auth_method"] === "none"
        clients.set(
          clientId,
          JSON.stringify(encodeClient({
            ...metadataToClient(decoded.right, { scopeAsRequestableScopes: true }),
            clientId: Number(clientId),
            // Authlete gives every client a secret; a public one is never asked for it
            clientSecret: Redacted.make(secret),
            clientType: isPublic ? "PUBLIC" : "CONFIDENTIAL"
          }))
        )
        return { clientId, secret: isPublic ? undefined : secret }
      })
    return { registry, register }
  }
)
