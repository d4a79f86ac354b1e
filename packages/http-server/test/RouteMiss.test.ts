import { AuthleteApi, RegistrationApi } from "@effect-dcr/http-server"
import { HttpApiBuilder } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import { fakeBackend, listenWith } from "./support.js"

// Found by the reliability suite's fuzzing: paths the router cannot match (a parameter over its length limit, an
// undecodable percent-encoding) answered an empty 404 — or `400 {}` once the Authlete-compatible API's error
// schema (all members optional) matched the router's RouteNotFound.
describe("router misses on NodeRegistrationServer", () => {
  it.scoped("answer the JSON 404 not_found, with the Authlete-compatible API served too", () =>
    Effect.gen(function*() {
      const backend = fakeBackend({})
      const server = yield* listenWith("node-fast")
      const api = RegistrationApi.make({ issuer: server.base }).add(AuthleteApi.group)
      yield* server.serve(
        HttpApiBuilder.api(api).pipe(
          Layer.provide(Layer.merge(
            RegistrationApi.layerGroup(api, { issuer: server.base }),
            AuthleteApi.layerGroup(api, { serviceId: "1", serviceAccessToken: Redacted.make("route-miss-token") })
          )),
          Layer.provide(backend.layer)
        )
      )
      for (const path of [`/register/${"x".repeat(150)}`, "/%ff/x", "/register/%E0%A4%A"]) {
        const response = yield* Effect.promise(() =>
          fetch(`${server.base}${path}`, { headers: { authorization: "Bearer x" } })
        )
        assert.strictEqual(response.status, 404, path)
        assert.strictEqual(response.headers.get("content-type"), "application/json")
        assert.strictEqual(response.headers.get("cache-control"), "no-store")
        assert.deepStrictEqual(yield* Effect.promise(() => response.json()), {
          error: "not_found",
          error_description: "No such endpoint."
        })
      }
      assert.strictEqual(backend.calls.length, 0)
    }))
})
