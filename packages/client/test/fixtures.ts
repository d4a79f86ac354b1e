/**
 * Authlete's example payloads (reference §1, §4, §6: the OAS2 examples of the four DCR operations).
 */
export const clientSecret = "bMsjvZm2FE1_mqJgxhmYj_Wr8rA0Pia_A_j-V076qQm6-P1edKB055W579GBe7MSbOdxZ3dJKsKinCtdIFwxpw"
export const registrationAccessToken = "qs4Tu5TV7qqDYT93bFs6ISyhTByMF9o-54GY4JU5vTA"

export const responseContent = JSON.stringify({
  client_id: "26837717140341",
  client_secret: clientSecret,
  client_id_issued_at: 1641735467,
  client_secret_expires_at: 0,
  registration_access_token: registrationAccessToken,
  registration_client_uri: "https://my-service.example.com/dcr/register/26837717140341",
  client_name: "My Dynamic Client",
  token_endpoint_auth_method: "client_secret_basic",
  id_token_signed_response_alg: "RS256",
  subject_type: "public",
  default_max_age: 0,
  require_pushed_authorization_requests: false,
  require_signed_request_object: false,
  backchannel_user_code_parameter: false,
  tls_client_certificate_bound_access_tokens: false
})

export const client = (overrides: Record<string, unknown> = {}) => ({
  number: 6248,
  serviceNumber: 5041,
  developer: "authlete_21653835348762",
  clientId: 26837717140341,
  clientSecret,
  clientType: "CONFIDENTIAL",
  clientName: "My Dynamic Client",
  tokenAuthMethod: "CLIENT_SECRET_BASIC",
  idTokenSignAlg: "RS256",
  subjectType: "PUBLIC",
  createdAt: 1641735467000,
  modifiedAt: 1641735467013,
  dynamicallyRegistered: true,
  clientIdAliasEnabled: false,
  authTimeRequired: false,
  defaultMaxAge: 0,
  parRequired: false,
  requestObjectRequired: false,
  bcUserCodeRequired: false,
  tlsClientCertificateBoundAccessTokens: false,
  ...overrides
})

export const registerResponse = {
  resultCode: "A202001",
  resultMessage: "[A202001] The client was created with id 26837717140341.",
  action: "CREATED",
  responseContent,
  client: client()
}

export const getResponse = {
  resultCode: "A217001",
  resultMessage: "[A217001] The client information has been returned.",
  action: "OK",
  responseContent,
  client: client()
}

export const updateResponse = {
  resultCode: "A213001",
  resultMessage: "[A213001] The client has been updated.",
  action: "UPDATED",
  responseContent: responseContent.replace("My Dynamic Client", "My Updated Dynamic Client"),
  client: client({ clientName: "My Updated Dynamic Client", modifiedAt: 1641735500000 })
}

export const deleteResponse = {
  resultCode: "A216001",
  resultMessage: "[A216001] The client has been deleted.",
  action: "DELETED"
}

export const resultErrors = {
  400: { resultCode: "A001201", resultMessage: "[A001201] /auth/authorization, TLS must be used." },
  401: { resultCode: "A001202", resultMessage: "[A001202] /auth/authorization, Authorization header is missing." },
  403: {
    resultCode: "A001215",
    resultMessage: "[A001215] /auth/authorization, The client (ID = 26837717140341) is locked."
  },
  500: { resultCode: "A001101", resultMessage: "[A001101] /auth/authorization, Authlete Server error." }
} as const
