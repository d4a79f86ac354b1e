/**
 * `explain`: what the engine would register for a metadata document, and which step changed or
 * refused which member — the registration pipeline of `Engine.register` without a store, credentials
 * or a write.
 *
 * @since 0.1.0
 */
import type { RegistrationErrorResponse } from "@effect-dcr/schema"
import * as Effect from "effect/Effect"
import type * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Engine from "./Engine.js"
import * as Metadata from "./internal/metadata.js"
import * as Pipeline from "./internal/pipeline.js"

/**
 * One member a step changed: `from` absent means added, `to` absent means removed.
 *
 * @since 0.1.0
 * @category models
 */
export type Change = Pipeline.Change

/**
 * What one step did. The steps, in order: `decode`, the policy's `request` rules (`default/default`,
 * `default/force`, `<policy>/…`), `defaults` (RFC 7591), `validation` (cross-member rules), the
 * `registration` rules (`uri-rules` first), `storage` (members the server does not keep).
 *
 * @since 0.1.0
 * @category models
 */
export type Step = Pipeline.Step

/**
 * @since 0.1.0
 * @category models
 */
export interface Explanation {
  /** The named policy the request was explained under, if any. */
  readonly policy: string | undefined
  /** The metadata the server would register and echo (without credentials), when registered. */
  readonly registered: Record<string, unknown> | undefined
  /** The RFC 7591 error the server would answer (400), when refused. */
  readonly error: RegistrationErrorResponse | undefined
  readonly steps: ReadonlyArray<Step>
}

/**
 * The named policy is not configured.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownPolicy extends Schema.TaggedError<UnknownPolicy>()("UnknownPolicy", { policy: Schema.String }) {
  override get message(): string {
    return `the registration policy ${JSON.stringify(this.policy)} is not configured`
  }
}

/**
 * The engine options that change what is registered.
 *
 * @since 0.1.0
 * @category models
 */
export type Options = Pick<
  Engine.Options,
  | "requireRedirectUrisForDefaultGrant"
  | "dcrScopeUsedAsRequestable"
  | "supportedCustomClientMetadata"
  | "allowLoopbackHttp"
  | "registrationPolicy"
  | "registrationPolicies"
>

/**
 * Explains a registration of `json` (under the named policy `policy`, as if an initial access
 * token carried it) by an engine with these options and the `RegistrationPolicy` in context (see
 * `Engine.registrationPolicy`). Stores nothing. Fails when the options' policies are not valid.
 *
 * @example
 * ```ts
 * import { Explain } from "@effect-dcr/engine"
 * import { Effect } from "effect"
 *
 * const explanation = Effect.runSync(Explain.explain({
 *   json: JSON.stringify({ redirect_uris: ["https://app.example.com/cb"], scope: "openid" })
 * }, { dcrScopeUsedAsRequestable: true }))
 * console.log(explanation.registered?.token_endpoint_auth_method) // "client_secret_basic" (the defaults step)
 * ```
 *
 * @since 0.1.0
 * @category explain
 */
export const explain = (
  request: { readonly json: string; readonly policy?: string | undefined },
  options?: Options | undefined
): Effect.Effect<Explanation, UnknownPolicy | ParseResult.ParseError> =>
  Effect.gen(function*() {
    const policy = yield* Engine.registrationPolicy(options ?? {})
    const name = request.policy
    const rules = policy.rules(name)
    if (rules === undefined) return yield* new UnknownPolicy({ policy: name! })
    const trace: Array<Step> = []
    const outcome = yield* Effect.either(Pipeline.run(
      request.json,
      rules,
      {
        requireRedirectUrisForDefaultGrant: options?.requireRedirectUrisForDefaultGrant !== false,
        uriRules: policy.uriRules
      },
      { operation: "register", policy: name },
      trace
    ))
    if (outcome._tag === "Left") return { policy: name, registered: undefined, error: outcome.left, steps: trace }
    const metadata = outcome.right
    const client = Metadata.toClient(metadata, Metadata.mappingOptions(options ?? {}), {
      clientId: "0",
      clientSecret: Metadata.isConfidential(metadata) ? Redacted.make("") : undefined,
      createdAt: 0,
      modifiedAt: 0
    })
    const registered = Metadata.toMetadata(client)
    for (const name of Metadata.reservedNames) delete registered[name]
    const kept = Object.fromEntries(
      Object.entries(metadata as Record<string, unknown>).filter(([member]) => !Metadata.reservedNames.has(member))
    ) as Metadata.ClientMetadata
    trace.push({ rule: "storage", changes: Pipeline.changes(kept, registered as Metadata.ClientMetadata) })
    return { policy: name, registered, error: undefined, steps: trace }
  })
