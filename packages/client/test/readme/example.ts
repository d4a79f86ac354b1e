import { AuthleteClient, DynamicClientRegistration, RetryPolicy } from "@effect-dcr/client"
import { NodeHttpClient } from "@effect/platform-node"
import { Config, Effect, Layer } from "effect"

// Authlete over HTTP, configured from the environment; the HTTP client is undici.
export const AuthleteLive = AuthleteClient.layerConfig({
  baseUrl: Config.string("AUTHLETE_BASE_URL").pipe(Config.withDefault("https://us.authlete.com")),
  serviceId: Config.string("AUTHLETE_SERVICE_ID"),
  serviceAccessToken: Config.redacted("AUTHLETE_SERVICE_ACCESS_TOKEN")
}).pipe(Layer.provide(NodeHttpClient.layerUndici))

// Register a client and turn Authlete's answer into the HTTP response for the client.
export const registerClient = (metadata: object) =>
  Effect.gen(function*() {
    const res = yield* DynamicClientRegistration.register({ json: JSON.stringify(metadata) })
    switch (res.action) {
      case "CREATED":
        return { status: 201, body: res.responseContent }
      case "BAD_REQUEST":
        return { status: 400, body: res.responseContent }
      case "UNAUTHORIZED":
        return { status: 401, body: res.responseContent }
      default:
        return { status: 500, body: res.responseContent }
    }
  }).pipe(
    // The Authlete call itself failed: typed errors, one `catchTag` each.
    Effect.catchTag("ResultError", (e) => Effect.succeed({ status: 500, body: `Authlete: ${e.resultCode}` })),
    Effect.catchTag("TransportError", (e) =>
      Effect.succeed({ status: 503, body: e.requestSent ? "may have been registered" : "not registered" })),
    Effect.catchTag("TimeoutError", () => Effect.succeed({ status: 504, body: "Authlete timed out" }))
  )

// No retries for this call (the layer's policy stays the default for everything else).
export const registerOnce = (metadata: object) =>
  registerClient(metadata).pipe(AuthleteClient.withRetryPolicy(RetryPolicy.none))

export const main = registerClient({ client_name: "My App", redirect_uris: ["https://app.example.com/cb"] }).pipe(
  Effect.provide(AuthleteLive)
)
