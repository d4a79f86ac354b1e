/**
 * For identical inputs, our layer must send the same request as the official SDK
 * (`@authlete/typescript-sdk`): both are captured by one real loopback server and compared.
 */
import { Authlete } from "@authlete/typescript-sdk"
import { NodeHttpClient } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Queue, Redacted } from "effect"
import { AuthleteClient, DynamicClientRegistration } from "../src/index.js"
import * as fixtures from "./fixtures.js"
import { loopback } from "./utils/loopback.js"
import type { Captured, Handler } from "./utils/loopback.js"

const bearer = "sat-parity-7Qm2x"
const clientId = "26837717140341"
const metadata = JSON.stringify({ client_name: "My Dynamic Client", redirect_uris: ["https://client.example.org/cb"] })

const answerByPath: Handler = (request, res) => {
  const body = request.url.endsWith("/get")
    ? fixtures.getResponse
    : request.url.endsWith("/update")
    ? fixtures.updateResponse
    : request.url.endsWith("/delete")
    ? fixtures.deleteResponse
    : fixtures.registerResponse
  res.writeHead(200, { "content-type": "application/json" })
  res.end(JSON.stringify(body))
}

const comparable = (request: Captured) => ({
  method: request.method,
  path: request.url,
  body: JSON.parse(request.body) as unknown,
  authorization: request.headers.authorization,
  contentType: request.headers["content-type"],
  accept: request.headers.accept
})

type Call = {
  readonly name: string
  readonly sdk: (sdk: Authlete, serviceId: string) => Promise<unknown>
  readonly ours: Effect.Effect<unknown, unknown, DynamicClientRegistration.DynamicClientRegistration>
}

const calls: ReadonlyArray<Call> = [
  {
    name: "register",
    sdk: (sdk, serviceId) => sdk.dynamicClientRegistration.register({ serviceId, requestBody: { json: metadata } }),
    ours: DynamicClientRegistration.register({ json: metadata })
  },
  {
    name: "register with an initial access token",
    sdk: (sdk, serviceId) =>
      sdk.dynamicClientRegistration.register({ serviceId, requestBody: { json: metadata, token: "iat-123" } }),
    ours: DynamicClientRegistration.register({ json: metadata, token: Redacted.make("iat-123") })
  },
  {
    name: "get",
    sdk: (sdk, serviceId) =>
      sdk.dynamicClientRegistration.get({
        serviceId,
        requestBody: { clientId, token: fixtures.registrationAccessToken }
      }),
    ours: DynamicClientRegistration.get({ clientId, token: Redacted.make(fixtures.registrationAccessToken) })
  },
  {
    name: "update",
    sdk: (sdk, serviceId) =>
      sdk.dynamicClientRegistration.update({
        serviceId,
        requestBody: { clientId, token: fixtures.registrationAccessToken, json: metadata }
      }),
    ours: DynamicClientRegistration.update({
      clientId,
      token: Redacted.make(fixtures.registrationAccessToken),
      json: metadata
    })
  },
  {
    name: "delete",
    sdk: (sdk, serviceId) =>
      sdk.dynamicClientRegistration.delete({
        serviceId,
        requestBody: { clientId, token: fixtures.registrationAccessToken }
      }),
    ours: DynamicClientRegistration.delete({ clientId, token: Redacted.make(fixtures.registrationAccessToken) })
  }
]

describe("same request as the official SDK", () => {
  for (const serviceId of ["715948317", "svc/1 ä?x"]) {
    for (const prefix of ["", "/authlete"]) {
      for (const call of calls) {
        it.scopedLive(`${call.name} (serviceId ${JSON.stringify(serviceId)}, base path "${prefix}")`, () =>
          Effect.gen(function*() {
            const server = yield* loopback(answerByPath)
            const serverURL = `${server.url}${prefix}`

            const sdk = new Authlete({ serverURL, bearer })
            yield* Effect.promise(() => call.sdk(sdk, serviceId))
            const theirs = yield* Queue.take(server.requests)

            yield* call.ours.pipe(
              Effect.provide(
                AuthleteClient.layer({ baseUrl: serverURL, serviceId, serviceAccessToken: Redacted.make(bearer) }).pipe(
                  Layer.provide(NodeHttpClient.layerUndici)
                )
              )
            )
            const ours = yield* Queue.take(server.requests)

            assert.deepStrictEqual(comparable(ours), comparable(theirs))
            // and the comparison is about something: the SDK's request is what we expect
            assert.strictEqual(theirs.method, "POST")
            assert.strictEqual(theirs.headers.authorization, `Bearer ${bearer}`)
            assert.isTrue(theirs.url.startsWith(`${prefix}/api/${encodeURIComponent(serviceId)}/client/registration`))
          }))
      }
    }
  }
})
