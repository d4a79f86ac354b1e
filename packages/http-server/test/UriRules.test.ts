import { Engine } from "@effect-dcr/engine"
import { RegistrationApi } from "@effect-dcr/http-server"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { flavours, listenWith, tempDirectory } from "./support.js"

// The table of fixtures/uri-rules/cases.json (schema package) over real loopback HTTP, on both servers: POST
// /register and PUT /register/{client_id} against the engine on a temporary SQLite file.

interface Case {
  readonly name: string
  readonly options?: { readonly allowLoopbackHttp?: boolean }
  readonly metadata: Record<string, unknown>
  readonly refused: { readonly error: string; readonly field: string } | null
}

const { cases } = JSON.parse(
  readFileSync(new URL("../../schema/test/fixtures/uri-rules/cases.json", import.meta.url), "utf8")
) as { readonly cases: ReadonlyArray<Case> }

const call = (url: string, init: RequestInit) =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    return { status: response.status, json: await response.json() as Record<string, any> }
  })

const headers = (token?: string): Record<string, string> => ({
  "content-type": "application/json",
  ...(token === undefined ? {} : { authorization: `Bearer ${token}` })
})

const uriValues = (metadata: Record<string, unknown>): Array<string> =>
  Object.values(metadata).flatMap((v) => Array.isArray(v) ? v : [v]).filter(
    (v): v is string => typeof v === "string" && v.includes(":")
  )

const expectAnswer = (c: Case, answer: { status: number; json: Record<string, any> }, success: number) => {
  if (c.refused === null) {
    assert.strictEqual(answer.status, success, `${c.name}: ${JSON.stringify(answer.json)}`)
    return
  }
  assert.strictEqual(answer.status, 400, `${c.name}: ${JSON.stringify(answer.json)}`)
  assert.strictEqual(answer.json.error, c.refused.error, c.name)
  assert.isTrue(String(answer.json.error_description).startsWith(c.refused.field), answer.json.error_description)
  for (const value of uriValues(c.metadata)) assert.notInclude(String(answer.json.error_description), value)
}

/** A registration every case can update: the same application_type (and public or not), a URI it accepts. */
const baseOf = (c: Case) => ({
  ...(c.metadata.application_type === undefined ? {} : { application_type: c.metadata.application_type }),
  ...(c.metadata.token_endpoint_auth_method === "none" ? { token_endpoint_auth_method: "none" } : {}),
  redirect_uris: ["https://app.example.com/base"]
})

describe("URI rules over HTTP (the table)", () => {
  for (const flavour of flavours) {
    it.scoped(
      `POST /register and PUT /register/{id}, ${cases.length} cases (${flavour} server)`,
      () =>
        Effect.gen(function*() {
          const dir = yield* tempDirectory
          const bases = new Map<boolean, string>()
          for (const allowLoopbackHttp of [true, false]) {
            const server = yield* listenWith(flavour)
            const engine = Engine.layerSqlite({
              filename: join(dir, `dcr-${allowLoopbackHttp}.sqlite`),
              registrationEndpoint: `${server.base}/register`,
              allowLoopbackHttp
            })
            yield* server.serve(RegistrationApi.layer({ issuer: server.base }).pipe(Layer.provide(engine)))
            bases.set(allowLoopbackHttp, server.base)
          }
          for (const c of cases) {
            const base = bases.get(c.options?.allowLoopbackHttp !== false)!
            const registered = yield* call(`${base}/register`, {
              method: "POST",
              headers: headers(),
              body: JSON.stringify(c.metadata)
            })
            expectAnswer(c, registered, 201)

            const created = yield* call(`${base}/register`, {
              method: "POST",
              headers: headers(),
              body: JSON.stringify(baseOf(c))
            })
            assert.strictEqual(created.status, 201, JSON.stringify(created.json))
            const { client_id, registration_access_token, registration_client_uri } = created.json
            const updated = yield* call(registration_client_uri, {
              method: "PUT",
              headers: headers(registration_access_token),
              body: JSON.stringify({ ...c.metadata, client_id })
            })
            expectAnswer(c, updated, 200)
          }
        }),
      { timeout: 60_000 }
    )
  }
})
