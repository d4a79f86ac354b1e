import { Readiness } from "@effect-dcr/client"
import { Engine } from "@effect-dcr/engine"
import { AuthleteApi, HealthApi, RegistrationApi } from "@effect-dcr/http-server"
import * as NodeRegistrationServer from "@effect-dcr/http-server/NodeRegistrationServer"
import { HttpApiBuilder, HttpServer, OpenApi } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Validator } from "@seriousme/openapi-schema-validator"
import addFormats from "ajv-formats"
import { Ajv2020 } from "ajv/dist/2020.js"
import { Context, Effect, Layer, Redacted, Ref } from "effect"
import { join } from "node:path"
import { tempDirectory } from "./support.js"

const serviceId = "1"
const serviceAccessToken = "service-token-for-the-openapi-test"
const initialAccessToken = "initial-token-for-the-openapi-test"

/** The API the standalone server serves: registration, discovery, health and the Authlete-compatible API. */
const definition = (issuer: string) => RegistrationApi.make({ issuer }).add(HealthApi.group).add(AuthleteApi.group)

type Answer = { readonly method: string; readonly path: string; readonly status: number; readonly body: unknown }

/**
 * Serves the API on the Node server with the fast path, the engine on a temporary SQLite file; the
 * readiness check fails while `ready` is false.
 */
const start = (ready: Ref.Ref<boolean>) =>
  Effect.gen(function*() {
    const dir = yield* tempDirectory
    const http = yield* Layer.build(NodeRegistrationServer.layer({ port: 0, host: "127.0.0.1" }))
    const address = Context.get(http, HttpServer.HttpServer).address as HttpServer.TcpAddress
    const issuer = `http://127.0.0.1:${address.port}`
    const api = definition(issuer)
    const readiness = Readiness.make(
      "test",
      Effect.flatMap(Ref.get(ready), (ok) => ok ? Effect.void : Effect.fail("switched off"))
    )
    const groups = Layer.mergeAll(
      RegistrationApi.layerGroup(api, { issuer }),
      HealthApi.layerGroup(api).pipe(Layer.provide(Layer.succeed(Readiness.Readiness, readiness))),
      AuthleteApi.layerGroup(api, { serviceId, serviceAccessToken: Redacted.make(serviceAccessToken) })
    )
    const backend = Engine.layerSqlite({
      filename: join(dir, "dcr.sqlite"),
      registrationEndpoint: `${issuer}/register`,
      initialAccessTokens: [Redacted.make(initialAccessToken)]
    })
    yield* Layer.build(
      HttpApiBuilder.serve().pipe(
        Layer.provide(HttpApiBuilder.middlewareOpenApi()),
        Layer.provide(HttpApiBuilder.api(api)),
        Layer.provide(groups),
        Layer.provide(backend),
        Layer.provide(Layer.succeedContext(http))
      )
    )
    return issuer
  })

const call = (
  base: string,
  method: string,
  path: string,
  init: { body?: string; headers?: Record<string, string> } = {}
) =>
  Effect.promise(async (): Promise<Answer> => {
    const response = await fetch(`${base}${path}`, { method, ...init })
    const text = await response.text()
    return { method, path, status: response.status, body: text === "" ? undefined : JSON.parse(text) }
  })

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  body: typeof body === "string" ? body : JSON.stringify(body),
  headers: { "content-type": "application/json", ...headers }
})

/** ajv with the `format`s the document uses (`uri`, …). */
const withFormats = (ajv: Ajv2020): Ajv2020 => {
  ;(addFormats as unknown as (ajv: Ajv2020) => Ajv2020)(ajv)
  return ajv
}

/** The document's operation for a concrete request path (`{param}` segments match anything). */
const operationOf = (doc: OpenApi.OpenAPISpec, method: string, path: string) => {
  for (const [template, item] of Object.entries(doc.paths)) {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`)
    if (pattern.test(path)) return (item as Record<string, any>)[method.toLowerCase()]
  }
  return undefined
}

describe("the OpenAPI document", () => {
  it.effect("is valid OpenAPI 3.1 and its schemas compile in ajv (draft 2020-12)", () =>
    Effect.gen(function*() {
      const doc = OpenApi.fromApi(definition("https://as.example.com"))
      const result = yield* Effect.promise(() => new Validator().validate(doc as any))
      assert.isTrue(result.valid, JSON.stringify(result.errors))
      const ajv = withFormats(new Ajv2020({ strict: false }))
      ajv.compile({ $defs: {}, components: doc.components, type: "object" })
      assert.deepStrictEqual(doc.servers, [{ url: "https://as.example.com" }])
      const text = JSON.stringify(doc)
      assert.notInclude(text, "Redacted(<redacted>)")
      assert.notInclude(text, "\"$id\"")
      assert.notInclude(text, "HttpApiDecodeError")
    }))

  it.scoped("describes every answer the server really sends, and each body matches its documented schema", () =>
    Effect.gen(function*() {
      const ready = yield* Ref.make(true)
      const base = yield* start(ready)
      const served = (yield* call(base, "GET", "/openapi.json")).body as OpenApi.OpenAPISpec
      assert.deepStrictEqual(served, JSON.parse(JSON.stringify(OpenApi.fromApi(definition(base)))))

      const withInitial = { authorization: `Bearer ${initialAccessToken}` }
      const metadata = { client_name: "doc", redirect_uris: ["https://app.example/cb"] }
      const created = yield* call(base, "POST", "/register", json(metadata, withInitial))
      const info = created.body as Record<string, string>
      const item = `/register/${info["client_id"]}`
      const bearer = { authorization: `Bearer ${info["registration_access_token"]}` }
      const api = `/api/${serviceId}/client/registration`
      const service = { authorization: `Bearer ${serviceAccessToken}` }

      const answers: Array<Answer> = [
        created,
        yield* call(base, "POST", "/register", json(metadata)),
        yield* call(base, "POST", "/register", json({ redirect_uris: ["/relative"] }, withInitial)),
        yield* call(base, "POST", "/register", json(`{"client_name":"${"x".repeat(70_000)}"}`, withInitial)),
        yield* call(base, "GET", item, { headers: bearer }),
        yield* call(base, "GET", item),
        yield* call(base, "GET", item, { headers: { authorization: "Bearer wrong" } }),
        yield* call(base, "PUT", item, json({ ...metadata, client_id: info["client_id"], client_name: "new" }, bearer)),
        yield* call(base, "PUT", item, json({ ...metadata, client_id: "other" }, bearer)),
        yield* call(base, "OPTIONS", "/register"),
        yield* call(base, "OPTIONS", item),
        ...(yield* Effect.forEach(["GET", "PUT", "PATCH", "DELETE"], (method) => call(base, method, "/register"))),
        ...(yield* Effect.forEach(["POST", "PATCH"], (method) => call(base, method, item))),
        yield* call(base, "GET", "/.well-known/oauth-authorization-server"),
        yield* call(base, "OPTIONS", "/.well-known/oauth-authorization-server", {
          headers: { origin: "https://app.example", "access-control-request-method": "GET" }
        }),
        yield* call(base, "POST", api, json({ json: JSON.stringify(metadata) }, service)),
        yield* call(base, "POST", `${api}/get`, json({ clientId: info["client_id"] }, service)),
        yield* call(base, "POST", api, json({ json: "{}" })),
        yield* call(base, "POST", api, json({ json: "{}" }, { authorization: "Bearer nope" })),
        yield* call(base, "POST", `/api/2/client/registration`, json({ json: "{}" }, service)),
        yield* call(base, "POST", api, json({ json: "x".repeat(1024 * 1024 + 1) }, service)),
        yield* call(
          base,
          "POST",
          `${api}/update`,
          json({ clientId: info["client_id"], token: "t", json: "{}" }, service)
        ),
        yield* call(base, "DELETE", item, { headers: bearer }),
        yield* call(base, "DELETE", item, { headers: bearer }),
        yield* call(base, "GET", "/healthz"),
        yield* call(base, "GET", "/readyz"),
        yield* Effect.zipRight(Ref.set(ready, false), call(base, "GET", "/readyz"))
      ]

      const ajv = withFormats(new Ajv2020({ strict: false }))
      const seen = new Set<string>()
      for (const answer of answers) {
        const label = `${answer.method} ${answer.path.slice(0, 60)} → ${answer.status}`
        const operation = operationOf(served, answer.method, answer.path)
        assert.isDefined(operation, `${label}: no operation in the document`)
        const documented = operation.responses[String(answer.status)]
        assert.isDefined(documented, `${label}: status not documented (${Object.keys(operation.responses)})`)
        seen.add(`${answer.method} ${operation.operationId} ${answer.status}`)
        const schema = documented.content?.["application/json"]?.schema
        if (answer.body === undefined) {
          assert.isUndefined(schema, `${label}: a body is documented but none was sent`)
          continue
        }
        assert.isDefined(schema, `${label}: a body was sent but none is documented`)
        const validate = ajv.compile({ ...schema, components: served.components })
        assert.isTrue(validate(answer.body), `${label}: ${JSON.stringify(validate.errors)}`)
      }
      const expected = [
        "POST registration.register 201",
        "POST registration.register 400",
        "POST registration.register 401",
        "POST registration.register 413",
        "GET registration.read 200",
        "GET registration.read 401",
        "PUT registration.update 200",
        "PUT registration.update 400",
        "DELETE registration.delete 204",
        "DELETE registration.delete 401",
        "OPTIONS registration.describeRegistration 204",
        "OPTIONS registration.describeClient 204",
        "GET registration.metadata 200",
        "OPTIONS registration.describeMetadata 204",
        "GET health.live 200",
        "GET health.ready 200",
        "GET health.ready 503",
        "POST authlete.register 200",
        "POST authlete.register 401",
        "POST authlete.register 404",
        "POST authlete.register 413",
        "POST authlete.get 400",
        "POST authlete.update 200"
      ]
      for (const entry of expected) assert.isTrue(seen.has(entry), `not exercised: ${entry} (saw ${[...seen]})`)
    }))
})
