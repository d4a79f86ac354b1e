/**
 * The engine's only seam to the metadata schemas of `@effect-dcr/schema`: decoding client metadata,
 * its defaults and cross-member rules (run in that order by the registration pipeline, with the
 * policy's rules in between), and the metadata ⇄ `Client` mapping. The engine never validates a
 * metadata member itself.
 *
 * @internal
 */
import {
  applyClientMetadataDefaults,
  Client,
  type ClientMetadata,
  clientToMetadata,
  decodeClientMetadata,
  decodeClientMetadataJson,
  type MappingOptions,
  metadataToClient,
  type RegistrationErrorResponse,
  validateClientMetadata,
  type ValidateOptions
} from "@effect-dcr/schema"
import type * as Either from "effect/Either"
import type * as ParseResult from "effect/ParseResult"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"

/** @internal */
export type { ClientMetadata, MappingOptions, RegistrationErrorResponse }

/** Server-assigned `Client` fields. @internal */
export interface Bookkeeping {
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string> | undefined
  readonly createdAt: number
  readonly modifiedAt: number
}

/**
 * Names that are never metadata (credentials and server-assigned values, RFC 7591 §3.2.1 / RFC 7592
 * §2.2): they can not be allow-listed as custom metadata, so a client secret can never end up stored
 * in clear through `customMetadata`.
 *
 * @internal
 */
export const reservedNames: ReadonlySet<string> = new Set([
  "client_id",
  "client_secret",
  "client_id_issued_at",
  "client_secret_expires_at",
  "registration_access_token",
  "registration_client_uri"
])

/** JSON text → the metadata as sent, decoded (one `JSON.parse`, one decode). @internal */
export const decodeJson = (json: string): Either.Either<ClientMetadata, RegistrationErrorResponse> =>
  decodeClientMetadataJson(json)

/** A JSON value already parsed, decoded. @internal */
export const decode = (value: unknown): Either.Either<ClientMetadata, RegistrationErrorResponse> =>
  decodeClientMetadata(value)

/** The RFC 7591 defaults for omitted members (a new object). @internal */
export const applyDefaults = (metadata: ClientMetadata): ClientMetadata => applyClientMetadataDefaults(metadata)

/** The cross-member rules (and, with `uriRules`, the URI rules). @internal */
export const validate = (
  metadata: ClientMetadata,
  options: ValidateOptions
): Either.Either<ClientMetadata, RegistrationErrorResponse> => validateClientMetadata(metadata, options)

/** The mapping options of the engine's `dcrScopeUsedAsRequestable` / `supportedCustomClientMetadata`. @internal */
export const mappingOptions = (options: {
  readonly dcrScopeUsedAsRequestable?: boolean | undefined
  readonly supportedCustomClientMetadata?: ReadonlyArray<string> | undefined
}): MappingOptions => ({
  scopeAsRequestableScopes: options.dcrScopeUsedAsRequestable === true,
  customMetadataNames: (options.supportedCustomClientMetadata ?? []).filter((name) => !reservedNames.has(name))
})

/** A member of the request that the metadata schema keeps untyped (`client_id`, `client_secret`). @internal */
export const member = (metadata: ClientMetadata, name: string): unknown => (metadata as Record<string, unknown>)[name]

/** Confidential unless `token_endpoint_auth_method` is `none` (after defaults). @internal */
export const isConfidential = (metadata: ClientMetadata): boolean => metadata.token_endpoint_auth_method !== "none"

/** @internal */
export const softwareId = (metadata: ClientMetadata): string | undefined => metadata.software_id

/** Metadata + the server's bookkeeping → the Authlete `Client`. @internal */
export const toClient = (metadata: ClientMetadata, mapping: MappingOptions, bookkeeping: Bookkeeping): Client => {
  const client = metadataToClient(metadata, mapping) as Record<string, unknown>
  client.clientId = Number(bookkeeping.clientId)
  if (bookkeeping.clientSecret !== undefined) client.clientSecret = bookkeeping.clientSecret
  client.clientType = isConfidential(metadata) ? "CONFIDENTIAL" : "PUBLIC"
  client.createdAt = bookkeeping.createdAt
  client.modifiedAt = bookkeeping.modifiedAt
  client.dynamicallyRegistered = true
  return client as Client
}

/** Where a client metadata document came from, and when it was fetched and expires (epoch ms). @internal */
export interface DocumentBookkeeping {
  readonly location: string
  readonly fetchedAt: number
  readonly expiresAt: number
}

/**
 * A client metadata document's metadata → the Authlete `Client`, as Authlete models such a client:
 * no numeric `clientId`; the URL as `clientIdAlias` and `metadataDocumentLocation`, `clientSource`
 * `METADATA_DOCUMENT`.
 *
 * @internal
 */
export const toDocumentClient = (
  metadata: ClientMetadata,
  mapping: MappingOptions,
  bookkeeping: DocumentBookkeeping
): Client => {
  const client = metadataToClient(metadata, mapping) as Record<string, unknown>
  client.clientIdAlias = bookkeeping.location
  client.clientIdAliasEnabled = true
  client.clientType = isConfidential(metadata) ? "CONFIDENTIAL" : "PUBLIC"
  client.metadataDocumentLocation = bookkeeping.location
  client.metadataDocumentUpdatedAt = bookkeeping.fetchedAt
  client.metadataDocumentExpiresAt = bookkeeping.expiresAt
  client.discoveredByMetadataDocument = true
  client.clientSource = "METADATA_DOCUMENT"
  client.createdAt = bookkeeping.fetchedAt
  client.modifiedAt = bookkeeping.fetchedAt
  return client as Client
}

/** The metadata a `Client` stands for (what the server echoes). @internal */
export const toMetadata = (client: Client): Record<string, unknown> => clientToMetadata(client)

const decodeClient = Schema.decodeEither(Schema.parseJson(Client))

/**
 * The stored form of a client: its wire JSON, never with the client secret. Apart from the
 * `Redacted` `clientSecret` (left out), a `Client` built by `toClient` holds only JSON values whose
 * encoded form is themselves, so `JSON.stringify` writes the same document as `Schema.encode` (member
 * order aside) without a schema pass per request; `decodeStoredClient` validates it on the way back.
 *
 * @internal
 */
export const encodeStoredClient = (client: Client): string => {
  const { clientSecret: _secret, ...rest } = client
  return JSON.stringify(rest)
}

/** @internal */
export const decodeStoredClient = (text: string): Either.Either<Client, ParseResult.ParseError> => decodeClient(text)
