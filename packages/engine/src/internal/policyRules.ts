/**
 * The built-in rules of a registration policy, made from its configuration (`PolicyRules`): values
 * set before the defaults (`default`, `force`), then checks of the effective metadata (`reject`, the
 * allow-lists, `maxRedirectUris`, `allowedRedirectHosts`). Each refusal is an RFC 7591 error naming
 * the member; a URI is never quoted.
 *
 * @internal
 */
import type { ClientMetadata, RegistrationErrorResponse } from "@effect-dcr/schema"
import { decodeClientMetadata, invalidClientMetadata, invalidRedirectUri } from "@effect-dcr/schema"
import * as Either from "effect/Either"
import { reservedNames } from "./metadata.js"

/** The configuration of one policy, as decoded by `RegistrationPolicy.PolicyRules`. @internal */
export interface PolicyRulesData {
  readonly default?: Readonly<Record<string, unknown>> | undefined
  readonly force?: Readonly<Record<string, unknown>> | undefined
  readonly reject?: Readonly<Record<string, true | ReadonlyArray<unknown>>> | undefined
  readonly allowedGrantTypes?: ReadonlyArray<string> | undefined
  readonly allowedResponseTypes?: ReadonlyArray<string> | undefined
  readonly allowedTokenEndpointAuthMethods?: ReadonlyArray<string> | undefined
  readonly allowedScopes?: ReadonlyArray<string> | undefined
  readonly maxRedirectUris?: number | undefined
  readonly allowedRedirectHosts?: ReadonlyArray<string> | undefined
}

/** A built-in rule: pure and synchronous. @internal */
export interface BuiltInRule {
  readonly name: string
  readonly stage: "request" | "registration"
  readonly apply: (metadata: ClientMetadata) => Either.Either<ClientMetadata, RegistrationErrorResponse>
}

/**
 * Why a `default` / `force` value set is not valid metadata, or `undefined`. `null` members
 * (removal, `force` only) are left out of the check.
 *
 * @internal
 */
export const metadataValuesProblem = (values: Readonly<Record<string, unknown>>): string | undefined => {
  const reserved = Object.keys(values).filter((name) => reservedNames.has(name))
  if (reserved.length > 0) return `${reserved.join(", ")}: set by the server, not by a policy`
  const present: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(values)) if (value !== null) present[name] = value
  const decoded = decodeClientMetadata(present)
  return Either.isLeft(decoded) ? decoded.left.error_description ?? "not valid client metadata" : undefined
}

/** The decoded values (`response_types` normalized, …) and the members `force` removes. */
const splitValues = (values: Readonly<Record<string, unknown>>) => {
  const present: Record<string, unknown> = {}
  const removed: Array<string> = []
  for (const [name, value] of Object.entries(values)) {
    if (value === null) removed.push(name)
    else present[name] = value
  }
  const decoded = Either.getOrElse(decodeClientMetadata(present), () => present) as Record<string, unknown>
  return { values: decoded, removed }
}

const copy = (metadata: ClientMetadata): Record<string, unknown> => Object.assign({}, metadata)

const refusal = (member: string, description: string): RegistrationErrorResponse =>
  member === "redirect_uris" ? invalidRedirectUri(description) : invalidClientMetadata(description)

const quoteList = (values: ReadonlyArray<string>): string => values.map((v) => JSON.stringify(v)).join(", ")

const sameJson = (a: unknown, b: unknown): boolean => a === b || JSON.stringify(a) === JSON.stringify(b)

/** Does a member's value hold one of the refused values (an array member: any element; `scope`: any token)? */
const holdsRefusedValue = (member: string, value: unknown, refused: ReadonlyArray<unknown>): boolean => {
  if (refused.some((r) => sameJson(value, r))) return true
  if (Array.isArray(value)) return value.some((v) => refused.some((r) => sameJson(v, r)))
  if (member === "scope" && typeof value === "string") return value.split(" ").some((s) => refused.includes(s))
  return false
}

/** `app.example.com` exactly, or `*.example.com`: any name under `example.com` (not the name itself). */
const hostMatches = (host: string, patterns: ReadonlyArray<string>): boolean =>
  patterns.some((pattern) =>
    pattern.startsWith("*.") ? host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1 : host === pattern
  )

/**
 * The host a redirect URI sends the user to: the URL's host name, or, for a private-use scheme in
 * reverse domain form (RFC 8252 §7.1), that domain (`com.example.app:/cb` → `app.example.com`).
 */
const redirectHost = (uri: string): string | undefined => {
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    return undefined
  }
  if (url.hostname !== "") return url.hostname.toLowerCase()
  const scheme = url.protocol.slice(0, -1).toLowerCase()
  return scheme.includes(".") ? scheme.split(".").reverse().join(".") : undefined
}

/**
 * The rules of one policy, in order; `label` prefixes their names (`default/force`, `partners/reject`).
 *
 * @internal
 */
export const builtInRules = (label: string, data: PolicyRulesData): ReadonlyArray<BuiltInRule> => {
  const rules: Array<BuiltInRule> = []
  const name = (rule: string) => `${label}/${rule}`

  if (data.default !== undefined) {
    const { values } = splitValues(data.default)
    rules.push({
      name: name("default"),
      stage: "request",
      apply: (metadata) => {
        const sent = metadata as Record<string, unknown>
        const missing = Object.keys(values).filter((member) => sent[member] === undefined)
        if (missing.length === 0) return Either.right(metadata)
        const out = copy(metadata)
        for (const member of missing) out[member] = values[member]
        return Either.right(out as ClientMetadata)
      }
    })
  }

  if (data.force !== undefined) {
    const { removed, values } = splitValues(data.force)
    rules.push({
      name: name("force"),
      stage: "request",
      apply: (metadata) => {
        const out = copy(metadata)
        for (const member of removed) delete out[member]
        for (const member of Object.keys(values)) out[member] = values[member]
        return Either.right(out as ClientMetadata)
      }
    })
  }

  if (data.reject !== undefined) {
    const entries = Object.entries(data.reject)
    rules.push({
      name: name("reject"),
      stage: "registration",
      apply: (metadata) => {
        const m = metadata as Record<string, unknown>
        for (const [member, refused] of entries) {
          const value = m[member]
          if (value === undefined) continue
          if (refused === true) {
            return Either.left(refusal(member, `${member}: not allowed by the registration policy`))
          }
          if (holdsRefusedValue(member, value, refused)) {
            return Either.left(refusal(member, `${member}: this value is not allowed by the registration policy`))
          }
        }
        return Either.right(metadata)
      }
    })
  }

  const allowList = (
    rule: string,
    member: "grant_types" | "response_types" | "token_endpoint_auth_method",
    allowed: ReadonlyArray<string> | undefined
  ) => {
    if (allowed === undefined) return
    const set = new Set(allowed)
    rules.push({
      name: name(rule),
      stage: "registration",
      apply: (metadata) => {
        const value = metadata[member]
        const values: ReadonlyArray<string> = value === undefined ? [] : typeof value === "string" ? [value] : value
        const denied = values.find((v) => !set.has(v))
        return denied === undefined ? Either.right(metadata) : Either.left(invalidClientMetadata(
          `${member}: ${JSON.stringify(denied)} is not allowed by the registration policy (allowed: ${
            allowed.length === 0 ? "none" : quoteList(allowed)
          })`
        ))
      }
    })
  }
  allowList("allowedGrantTypes", "grant_types", data.allowedGrantTypes)
  allowList("allowedResponseTypes", "response_types", data.allowedResponseTypes)
  allowList("allowedTokenEndpointAuthMethods", "token_endpoint_auth_method", data.allowedTokenEndpointAuthMethods)

  if (data.allowedScopes !== undefined) {
    const allowed = new Set(data.allowedScopes)
    rules.push({
      name: name("allowedScopes"),
      stage: "registration",
      apply: (metadata) => {
        if (metadata.scope === undefined || metadata.scope === "") return Either.right(metadata)
        const denied = metadata.scope.split(" ").find((s) => !allowed.has(s))
        return denied === undefined
          ? Either.right(metadata)
          : Either.left(
            invalidClientMetadata(`scope: ${JSON.stringify(denied)} is not allowed by the registration policy`)
          )
      }
    })
  }

  if (data.maxRedirectUris !== undefined) {
    const max = data.maxRedirectUris
    rules.push({
      name: name("maxRedirectUris"),
      stage: "registration",
      apply: (metadata) =>
        (metadata.redirect_uris?.length ?? 0) > max
          ? Either.left(invalidRedirectUri(`redirect_uris: at most ${max} redirect URIs are allowed`))
          : Either.right(metadata)
    })
  }

  if (data.allowedRedirectHosts !== undefined) {
    const patterns = data.allowedRedirectHosts.map((p) => p.toLowerCase())
    const check = (member: "redirect_uris" | "post_logout_redirect_uris", uris: ReadonlyArray<string> | undefined) => {
      if (uris === undefined) return undefined
      for (let i = 0; i < uris.length; i++) {
        const host = redirectHost(uris[i]!)
        if (host === undefined || !hostMatches(host, patterns)) {
          const description = `${member}[${i}]: the host is not allowed by the registration policy`
          return member === "redirect_uris" ? invalidRedirectUri(description) : invalidClientMetadata(description)
        }
      }
      return undefined
    }
    rules.push({
      name: name("allowedRedirectHosts"),
      stage: "registration",
      apply: (metadata) => {
        const refused = check("redirect_uris", metadata.redirect_uris) ??
          check("post_logout_redirect_uris", metadata.post_logout_redirect_uris)
        return refused === undefined ? Either.right(metadata) : Either.left(refused)
      }
    })
  }

  return rules
}
