/**
 * RFC 7591 client metadata ⇄ Authlete's `Client`, and `Client` → client information response, as
 * total functions (the rules are in the package README).
 *
 * @since 0.1.0
 */
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import type { Client, TaggedValue } from "./Client.js"
import type { ClientType, EnumDefinition } from "./ClientEnums.js"
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
import type { ClientInformationResponse } from "./ClientInformationResponse.js"
import { clientInformationNames } from "./ClientInformationResponse.js"
import type { ClientMetadata } from "./ClientMetadata.js"
import { clientMetadataNames, languageTaggedNames } from "./ClientMetadata.js"

type AnyEnum = Pick<EnumDefinition<string, string>, "fromMetadata" | "toMetadata">

type Rule =
  | { readonly kind: "plain" }
  | { readonly kind: "enum"; readonly def: AnyEnum }
  | { readonly kind: "enums"; readonly def: AnyEnum }
  | { readonly kind: "jwks" }

const plain: Rule = { kind: "plain" }
const one = (def: AnyEnum): Rule => ({ kind: "enum", def })
const many = (def: AnyEnum): Rule => ({ kind: "enums", def })

/**
 * Metadata name → (`Client` field, conversion), for every member with a direct `Client` field.
 * (`scope`, the tagged variants and custom metadata are handled separately.)
 */
const table: ReadonlyArray<readonly [string, string, Rule]> = [
  ["redirect_uris", "redirectUris", plain],
  ["token_endpoint_auth_method", "tokenAuthMethod", one(ClientAuthMethod)],
  ["grant_types", "grantTypes", many(GrantType)],
  ["response_types", "responseTypes", many(ResponseType)],
  ["client_name", "clientName", plain],
  ["client_uri", "clientUri", plain],
  ["logo_uri", "logoUri", plain],
  ["contacts", "contacts", plain],
  ["tos_uri", "tosUri", plain],
  ["policy_uri", "policyUri", plain],
  ["jwks_uri", "jwksUri", plain],
  ["jwks", "jwks", { kind: "jwks" }],
  ["software_id", "softwareId", plain],
  ["software_version", "softwareVersion", plain],
  ["application_type", "applicationType", one(ApplicationType)],
  ["sector_identifier_uri", "sectorIdentifierUri", plain],
  ["subject_type", "subjectType", one(SubjectType)],
  ["id_token_signed_response_alg", "idTokenSignAlg", one(JwsAlg)],
  ["id_token_encrypted_response_alg", "idTokenEncryptionAlg", one(JweAlg)],
  ["id_token_encrypted_response_enc", "idTokenEncryptionEnc", one(JweEnc)],
  ["userinfo_signed_response_alg", "userInfoSignAlg", one(JwsAlg)],
  ["userinfo_encrypted_response_alg", "userInfoEncryptionAlg", one(JweAlg)],
  ["userinfo_encrypted_response_enc", "userInfoEncryptionEnc", one(JweEnc)],
  ["request_object_signing_alg", "requestSignAlg", one(JwsAlg)],
  ["request_object_encryption_alg", "requestEncryptionAlg", one(JweAlg)],
  ["request_object_encryption_enc", "requestEncryptionEnc", one(JweEnc)],
  ["token_endpoint_auth_signing_alg", "tokenAuthSignAlg", one(JwsAlg)],
  ["default_max_age", "defaultMaxAge", plain],
  ["require_auth_time", "authTimeRequired", plain],
  ["default_acr_values", "defaultAcrs", plain],
  ["initiate_login_uri", "loginUri", plain],
  ["request_uris", "requestUris", plain],
  ["backchannel_logout_uri", "backchannelLogoutUri", plain],
  ["backchannel_logout_session_required", "backchannelLogoutSessionRequired", plain],
  ["tls_client_auth_subject_dn", "tlsClientAuthSubjectDn", plain],
  ["tls_client_auth_san_dns", "tlsClientAuthSanDns", plain],
  ["tls_client_auth_san_uri", "tlsClientAuthSanUri", plain],
  ["tls_client_auth_san_ip", "tlsClientAuthSanIp", plain],
  ["tls_client_auth_san_email", "tlsClientAuthSanEmail", plain],
  ["tls_client_certificate_bound_access_tokens", "tlsClientCertificateBoundAccessTokens", plain],
  ["authorization_signed_response_alg", "authorizationSignAlg", one(JwsAlg)],
  ["authorization_encrypted_response_alg", "authorizationEncryptionAlg", one(JweAlg)],
  ["authorization_encrypted_response_enc", "authorizationEncryptionEnc", one(JweEnc)],
  ["backchannel_token_delivery_mode", "bcDeliveryMode", one(DeliveryMode)],
  ["backchannel_client_notification_endpoint", "bcNotificationEndpoint", plain],
  ["backchannel_authentication_request_signing_alg", "bcRequestSignAlg", one(JwsAlg)],
  ["backchannel_user_code_parameter", "bcUserCodeRequired", plain],
  ["require_pushed_authorization_requests", "parRequired", plain],
  ["require_signed_request_object", "requestObjectRequired", plain],
  ["authorization_details_types", "authorizationDetailsTypes", plain],
  ["digest_algorithm", "digestAlgorithm", plain],
  ["organization_name", "organizationName", plain],
  ["signed_jwks_uri", "signedJwksUri", plain],
  ["client_registration_types", "clientRegistrationTypes", many(ClientRegistrationType)],
  ["credential_offer_endpoint", "credentialOfferEndpoint", plain],
  ["use_mtls_endpoint_aliases", "mtlsEndpointAliasesUsed", plain],
  ["response_modes", "responseModes", many(ResponseMode)],
  ["spiffe_id", "spiffeId", plain],
  ["spiffe_bundle_endpoint", "spiffeBundleEndpoint", plain]
]

// Row lookups by member name. The mappings walk the members an object has (a handful) instead of
// probing all ~70 table names: probing absent names was most of their cost on fresh objects.
const rowByName: ReadonlyMap<string, number> = new Map(table.map(([name], row) => [name, row]))
const rowByField: ReadonlyMap<string, number> = new Map(table.map(([, field], row) => [field, row]))

/** The table rows whose key is an own enumerable member of `record`, in table order. */
const presentRows = (record: Record<string, unknown>, rows: ReadonlyMap<string, number>): Array<number> => {
  const present: Array<number> = []
  for (const key in record) {
    if (!Object.prototype.hasOwnProperty.call(record, key)) continue
    const row = rows.get(key)
    if (row === undefined) continue
    // insertion in order: a handful of rows, and `sort` would allocate its work arrays on every call
    let i = present.length
    present.push(row)
    while (i > 0 && present[i - 1]! > row) {
      present[i] = present[i - 1]!
      i--
    }
    present[i] = row
  }
  return present
}

const taggedTable: ReadonlyArray<readonly [(typeof languageTaggedNames)[number], string]> = [
  ["client_name", "clientNames"],
  ["client_uri", "clientUris"],
  ["logo_uri", "logoUris"],
  ["tos_uri", "tosUris"],
  ["policy_uri", "policyUris"]
]

/**
 * The metadata names with a `Client` field of their own (the keys of the mapping table, plus
 * `scope`).
 *
 * @since 0.1.0
 * @category constants
 */
export const mappedMetadataNames: ReadonlyArray<string> = [...table.map(([name]) => name), "scope"]

const registeredNames: ReadonlySet<string> = new Set<string>(clientMetadataNames)

/** Members only the server sets: never taken from (or put into) custom metadata. */
const reservedNames: ReadonlySet<string> = new Set<string>([...clientInformationNames, "__proto__"])

const isTaggedName = (name: string): boolean => {
  const hash = name.indexOf("#")
  return hash > 0 && (languageTaggedNames as ReadonlyArray<string>).includes(name.slice(0, hash))
}

const parseJsonObject = (text: string): Record<string, unknown> | undefined => {
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? value as Record<string, unknown>
      : undefined
  } catch {
    return undefined
  }
}

/**
 * @since 0.1.0
 * @category models
 */
export interface MappingOptions {
  /**
   * Authlete's `Service.dcrScopeUsedAsRequestable`: `scope` sets `extension.requestableScopes` and
   * turns `requestableScopesEnabled` on. When off (the default) `scope` is not stored.
   */
  readonly scopeAsRequestableScopes?: boolean | undefined
  /**
   * Authlete's `Service.supportedCustomClientMetadata`: the names of unknown members kept in
   * `Client.customMetadata` (a JSON string). Other unknown members are dropped.
   */
  readonly customMetadataNames?: ReadonlyArray<string> | undefined
}

/**
 * Client metadata → the corresponding `Client` fields (only the fields the metadata determines;
 * bookkeeping such as `clientId`, `clientSecret`, `createdAt` or `clientType` is the server's).
 * Total: a value outside the known enum spellings (impossible after decoding with
 * `ClientMetadata`) is left out.
 *
 * @since 0.1.0
 * @category mapping
 */
export const metadataToClient = (metadata: ClientMetadata, options?: MappingOptions): Client => {
  const m = metadata as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const row of presentRows(m, rowByName)) {
    const [name, field, rule] = table[row]!
    const value = m[name]
    if (value === undefined || value === null) continue
    switch (rule.kind) {
      case "plain":
        out[field] = value
        break
      case "enum": {
        const wire = typeof value === "string" ? Option.getOrUndefined(rule.def.fromMetadata(value)) : undefined
        if (wire !== undefined) out[field] = wire
        break
      }
      case "enums":
        if (Array.isArray(value)) {
          out[field] = value.flatMap((v) => typeof v === "string" ? Option.toArray(rule.def.fromMetadata(v)) : [])
        }
        break
      case "jwks":
        out[field] = JSON.stringify(value)
        break
    }
  }
  for (const [base, field] of taggedTable) {
    const prefix = `${base}#`
    const values: Array<TaggedValue> = []
    for (const key in m) {
      const value = m[key]
      if (key.startsWith(prefix) && typeof value === "string") values.push({ tag: key.slice(prefix.length), value })
    }
    if (values.length > 0) out[field] = values
  }
  if (options?.scopeAsRequestableScopes === true && typeof m.scope === "string") {
    out.extension = { requestableScopes: m.scope.split(" ").filter((s) => s !== ""), requestableScopesEnabled: true }
  }
  const custom = options?.customMetadataNames
  if (custom !== undefined && custom.length > 0) {
    const picked: Record<string, unknown> = {}
    let any = false
    for (const name of custom) {
      if (registeredNames.has(name) || isTaggedName(name) || reservedNames.has(name)) continue
      if (Object.prototype.hasOwnProperty.call(m, name) && m[name] !== undefined) {
        picked[name] = m[name]
        any = true
      }
    }
    if (any) out.customMetadata = JSON.stringify(picked)
  }
  return out as Client
}

/**
 * @since 0.1.0
 * @category models
 */
export interface OutputOptions {
  /**
   * `"faithful"` (default): every field present in the `Client` is emitted. `"authlete"`: like
   * Authlete's server, which leaves `require_auth_time` out when it is `false` while it emits the
   * other `false`/`0` primitives (reference §6: the real register/get/update examples are reproduced
   * exactly from their `client`).
   */
  readonly style?: "faithful" | "authlete" | undefined
}

/**
 * `Client` → the client metadata it stands for (what a server echoes). A field is emitted when it
 * is present in the `Client` (so Authlete's primitive defaults such as `defaultMaxAge: 0` or
 * `parRequired: false` come out as `0` / `false`, as in Authlete's own responses). Total:
 *
 * - a wire enum name this library does not know is left out (it has no metadata spelling);
 * - a `jwks` or `customMetadata` string that is not a JSON object is left out;
 * - `scope` is emitted only when `extension.requestableScopesEnabled` is true and the list is not
 *   empty;
 * - custom metadata members are merged in, except names that collide with registered metadata;
 * - see {@link OutputOptions} for `style: "authlete"`.
 *
 * @since 0.1.0
 * @category mapping
 */
export const clientToMetadata = (client: Client, options?: OutputOptions): ClientMetadata => {
  const c = client as Record<string, unknown>
  const out: Record<string, unknown> = {}
  const authlete = options?.style === "authlete"
  for (const row of presentRows(c, rowByField)) {
    const [name, field, rule] = table[row]!
    const value = c[field]
    if (value === undefined || value === null) continue
    if (authlete && value === false && name === "require_auth_time") continue
    switch (rule.kind) {
      case "plain":
        out[name] = value
        break
      case "enum": {
        const meta = typeof value === "string" ? Option.getOrUndefined(rule.def.toMetadata(value)) : undefined
        if (meta !== undefined) out[name] = meta
        break
      }
      case "enums":
        if (Array.isArray(value)) {
          out[name] = value.flatMap((v) => typeof v === "string" ? Option.toArray(rule.def.toMetadata(v)) : [])
        }
        break
      case "jwks": {
        const jwks = typeof value === "string" ? parseJsonObject(value) : undefined
        if (jwks !== undefined) out[name] = jwks
        break
      }
    }
  }
  for (const [base, field] of taggedTable) {
    const values = c[field]
    if (!Array.isArray(values)) continue
    for (const tv of values as ReadonlyArray<TaggedValue>) {
      if (tv.tag !== undefined && tv.value !== undefined) out[`${base}#${tv.tag}`] = tv.value
    }
  }
  const extension = client.extension
  if (extension?.requestableScopesEnabled === true && extension.requestableScopes !== undefined) {
    const scope = extension.requestableScopes.join(" ")
    if (scope !== "") out.scope = scope
  }
  if (typeof client.customMetadata === "string") {
    const custom = parseJsonObject(client.customMetadata)
    if (custom !== undefined) {
      for (const key of Object.keys(custom)) {
        if (
          !registeredNames.has(key) && !isTaggedName(key) && !reservedNames.has(key) &&
          !Object.prototype.hasOwnProperty.call(out, key)
        ) {
          out[key] = custom[key]
        }
      }
    }
  }
  return out as ClientMetadata
}

const confidential: ClientType = "CONFIDENTIAL"

/**
 * @since 0.1.0
 * @category models
 */
export interface InformationOptions extends OutputOptions {
  /** The registration access token to include (RFC 7592 §3); only the server knows it. */
  readonly registrationAccessToken?: Redacted.Redacted<string> | undefined
  /** The client configuration endpoint (RFC 7592 §3), e.g. `<registration endpoint>/<client_id>`. */
  readonly registrationClientUri?: string | undefined
  /** `client_secret_expires_at` of a confidential client, in seconds since the epoch (default `0`: never). */
  readonly clientSecretExpiresAt?: number | undefined
}

/**
 * `Client` → the RFC 7591 §3.2.1 client information response, as Authlete builds it:
 * `client_id` = `String(clientId)`; for a `CONFIDENTIAL` client, `client_secret` when the `Client`
 * holds it and `client_secret_expires_at` (`options.clientSecretExpiresAt`, else `0`: "never
 * expires", as Authlete answers; also when the secret is not repeated); `client_id_issued_at` =
 * `createdAt / 1000` (milliseconds → **seconds**, rounded down); then the metadata of
 * {@link clientToMetadata}.
 *
 * @since 0.1.0
 * @category mapping
 */
export const clientToInformationResponse = (
  client: Client,
  options?: InformationOptions
): ClientInformationResponse => {
  const out: Record<string, unknown> = {}
  out.client_id = client.clientId === undefined ? "" : String(client.clientId)
  if (client.clientType === confidential) {
    if (client.clientSecret !== undefined) out.client_secret = client.clientSecret
    out.client_secret_expires_at = options?.clientSecretExpiresAt ?? 0
  }
  if (client.createdAt !== undefined) out.client_id_issued_at = Math.floor(client.createdAt / 1000)
  if (options?.registrationAccessToken !== undefined) out.registration_access_token = options.registrationAccessToken
  if (options?.registrationClientUri !== undefined) out.registration_client_uri = options.registrationClientUri
  const metadata = clientToMetadata(client, options) as Record<string, unknown>
  for (const key in metadata) if (!reservedNames.has(key)) out[key] = metadata[key]
  return out as ClientInformationResponse
}

const digits = /^[0-9]{1,15}$/

/**
 * Client information response → `Client`: {@link metadataToClient} plus `clientId` (when
 * `client_id` is a string of at most 15 digits, i.e. exact as a JavaScript number), `clientSecret`
 * and `createdAt` = `client_id_issued_at × 1000` (seconds → milliseconds).
 *
 * @since 0.1.0
 * @category mapping
 */
export const informationResponseToClient = (
  response: ClientInformationResponse,
  options?: MappingOptions
): Client => {
  const out = metadataToClient(response, options) as Record<string, unknown>
  if (digits.test(response.client_id)) out.clientId = Number(response.client_id)
  if (response.client_secret !== undefined) out.clientSecret = response.client_secret
  if (response.client_id_issued_at !== undefined) out.createdAt = response.client_id_issued_at * 1000
  return out as Client
}
