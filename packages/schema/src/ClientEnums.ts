/**
 * Every enumeration of Authlete's `Client`, each one table `wire NAME ⇄ metadata string` with open
 * wire schemas and closed metadata schemas (see the package README).
 *
 * @since 0.1.0
 */
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

/**
 * A string enum that stays open: the known values keep their literal types (and editor
 * autocomplete), while any other string is still accepted.
 *
 * @since 0.1.0
 * @category models
 */
export type OpenEnum<Known extends string> = Known | (string & {})

/**
 * The definition of one enum: its source-of-truth table and everything derived from it.
 *
 * @since 0.1.0
 * @category models
 */
export interface EnumDefinition<Wire extends string, Meta extends string> {
  /** Name of the enum (also the schema `identifier` of `wire`). */
  readonly identifier: string
  /** The source of truth: Authlete wire name → RFC/OIDC metadata string. */
  readonly table: { readonly [K in Wire]: Meta }
  /** The known wire names, in table order. */
  readonly wireValues: ReadonlyArray<Wire>
  /** The known metadata strings, in table order. */
  readonly metadataValues: ReadonlyArray<Meta>
  /** Open wire schema: known names typed, unknown strings pass through unchanged. */
  readonly wire: Schema.Schema<OpenEnum<Wire>>
  /** Closed wire schema: only the known names. */
  readonly known: Schema.Literal<[Wire, ...Array<Wire>]>
  /** Closed metadata schema: only the known RFC/OIDC strings. */
  readonly metadata: Schema.Literal<[Meta, ...Array<Meta>]>
  /** Decodes a known metadata string into its wire name; encodes back. */
  readonly fromMetadataSchema: Schema.Schema<Wire, Meta>
  /** Is this string a known wire name? */
  readonly isKnown: (value: string) => value is Wire
  /** Is this string a known metadata string (exactly, without normalisation)? */
  readonly isMetadata: (value: string) => value is Meta
  /** Wire name → metadata string; `Option.none()` for an unknown wire name. */
  readonly toMetadata: (wire: string) => Option.Option<Meta>
  /** Metadata string → wire name; `Option.none()` for an unknown metadata string. */
  readonly fromMetadata: (metadata: string) => Option.Option<Wire>
}

/**
 * The open wire type of an enum definition: `Known | (string & {})`.
 *
 * @since 0.1.0
 * @category models
 */
export type EnumWire<E> = E extends EnumDefinition<infer W, infer _M> ? OpenEnum<W> : never

/**
 * The known wire names of an enum definition.
 *
 * @since 0.1.0
 * @category models
 */
export type EnumKnown<E> = E extends EnumDefinition<infer W, infer _M> ? W : never

/**
 * The known metadata strings of an enum definition.
 *
 * @since 0.1.0
 * @category models
 */
export type EnumMetadata<E> = E extends EnumDefinition<infer _W, infer M> ? M : never

/**
 * Builds an {@link EnumDefinition} from a table `wire NAME → metadata string`.
 *
 * `normalizeMetadata`, if given, maps an accepted metadata spelling onto its canonical string (or
 * `undefined` when it is not acceptable); `fromMetadata` applies it before the lookup.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeEnum = <const T extends Record<string, string>>(
  identifier: string,
  table: T,
  options?: { readonly normalizeMetadata?: (metadata: string) => string | undefined }
): EnumDefinition<keyof T & string, T[keyof T]> => {
  type W = keyof T & string
  type M = T[keyof T]
  const wireValues = Object.keys(table) as Array<W>
  const metadataValues = wireValues.map((w) => table[w]) as Array<M>
  const byWire = new Map<string, M>(wireValues.map((w) => [w, table[w] as M]))
  const byMetadata = new Map<string, W>(wireValues.map((w) => [table[w] as string, w]))
  if (byMetadata.size !== wireValues.length) {
    throw new Error(`makeEnum(${identifier}): metadata strings must be unique`)
  }
  const known = Schema.Literal(...(wireValues as [W, ...Array<W>])).annotations({
    identifier: `${identifier}Known`,
    description: `A ${identifier} known to this library (Authlete wire name)`
  })
  const metadata = Schema.Literal(...(metadataValues as [M, ...Array<M>])).annotations({
    identifier: `${identifier}Metadata`,
    description: `A ${identifier} as spelled in client metadata`
  })
  const wire = Schema.Union(known, Schema.String).annotations({
    identifier,
    description: `A ${identifier} (Authlete wire name; unknown names are kept as they are)`
  }) as unknown as Schema.Schema<OpenEnum<W>>
  const fromMetadataSchema: Schema.Schema<W, M> = Schema.transform(metadata, known, {
    strict: true,
    decode: (m) => byMetadata.get(m)!,
    encode: (w) => byWire.get(w)!
  }).annotations({ identifier: `${identifier}FromMetadata` })
  const normalize = options?.normalizeMetadata
  return {
    identifier,
    table: table as { readonly [K in W]: M },
    wireValues,
    metadataValues,
    wire,
    known,
    metadata,
    fromMetadataSchema,
    isKnown: (value): value is W => byWire.has(value),
    isMetadata: (value): value is M => byMetadata.has(value),
    toMetadata: (w) => Option.fromNullable(byWire.get(w)),
    fromMetadata: (m) => {
      const canonical = normalize === undefined ? m : normalize(m)
      return canonical === undefined ? Option.none() : Option.fromNullable(byMetadata.get(canonical))
    }
  }
}

// -------------------------------------------------------------------------------------------------
// ClientType, ApplicationType, SubjectType
// -------------------------------------------------------------------------------------------------

/**
 * Client type (RFC 6749 §2.1). Authlete field `clientType`; no standard metadata name.
 *
 * @since 0.1.0
 * @category enums
 */
export const ClientType = makeEnum("ClientType", {
  PUBLIC: "public",
  CONFIDENTIAL: "confidential"
})

/**
 * @since 0.1.0
 * @category models
 */
export type ClientType = EnumWire<typeof ClientType>

/**
 * @since 0.1.0
 * @category models
 */
export type ClientTypeMetadata = EnumMetadata<typeof ClientType>

/**
 * Application type (`application_type`, OIDC Registration §2). Authlete field `applicationType`.
 *
 * @since 0.1.0
 * @category enums
 */
export const ApplicationType = makeEnum("ApplicationType", {
  WEB: "web",
  NATIVE: "native"
})

/**
 * @since 0.1.0
 * @category models
 */
export type ApplicationType = EnumWire<typeof ApplicationType>

/**
 * @since 0.1.0
 * @category models
 */
export type ApplicationTypeMetadata = EnumMetadata<typeof ApplicationType>

/**
 * Subject identifier type (`subject_type`, OIDC Core §8). Authlete field `subjectType`.
 *
 * @since 0.1.0
 * @category enums
 */
export const SubjectType = makeEnum("SubjectType", {
  PUBLIC: "public",
  PAIRWISE: "pairwise"
})

/**
 * @since 0.1.0
 * @category models
 */
export type SubjectType = EnumWire<typeof SubjectType>

/**
 * @since 0.1.0
 * @category models
 */
export type SubjectTypeMetadata = EnumMetadata<typeof SubjectType>

// -------------------------------------------------------------------------------------------------
// ClientAuthMethod, GrantType, ResponseType, ResponseMode
// -------------------------------------------------------------------------------------------------

/**
 * Token endpoint client authentication method (`token_endpoint_auth_method`). Authlete field
 * **`tokenAuthMethod`**. `SPIFFE_JWT` exists in Authlete's Java library but not in the TypeScript SDK.
 *
 * @since 0.1.0
 * @category enums
 */
export const ClientAuthMethod = makeEnum("ClientAuthMethod", {
  NONE: "none",
  CLIENT_SECRET_BASIC: "client_secret_basic",
  CLIENT_SECRET_POST: "client_secret_post",
  CLIENT_SECRET_JWT: "client_secret_jwt",
  PRIVATE_KEY_JWT: "private_key_jwt",
  TLS_CLIENT_AUTH: "tls_client_auth",
  SELF_SIGNED_TLS_CLIENT_AUTH: "self_signed_tls_client_auth",
  ATTEST_JWT_CLIENT_AUTH: "attest_jwt_client_auth",
  SPIFFE_JWT: "spiffe_jwt"
})

/**
 * @since 0.1.0
 * @category models
 */
export type ClientAuthMethod = EnumWire<typeof ClientAuthMethod>

/**
 * @since 0.1.0
 * @category models
 */
export type ClientAuthMethodMetadata = EnumMetadata<typeof ClientAuthMethod>

/**
 * Grant type (`grant_types`). Authlete field `grantTypes`.
 *
 * @since 0.1.0
 * @category enums
 */
export const GrantType = makeEnum("GrantType", {
  AUTHORIZATION_CODE: "authorization_code",
  IMPLICIT: "implicit",
  PASSWORD: "password",
  CLIENT_CREDENTIALS: "client_credentials",
  REFRESH_TOKEN: "refresh_token",
  CIBA: "urn:openid:params:grant-type:ciba",
  DEVICE_CODE: "urn:ietf:params:oauth:grant-type:device_code",
  TOKEN_EXCHANGE: "urn:ietf:params:oauth:grant-type:token-exchange",
  JWT_BEARER: "urn:ietf:params:oauth:grant-type:jwt-bearer",
  PRE_AUTHORIZED_CODE: "urn:ietf:params:oauth:grant-type:pre-authorized_code"
})

/**
 * @since 0.1.0
 * @category models
 */
export type GrantType = EnumWire<typeof GrantType>

/**
 * @since 0.1.0
 * @category models
 */
export type GrantTypeMetadata = EnumMetadata<typeof GrantType>

const RESPONSE_TYPE_CODE = 0x1
const RESPONSE_TYPE_TOKEN = 0x2
const RESPONSE_TYPE_ID_TOKEN = 0x4

const responseTypeByFlags: ReadonlyArray<string | undefined> = [
  undefined,
  "code",
  "token",
  "code token",
  "id_token",
  "code id_token",
  "id_token token",
  "code id_token token"
]

/**
 * Normalises a `response_type` value the way Authlete's Java `ResponseType.parse` does: the
 * space-separated elements `code`, `token` and `id_token` may come in any order (and repeat), so
 * `"id_token code"` becomes `"code id_token"`; `"none"` is accepted only alone. Returns the canonical
 * metadata string, or `undefined` for anything else (an unknown element, `"none"` combined with
 * another element, an empty string). Only spaces separate elements, as in Java (`split(" +")`).
 *
 * @since 0.1.0
 * @category utils
 */
export const normalizeResponseType = (value: string): ResponseTypeMetadata | undefined => {
  if (value === "none") return "none"
  let flags = 0
  for (const element of value.split(/ +/)) {
    if (element === "") continue
    else if (element === "code") flags |= RESPONSE_TYPE_CODE
    else if (element === "token") flags |= RESPONSE_TYPE_TOKEN
    else if (element === "id_token") flags |= RESPONSE_TYPE_ID_TOKEN
    else return undefined
  }
  return responseTypeByFlags[flags] as ResponseTypeMetadata | undefined
}

const ResponseTypeBase = makeEnum("ResponseType", {
  NONE: "none",
  CODE: "code",
  TOKEN: "token",
  ID_TOKEN: "id_token",
  CODE_TOKEN: "code token",
  CODE_ID_TOKEN: "code id_token",
  ID_TOKEN_TOKEN: "id_token token",
  CODE_ID_TOKEN_TOKEN: "code id_token token"
}, { normalizeMetadata: (m) => normalizeResponseType(m) })

/**
 * Response type (`response_types`). Authlete field `responseTypes`; note the wire name
 * **`CODE_ID_TOKEN`** for `"code id_token"`.
 *
 * `fromMetadata` is order-insensitive (see {@link normalizeResponseType}); `metadata` is closed over
 * the canonical spellings, and `metadataNormalized` is a schema that accepts any order and decodes
 * to the canonical spelling (so `"id_token code"` decodes to, and re-encodes as, `"code id_token"`).
 *
 * @since 0.1.0
 * @category enums
 */
export const ResponseType: typeof ResponseTypeBase & {
  readonly normalize: typeof normalizeResponseType
  readonly metadataNormalized: Schema.Schema<ResponseTypeMetadata, string>
} = Object.assign(ResponseTypeBase, {
  normalize: normalizeResponseType,
  metadataNormalized: Schema.transformOrFail(Schema.String, ResponseTypeBase.metadata, {
    strict: true,
    decode: (value, _, ast) => {
      const canonical = normalizeResponseType(value)
      return canonical === undefined
        ? ParseResult.fail(
          new ParseResult.Type(
            ast,
            value,
            `Unknown response type ${
              JSON.stringify(value)
            }: expected space-separated "code", "token" and "id_token" (in any order), or "none" alone`
          )
        )
        : ParseResult.succeed(canonical)
    },
    encode: ParseResult.succeed
  }).annotations({ identifier: "ResponseTypeMetadataNormalized" })
})

/**
 * @since 0.1.0
 * @category models
 */
export type ResponseType = EnumWire<typeof ResponseTypeBase>

/**
 * @since 0.1.0
 * @category models
 */
export type ResponseTypeMetadata =
  | "none"
  | "code"
  | "token"
  | "id_token"
  | "code token"
  | "code id_token"
  | "id_token token"
  | "code id_token token"

/**
 * Response mode (`response_modes`, FAPI 2.0 / JARM). Authlete field `responseModes`.
 *
 * @since 0.1.0
 * @category enums
 */
export const ResponseMode = makeEnum("ResponseMode", {
  QUERY: "query",
  FRAGMENT: "fragment",
  FORM_POST: "form_post",
  JWT: "jwt",
  QUERY_JWT: "query.jwt",
  FRAGMENT_JWT: "fragment.jwt",
  FORM_POST_JWT: "form_post.jwt"
})

/**
 * @since 0.1.0
 * @category models
 */
export type ResponseMode = EnumWire<typeof ResponseMode>

/**
 * @since 0.1.0
 * @category models
 */
export type ResponseModeMetadata = EnumMetadata<typeof ResponseMode>

// -------------------------------------------------------------------------------------------------
// JOSE algorithms
// -------------------------------------------------------------------------------------------------

/**
 * JWS algorithm (`*_signed_response_alg`, `*_signing_alg`). Wire name equals the JOSE name except
 * `NONE` ⇄ `"none"`.
 *
 * @since 0.1.0
 * @category enums
 */
export const JwsAlg = makeEnum("JwsAlg", {
  NONE: "none",
  HS256: "HS256",
  HS384: "HS384",
  HS512: "HS512",
  RS256: "RS256",
  RS384: "RS384",
  RS512: "RS512",
  ES256: "ES256",
  ES384: "ES384",
  ES512: "ES512",
  PS256: "PS256",
  PS384: "PS384",
  PS512: "PS512",
  ES256K: "ES256K",
  EdDSA: "EdDSA"
})

/**
 * @since 0.1.0
 * @category models
 */
export type JwsAlg = EnumWire<typeof JwsAlg>

/**
 * @since 0.1.0
 * @category models
 */
export type JwsAlgMetadata = EnumMetadata<typeof JwsAlg>

/**
 * JWE key management algorithm (`*_encrypted_response_alg`, `*_encryption_alg`).
 *
 * @since 0.1.0
 * @category enums
 */
export const JweAlg = makeEnum("JweAlg", {
  RSA1_5: "RSA1_5",
  RSA_OAEP: "RSA-OAEP",
  RSA_OAEP_256: "RSA-OAEP-256",
  A128KW: "A128KW",
  A192KW: "A192KW",
  A256KW: "A256KW",
  DIR: "dir",
  ECDH_ES: "ECDH-ES",
  ECDH_ES_A128KW: "ECDH-ES+A128KW",
  ECDH_ES_A192KW: "ECDH-ES+A192KW",
  ECDH_ES_A256KW: "ECDH-ES+A256KW",
  A128GCMKW: "A128GCMKW",
  A192GCMKW: "A192GCMKW",
  A256GCMKW: "A256GCMKW",
  PBES2_HS256_A128KW: "PBES2-HS256+A128KW",
  PBES2_HS384_A192KW: "PBES2-HS384+A192KW",
  PBES2_HS512_A256KW: "PBES2-HS512+A256KW"
})

/**
 * @since 0.1.0
 * @category models
 */
export type JweAlg = EnumWire<typeof JweAlg>

/**
 * @since 0.1.0
 * @category models
 */
export type JweAlgMetadata = EnumMetadata<typeof JweAlg>

/**
 * JWE content encryption algorithm (`*_encrypted_response_enc`, `*_encryption_enc`).
 *
 * @since 0.1.0
 * @category enums
 */
export const JweEnc = makeEnum("JweEnc", {
  A128CBC_HS256: "A128CBC-HS256",
  A192CBC_HS384: "A192CBC-HS384",
  A256CBC_HS512: "A256CBC-HS512",
  A128GCM: "A128GCM",
  A192GCM: "A192GCM",
  A256GCM: "A256GCM"
})

/**
 * @since 0.1.0
 * @category models
 */
export type JweEnc = EnumWire<typeof JweEnc>

/**
 * @since 0.1.0
 * @category models
 */
export type JweEncMetadata = EnumMetadata<typeof JweEnc>

// -------------------------------------------------------------------------------------------------
// CIBA, Federation, FAPI, client source
// -------------------------------------------------------------------------------------------------

/**
 * CIBA token delivery mode (`backchannel_token_delivery_mode`). Authlete field `bcDeliveryMode`
 * (typed as a plain string in the TypeScript SDK).
 *
 * @since 0.1.0
 * @category enums
 */
export const DeliveryMode = makeEnum("DeliveryMode", {
  PING: "ping",
  POLL: "poll",
  PUSH: "push"
})

/**
 * @since 0.1.0
 * @category models
 */
export type DeliveryMode = EnumWire<typeof DeliveryMode>

/**
 * @since 0.1.0
 * @category models
 */
export type DeliveryModeMetadata = EnumMetadata<typeof DeliveryMode>

/**
 * OpenID Federation client registration type (`client_registration_types`). Authlete field
 * `clientRegistrationTypes`.
 *
 * @since 0.1.0
 * @category enums
 */
export const ClientRegistrationType = makeEnum("ClientRegistrationType", {
  AUTOMATIC: "automatic",
  EXPLICIT: "explicit"
})

/**
 * @since 0.1.0
 * @category models
 */
export type ClientRegistrationType = EnumWire<typeof ClientRegistrationType>

/**
 * @since 0.1.0
 * @category models
 */
export type ClientRegistrationTypeMetadata = EnumMetadata<typeof ClientRegistrationType>

/**
 * FAPI mode. Authlete field `fapiModes` (no standard metadata name; the metadata strings are the
 * Java `toString()` values). `FAPI2_MESSAGE_SIGNING_RESOURCE_REQ` and `…_RESOURCE_RES` are in
 * Authlete's Java library but not in the TypeScript SDK 0.0.3-beta.
 *
 * @since 0.1.0
 * @category enums
 */
export const FapiMode = makeEnum("FapiMode", {
  FAPI1_BASELINE: "fapi1_baseline",
  FAPI1_ADVANCED: "fapi1_advanced",
  FAPI2_SECURITY: "fapi2_security",
  FAPI2_MESSAGE_SIGNING_AUTH_REQ: "fapi2_message_signing_auth_req",
  FAPI2_MESSAGE_SIGNING_AUTH_RES: "fapi2_message_signing_auth_res",
  FAPI2_MESSAGE_SIGNING_INTROSPECTION_RES: "fapi2_message_signing_introspection_res",
  FAPI2_MESSAGE_SIGNING_RESOURCE_REQ: "fapi2_message_signing_resource_req",
  FAPI2_MESSAGE_SIGNING_RESOURCE_RES: "fapi2_message_signing_resource_res"
})

/**
 * @since 0.1.0
 * @category models
 */
export type FapiMode = EnumWire<typeof FapiMode>

/**
 * @since 0.1.0
 * @category models
 */
export type FapiModeMetadata = EnumMetadata<typeof FapiMode>

/**
 * Where a client came from (Java-only field `clientSource`, Authlete 3.0.22). The Java enum has no
 * metadata spelling; the metadata strings here are the lower-cased names, by convention of this
 * library only.
 *
 * @since 0.1.0
 * @category enums
 */
export const ClientSource = makeEnum("ClientSource", {
  STATIC_REGISTRATION: "static_registration",
  DYNAMIC_REGISTRATION: "dynamic_registration",
  AUTOMATIC_REGISTRATION: "automatic_registration",
  EXPLICIT_REGISTRATION: "explicit_registration",
  METADATA_DOCUMENT: "metadata_document"
})

/**
 * @since 0.1.0
 * @category models
 */
export type ClientSource = EnumWire<typeof ClientSource>

/**
 * @since 0.1.0
 * @category models
 */
export type ClientSourceMetadata = EnumMetadata<typeof ClientSource>
