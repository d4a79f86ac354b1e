/**
 * RFC 7591 §2 / OpenID Connect Registration §2 client metadata (snake_case), as a client sends it
 * and a server echoes it; unknown members are kept, `null` reads as absent. Rules: the package README.
 *
 * @since 0.1.0
 */
import type { LazyArbitrary } from "effect/Arbitrary"
import * as Schema from "effect/Schema"
import {
  ApplicationType,
  ClientAuthMethod,
  ClientRegistrationType,
  DeliveryMode,
  GrantType,
  JweAlg,
  JweEnc,
  JwsAlg,
  ResponseMode,
  ResponseType,
  SubjectType
} from "./ClientEnums.js"
import { ExpectedId, NoEchoId } from "./internal/issues.js"
import { AnyJson } from "./internal/json.js"
import { checkAbsoluteUri, checkHttpsUrl, checkRedirectUri, hasLoneSurrogate } from "./internal/uri.js"

// -------------------------------------------------------------------------------------------------
// building blocks
// -------------------------------------------------------------------------------------------------

const loneSurrogate = "must not contain a lone UTF-16 surrogate"

/**
 * A metadata string: any string that is well-formed UTF-16 (no lone surrogate, which could not be
 * stored as UTF-8 or echoed back faithfully).
 *
 * @since 0.1.0
 * @category schemas
 */
export const MetadataString = Schema.String.pipe(
  Schema.filter((s) => hasLoneSurrogate(s) ? loneSurrogate : undefined)
).annotations({ identifier: "MetadataString", [ExpectedId]: "a string" })

/** The fast-check module handed to arbitrary annotations. */
type FC = Parameters<LazyArbitrary<unknown>>[0]

const hostArbitrary = (fc: FC) => fc.oneof(fc.domain(), fc.constantFrom("localhost", "127.0.0.1", "[::1]"))

const pathArbitrary = (fc: FC) =>
  fc.array(fc.webSegment(), { maxLength: 3 }).map((segments) => segments.map((s) => `/${s}`).join(""))

const httpUrlArbitrary = (fc: FC, schemes: ReadonlyArray<string>) =>
  fc.tuple(
    fc.constantFrom(...schemes),
    hostArbitrary(fc),
    fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
    pathArbitrary(fc)
  ).map(([scheme, host, port, path]) => `${scheme}://${host}${port === undefined ? "" : `:${port}`}${path}`)

/**
 * An absolute URI (RFC 3986 §4.3), checked with the WHATWG `URL` parser; any scheme.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AbsoluteUri = Schema.String.pipe(Schema.filter(checkAbsoluteUri)).annotations({
  identifier: "AbsoluteUri",
  description: "An absolute URI",
  jsonSchema: { format: "uri" },
  [ExpectedId]: "an absolute URI (a string)",
  [NoEchoId]: true,
  arbitrary: () => (fc) => httpUrlArbitrary(fc, ["https", "http"])
})

/**
 * An absolute `https` URL.
 *
 * @since 0.1.0
 * @category schemas
 */
export const HttpsUrl = Schema.String.pipe(Schema.filter(checkHttpsUrl)).annotations({
  identifier: "HttpsUrl",
  description: "An absolute https URL",
  jsonSchema: { format: "uri", pattern: "^[Hh][Tt][Tt][Pp][Ss]://" },
  [ExpectedId]: "an https URL (a string)",
  [NoEchoId]: true,
  arbitrary: () => (fc) => httpUrlArbitrary(fc, ["https"])
})

/**
 * A redirection URI (RFC 7591 §2, RFC 6749 §3.1.2): absolute, no fragment, printable ASCII, at most
 * 2000 characters. Loopback `http` URIs with any port (`http://localhost:3000/callback`,
 * `http://127.0.0.1:49152/callback`, as MCP and native clients register) and private-use schemes
 * (`com.example.app:/callback`) are valid.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RedirectUri = Schema.String.pipe(Schema.filter(checkRedirectUri)).annotations({
  identifier: "RedirectUri",
  description: "A redirection URI: absolute, no fragment, printable ASCII, at most 2000 characters",
  jsonSchema: { format: "uri", pattern: "^[A-Za-z][A-Za-z0-9+.-]*:[^#]*$", maxLength: 2000 },
  [ExpectedId]: "an absolute URI without a fragment (a string)",
  [NoEchoId]: true,
  arbitrary: () => (fc) =>
    fc.oneof(
      httpUrlArbitrary(fc, ["https", "http"]),
      pathArbitrary(fc).map((path) => `com.example.app:/callback${path}`)
    )
})

const scopePattern = /^(?:[\x21\x23-\x5B\x5D-\x7E]+(?: [\x21\x23-\x5B\x5D-\x7E]+)*)?$/

/**
 * `scope`: space-separated scope tokens (RFC 6749 §3.3: printable ASCII except `"` and `\`, one
 * space between tokens). The empty string (an empty list, which some clients send) is accepted.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ScopeString = Schema.String.pipe(
  Schema.filter((s) =>
    scopePattern.test(s)
      ? undefined
      : "must be scope values separated by single spaces, each made of printable ASCII characters other than '\"' and '\\'"
  )
).annotations({
  identifier: "ScopeString",
  description: "Space-separated scope values (RFC 6749 section 3.3)",
  jsonSchema: { pattern: scopePattern.source },
  [ExpectedId]: "a string of space-separated scope values",
  arbitrary: () => (fc) =>
    fc.array(fc.stringMatching(/^[a-z][a-z0-9:._-]{0,15}$/), { minLength: 1, maxLength: 4 }).map((a) => a.join(" "))
})

/**
 * A non-negative safe integer (seconds, counts).
 *
 * @since 0.1.0
 * @category schemas
 */
export const NonNegativeInt = Schema.Number.pipe(
  Schema.filter((n) => Number.isSafeInteger(n) && n >= 0 ? undefined : "must be a non-negative integer")
).annotations({
  identifier: "NonNegativeInt",
  jsonSchema: { type: "integer", minimum: 0 },
  [ExpectedId]: "a non-negative integer",
  arbitrary: () => (fc) => fc.integer({ min: 0, max: 2_000_000_000 })
})

const compactJwsPattern = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/

/**
 * `software_statement`: a JWT in compact serialization (RFC 7591 §2.3). Only the shape is checked
 * here; signature verification is a server policy.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SoftwareStatement = Schema.String.pipe(
  Schema.filter((s) =>
    compactJwsPattern.test(s) ? undefined : "must be a JWT in compact serialization (header.payload.signature)"
  )
).annotations({
  identifier: "SoftwareStatement",
  description: "A JWT in compact serialization (RFC 7591 section 2.3)",
  jsonSchema: { pattern: compactJwsPattern.source },
  [ExpectedId]: "a JWT (a string)",
  arbitrary: () => (fc) =>
    fc.tuple(fc.base64String(), fc.base64String(), fc.base64String()).map((parts) =>
      parts.map((p) => p.replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_") || "e30").join(".")
    )
})

/**
 * Arbitrary JSON values for unknown members. A member named `__proto__` is left out at every depth:
 * `decodeClientMetadata` rejects it (see `ClientMetadataValidation`), so generated metadata that
 * held one would not be valid metadata.
 */
const jsonValueArbitrary = (fc: FC) =>
  fc.jsonValue({ maxDepth: 2 }).map((v) =>
    JSON.parse(JSON.stringify(v), (key, value) => key === "__proto__" ? undefined : value) as unknown
  )

/** Members that carry private or symmetric key material (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2). */
const privateKeyMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] as const

/**
 * One JSON Web Key (RFC 7517 §4): an object with a `kty`; its other members are kept as they are.
 * Private and symmetric key material (`d`, `p`, `q`, `dp`, `dq`, `qi`, `oth`, `k`) is rejected: a
 * client registers its public keys (RFC 7591 §2 `jwks`), and a leaked private key must not be stored.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Jwk = Schema.Struct(
  { kty: MetadataString.pipe(Schema.minLength(1, { message: () => "must be a non-empty string" })) },
  Schema.Record({ key: Schema.String, value: AnyJson })
).pipe(
  Schema.filter((jwk) => {
    const found = privateKeyMembers.filter((m) => Object.prototype.hasOwnProperty.call(jwk, m))
    return found.length === 0
      ? undefined
      : `must be a public key: remove the private key members ${found.map((m) => JSON.stringify(m)).join(", ")}`
  })
).annotations({
  identifier: "Jwk",
  [ExpectedId]: "a JSON Web Key (an object with a \"kty\")",
  arbitrary: () => (fc) =>
    fc.record({
      kty: fc.constantFrom("RSA", "EC", "OKP"),
      kid: fc.string({ minLength: 1, maxLength: 12 }),
      use: fc.constantFrom("sig", "enc"),
      x: fc.base64String({ minLength: 4, maxLength: 44 })
    }, { requiredKeys: ["kty"] })
})

/**
 * @since 0.1.0
 * @category models
 */
export interface Jwk extends Schema.Schema.Type<typeof Jwk> {}

/**
 * `jwks`: a JWK Set **object** (RFC 7517 §5) with a `keys` array. (Authlete stores it as a JSON
 * string in `Client.jwks`; the mapping converts.)
 *
 * @since 0.1.0
 * @category schemas
 */
export const JwkSet = Schema.Struct(
  { keys: Schema.Array(Jwk) },
  Schema.Record({ key: Schema.String, value: AnyJson })
).annotations({
  identifier: "JwkSet",
  [ExpectedId]: "a JWK Set (an object with a \"keys\" array)",
  arbitrary: () => (fc) =>
    fc.array(
      fc.record({
        kty: fc.constantFrom("RSA", "EC", "OKP"),
        kid: fc.string({ minLength: 1, maxLength: 12 }),
        use: fc.constantFrom("sig", "enc"),
        x: fc.base64String({ minLength: 4, maxLength: 44 })
      }, { requiredKeys: ["kty"] }),
      { maxLength: 3 }
    ).map((keys) => ({ keys }))
})

/**
 * @since 0.1.0
 * @category models
 */
export interface JwkSet extends Schema.Schema.Type<typeof JwkSet> {}

const Strings = Schema.Array(MetadataString)
const Bool = Schema.Boolean

// -------------------------------------------------------------------------------------------------
// the metadata
// -------------------------------------------------------------------------------------------------

/**
 * The registered metadata names with their value schemas, in the order of RFC 7591 §2, then OpenID
 * Connect Registration §2, then the extensions Authlete maps (reference §5).
 */
const metadataSchemas = {
  // ---- RFC 7591 §2 ----
  /** Redirection URIs; required when `grant_types` has `authorization_code` or `implicit`. */
  redirect_uris: Schema.Array(RedirectUri),
  /** Default `client_secret_basic` (RFC 7591 §2). */
  token_endpoint_auth_method: ClientAuthMethod.metadata,
  /** Default `["authorization_code"]`. */
  grant_types: Schema.Array(GrantType.metadata),
  /** Default `["code"]`. Elements in any order (`"id_token code"` ⇒ `"code id_token"`). */
  response_types: Schema.Array(ResponseType.metadataNormalized),
  client_name: MetadataString,
  client_uri: AbsoluteUri,
  logo_uri: AbsoluteUri,
  /** Space-separated scope values. */
  scope: ScopeString,
  contacts: Strings,
  tos_uri: AbsoluteUri,
  policy_uri: AbsoluteUri,
  jwks_uri: AbsoluteUri,
  /** A JWK Set **object**; must not be combined with `jwks_uri`. */
  jwks: JwkSet,
  software_id: MetadataString,
  software_version: MetadataString,
  /** A signed JWT asserting metadata (RFC 7591 §2.3). */
  software_statement: SoftwareStatement,
  // ---- OpenID Connect Dynamic Client Registration 1.0 §2 ----
  application_type: ApplicationType.metadata,
  sector_identifier_uri: HttpsUrl,
  subject_type: SubjectType.metadata,
  id_token_signed_response_alg: JwsAlg.metadata,
  id_token_encrypted_response_alg: JweAlg.metadata,
  id_token_encrypted_response_enc: JweEnc.metadata,
  userinfo_signed_response_alg: JwsAlg.metadata,
  userinfo_encrypted_response_alg: JweAlg.metadata,
  userinfo_encrypted_response_enc: JweEnc.metadata,
  request_object_signing_alg: JwsAlg.metadata,
  request_object_encryption_alg: JweAlg.metadata,
  request_object_encryption_enc: JweEnc.metadata,
  token_endpoint_auth_signing_alg: JwsAlg.metadata,
  /** Seconds. */
  default_max_age: NonNegativeInt,
  require_auth_time: Bool,
  default_acr_values: Strings,
  initiate_login_uri: AbsoluteUri,
  /** `request_uri` values (may carry a fragment, OIDC Registration §2). */
  request_uris: Schema.Array(AbsoluteUri),
  // ---- OpenID Connect logout specs (no Authlete `Client` field except the Java-only back-channel pair) ----
  post_logout_redirect_uris: Schema.Array(RedirectUri),
  frontchannel_logout_uri: AbsoluteUri,
  frontchannel_logout_session_required: Bool,
  backchannel_logout_uri: AbsoluteUri,
  backchannel_logout_session_required: Bool,
  // ---- RFC 8705 (mutual TLS) ----
  tls_client_auth_subject_dn: MetadataString,
  tls_client_auth_san_dns: MetadataString,
  tls_client_auth_san_uri: AbsoluteUri,
  tls_client_auth_san_ip: MetadataString,
  tls_client_auth_san_email: MetadataString,
  tls_client_certificate_bound_access_tokens: Bool,
  // ---- JARM ----
  authorization_signed_response_alg: JwsAlg.metadata,
  authorization_encrypted_response_alg: JweAlg.metadata,
  authorization_encrypted_response_enc: JweEnc.metadata,
  // ---- CIBA ----
  backchannel_token_delivery_mode: DeliveryMode.metadata,
  backchannel_client_notification_endpoint: HttpsUrl,
  backchannel_authentication_request_signing_alg: JwsAlg.metadata,
  backchannel_user_code_parameter: Bool,
  // ---- PAR (RFC 9126), JAR (RFC 9101), RAR (RFC 9396), IDA ----
  require_pushed_authorization_requests: Bool,
  require_signed_request_object: Bool,
  authorization_details_types: Strings,
  digest_algorithm: MetadataString,
  // ---- OpenID Federation ----
  organization_name: MetadataString,
  signed_jwks_uri: AbsoluteUri,
  client_registration_types: Schema.Array(ClientRegistrationType.metadata),
  // ---- OpenID4VCI, FAPI 2.0, SPIFFE (Java only) ----
  credential_offer_endpoint: AbsoluteUri,
  use_mtls_endpoint_aliases: Bool,
  response_modes: Schema.Array(ResponseMode.metadata),
  spiffe_id: AbsoluteUri,
  spiffe_bundle_endpoint: AbsoluteUri
}

type OptionalFields<F, Options> = {
  [K in keyof F]: F[K] extends Schema.Schema.All ? Schema.optionalWith<F[K], Options> : never
}

const mapFields = <F extends Record<string, Schema.Schema.All>, const Options>(
  fields: F,
  options: Options
): OptionalFields<F, Options> => {
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(fields)) out[key] = Schema.optionalWith(fields[key]!, options as any)
  return out as OptionalFields<F, Options>
}

/**
 * The registered metadata members, each optional, JSON `null` read as absent. Exposed so that other
 * schemas (e.g. `ClientInformationResponse`) can reuse them.
 *
 * @since 0.1.0
 * @category fields
 */
export const ClientMetadataFields = mapFields(metadataSchemas, { exact: true, nullable: true })

/**
 * The same members without the `null` tolerance (a `null` fails). `decodeClientMetadata` uses them
 * after dropping the `null` members itself: the `nullable` transformation costs about 3× the
 * decoding.
 *
 * @since 0.1.0
 * @category fields
 */
export const NonNullClientMetadataFields = mapFields(metadataSchemas, { exact: true })

/**
 * The names of the registered metadata members known to this library.
 *
 * @since 0.1.0
 * @category constants
 */
export const clientMetadataNames: ReadonlyArray<keyof typeof ClientMetadataFields> = Object.keys(
  ClientMetadataFields
) as Array<keyof typeof ClientMetadataFields>

/**
 * The members that may carry a language tag (`<name>#<BCP 47 tag>`, OIDC Registration §2.1).
 *
 * @since 0.1.0
 * @category constants
 */
export const languageTaggedNames = ["client_name", "client_uri", "logo_uri", "tos_uri", "policy_uri"] as const

const tagged = <const Base extends string, S extends Schema.Schema.Any>(base: Base, value: S) =>
  Schema.Record({ key: Schema.TemplateLiteral(`${base}#`, Schema.String), value })

/**
 * The index signatures for the language-tagged variants, validated like their base member.
 *
 * @since 0.1.0
 * @category fields
 */
export const LanguageTaggedMembers = [
  tagged("client_name", MetadataString),
  tagged("client_uri", AbsoluteUri),
  tagged("logo_uri", AbsoluteUri),
  tagged("tos_uri", AbsoluteUri),
  tagged("policy_uri", AbsoluteUri)
] as const

/**
 * The catch-all index signature that keeps unknown (extension) members. Its arbitrary generates
 * `x_`-prefixed names so that property tests never collide with a registered name.
 *
 * @since 0.1.0
 * @category fields
 */
export const ExtensionMembers = Schema.Record({
  key: Schema.String.annotations({ arbitrary: () => (fc) => fc.string({ maxLength: 8 }).map((s) => `x_${s}`) }),
  value: AnyJson.annotations({ arbitrary: () => jsonValueArbitrary })
})

/**
 * JSON Schema for the language-tagged variants and the unknown members. Effect's generator folds
 * several template-literal index signatures into one pattern (and a `propertyNames` that would
 * forbid every other member), so the schemas carry these explicitly.
 */
const indexSignaturesJsonSchema = {
  patternProperties: {
    "^client_name#": { type: "string" },
    "^(client_uri|logo_uri|tos_uri|policy_uri)#": { type: "string", format: "uri" }
  },
  propertyNames: undefined,
  additionalProperties: true
}

/**
 * The JSON Schema annotation a struct of the metadata members with the language-tagged index
 * signatures needs (see {@link LanguageTaggedMembers}).
 *
 * @since 0.1.0
 * @category annotations
 */
export const metadataJsonSchemaAnnotation: { readonly jsonSchema: object } = { jsonSchema: indexSignaturesJsonSchema }

/**
 * RFC 7591 / OpenID Connect client metadata: the registered members (validated), the
 * language-tagged variants (validated like their base) and any unknown member (kept as is).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ClientMetadata = Schema.Struct(ClientMetadataFields, ...LanguageTaggedMembers, ExtensionMembers)
  .annotations({
    identifier: "ClientMetadata",
    description: "RFC 7591 / OpenID Connect client metadata; unknown members are accepted",
    ...metadataJsonSchemaAnnotation,
    [ExpectedId]: "a JSON object of client metadata"
  })

/**
 * @since 0.1.0
 * @category models
 */
export interface ClientMetadata extends Schema.Schema.Type<typeof ClientMetadata> {}

/**
 * The JSON shape of {@link ClientMetadata}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientMetadataEncoded extends Schema.Schema.Encoded<typeof ClientMetadata> {}

/**
 * Only the registered members and the language-tagged variants: no unknown member. What a server
 * stores and echoes when it drops the metadata it does not understand (RFC 7591 §2), and what the
 * `Client` mapping round-trips.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RegisteredClientMetadata = Schema.Struct(ClientMetadataFields, ...LanguageTaggedMembers)
  .annotations({
    identifier: "RegisteredClientMetadata",
    ...metadataJsonSchemaAnnotation,
    [ExpectedId]: "a JSON object of client metadata"
  })

/**
 * @since 0.1.0
 * @category models
 */
export interface RegisteredClientMetadata extends Schema.Schema.Type<typeof RegisteredClientMetadata> {}
