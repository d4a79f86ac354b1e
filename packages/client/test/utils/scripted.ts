/**
 * A scripted `HttpClient`: answers each attempt with the next step of a script and records what
 * was sent, so retry counts and delays can be tested on the TestClock without sockets.
 */
import { HttpClient, HttpClientError, HttpClientResponse } from "@effect/platform"
import type { HttpClientRequest } from "@effect/platform"
import { Effect, Layer, Redacted, Ref, Stream } from "effect"
import { AuthleteClient } from "../../src/index.js"

export type Step =
  | {
    readonly status: number
    readonly body?: unknown
    readonly text?: string
    readonly headers?: Record<string, string>
  }
  | { readonly never: true }
  | { readonly fail: unknown }

export interface Sent {
  readonly method: string
  readonly url: string
  readonly headers: Record<string, string>
  readonly body: string
}

const bodyText = (request: HttpClientRequest.HttpClientRequest): string =>
  request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : ""

/**
 * A response whose body is available synchronously (a web `Response` body is read through real
 * promises, which would race the TestClock).
 */
const syncResponse = (
  request: HttpClientRequest.HttpClientRequest,
  status: number,
  headers: Record<string, string>,
  text: string
): HttpClientResponse.HttpClientResponse => {
  const response = HttpClientResponse.fromWeb(request, new Response(null, { status, headers }))
  const bytes = new TextEncoder().encode(text)
  return Object.create(response, {
    text: { value: Effect.succeed(text) },
    json: { value: Effect.sync(() => JSON.parse(text) as unknown) },
    arrayBuffer: { value: Effect.succeed(bytes.buffer) },
    stream: { value: Stream.succeed(bytes) }
  })
}

export const connectionRefused = () =>
  Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), {
    code: "ECONNREFUSED",
    errno: -111,
    syscall: "connect",
    address: "127.0.0.1",
    port: 1
  })

export const connectionReset = () => Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Step => ({
  status,
  body,
  headers: { "content-type": "application/json", ...headers }
})

export const scripted = (steps: ReadonlyArray<Step>) =>
  Effect.gen(function*() {
    const sent = yield* Ref.make<ReadonlyArray<Sent>>([])
    const client = HttpClient.make((request) =>
      Effect.flatMap(
        Ref.modify(sent, (all) => [all.length, [...all, {
          method: request.method,
          url: request.url,
          headers: { ...request.headers },
          body: bodyText(request)
        }]]),
        (n): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> => {
          const step = steps[Math.min(n, steps.length - 1)]!
          if ("never" in step) return Effect.never
          if ("fail" in step) {
            return Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause: step.fail }))
          }
          const text = step.text ?? (step.body === undefined ? "" : JSON.stringify(step.body))
          return Effect.succeed(syncResponse(request, step.status, step.headers ?? {}, text))
        }
      )
    )
    return { sent, attempts: Effect.map(Ref.get(sent), (all) => all.length), client }
  })

export const serviceAccessToken = Redacted.make("sat-SECRET-5fJ2kq9")

export const options = (overrides: Partial<AuthleteClient.Options> = {}): AuthleteClient.Options => ({
  baseUrl: "https://authlete.test",
  serviceId: "715948317",
  serviceAccessToken,
  ...overrides
})

/** The `DynamicClientRegistration` layer over a scripted client. */
export const layerWith = (client: HttpClient.HttpClient, overrides: Partial<AuthleteClient.Options> = {}) =>
  AuthleteClient.layer(options(overrides)).pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, client)))
