/**
 * The registration policy the engine consults on every registration and update: the URI rules
 * (schema's `checkUriRules`, always first), then the default policy, then the named policy an
 * initial access token carries. A policy is built-in rules configured as data (`DCR_POLICY`,
 * `DCR_POLICIES`) plus custom rules as Effects (`withRule`). Rules: the README's "Registration
 * policy".
 *
 * @since 0.1.0
 */
import type { ClientMetadata, RegistrationErrorResponse, UriRulesOptions } from "@effect-dcr/schema"
import { checkUriRules, ClientAuthMethod, GrantType, NonNegativeInt, ResponseType } from "@effect-dcr/schema"
import type * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as BuiltIn from "./internal/policyRules.js"
import * as JsonSetting from "./JsonSetting.js"

// -------------------------------------------------------------------------------------------------
// rules
// -------------------------------------------------------------------------------------------------

/**
 * What a rule knows about the request besides the metadata.
 *
 * @since 0.1.0
 * @category models
 */
export interface RuleContext {
  readonly operation: "register" | "update"
  /** The named policy in force (the one the initial access token carries), or `undefined`. */
  readonly policy: string | undefined
}

/**
 * When a rule runs: `request` on the metadata as sent (before the RFC 7591 defaults, so a value it
 * sets counts as sent); `registration` on the metadata with the defaults applied and the
 * cross-member rules checked (what would be registered).
 *
 * @since 0.1.0
 * @category models
 */
export type Stage = "request" | "registration"

/**
 * A rule: the metadata in, the metadata to go on with (unchanged, or a new object: never mutate the
 * input) or an RFC 7591 error that refuses the request (`invalid_client_metadata`,
 * `invalid_redirect_uri`, … from `@effect-dcr/schema`). Whatever a rule returns is checked again
 * (cross-member rules and URI rules) before it is stored.
 *
 * @since 0.1.0
 * @category models
 */
export interface Rule<R = never> {
  readonly name: string
  readonly stage: Stage
  readonly apply: (
    metadata: ClientMetadata,
    context: RuleContext
  ) => Effect.Effect<ClientMetadata, RegistrationErrorResponse, R>
}

/**
 * The name of the first rule of every pipeline: schema's `checkUriRules`.
 *
 * @since 0.1.0
 * @category constants
 */
export const uriRulesName = "uri-rules"

// -------------------------------------------------------------------------------------------------
// configuration
// -------------------------------------------------------------------------------------------------

const valuesProblem = (removal: boolean) => (values: Readonly<Record<string, unknown>>): string | undefined => {
  if (!removal && Object.values(values).some((v) => v === null)) {
    return "null (removal) is only meaningful in force"
  }
  return BuiltIn.metadataValuesProblem(values)
}

const MetadataValues = (removal: boolean) =>
  Schema.Record({ key: Schema.String, value: Schema.Unknown }).pipe(Schema.filter(valuesProblem(removal)))

const scopeTokenPattern = /^[\x21\x23-\x5B\x5D-\x7E]+$/

const hostPattern = /^(?:\*\.)?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*$|^\[[0-9A-Fa-f:.]+\]$/

/**
 * One policy's built-in rules, as configured (JSON): every member optional, no other member.
 *
 * - `default`: metadata set when the client did not send the member (before the RFC 7591 defaults);
 * - `force`: metadata always set (`null` removes the member);
 * - `reject`: per member, `true` (refused when present) or the refused values (for an array member,
 *   any element; for `scope`, any scope value);
 * - `allowedGrantTypes`, `allowedResponseTypes`, `allowedTokenEndpointAuthMethods`, `allowedScopes`:
 *   the effective values must be among these;
 * - `maxRedirectUris`: at most this many redirect URIs;
 * - `allowedRedirectHosts`: the hosts redirect URIs (and post-logout redirect URIs) may point at:
 *   `app.example.com`, `*.example.com` (names under it), `127.0.0.1`, `[::1]`; a private-use scheme
 *   counts as its domain (`com.example.app:` is `app.example.com`).
 *
 * `default` and `force` values must be valid client metadata; credentials and server-assigned
 * members (`client_id`, `client_secret`, …) can not be set.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PolicyRules = Schema.Struct({
  default: Schema.optional(MetadataValues(false)),
  force: Schema.optional(MetadataValues(true)),
  reject: Schema.optional(Schema.Record({
    key: Schema.String.pipe(Schema.minLength(1)),
    value: Schema.Union(Schema.Literal(true), Schema.Array(Schema.Unknown))
  })),
  allowedGrantTypes: Schema.optional(Schema.Array(GrantType.metadata)),
  allowedResponseTypes: Schema.optional(Schema.Array(ResponseType.metadataNormalized)),
  allowedTokenEndpointAuthMethods: Schema.optional(Schema.Array(ClientAuthMethod.metadata)),
  allowedScopes: Schema.optional(Schema.Array(Schema.String.pipe(Schema.pattern(scopeTokenPattern)))),
  maxRedirectUris: Schema.optional(NonNegativeInt),
  allowedRedirectHosts: Schema.optional(Schema.Array(Schema.String.pipe(Schema.pattern(hostPattern))))
}).annotations({ identifier: "PolicyRules" })

/**
 * @since 0.1.0
 * @category models
 */
export interface PolicyRules extends Schema.Schema.Type<typeof PolicyRules> {}

/**
 * A policy name: 1–64 letters, digits, `.`, `_`, `-`, starting with a letter or digit; `default`
 * is the default policy's and can not be used.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PolicyName = Schema.String.pipe(
  Schema.pattern(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/),
  Schema.filter((name) => name === "default" ? "\"default\" is the default policy's name" : undefined)
).annotations({ identifier: "PolicyName" })

/**
 * The whole configuration of the built-in rules.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Settings = Schema.Struct({
  /** See `UriRulesOptions.allowLoopbackHttp` (default `true`). */
  allowLoopbackHttp: Schema.optional(Schema.Boolean),
  /** The default policy: applies to every registration and update. */
  policy: Schema.optional(PolicyRules),
  /** The named policies, which an initial access token can carry. */
  policies: Schema.optional(Schema.Record({ key: PolicyName, value: PolicyRules }))
}).annotations({ identifier: "RegistrationPolicySettings" })

/**
 * @since 0.1.0
 * @category models
 */
export interface Settings extends Schema.Schema.Type<typeof Settings> {}

const decodeStrict = <A, I>(schema: Schema.Schema<A, I>) =>
  Schema.decodeUnknownEither(schema, { errors: "all", onExcessProperty: "error" })

// -------------------------------------------------------------------------------------------------
// the service
// -------------------------------------------------------------------------------------------------

/**
 * A custom rule and the policy it belongs to (`undefined`: the default policy).
 *
 * @since 0.1.0
 * @category models
 */
export interface CustomRule {
  readonly policy: string | undefined
  readonly rule: Rule
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The configuration of the built-in rules. */
  readonly settings: Settings
  /** The custom rules, in the order they were added. */
  readonly custom: ReadonlyArray<CustomRule>
  /** The URI rules' options (from `settings`). */
  readonly uriRules: UriRulesOptions
  /** The named policies (configured or holding a custom rule). */
  readonly policies: ReadonlyArray<string>
  /** Is there a named policy called `name`? (`iat create --policy name` checks it.) */
  readonly has: (name: string) => boolean
  /**
   * The rules of a request under the named policy `policy` (`undefined`: none), in order: the URI
   * rules, the default policy's rules, the named policy's rules; `undefined` for an unknown name.
   * Rule names are qualified: `uri-rules`, `default/force`, `partners/allowedGrantTypes`,
   * `partners/<custom rule name>`.
   */
  readonly rules: (policy: string | undefined) => ReadonlyArray<Rule> | undefined
}

const qualify = (label: string, rule: Rule): Rule => ({ ...rule, name: `${label}/${rule.name}` })

/** The service for already-decoded settings. */
const build = (settings: Settings, custom: ReadonlyArray<CustomRule>): Service => {
  const uriRules: UriRulesOptions = { allowLoopbackHttp: settings.allowLoopbackHttp !== false }
  const uriRule: Rule = {
    name: uriRulesName,
    stage: "registration",
    apply: (metadata) => checkUriRules(metadata, uriRules)
  }
  const policyRules = (label: string, data: PolicyRules | undefined, name: string | undefined): Array<Rule> => [
    ...(data === undefined ? [] : BuiltIn.builtInRules(label, data)),
    ...custom.filter((c) => c.policy === name).map((c) => qualify(label, c.rule))
  ]
  const base: ReadonlyArray<Rule> = [uriRule, ...policyRules("default", settings.policy, undefined)]
  const configured = settings.policies ?? {}
  const names = [
    ...new Set([...Object.keys(configured), ...custom.flatMap((c) => c.policy === undefined ? [] : [c.policy])])
  ]
  const named = new Map(names.map((name) => [name, [...base, ...policyRules(name, configured[name], name)]] as const))
  return {
    settings,
    custom,
    uriRules,
    policies: names,
    has: (name) => named.has(name),
    rules: (policy) => policy === undefined ? base : named.get(policy)
  }
}

/**
 * The service for `settings`, checked with the `Settings` schema (no unknown member), with no
 * custom rule.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (settings: unknown): Effect.Effect<Service, ParseResult.ParseError> =>
  Effect.map(decodeStrict(Settings)(settings), (decoded) => build(decoded, []))

/**
 * `service` with the members of `settings` that are set in place of its own (the others kept),
 * checked with the `Settings` schema; its custom rules are kept. The engine builds its policy so:
 * the one in context, configured by the engine's options.
 *
 * @since 0.1.0
 * @category constructors
 */
export const configure = (
  service: Service,
  settings: typeof Settings.Encoded
): Effect.Effect<Service, ParseResult.ParseError> => {
  const merged: Record<string, unknown> = { ...service.settings }
  for (const [key, value] of Object.entries(settings)) if (value !== undefined) merged[key] = value
  return Effect.map(decodeStrict(Settings)(merged), (decoded) => build(decoded, service.custom))
}

/**
 * The policy the engine consults: the engine's options (`allowLoopbackHttp`, `registrationPolicy`,
 * `registrationPolicies`) configure the one in context. Without one in context: no custom rule.
 *
 * @since 0.1.0
 * @category tags
 */
export class RegistrationPolicy extends Context.Reference<RegistrationPolicy>()(
  "@effect-dcr/engine/RegistrationPolicy",
  { defaultValue: (): Service => build({}, []) }
) {}

/**
 * Adds a custom rule to the policy in context (to the named policy `policy`, creating it if
 * needed); its requirements come from the layer's context. Provide it to the engine:
 * `Engine.layer(options).pipe(Layer.provide(RegistrationPolicy.withRule(rule)))`; several rules are
 * layers provided one to the next, and run in the order they were added.
 *
 * @example
 * ```ts
 * import { Engine, RegistrationPolicy } from "@effect-dcr/engine"
 * import { invalidClientMetadata } from "@effect-dcr/schema"
 * import { Effect, Layer } from "effect"
 *
 * const NoAcme = RegistrationPolicy.withRule({
 *   name: "no-acme",
 *   stage: "registration",
 *   apply: (metadata) =>
 *     metadata.client_name?.includes("ACME") === true
 *       ? Effect.fail(invalidClientMetadata("client_name: not allowed here"))
 *       : Effect.succeed(metadata)
 * })
 * const DcrLive = Engine.layerSqlite({
 *   filename: "./dcr.sqlite",
 *   registrationEndpoint: "https://as.example.com/register",
 *   registrationPolicy: { allowedGrantTypes: ["authorization_code", "refresh_token"], maxRedirectUris: 5 }
 * }).pipe(Layer.provide(NoAcme))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const withRule = <R>(
  rule: Rule<R>,
  options?: { readonly policy?: string | undefined }
): Layer.Layer<RegistrationPolicy, never, R> =>
  Layer.effect(
    RegistrationPolicy,
    Effect.gen(function*() {
      const current = yield* RegistrationPolicy
      const context = yield* Effect.context<R>()
      const provided: Rule = { ...rule, apply: (metadata, ctx) => Effect.provide(rule.apply(metadata, ctx), context) }
      return build(current.settings, [...current.custom, { policy: options?.policy, rule: provided }])
    })
  )

/** Reads a JSON setting (`JsonSetting`) holding what `schema` decodes. */
const jsonSetting = <A, I>(name: string, schema: Schema.Schema<A, I>): Config.Config<A> =>
  JsonSetting.config(name, (json) =>
    Either.mapLeft(
      decodeStrict(schema)(json),
      (error) => `not a valid registration policy: ${ParseResult.TreeFormatter.formatErrorSync(error)}`
    ))

/**
 * The default policy from a variable (`DCR_POLICY`): `PolicyRules` as JSON, or `@path` to a JSON
 * file. A value that is not valid is a `ConfigError` naming the variable.
 *
 * @since 0.1.0
 * @category config
 */
export const policyConfig = (name: string = "DCR_POLICY"): Config.Config<PolicyRules> => jsonSetting(name, PolicyRules)

/**
 * The named policies from a variable (`DCR_POLICIES`): a JSON object of name → `PolicyRules`, or
 * `@path` to a JSON file. A value that is not valid is a `ConfigError` naming the variable.
 *
 * @since 0.1.0
 * @category config
 */
export const policiesConfig = (
  name: string = "DCR_POLICIES"
): Config.Config<{ readonly [name: string]: PolicyRules }> =>
  jsonSetting(name, Schema.Record({ key: PolicyName, value: PolicyRules }))
