/**
 * What a registration endpoint does with the metadata it receives: decode, apply the defaults,
 * check the cross-member rules; `parseClientMetadata` chains them and never throws.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { ClientAuthMethodMetadata, GrantTypeMetadata, ResponseTypeMetadata } from "./ClientEnums.js"
import type { ClientMetadata } from "./ClientMetadata.js"
import {
  clientMetadataNames,
  ExtensionMembers,
  LanguageTaggedMembers,
  NonNullClientMetadataFields
} from "./ClientMetadata.js"
import { collectProblems, describeValue, formatProblem, toAscii } from "./internal/issues.js"
import type { RegistrationErrorResponse } from "./RegistrationErrorResponse.js"
import { invalidClientMetadata, invalidRedirectUri, invalidSoftwareStatement } from "./RegistrationErrorResponse.js"
import type { UriRulesOptions } from "./UriRules.js"
import { checkUriRules } from "./UriRules.js"

/**
 * The deepest nesting of arrays/objects accepted in a metadata document. Deeper documents are
 * rejected (`invalid_client_metadata`) before decoding: `JSON.stringify` of a very deep value
 * overflows the stack, and no legitimate metadata comes close.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxMetadataDepth = 32

/**
 * The fast path: the same members without the `null` tolerance (whose schema transformation costs
 * about 3× the decoding), used after the structure pass has dropped the `null` members. It decodes
 * to exactly what {@link ClientMetadata} decodes to (a property test checks it).
 */
const FastClientMetadata: Schema.Schema<ClientMetadata, unknown> = Schema.Struct(
  NonNullClientMetadataFields,
  ...LanguageTaggedMembers,
  ExtensionMembers
) as Schema.Schema<ClientMetadata, any>

const decodeUnknown = ParseResult.decodeUnknownEither(FastClientMetadata, { errors: "all" })

/**
 * The same struct without the language-tagged index signatures. Their template-literal keys
 * (`client_name#…`) all contain `#`; on an input with no such key they match nothing, so this
 * decodes it to the same value and the same issues, without matching every key against five
 * patterns (about a third of the decode).
 */
const decodeUntagged = ParseResult.decodeUnknownEither(
  Schema.Struct(NonNullClientMetadataFields, ExtensionMembers) as unknown as Schema.Schema<ClientMetadata, unknown>,
  { errors: "all" }
)

/** Whether any enumerable key (own or inherited: a superset of what the signatures see) has a `#`. */
const mayHaveTaggedKeys = (input: object): boolean => {
  for (const key in input) if (key.includes("#")) return true
  return false
}

const knownNames: ReadonlySet<string> = new Set<string>(clientMetadataNames)

/**
 * Walks the document once (iteratively): returns a description of the first structural problem
 * (too deep, a `__proto__` member), or `undefined`.
 */
const checkStructure = (root: object): string | undefined => {
  const stack: Array<[unknown, number]> = []
  stack.push([root, 1])
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!
    if (depth > maxMetadataDepth) return `the client metadata is nested deeper than ${maxMetadataDepth} levels`
    if (Array.isArray(value)) {
      for (const item of value) if (typeof item === "object" && item !== null) stack.push([item, depth + 1])
    } else {
      const record = value as Record<string, unknown>
      if (Object.prototype.hasOwnProperty.call(record, "__proto__")) {
        return "\"__proto__\" is not allowed as a member name"
      }
      for (const key in record) {
        const item = record[key]
        if (typeof item === "object" && item !== null) stack.push([item, depth + 1])
      }
    }
  }
  return undefined
}

/** Drops the registered members whose value is `null` ("absent"); copies only when there is one. */
const withoutNullMembers = (input: Record<string, unknown>): Record<string, unknown> => {
  let out: Record<string, unknown> | undefined
  for (const key in input) {
    if (input[key] === null && knownNames.has(key)) {
      if (out === undefined) out = { ...input }
      delete out[key]
    }
  }
  return out ?? input
}

/**
 * Turns a decoding failure into the RFC 7591 error: `invalid_redirect_uri` when the first problem
 * is in `redirect_uris`, `invalid_software_statement` when it is in `software_statement`, else
 * `invalid_client_metadata`. The description lists up to five problems, `; `-separated, in ASCII
 * (RFC 7591 §3.2.2; other characters of echoed values are escaped as `\uXXXX`).
 *
 * @since 0.1.0
 * @category errors
 */
export const registrationErrorFromParseIssue = (issue: ParseResult.ParseIssue): RegistrationErrorResponse => {
  const problems = collectProblems(issue)
  const description = problems.length === 0
    ? "the client metadata is invalid"
    : toAscii(problems.map(formatProblem).join("; "))
  const first = problems[0]?.path[0]
  if (first === "redirect_uris") return invalidRedirectUri(description)
  if (first === "software_statement") return invalidSoftwareStatement(description)
  return invalidClientMetadata(description)
}

/**
 * Decodes an already-parsed JSON value as {@link ClientMetadata}. Never throws.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeClientMetadata = (input: unknown): Either.Either<ClientMetadata, RegistrationErrorResponse> => {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return Either.left(invalidClientMetadata(`the client metadata must be a JSON object (got ${describeValue(input)})`))
  }
  const structural = checkStructure(input)
  if (structural !== undefined) return Either.left(invalidClientMetadata(structural))
  const record = withoutNullMembers(input as Record<string, unknown>)
  const result = mayHaveTaggedKeys(record) ? decodeUnknown(record) : decodeUntagged(record)
  return Either.isRight(result) ? Either.right(result.right) : Either.left(registrationErrorFromParseIssue(result.left))
}

/**
 * Parses a JSON document (e.g. Authlete's `RegisterRequest.json`) and decodes it as
 * {@link ClientMetadata}. Never throws: bad JSON, a non-object, deep nesting, a wrong type or an
 * invalid value all give `Either.left` with `invalid_client_metadata` / `invalid_redirect_uri` /
 * `invalid_software_statement` and a description that names the member.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeClientMetadataJson = (json: string): Either.Either<ClientMetadata, RegistrationErrorResponse> => {
  let parsed: unknown
  try {
    parsed = JSON.parse(json)
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e)
    return Either.left(invalidClientMetadata(toAscii(`the client metadata is not valid JSON (${reason})`)))
  }
  return decodeClientMetadata(parsed)
}

// -------------------------------------------------------------------------------------------------
// grant types ⇔ response types
// -------------------------------------------------------------------------------------------------

const needsAuthorizationCode = (rt: string) => rt.split(" ").includes("code")
const needsImplicit = (rt: string) => {
  const parts = rt.split(" ")
  return parts.includes("token") || parts.includes("id_token")
}

/**
 * The effective `grant_types` and `response_types` of a registration, following RFC 7591 §2's
 * defaults while keeping the pair consistent (§2.1):
 *
 * - neither sent: `["authorization_code"]` and `["code"]`;
 * - only `response_types` sent: the grant types they need (`code` ⇒ `authorization_code`,
 *   `token`/`id_token` ⇒ `implicit`), or `["authorization_code"]` if they need none;
 * - only `grant_types` sent: `["code"]` if they include `authorization_code`, else `[]` (so that a
 *   `client_credentials`-only client is not given a response type it cannot use).
 *
 * @since 0.1.0
 * @category defaults
 */
export const effectiveFlowTypes = (
  metadata: {
    readonly grant_types?: ReadonlyArray<GrantTypeMetadata>
    readonly response_types?: ReadonlyArray<ResponseTypeMetadata>
  }
): {
  readonly grant_types: ReadonlyArray<GrantTypeMetadata>
  readonly response_types: ReadonlyArray<ResponseTypeMetadata>
} => {
  const { grant_types, response_types } = metadata
  if (grant_types !== undefined && response_types !== undefined) return { grant_types, response_types }
  if (grant_types === undefined && response_types === undefined) {
    return { grant_types: ["authorization_code"], response_types: ["code"] }
  }
  if (response_types !== undefined) {
    const derived: Array<GrantTypeMetadata> = []
    if (response_types.some(needsAuthorizationCode)) derived.push("authorization_code")
    if (response_types.some(needsImplicit)) derived.push("implicit")
    return { grant_types: derived.length === 0 ? ["authorization_code"] : derived, response_types }
  }
  return { grant_types: grant_types!, response_types: grant_types!.includes("authorization_code") ? ["code"] : [] }
}

// -------------------------------------------------------------------------------------------------
// defaults
// -------------------------------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category defaults
 */
export interface DefaultsOptions {
  /**
   * Also apply the OpenID Connect defaults Authlete is observed to echo for a minimal request
   * (reference §6): `id_token_signed_response_alg` `RS256` (OIDC Registration §2's default too) and
   * `subject_type` `public`. Default `true`.
   */
  readonly oidc?: boolean | undefined
}

/** The mutable view of the members the defaults write. */
type Writable = {
  -readonly [
    K in
      | "token_endpoint_auth_method"
      | "grant_types"
      | "response_types"
      | "id_token_signed_response_alg"
      | "subject_type"
      | "id_token_encrypted_response_enc"
      | "userinfo_encrypted_response_enc"
      | "request_object_encryption_enc"
      | "authorization_encrypted_response_enc"
  ]?: unknown
}

/**
 * Applies the defaults a server registers for omitted members, so that it can echo the effective
 * values (RFC 7591 §2, §3.2.1):
 *
 * - `token_endpoint_auth_method`: `client_secret_basic` (RFC 7591 §2);
 * - `grant_types` / `response_types`: see {@link effectiveFlowTypes};
 * - `*_encrypted_response_enc` / `request_object_encryption_enc`: `A128CBC-HS256` when the matching
 *   `_alg` is given (OIDC Registration §2, JARM §3);
 * - with `oidc` (default): `id_token_signed_response_alg` `RS256`, `subject_type` `public`.
 *
 * Members that are present are never changed. Returns a new object.
 *
 * @since 0.1.0
 * @category defaults
 */
export const applyClientMetadataDefaults = <M extends ClientMetadata>(metadata: M, options?: DefaultsOptions): M => {
  // `Object.assign` onto a fresh object, not a spread: V8 gives a spread copy a map that turns
  // adding the defaults below into about 1.5 µs of map transitions. The two copy the same own
  // members except `__proto__`, which `Object.assign` would set as the prototype: that (rare) case
  // keeps the spread.
  const out = (Object.prototype.hasOwnProperty.call(metadata, "__proto__")
    ? { ...metadata }
    : Object.assign({}, metadata)) as M & Writable
  if (out.token_endpoint_auth_method === undefined) {
    out.token_endpoint_auth_method = "client_secret_basic" satisfies ClientAuthMethodMetadata
  }
  const flows = effectiveFlowTypes(metadata)
  out.grant_types = flows.grant_types
  out.response_types = flows.response_types
  if (out.id_token_encrypted_response_alg !== undefined && out.id_token_encrypted_response_enc === undefined) {
    out.id_token_encrypted_response_enc = "A128CBC-HS256"
  }
  if (out.userinfo_encrypted_response_alg !== undefined && out.userinfo_encrypted_response_enc === undefined) {
    out.userinfo_encrypted_response_enc = "A128CBC-HS256"
  }
  if (out.request_object_encryption_alg !== undefined && out.request_object_encryption_enc === undefined) {
    out.request_object_encryption_enc = "A128CBC-HS256"
  }
  if (
    out.authorization_encrypted_response_alg !== undefined && out.authorization_encrypted_response_enc === undefined
  ) {
    out.authorization_encrypted_response_enc = "A128CBC-HS256"
  }
  if (options?.oidc !== false) {
    if (out.id_token_signed_response_alg === undefined) out.id_token_signed_response_alg = "RS256"
    if (out.subject_type === undefined) out.subject_type = "public"
  }
  return out
}

// -------------------------------------------------------------------------------------------------
// cross-member rules
// -------------------------------------------------------------------------------------------------

const quote = (s: string) => JSON.stringify(s)

const tlsSubjectMembers = [
  "tls_client_auth_subject_dn",
  "tls_client_auth_san_dns",
  "tls_client_auth_san_uri",
  "tls_client_auth_san_ip",
  "tls_client_auth_san_email"
] as const

const encPairs = [
  ["id_token_encrypted_response_alg", "id_token_encrypted_response_enc"],
  ["userinfo_encrypted_response_alg", "userinfo_encrypted_response_enc"],
  ["request_object_encryption_alg", "request_object_encryption_enc"],
  ["authorization_encrypted_response_alg", "authorization_encrypted_response_enc"]
] as const

/**
 * @since 0.1.0
 * @category validation
 */
export interface ValidateOptions {
  /**
   * Require at least one redirect URI when the (effective) grant types include
   * `authorization_code` or `implicit`. Default `true`.
   */
  readonly requireRedirectUris?: boolean | undefined
  /** The grant types were filled in by the defaults (only changes the wording of the error). */
  readonly grantTypesDefaulted?: boolean | undefined
  /**
   * Also check the URI rules of {@link checkUriRules} (schemes, `application_type`, `https`) with
   * these options. Default: not checked (Authlete checks redirect URIs at authorization time); the
   * embedded engine always checks them.
   */
  readonly uriRules?: UriRulesOptions | undefined
}

/**
 * Checks the rules that involve more than one member; returns the metadata unchanged or the first
 * violation as an RFC 7591 error:
 *
 * - `jwks` and `jwks_uri` both present → `invalid_client_metadata` (RFC 7591 §2);
 * - `response_types` needing a grant type missing from `grant_types` (`code` ⇒
 *   `authorization_code`, `token`/`id_token` ⇒ `implicit`), or a grant type with no response type
 *   using it → `invalid_client_metadata` (§2.1); omitted members count as their defaults (see
 *   {@link effectiveFlowTypes});
 * - `authorization_code` or `implicit` without any redirect URI → `invalid_redirect_uri`;
 * - an `*_enc` without its `*_alg` (OIDC Registration §2, JARM) → `invalid_client_metadata`;
 * - `token_endpoint_auth_signing_alg` `none` (OIDC Registration §2) → `invalid_client_metadata`;
 * - `tls_client_auth` without exactly one `tls_client_auth_*` subject member (RFC 8705 §2.1.2) →
 *   `invalid_client_metadata`;
 * - the CIBA grant without `backchannel_token_delivery_mode`, or `ping`/`push` without
 *   `backchannel_client_notification_endpoint` (CIBA §4) → `invalid_client_metadata`;
 * - with `uriRules`, the URI rules of {@link checkUriRules} → `invalid_redirect_uri` /
 *   `invalid_client_metadata`.
 *
 * Public clients (`token_endpoint_auth_method` `none`) with loopback `http` redirect URIs
 * (`http://localhost:<port>/callback`, `http://127.0.0.1:<port>/callback`, as MCP clients send)
 * pass: nothing here restricts them.
 *
 * @since 0.1.0
 * @category validation
 */
export const validateClientMetadata = <M extends ClientMetadata>(
  metadata: M,
  options?: ValidateOptions
): Either.Either<M, RegistrationErrorResponse> => {
  if (metadata.jwks !== undefined && metadata.jwks_uri !== undefined) {
    return Either.left(
      invalidClientMetadata(
        "jwks and jwks_uri must not both be present (RFC 7591 section 2): send the keys one way only"
      )
    )
  }
  const { grant_types, response_types } = effectiveFlowTypes(metadata)
  for (const rt of response_types) {
    if (needsAuthorizationCode(rt) && !grant_types.includes("authorization_code")) {
      return Either.left(invalidClientMetadata(
        `response_types contains ${quote(rt)}, which needs grant_types to include "authorization_code"`
      ))
    }
    if (needsImplicit(rt) && !grant_types.includes("implicit")) {
      return Either.left(invalidClientMetadata(
        `response_types contains ${quote(rt)}, which needs grant_types to include "implicit"`
      ))
    }
  }
  if (grant_types.includes("authorization_code") && !response_types.some(needsAuthorizationCode)) {
    return Either.left(invalidClientMetadata(
      "grant_types contains \"authorization_code\", so response_types must contain a response type with \"code\""
    ))
  }
  if (grant_types.includes("implicit") && !response_types.some(needsImplicit)) {
    return Either.left(invalidClientMetadata(
      "grant_types contains \"implicit\", so response_types must contain a response type with \"token\" or \"id_token\""
    ))
  }
  const redirectGrant = grant_types.find((g) => g === "authorization_code" || g === "implicit")
  if (
    redirectGrant !== undefined && options?.requireRedirectUris !== false &&
    (metadata.redirect_uris === undefined || metadata.redirect_uris.length === 0)
  ) {
    const defaulted = options?.grantTypesDefaulted ?? metadata.grant_types === undefined
    return Either.left(invalidRedirectUri(
      `redirect_uris must contain at least one redirection URI when grant_types includes ${quote(redirectGrant)}${
        defaulted ? " (the default)" : ""
      }`
    ))
  }
  for (const [alg, enc] of encPairs) {
    if (metadata[enc] !== undefined && metadata[alg] === undefined) {
      return Either.left(invalidClientMetadata(`${enc} is present, so ${alg} must be present too`))
    }
  }
  if (metadata.token_endpoint_auth_signing_alg === "none") {
    return Either.left(invalidClientMetadata("token_endpoint_auth_signing_alg must not be \"none\""))
  }
  if (metadata.token_endpoint_auth_method === "tls_client_auth") {
    const present = tlsSubjectMembers.filter((m) => metadata[m] !== undefined)
    if (present.length !== 1) {
      return Either.left(invalidClientMetadata(
        `token_endpoint_auth_method "tls_client_auth" needs exactly one of ${tlsSubjectMembers.join(", ")} (got ${
          present.length === 0 ? "none" : present.join(", ")
        })`
      ))
    }
  }
  if (options?.uriRules !== undefined) {
    const checked = checkUriRules(metadata, options.uriRules)
    if (Either.isLeft(checked)) return checked
  }
  if (grant_types.includes("urn:openid:params:grant-type:ciba")) {
    const mode = metadata.backchannel_token_delivery_mode
    if (mode === undefined) {
      return Either.left(invalidClientMetadata(
        "backchannel_token_delivery_mode is required when grant_types includes \"urn:openid:params:grant-type:ciba\""
      ))
    }
    if ((mode === "ping" || mode === "push") && metadata.backchannel_client_notification_endpoint === undefined) {
      return Either.left(invalidClientMetadata(
        `backchannel_client_notification_endpoint is required when backchannel_token_delivery_mode is ${quote(mode)}`
      ))
    }
  }
  return Either.right(metadata)
}

/**
 * @since 0.1.0
 * @category decoding
 */
export interface ParseClientMetadataOptions extends DefaultsOptions {
  /** Apply {@link applyClientMetadataDefaults} before the cross-member rules. Default `true`. */
  readonly applyDefaults?: boolean | undefined
  /**
   * When the client sent neither `grant_types` nor `response_types`, still require redirect URIs
   * for the default `authorization_code` grant. Default `true` (RFC 7591 §2 / OIDC Registration:
   * a client of the code flow registers its redirect URIs; oidc-provider behaves so). `false`
   * behaves like Authlete, whose own documented examples register and update a client with only
   * `client_name` and no redirect URI (reference §6): the client can not use the code flow until it
   * registers one. Redirect URIs stay required when the client asks for `authorization_code` or
   * `implicit` (or a response type needing them) explicitly.
   */
  readonly requireRedirectUrisForDefaultGrant?: boolean | undefined
  /** See {@link ValidateOptions.uriRules}. Default: not checked. */
  readonly uriRules?: UriRulesOptions | undefined
}

/**
 * The whole pipeline of a registration (or RFC 7592 update) body: {@link decodeClientMetadataJson},
 * then {@link applyClientMetadataDefaults} (unless `applyDefaults: false`), then
 * {@link validateClientMetadata}. Pure and synchronous; never throws.
 *
 * @since 0.1.0
 * @category decoding
 */
export const parseClientMetadata = (
  json: string,
  options?: ParseClientMetadataOptions
): Either.Either<ClientMetadata, RegistrationErrorResponse> => {
  const decoded = decodeClientMetadataJson(json)
  if (Either.isLeft(decoded)) return decoded
  const sent = decoded.right
  const effective = options?.applyDefaults === false ? sent : applyClientMetadataDefaults(sent, options)
  const flowsDefaulted = sent.grant_types === undefined && sent.response_types === undefined
  return validateClientMetadata(effective, {
    requireRedirectUris: !flowsDefaulted || options?.requireRedirectUrisForDefaultGrant !== false,
    grantTypesDefaulted: sent.grant_types === undefined,
    uriRules: options?.uriRules
  })
}
