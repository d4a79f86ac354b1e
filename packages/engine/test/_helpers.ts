import { DynamicClientRegistration } from "@effect-dcr/client"
import { Engine } from "@effect-dcr/engine"
import * as SqliteClientStore from "@effect-dcr/engine/SqliteClientStore"
import { assert } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

export const registrationEndpoint = "https://as.example.com/register"

export const memoryEngine = (options: Partial<Engine.Options> = {}) =>
  Engine.layer({ registrationEndpoint, ...options }).pipe(
    Layer.provide(SqliteClientStore.layer({ filename: ":memory:" }))
  )

export const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "effect-dcr-engine-"))

export const register = (metadata: unknown, token?: string) =>
  DynamicClientRegistration.register({
    json: typeof metadata === "string" ? metadata : JSON.stringify(metadata),
    ...(token === undefined ? {} : { token: Redacted.make(token) })
  })

export const get = (clientId: string, token: string) =>
  DynamicClientRegistration.get({ clientId, token: Redacted.make(token) })

export const update = (clientId: string, token: string, metadata: unknown) =>
  DynamicClientRegistration.update({
    clientId,
    token: Redacted.make(token),
    json: typeof metadata === "string" ? metadata : JSON.stringify(metadata)
  })

export const remove = (clientId: string, token: string) =>
  DynamicClientRegistration.delete({ clientId, token: Redacted.make(token) })

export const content = (response: { readonly responseContent?: string | undefined }): Record<string, any> => {
  assert.isDefined(response.responseContent)
  return JSON.parse(response.responseContent!)
}

/** Registers and returns the parsed client information (asserting CREATED). */
export const registered = (metadata: unknown, token?: string) =>
  Effect.map(register(metadata, token), (response) => {
    assert.strictEqual(response.action, "CREATED", response.responseContent)
    const info = content(response)
    return { response, info, clientId: info.client_id as string, token: info.registration_access_token as string }
  })

export const webClient = {
  client_name: "Example App",
  redirect_uris: ["https://app.example.com/callback"]
}

/** A public (native) client on a loopback redirect URI. */
export const publicClient = {
  client_name: "CLI tool",
  redirect_uris: ["http://127.0.0.1:8123/cb"],
  token_endpoint_auth_method: "none"
}
