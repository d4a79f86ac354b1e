/**
 * What the Node.js fast path needs from the `registration` group: the register endpoint's path
 * (from the definition) and its logic on the backend the group was built with. The group's layer
 * provides it; `NodeRegistrationServer` finds it in the served `HttpApi`'s context.
 *
 * @internal
 */
import { DynamicClientRegistration } from "@effect-dcr/client"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Cors from "./cors.js"
import type * as Registration from "./registration.js"
import type * as Responses from "./responses.js"

/** @internal */
export interface Service {
  readonly path: `/${string}`
  readonly maxBytes: number
  readonly cors: Cors.Headers
  readonly register: (
    token: string | undefined,
    body: Registration.Body,
    peer: Registration.Peer
  ) => Effect.Effect<Responses.RawResponse>
}

/** @internal */
export class RegisterFastPath extends Context.Tag("@effect-dcr/http-server/internal/RegisterFastPath")<
  RegisterFastPath,
  Service
>() {}

/** @internal */
export const layer = (
  path: `/${string}`,
  logic: ReturnType<typeof Registration.make>
): Layer.Layer<RegisterFastPath, never, DynamicClientRegistration.DynamicClientRegistration> =>
  Layer.effect(
    RegisterFastPath,
    Effect.map(DynamicClientRegistration.DynamicClientRegistration, (service) => ({
      path,
      maxBytes: logic.maxBytes,
      cors: logic.cors,
      register: (token, body, peer) => logic.register(service, token, body, peer)
    }))
  )
