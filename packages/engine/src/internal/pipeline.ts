/**
 * The registration pipeline, shared by register, update and explain: decode the metadata as sent,
 * the policy's `request` rules, the RFC 7591 defaults and the cross-member rules, the policy's
 * `registration` rules (the URI rules first); when those changed anything, the cross-member and URI
 * rules once more on the result. Synchronous (an `Either`) while every rule is; with a trace, each
 * step records what it changed or refused.
 *
 * @internal
 */
import type { ClientMetadata, RegistrationErrorResponse, UriRulesOptions } from "@effect-dcr/schema"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type { Rule, RuleContext } from "../RegistrationPolicy.js"
import * as Metadata from "./metadata.js"

/** @internal */
export interface Options {
  /** See `Engine.Options.requireRedirectUrisForDefaultGrant`. */
  readonly requireRedirectUrisForDefaultGrant: boolean
  readonly uriRules: UriRulesOptions
}

/** One member a step changed: `from` absent means added, `to` absent means removed. @internal */
export interface Change {
  readonly member: string
  readonly from?: unknown
  readonly to?: unknown
}

/** What one step of the pipeline did. @internal */
export type Step =
  | { readonly rule: string; readonly changes: ReadonlyArray<Change> }
  | { readonly rule: string; readonly refused: RegistrationErrorResponse }

/** Step names of the pipeline's own steps. @internal */
export const steps = { decode: "decode", defaults: "defaults", validation: "validation" } as const

type Outcome = Effect.Effect<ClientMetadata, RegistrationErrorResponse>

/** Did the pipeline answer synchronously (every rule answered an `Either`)? @internal */
export const isSync = (outcome: Outcome): outcome is Either.Either<ClientMetadata, RegistrationErrorResponse> =>
  Either.isEither(outcome)

const same = (a: unknown, b: unknown): boolean => a === b || JSON.stringify(a) === JSON.stringify(b)

/** The members that differ between two metadata objects. @internal */
export const changes = (before: ClientMetadata, after: ClientMetadata): Array<Change> => {
  if (before === after) return []
  const b = before as Record<string, unknown>
  const a = after as Record<string, unknown>
  const out: Array<Change> = []
  for (const member of Object.keys(b)) {
    if (!(member in a) || a[member] === undefined) out.push({ member, from: b[member] })
    else if (!same(b[member], a[member])) out.push({ member, from: b[member], to: a[member] })
  }
  for (const member of Object.keys(a)) {
    if (a[member] !== undefined && (!(member in b) || b[member] === undefined)) out.push({ member, to: a[member] })
  }
  return out
}

const stagesCache = new WeakMap<ReadonlyArray<Rule>, { request: Array<Rule>; registration: Array<Rule> }>()

const stagesOf = (rules: ReadonlyArray<Rule>) => {
  let split = stagesCache.get(rules)
  if (split === undefined) {
    split = {
      request: rules.filter((r) => r.stage === "request"),
      registration: rules.filter((r) => r.stage === "registration")
    }
    stagesCache.set(rules, split)
  }
  return split
}

/**
 * Runs `rules[from…]` on `metadata`, then `next` on the result; synchronously while the rules
 * answer `Either`s, switching to `Effect.flatMap` at the first rule that does not.
 */
const runRules = (
  rules: ReadonlyArray<Rule>,
  from: number,
  metadata: ClientMetadata,
  context: RuleContext,
  trace: Array<Step> | undefined,
  next: (metadata: ClientMetadata) => Outcome
): Outcome => {
  let current = metadata
  for (let i = from; i < rules.length; i++) {
    const rule = rules[i]!
    const result = rule.apply(current, context)
    if (isSync(result)) {
      if (Either.isLeft(result)) {
        trace?.push({ rule: rule.name, refused: result.left })
        return result
      }
      trace?.push({ rule: rule.name, changes: changes(current, result.right) })
      current = result.right
      continue
    }
    const before = current
    return Effect.matchEffect(result, {
      onFailure: (error) => {
        trace?.push({ rule: rule.name, refused: error })
        return Effect.fail(error)
      },
      onSuccess: (after) => {
        trace?.push({ rule: rule.name, changes: changes(before, after) })
        return runRules(rules, i + 1, after, context, trace, next)
      }
    })
  }
  return next(current)
}

const refuse = (
  trace: Array<Step> | undefined,
  rule: string,
  result: Either.Either<ClientMetadata, RegistrationErrorResponse>
) => {
  if (trace !== undefined && Either.isLeft(result)) trace.push({ rule, refused: result.left })
  return result
}

/**
 * The metadata to store for a request's JSON under `rules`, or the RFC 7591 error refusing it. An
 * `Either` when every rule answered one.
 *
 * @internal
 */
export const run = (
  json: string,
  rules: ReadonlyArray<Rule>,
  options: Options,
  context: RuleContext,
  trace?: Array<Step> | undefined
): Outcome => {
  const decoded = Metadata.decodeJson(json)
  return Either.isLeft(decoded)
    ? refuse(trace, steps.decode, decoded)
    : runDecoded(decoded.right, rules, options, context, trace)
}

/**
 * {@link run} on metadata already decoded (`Metadata.decodeJson`).
 *
 * @internal
 */
export const runDecoded = (
  decoded: ClientMetadata,
  rules: ReadonlyArray<Rule>,
  options: Options,
  context: RuleContext,
  trace?: Array<Step> | undefined
): Outcome => {
  const { registration, request } = stagesOf(rules)
  return runRules(request, 0, decoded, context, trace, (sent) => {
    const flowsDefaulted = sent.grant_types === undefined && sent.response_types === undefined
    const validateOptions = {
      requireRedirectUris: !flowsDefaulted || options.requireRedirectUrisForDefaultGrant,
      grantTypesDefaulted: sent.grant_types === undefined
    }
    const effective = Metadata.applyDefaults(sent)
    trace?.push({ rule: steps.defaults, changes: changes(sent, effective) })
    const valid = Metadata.validate(effective, validateOptions)
    if (Either.isLeft(valid)) return refuse(trace, steps.validation, valid)
    return runRules(registration, 0, effective, context, trace, (result) =>
      result === effective
        ? Either.right(result)
        : refuse(
          trace,
          steps.validation,
          Metadata.validate(result, { ...validateOptions, uriRules: options.uriRules })
        ))
  })
}
