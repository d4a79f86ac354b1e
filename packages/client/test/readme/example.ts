import { AuthleteClient, DynamicClientRegistration, RetryPolicy } from "@effect-dcr/client"
import type { ClientMetadata } from "@effect-dcr/schema"
import { NodeHttpClient } from "@effect/platform-node"
import { Config, Effect, Layer } from "effect"

// Authlete over HTTP, configured from the environment; the HTTP client is undici.
export const AuthleteLive = AuthleteClient.layerConfig({
  baseUrl: Config.string("AUTHLETE_BASE_URL").pipe(Config.withDefault("https://us.authlete.com")),
  serviceId: Config.string("AUTHLETE_SERVICE_ID"),
  serviceAccessToken: Config.redacted("AUTHLETE_SERVICE_ACCESS_TOKEN")
}).pipe(Layer.provide(NodeHttpClient.layerUndici))

// Register a client from typed metadata and read Authlete's answer, decoded by its action.
export const registerClient = (metadata: ClientMetadata) =>
  Effect.gen(function*() {
    const res = yield* DynamicClientRegistration.registerMetadata(metadata)
    const answer = yield* DynamicClientRegistration.decodeResponseContent(res)
    switch (answer.action) {
      case "CREATED": // a ClientInformationResponse; client_secret and the token stay Redacted
        return { status: 201, clientId: answer.content.client_id }
      case "BAD_REQUEST": // a RegistrationErrorResponse (RFC 7591 §3.2.2)
        return { status: 400, error: answer.content.error, description: answer.content.error_description }
      case "UNAUTHORIZED":
        return { status: 401, error: answer.content.error }
      case "INTERNAL_SERVER_ERROR":
        return { status: 500, error: answer.content.error }
    }
  }).pipe(
    // The Authlete call itself failed: typed errors, one `catchTag` each.
    Effect.catchTag("ResultError", (e) => Effect.succeed({ status: 500, error: `Authlete: ${e.resultCode}` })),
    Effect.catchTag("TransportError", (e) =>
      Effect.succeed({ status: 503, error: e.requestSent ? "may have been registered" : "not registered" })),
    Effect.catchTag("TimeoutError", () =>
      Effect.succeed({ status: 504, error: "Authlete timed out" }))
  )

// No retries for this call (the layer's policy stays the default for everything else).
export const registerOnce = (metadata: ClientMetadata) =>
  registerClient(metadata).pipe(AuthleteClient.withRetryPolicy(RetryPolicy.none))

export const main = registerClient({ client_name: "My App", redirect_uris: ["https://app.example.com/cb"] }).pipe(
  Effect.provide(AuthleteLive)
)
