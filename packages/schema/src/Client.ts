/**
 * Authlete's `Client` model (the `client` of every `ClientRegistrationResponse`), with open enums,
 * unknown fields kept and `clientSecret` redacted. Details: the package README.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as AST from "effect/SchemaAST"
import type { ParseOptions } from "effect/SchemaAST"
import {
  ApplicationType,
  ClientAuthMethod,
  ClientRegistrationType,
  ClientSource,
  ClientType,
  DeliveryMode,
  FapiMode,
  GrantType,
  JweAlg,
  JweEnc,
  JwsAlg,
  ResponseMode,
  ResponseType,
  SubjectType
} from "./ClientEnums.js"
import { SecretString } from "./internal/json.js"

const optional = Schema.optional

const unknownFieldsAnnotations = <A>(
  identifier: string,
  description: string,
  surrogate: AST.AST
): Schema.Annotations.Schema<A, readonly [A]> => ({
  identifier,
  description,
  // JSON Schema (and OpenAPI) describe the struct itself.
  [AST.SurrogateAnnotationId]: surrogate,
  arbitrary: (known) => known,
  pretty: (known) => known,
  equivalence: (known) => known
})

/**
 * Wraps a struct so that fields it does not declare survive decode → encode: the struct parses the
 * fields it knows (ignoring the rest, which is Effect Schema's fast default), then every other own
 * enumerable key of the input is copied over unchanged. Effect's own `onExcessProperty: "preserve"`
 * parse option does the same but made decoding `Client` about four times slower.
 *
 * The extra keys are not part of the TypeScript type; they ride along on the object (and are lost by
 * a spread-and-rebuild that does not copy them, which is fine: a new object is new data).
 *
 * @since 0.1.0
 * @category combinators
 */
export const keepUnknownFields = <Fields extends Schema.Struct.Fields>(
  struct: Schema.Struct<Fields>,
  identifier: string,
  description: string
): Schema.Schema<
  Schema.Schema.Type<Schema.Struct<Fields>>,
  Schema.Schema.Encoded<Schema.Struct<Fields>>,
  Schema.Struct.Context<Fields>
> => {
  const known = new Set<string>(Object.keys(struct.fields))
  const withUnknown = (input: Record<string, unknown>) => (output: object): object => {
    for (const key of Object.keys(input)) {
      if (!known.has(key)) {
        // defineProperty, not assignment: a JSON key "__proto__" must stay a plain property.
        Object.defineProperty(output, key, { value: input[key], enumerable: true, writable: true, configurable: true })
      }
    }
    return output
  }
  const lift =
    <Out>(parse: (u: unknown, o?: ParseOptions) => Effect.Effect<unknown, ParseResult.ParseIssue>) =>
    (input: unknown, options: ParseOptions, ast: AST.AST): Effect.Effect<Out, ParseResult.ParseIssue> =>
      Predicate.isRecord(input)
        ? ParseResult.map(parse(input, options), (out) => withUnknown(input)(out as object) as Out)
        : ParseResult.fail(new ParseResult.Type(ast, input))
  const inner = struct.annotations({ identifier, jsonSchema: { additionalProperties: true } })
  return Schema.declare<
    Schema.Schema.Type<Schema.Struct<Fields>>,
    Schema.Schema.Encoded<Schema.Struct<Fields>>,
    readonly [Schema.Struct<Fields>]
  >(
    // The inner struct carries the identifier too: its parse issues are what a failure shows.
    [inner],
    {
      decode: (s) => lift(ParseResult.decodeUnknown(s)),
      encode: (s) => lift(ParseResult.encodeUnknown(s))
    },
    unknownFieldsAnnotations(identifier, description, inner.ast)
  )
}

const Int = Schema.Int
const Bool = Schema.Boolean
const Str = Schema.String
const Strings = Schema.Array(Schema.String)

/**
 * A point in time as Authlete sends it: epoch **milliseconds** (a Java `long`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const EpochMillis = Schema.Int.annotations({
  identifier: "EpochMillis",
  description: "an integer number of milliseconds since the epoch"
})

/**
 * `Client.clientId`: an integer on the wire (Java `long`, e.g. `26837717140341`). A JavaScript
 * number is exact up to 2^53 − 1; Authlete's IDs are about 14 digits today. A larger value cannot be
 * represented exactly after `JSON.parse` and is rejected rather than silently rounded. A string of
 * digits (as in one of Authlete's documentation examples) is accepted on input; encoding always
 * writes a number.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AuthleteClientId: Schema.Schema<number, number | string> = Schema.Union(
  Schema.Number.pipe(
    Schema.int({ message: () => "a client ID must be an integer below 2^53 (a JSON number)" }),
    Schema.nonNegative()
  ),
  Schema.NumberFromString.pipe(
    Schema.int({ message: () => "a client ID string must hold an integer below 2^53" }),
    Schema.nonNegative()
  )
).annotations({ identifier: "AuthleteClientId", description: "Authlete's numeric client ID" })

/**
 * A language-tagged value, e.g. `{ tag: "ja", value: "クライアント" }` for `client_name#ja`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TaggedValue = keepUnknownFields(
  Schema.Struct({
    tag: optional(Str),
    value: optional(Str)
  }),
  "TaggedValue",
  "A language-tagged value"
)

/**
 * @since 0.1.0
 * @category models
 */
export interface TaggedValue extends Schema.Schema.Type<typeof TaggedValue> {}

/**
 * A key/value pair (`Client.attributes`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Pair = keepUnknownFields(
  Schema.Struct({
    key: optional(Str),
    value: optional(Str)
  }),
  "Pair",
  "A key/value pair"
)

/**
 * @since 0.1.0
 * @category models
 */
export interface Pair extends Schema.Schema.Type<typeof Pair> {}

/**
 * Authlete's per-client extension settings. Durations are in **seconds** (0 = the service default).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ClientExtension = keepUnknownFields(
  Schema.Struct({
    /** Scopes this client may request (only enforced when `requestableScopesEnabled`). */
    requestableScopes: optional(Strings),
    requestableScopesEnabled: optional(Bool),
    /** Access token lifetime in seconds. */
    accessTokenDuration: optional(Int),
    /** Refresh token lifetime in seconds. */
    refreshTokenDuration: optional(Int),
    /** ID token lifetime in seconds. */
    idTokenDuration: optional(Int),
    tokenExchangePermitted: optional(Bool)
  }),
  "ClientExtension",
  "Authlete's per-client extension settings"
)

/**
 * @since 0.1.0
 * @category models
 */
export interface ClientExtension extends Schema.Schema.Type<typeof ClientExtension> {}

const TaggedValues = Schema.Array(TaggedValue)

/**
 * The fields of Authlete's `Client`, in the order of the TypeScript SDK's schema, then the
 * Java-only ones. Exposed so that other schemas can pick from them.
 *
 * @since 0.1.0
 * @category fields
 */
export const ClientFields = {
  /** Authlete's internal sequence number of the client. */
  number: optional(Int),
  /** Authlete's internal number of the service the client belongs to. */
  serviceNumber: optional(Int),
  /** `client_name`. */
  clientName: optional(Str),
  /** `client_name#<tag>` variants. */
  clientNames: optional(TaggedValues),
  description: optional(Str),
  descriptions: optional(TaggedValues),
  /** The client ID: an integer (Java `long`), unlike the `client_id` *string* of RFC 7591. */
  clientId: optional(AuthleteClientId),
  /** The client secret (512-bit, base64url), redacted once decoded. */
  clientSecret: optional(SecretString),
  clientIdAlias: optional(Str),
  clientIdAliasEnabled: optional(Bool),
  clientType: optional(ClientType.wire),
  /** `application_type`. */
  applicationType: optional(ApplicationType.wire),
  /** `logo_uri`. */
  logoUri: optional(Str),
  logoUris: optional(TaggedValues),
  contacts: optional(Strings),
  /** `tls_client_certificate_bound_access_tokens`. */
  tlsClientCertificateBoundAccessTokens: optional(Bool),
  dynamicallyRegistered: optional(Bool),
  softwareId: optional(Str),
  developer: optional(Str),
  softwareVersion: optional(Str),
  /** Hash of the registration access token (RFC 7592); the token itself is never stored. */
  registrationAccessTokenHash: optional(Str),
  /** Creation time, epoch **milliseconds** (`client_id_issued_at` = `createdAt / 1000`). */
  createdAt: optional(EpochMillis),
  /** Last modification time, epoch **milliseconds**. */
  modifiedAt: optional(EpochMillis),
  grantTypes: optional(Schema.Array(GrantType.wire)),
  responseTypes: optional(Schema.Array(ResponseType.wire)),
  redirectUris: optional(Strings),
  /** JARM `authorization_signed_response_alg`. */
  authorizationSignAlg: optional(JwsAlg.wire),
  authorizationEncryptionAlg: optional(JweAlg.wire),
  authorizationEncryptionEnc: optional(JweEnc.wire),
  /** `token_endpoint_auth_method` (NB: the field is `tokenAuthMethod`, the enum `ClientAuthMethod`). */
  tokenAuthMethod: optional(ClientAuthMethod.wire),
  /** `token_endpoint_auth_signing_alg`. */
  tokenAuthSignAlg: optional(JwsAlg.wire),
  selfSignedCertificateKeyId: optional(Str),
  tlsClientAuthSubjectDn: optional(Str),
  tlsClientAuthSanDns: optional(Str),
  tlsClientAuthSanUri: optional(Str),
  tlsClientAuthSanIp: optional(Str),
  tlsClientAuthSanEmail: optional(Str),
  /** `require_pushed_authorization_requests`. */
  parRequired: optional(Bool),
  /** `require_signed_request_object`. */
  requestObjectRequired: optional(Bool),
  /** `request_object_signing_alg`. */
  requestSignAlg: optional(JwsAlg.wire),
  requestEncryptionAlg: optional(JweAlg.wire),
  requestEncryptionEnc: optional(JweEnc.wire),
  requestUris: optional(Strings),
  /** `default_max_age` in seconds (0 = unset). */
  defaultMaxAge: optional(Int),
  /** `default_acr_values`. */
  defaultAcrs: optional(Strings),
  idTokenSignAlg: optional(JwsAlg.wire),
  idTokenEncryptionAlg: optional(JweAlg.wire),
  idTokenEncryptionEnc: optional(JweEnc.wire),
  /** `require_auth_time`. */
  authTimeRequired: optional(Bool),
  subjectType: optional(SubjectType.wire),
  sectorIdentifierUri: optional(Str),
  derivedSectorIdentifier: optional(Str),
  jwksUri: optional(Str),
  /** The client's JWK Set as a JSON **string** (not an object). */
  jwks: optional(Str),
  userInfoSignAlg: optional(JwsAlg.wire),
  userInfoEncryptionAlg: optional(JweAlg.wire),
  userInfoEncryptionEnc: optional(JweEnc.wire),
  /** `initiate_login_uri`. */
  loginUri: optional(Str),
  tosUri: optional(Str),
  tosUris: optional(TaggedValues),
  policyUri: optional(Str),
  policyUris: optional(TaggedValues),
  clientUri: optional(Str),
  clientUris: optional(TaggedValues),
  /** CIBA `backchannel_token_delivery_mode` (a plain string in the TypeScript SDK). */
  bcDeliveryMode: optional(DeliveryMode.wire),
  bcNotificationEndpoint: optional(Str),
  bcRequestSignAlg: optional(JwsAlg.wire),
  /** `backchannel_user_code_parameter`. */
  bcUserCodeRequired: optional(Bool),
  attributes: optional(Schema.Array(Pair)),
  extension: optional(ClientExtension),
  authorizationDetailsTypes: optional(Strings),
  /** Custom client metadata as a JSON **string** (an object encoded as text). */
  customMetadata: optional(Str),
  frontChannelRequestObjectEncryptionRequired: optional(Bool),
  requestObjectEncryptionAlgMatchRequired: optional(Bool),
  requestObjectEncryptionEncMatchRequired: optional(Bool),
  digestAlgorithm: optional(Str),
  singleAccessTokenPerSubject: optional(Bool),
  pkceRequired: optional(Bool),
  pkceS256Required: optional(Bool),
  dpopRequired: optional(Bool),
  automaticallyRegistered: optional(Bool),
  explicitlyRegistered: optional(Bool),
  rsRequestSigned: optional(Bool),
  rsSignedRequestKeyId: optional(Str),
  clientRegistrationTypes: optional(Schema.Array(ClientRegistrationType.wire)),
  organizationName: optional(Str),
  signedJwksUri: optional(Str),
  entityId: optional(Str),
  trustAnchorId: optional(Str),
  trustChain: optional(Strings),
  /** Epoch **milliseconds**. */
  trustChainExpiresAt: optional(EpochMillis),
  /** Epoch **milliseconds**. */
  trustChainUpdatedAt: optional(EpochMillis),
  locked: optional(Bool),
  credentialOfferEndpoint: optional(Str),
  fapiModes: optional(Schema.Array(FapiMode.wire)),
  responseModes: optional(Schema.Array(ResponseMode.wire)),
  credentialResponseEncryptionRequired: optional(Bool),
  /** `use_mtls_endpoint_aliases`. */
  mtlsEndpointAliasesUsed: optional(Bool),
  inScopeForTokenMigration: optional(Bool),
  // ---- Java-only (authlete-java-common `dto/Client.java`; absent from the TypeScript SDK) ----
  /** Java only: URI of the OAuth Client ID Metadata Document. */
  metadataDocumentLocation: optional(Str),
  /** Java only: epoch **milliseconds**. */
  metadataDocumentExpiresAt: optional(EpochMillis),
  /** Java only: epoch **milliseconds**. */
  metadataDocumentUpdatedAt: optional(EpochMillis),
  /** Java only. */
  discoveredByMetadataDocument: optional(Bool),
  /** Java only: where the client came from. */
  clientSource: optional(ClientSource.wire),
  /** Java only: SPIFFE ID (URI). */
  spiffeId: optional(Str),
  /** Java only: SPIFFE bundle endpoint (URI). */
  spiffeBundleEndpoint: optional(Str),
  /** Java only: HAIP version. */
  haipVersion: optional(Str),
  /** Java only: `backchannel_logout_uri`. */
  backchannelLogoutUri: optional(Str),
  /** Java only: `backchannel_logout_session_required`. */
  backchannelLogoutSessionRequired: optional(Bool)
}

/**
 * The plain struct of {@link ClientFields}: like {@link Client} but it drops unknown fields (Effect
 * Schema's default). Use it for `pick`/`omit`/`fields`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ClientStruct = Schema.Struct(ClientFields)

/**
 * Authlete's `Client` (see the module documentation for the rules: all optional, open enums,
 * unknown fields kept, `null` read as absent, redacted secret, millisecond timestamps).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Client = keepUnknownFields(ClientStruct, "Client", "An Authlete client")

/**
 * @since 0.1.0
 * @category models
 */
export interface Client extends Schema.Schema.Type<typeof Client> {}

/**
 * The JSON shape of a {@link Client} on the wire.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientEncoded extends Schema.Schema.Encoded<typeof Client> {}
