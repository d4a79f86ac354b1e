/**
 * The checks of an authorization or token request against a client's registration: redirect URI,
 * grant type, response type and scope. Pure functions of the stored `Client` (Authlete wire names
 * turned back into metadata strings with the enums of `@effect-dcr/schema`).
 *
 * @internal
 */
import { type Client, GrantType, ResponseType, ScopeString } from "@effect-dcr/schema"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { InvalidRequest, InvalidScope, UnauthorizedClient, UnsupportedResponseType } from "../ClientRegistryError.js"
import * as RedirectUri from "./redirectUri.js"

const clientIdOf = (client: Client): string | undefined =>
  client.clientId === undefined ? undefined : String(client.clientId)

/**
 * The redirect URI to use: the presented one if it matches a registered one (`RedirectUri.matches`);
 * when none is presented, the only registered one (RFC 6749 §3.1.2.3).
 *
 * @internal
 */
export const redirectUri = (client: Client, uri: string | undefined): Either.Either<string, InvalidRequest> => {
  const registered = client.redirectUris ?? []
  const clientId = clientIdOf(client)
  if (uri === undefined || uri === "") {
    return registered.length === 1
      ? Either.right(registered[0]!)
      : Either.left(
        new InvalidRequest({
          reason: "RedirectUriRequired",
          clientId,
          description: registered.length === 0
            ? "the client has no registered redirect URI"
            : "redirect_uri is required: the client registered several"
        })
      )
  }
  return registered.some((r) => RedirectUri.matches(r, uri))
    ? Either.right(uri)
    : Either.left(
      new InvalidRequest({
        reason: "RedirectUriMismatch",
        clientId,
        description: "redirect_uri does not match any registered redirect URI"
      })
    )
}

/** A wire name as its metadata string (an unknown wire name is kept as it is). */
const metadataOf = (toMetadata: (wire: string) => Option.Option<string>) => (wire: string): string =>
  Option.getOrElse(toMetadata(wire), () => wire)

/**
 * The grant type (metadata string, e.g. `authorization_code`) is one the client registered
 * (RFC 7591 §2 default: `authorization_code`).
 *
 * @internal
 */
export const grantType = (client: Client, grantType: string): Either.Either<void, UnauthorizedClient> =>
  (client.grantTypes ?? ["AUTHORIZATION_CODE"]).map(metadataOf(GrantType.toMetadata)).includes(grantType)
    ? Either.void
    : Either.left(
      new UnauthorizedClient({
        reason: "GrantTypeNotRegistered",
        clientId: clientIdOf(client),
        description: "the client is not registered for this grant type"
      })
    )

/**
 * The response type (any element order: `id_token code` is `code id_token`) is one the client
 * registered (RFC 7591 §2 default: `code`).
 *
 * @internal
 */
export const responseType = (
  client: Client,
  responseType: string
): Either.Either<void, UnauthorizedClient | UnsupportedResponseType> => {
  const canonical = ResponseType.normalize(responseType)
  if (canonical === undefined) {
    return Either.left(
      new UnsupportedResponseType({
        reason: "UnknownResponseType",
        clientId: clientIdOf(client),
        description: "response_type must be code, token, id_token or a combination of them, or none"
      })
    )
  }
  return (client.responseTypes ?? ["CODE"]).map(metadataOf(ResponseType.toMetadata)).includes(canonical)
    ? Either.void
    : Either.left(
      new UnauthorizedClient({
        reason: "ResponseTypeNotRegistered",
        clientId: clientIdOf(client),
        description: `the client is not registered for the response type ${canonical}`
      })
    )
}

const isScope = Schema.is(ScopeString)

/**
 * The requested scope values (RFC 6749 §3.3 syntax, duplicates removed), each one the client may
 * request when it has registered scopes (`extension.requestableScopes`, stored when the engine runs
 * with `dcrScopeUsedAsRequestable`); any scope when it has none.
 *
 * @internal
 */
export const scope = (
  client: Client,
  scope: string | undefined
): Either.Either<ReadonlyArray<string>, InvalidScope> => {
  const clientId = clientIdOf(client)
  if (scope === undefined || scope === "") return Either.right([])
  if (!isScope(scope)) {
    return Either.left(
      new InvalidScope({
        reason: "MalformedScope",
        clientId,
        description: "scope must be scope values separated by single spaces (RFC 6749 section 3.3)"
      })
    )
  }
  const requested = [...new Set(scope.split(" "))]
  const extension = client.extension
  if (extension?.requestableScopesEnabled !== true || extension.requestableScopes === undefined) {
    return Either.right(requested)
  }
  const registered = new Set(extension.requestableScopes)
  const refused = requested.find((value) => !registered.has(value))
  return refused === undefined
    ? Either.right(requested)
    : Either.left(
      new InvalidScope({
        reason: "ScopeNotRegistered",
        clientId,
        description: `the client is not registered for the scope ${refused}`
      })
    )
}
