/**
 * Effect Schema models of Authlete's Dynamic Client Registration API and of RFC 7591/7592 client
 * metadata. Pure models: no transport, no platform import.
 *
 * @since 0.1.0
 */
export * from "./AnyJson.js"
export * from "./AuthleteEndpoint.js"
export * from "./Client.js"
export * from "./ClientEnums.js"
export * from "./ClientInformationResponse.js"
export * from "./ClientMetadata.js"
export * from "./ClientMetadataMapping.js"
export * from "./ClientMetadataValidation.js"
export * from "./ClientRegistrationRequest.js"
export * from "./ClientRegistrationResponse.js"
export * from "./JsonString.js"
export * from "./MediaType.js"
export * from "./ParseIssueDescription.js"
export * from "./RegistrationErrorResponse.js"
export * from "./ResultError.js"
export * from "./UriRules.js"
