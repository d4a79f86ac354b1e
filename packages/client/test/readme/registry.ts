import { AuthleteClientRegistry, ClientRegistry, ClientRegistryError } from "@effect-dcr/client"
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer } from "effect"

// AUTHLETE_REGION (or AUTHLETE_BASE_URL), AUTHLETE_SERVICE_ID, AUTHLETE_SERVICE_ACCESS_TOKEN
const RegistryLive = AuthleteClientRegistry.layerFromEnv({
  tokenEndpoint: "https://as.example.com/token",
  issuer: "https://as.example.com"
}).pipe(Layer.provide(NodeHttpClient.layerUndici))

// POST /token: the Authorization header and the form body as your HTTP server received them
export const token = (authorization: string | undefined, body: URLSearchParams) =>
  Effect.gen(function*() {
    const registry = yield* ClientRegistry.ClientRegistry
    const { client, clientId } = yield* registry.authenticate({ authorization, parameters: body })
    yield* registry.checkGrantType(client, body.get("grant_type") ?? "")
    return { status: 200, body: { client_id: clientId } }
  }).pipe(
    Effect.catchAll((error) =>
      Effect.succeed({
        status: error._tag === "ServerError" ? 500 : error._tag === "InvalidClient" ? 401 : 400,
        body: ClientRegistryError.toResponseBody(error)
      })
    ),
    Effect.provide(RegistryLive)
  )
