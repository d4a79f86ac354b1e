/**
 * The engine's answers: one typed constructor per operation and action, the error bodies from
 * `@effect-dcr/schema`, and the client information response from schema's mapping.
 *
 * @internal
 */
import {
  type Client,
  clientToInformationResponse,
  type DeleteResponse,
  type GetResponse,
  invalidClientMetadata,
  invalidRequest,
  invalidToken,
  type RegisterResponse,
  type RegistrationErrorResponse,
  serverError,
  type UpdateResponse
} from "@effect-dcr/schema"
import * as Redacted from "effect/Redacted"

/** How a token failure on get/update/delete is answered (`unauthorizedOnClientConfigSupported`). @internal */
export type TokenFailureAction = "UNAUTHORIZED" | "BAD_REQUEST"

type ErrorAction = TokenFailureAction | "INTERNAL_SERVER_ERROR"

/** An error answer: assignable to the response of every operation. */
interface Failure {
  readonly action: ErrorAction
  readonly resultCode: string
  readonly resultMessage: string
  readonly responseContent: string
}

const failure = (action: ErrorAction, resultCode: string, error: RegistrationErrorResponse): Failure => ({
  action,
  resultCode,
  resultMessage: `[${resultCode}] ${error.error_description ?? error.error}`,
  responseContent: JSON.stringify(error)
})

const unexpected = serverError("The server could not complete the request.")
const badToken = invalidToken("The registration access token is invalid or the client does not exist.")

/**
 * The RFC 7591 §3.2.1 / RFC 7592 §3 client information response as JSON: schema's
 * `clientToInformationResponse`, with the `Redacted` credentials written in clear;
 * `clientSecretExpiresAt` in seconds (`0`: never).
 *
 * @internal
 */
export const informationJson = (
  client: Client,
  registrationAccessToken: Redacted.Redacted<string>,
  registrationClientUri: string,
  clientSecretExpiresAt: number
): string => {
  const info = clientToInformationResponse(client, {
    registrationAccessToken,
    registrationClientUri,
    clientSecretExpiresAt
  })
  const secret = info.client_secret
  const registration_access_token = Redacted.value(registrationAccessToken)
  // no `client_secret: undefined` member: adding one changes the object's shape (slower to write)
  return JSON.stringify(
    secret === undefined
      ? { ...info, registration_access_token }
      : { ...info, client_secret: Redacted.value(secret), registration_access_token }
  )
}

/**
 * The base of `registration_client_uri`: `registrationManagementEndpoint`, else
 * `registrationEndpoint`, without trailing slashes.
 *
 * @internal
 */
export const managementBase = (options: {
  readonly registrationEndpoint: string
  readonly registrationManagementEndpoint?: string | undefined
}): string => (options.registrationManagementEndpoint ?? options.registrationEndpoint).replace(/\/+$/, "")

/**
 * The client information response without any credential (no `client_secret`, no
 * `registration_access_token`), for operators; `clientSecretExpiresAt` in epoch ms (`undefined`: never).
 *
 * @internal
 */
export const informationWithoutCredentials = (
  client: Client,
  registrationClientUri: string,
  clientSecretExpiresAt: number | undefined
): Record<string, unknown> => {
  const { clientSecret: _secret, ...rest } = client
  return {
    ...clientToInformationResponse(rest, {
      registrationClientUri,
      clientSecretExpiresAt: clientSecretExpiresAt === undefined ? 0 : Math.floor(clientSecretExpiresAt / 1000)
    })
  }
}

// register

/** @internal */
export const registerCreated = (clientId: string, client: Client, responseContent: string): RegisterResponse => ({
  action: "CREATED",
  resultCode: "A202001",
  resultMessage: `[A202001] The client was created with id ${clientId}.`,
  responseContent,
  client
})

/** Invalid metadata (`A202301`). @internal */
export const registerInvalidMetadata = (error: RegistrationErrorResponse): RegisterResponse =>
  failure("BAD_REQUEST", "A202301", error)

/** @internal */
export const registerDuplicateSoftwareId: RegisterResponse = failure(
  "BAD_REQUEST",
  "A202302",
  invalidClientMetadata("software_id: another client is already registered with this software_id")
)

/** @internal */
export const registerUnauthorized: RegisterResponse = failure(
  "UNAUTHORIZED",
  "A202303",
  invalidToken("The initial access token is missing or invalid.")
)

/** @internal */
export const registerServerError: RegisterResponse = failure("INTERNAL_SERVER_ERROR", "A202101", unexpected)

// get

/** @internal */
export const getOk = (client: Client, responseContent: string): GetResponse => ({
  action: "OK",
  resultCode: "A217001",
  resultMessage: "[A217001] The client information has been returned.",
  responseContent,
  client
})

/** @internal */
export const getTokenFailure = (action: TokenFailureAction): GetResponse => failure(action, "A217301", badToken)

/** @internal */
export const getServerError: GetResponse = failure("INTERNAL_SERVER_ERROR", "A217101", unexpected)

// update

/** @internal */
export const updated = (client: Client, responseContent: string): UpdateResponse => ({
  action: "UPDATED",
  resultCode: "A213001",
  resultMessage: "[A213001] The client has been updated.",
  responseContent,
  client
})

/** Invalid metadata (`A213302`). @internal */
export const updateInvalidMetadata = (error: RegistrationErrorResponse): UpdateResponse =>
  failure("BAD_REQUEST", "A213302", error)

/** `client_id` missing from the body or not the client's (`A213303`). @internal */
export const updateClientIdMismatch = (missing: boolean): UpdateResponse =>
  failure(
    "BAD_REQUEST",
    "A213303",
    invalidRequest(
      missing
        ? "client_id: the update request must include the client's client_id"
        : "client_id: does not match the client being updated"
    )
  )

/** @internal */
export const updateClientSecretMismatch: UpdateResponse = failure(
  "BAD_REQUEST",
  "A213304",
  invalidRequest("client_secret: does not match the client's current secret")
)

/** @internal */
export const updateTokenFailure = (action: TokenFailureAction): UpdateResponse => failure(action, "A213301", badToken)

/** @internal */
export const updateServerError: UpdateResponse = failure("INTERNAL_SERVER_ERROR", "A213101", unexpected)

// delete

/** @internal */
export const deleted: DeleteResponse = {
  action: "DELETED",
  resultCode: "A216001",
  resultMessage: "[A216001] The client has been deleted."
}

/** @internal */
export const deleteTokenFailure = (action: TokenFailureAction): DeleteResponse => failure(action, "A216301", badToken)

/** @internal */
export const deleteServerError: DeleteResponse = failure("INTERNAL_SERVER_ERROR", "A216101", unexpected)
