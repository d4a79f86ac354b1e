/**
 * Companion schemas for the JSON-in-a-string fields of the Authlete API: each decodes both levels
 * (the string, then the JSON inside it) in one step with `Schema.parseJson`, and encodes back to a
 * string.
 *
 * - `RegisterRequest.json` / `UpdateRequest.json` → {@link ClientMetadata};
 * - `ClientRegistrationResponse.responseContent` → {@link ClientInformationResponse} or
 *   {@link RegistrationErrorResponse};
 * - `Client.jwks` → {@link JwkSet};
 * - `Client.customMetadata` → a record of custom metadata.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { ClientInformationResponse } from "./ClientInformationResponse.js"
import { ClientMetadata, JwkSet } from "./ClientMetadata.js"
import { RegisterRequest, UpdateRequest } from "./ClientRegistrationRequest.js"
import { AnyJson } from "./internal/json.js"
import { RegistrationErrorResponse } from "./RegistrationErrorResponse.js"

/**
 * A JSON string holding {@link ClientMetadata}.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ClientMetadataFromJson = Schema.parseJson(ClientMetadata).annotations({
  identifier: "ClientMetadataFromJson"
})

/**
 * `RegisterRequest` with its `json` decoded into {@link ClientMetadata}.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RegisterRequestWithMetadata = Schema.Struct({ ...RegisterRequest.fields, json: ClientMetadataFromJson })
  .annotations({ identifier: "RegisterRequestWithMetadata" })

/**
 * `UpdateRequest` with its `json` decoded into {@link ClientMetadata}.
 *
 * @since 0.1.0
 * @category schemas
 */
export const UpdateRequestWithMetadata = Schema.Struct({ ...UpdateRequest.fields, json: ClientMetadataFromJson })
  .annotations({ identifier: "UpdateRequestWithMetadata" })

/**
 * A JSON string holding a {@link ClientInformationResponse} (the `responseContent` of CREATED, OK
 * and UPDATED).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ClientInformationResponseFromJson = Schema.parseJson(ClientInformationResponse).annotations({
  identifier: "ClientInformationResponseFromJson"
})

/**
 * A JSON string holding a {@link RegistrationErrorResponse} (the `responseContent` of BAD_REQUEST,
 * UNAUTHORIZED and INTERNAL_SERVER_ERROR).
 *
 * @since 0.1.0
 * @category schemas
 */
export const RegistrationErrorResponseFromJson = Schema.parseJson(RegistrationErrorResponse).annotations({
  identifier: "RegistrationErrorResponseFromJson"
})

/**
 * `responseContent` of any action: client information or an error body.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponseContentFromJson = Schema.parseJson(
  Schema.Union(ClientInformationResponse, RegistrationErrorResponse)
).annotations({ identifier: "ResponseContentFromJson" })

/**
 * `Client.jwks`: a JSON string holding a {@link JwkSet}.
 *
 * @since 0.1.0
 * @category schemas
 */
export const JwkSetFromJson = Schema.parseJson(JwkSet).annotations({ identifier: "JwkSetFromJson" })

/**
 * `Client.customMetadata`: a JSON string holding an object of custom metadata.
 *
 * @since 0.1.0
 * @category schemas
 */
export const CustomMetadataFromJson = Schema.parseJson(Schema.Record({ key: Schema.String, value: AnyJson }))
  .annotations({ identifier: "CustomMetadataFromJson" })

/**
 * Precompiled encoder of a client information response to the `responseContent` string.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeClientInformationResponseJson = Schema.encodeEither(ClientInformationResponseFromJson)

/**
 * Precompiled encoder of an error body to the `responseContent` string.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeRegistrationErrorResponseJson = Schema.encodeSync(RegistrationErrorResponseFromJson)
