/**
 * The client information response (RFC 7591 §3.2.1, RFC 7592 §3): the body of a successful
 * registration, read or update — the registered metadata plus the credentials the server issued.
 *
 * - `client_id` is a **string** (Authlete's `Client.clientId` is a number; see the mapping).
 * - `client_secret` and `registration_access_token` are `Redacted<string>` once decoded, so they never
 *   reach a log; encoding writes the plain string.
 * - `client_id_issued_at` and `client_secret_expires_at` are in **seconds** since the epoch;
 *   `client_secret_expires_at` is required when a `client_secret` is issued (`0` = never expires).
 * - The metadata members are those of `ClientMetadata` (same validation, tagged variants, unknown
 *   members kept, `null` read as absent).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import {
  AbsoluteUri,
  ClientMetadataFields,
  ExtensionMembers,
  LanguageTaggedMembers,
  metadataJsonSchemaAnnotation,
  MetadataString,
  NonNegativeInt
} from "./ClientMetadata.js"
import { ExpectedId } from "./internal/issues.js"
import { SecretString } from "./internal/json.js"

const optional = <S extends Schema.Schema.All>(schema: S) =>
  Schema.optionalWith(schema, { exact: true, nullable: true })

/**
 * The members a server adds to the registered metadata (RFC 7591 §3.2.1, RFC 7592 §3).
 *
 * @since 0.1.0
 * @category fields
 */
export const ClientInformationFields = {
  /** The client identifier (a string, REQUIRED). */
  client_id: MetadataString,
  /** The client secret (never issued to `none` clients); redacted once decoded. */
  client_secret: optional(SecretString).annotations({ description: "The client secret (Redacted once decoded)" }),
  /** When the client ID was issued, in **seconds** since the epoch. */
  client_id_issued_at: optional(NonNegativeInt),
  /** When the secret expires, in seconds since the epoch; `0` = never. Required with a secret. */
  client_secret_expires_at: optional(NonNegativeInt),
  /** The registration access token for RFC 7592 management; redacted once decoded. */
  registration_access_token: optional(SecretString).annotations({
    description: "The registration access token (Redacted once decoded)"
  }),
  /** The client configuration endpoint (RFC 7592 §3). */
  registration_client_uri: optional(AbsoluteUri)
}

/**
 * The names of {@link ClientInformationFields}: members a server sets and a client must not send
 * as metadata (RFC 7592 §2.2 tells the server to ignore them in an update, except `client_id` and
 * `client_secret`, which it checks).
 *
 * @since 0.1.0
 * @category constants
 */
export const clientInformationNames: ReadonlyArray<keyof typeof ClientInformationFields> = Object.keys(
  ClientInformationFields
) as Array<keyof typeof ClientInformationFields>

/**
 * @since 0.1.0
 * @category schemas
 */
export const ClientInformationResponse = Schema.Struct(
  { ...ClientInformationFields, ...ClientMetadataFields },
  ...LanguageTaggedMembers,
  ExtensionMembers
).annotations(metadataJsonSchemaAnnotation).pipe(
  Schema.filter((response) =>
    response.client_secret !== undefined && response.client_secret_expires_at === undefined
      ? {
        path: ["client_secret_expires_at"],
        message: "is required when a client_secret is issued (0 = never expires)"
      }
      : undefined
  )
).annotations({
  identifier: "ClientInformationResponse",
  description: "RFC 7591 section 3.2.1 / RFC 7592 section 3 client information response",
  [ExpectedId]: "a JSON object (client information)"
})

/**
 * @since 0.1.0
 * @category models
 */
export interface ClientInformationResponse extends Schema.Schema.Type<typeof ClientInformationResponse> {}

/**
 * The JSON shape of {@link ClientInformationResponse}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientInformationResponseEncoded extends Schema.Schema.Encoded<typeof ClientInformationResponse> {}
