/**
 * What a client presents at the token endpoint (RFC 6749 §2.3, RFC 7523 §2.2), read from the
 * `Authorization` header and the form parameters: exactly one authentication method, or an
 * `invalid_request` / `invalid_client` saying why not. Nothing is checked against a registration here.
 *
 * @internal
 */
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import type { FormParameters as Parameters } from "../ClientRegistry.js"
import { InvalidClient, InvalidRequest } from "../ClientRegistryError.js"

/** @internal */
export const jwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

/**
 * The presented credentials, by method.
 *
 * @internal
 */
export type Presented =
  | {
    readonly method: "client_secret_basic" | "client_secret_post"
    readonly clientId: string
    readonly secret: Redacted.Redacted<string>
  }
  | {
    /** A JWT assertion (RFC 7523 §2.2): `private_key_jwt` or `client_secret_jwt`, as the client registered. */
    readonly method: "client_assertion"
    /** `client_id` when sent, else the assertion's unverified `sub` is looked up later. */
    readonly clientId: string | undefined
    readonly assertion: Redacted.Redacted<string>
  }
  | { readonly method: "none"; readonly clientId: string }

/**
 * One parameter: `undefined` when absent or empty (RFC 6749 §3.1: a parameter without a value is
 * treated as omitted), an `invalid_request` when repeated (RFC 6749 §3.1) or not a string (a body
 * parser's nested object).
 */
const parameter = (parameters: Parameters, name: string): Either.Either<string | undefined, InvalidRequest> => {
  const raw: unknown = parameters instanceof URLSearchParams ? parameters.getAll(name) : parameters[name]
  const values = typeof raw === "string" ? [raw] : raw === undefined ? [] : raw
  if (!Array.isArray(values) || !values.every((value) => typeof value === "string")) {
    return Either.left(
      new InvalidRequest({ reason: "MalformedParameter", description: `the ${name} parameter must be a string` })
    )
  }
  const present = values.filter((value) => value !== "")
  return present.length > 1
    ? Either.left(
      new InvalidRequest({ reason: "RepeatedParameter", description: `the ${name} parameter must not be repeated` })
    )
    : Either.right(present[0])
}

const malformedHeader = (description: string) =>
  Either.left(new InvalidRequest({ reason: "MalformedAuthorizationHeader", description }))

/** RFC 4648 §4 base64 with its padding, as RFC 7617 requires. */
const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const basicPattern = /^basic +(\S+) *$/i
const utf8 = new TextDecoder("utf-8", { fatal: true })

/** `application/x-www-form-urlencoded` decoding of one value (RFC 6749 §2.3.1, Appendix B). */
const formDecode = (value: string): string | undefined => {
  try {
    return decodeURIComponent(value.replaceAll("+", " "))
  } catch {
    return undefined
  }
}

/**
 * The client id and secret of an `Authorization: Basic` header (RFC 6749 §2.3.1, RFC 7617): base64
 * of `id:secret`, each form-urlencoded.
 *
 * @internal
 */
export const parseBasic = (
  header: string
): Either.Either<{ readonly clientId: string; readonly secret: Redacted.Redacted<string> }, InvalidRequest> => {
  const token = basicPattern.exec(header)?.[1]
  if (token === undefined) {
    return malformedHeader("the Authorization header must use the Basic scheme to authenticate a client")
  }
  if (!base64Pattern.test(token)) return malformedHeader("the Basic credentials are not valid base64")
  let decoded: string
  try {
    decoded = utf8.decode(Buffer.from(token, "base64"))
  } catch {
    return malformedHeader("the Basic credentials are not valid UTF-8")
  }
  const colon = decoded.indexOf(":")
  if (colon < 0) return malformedHeader("the Basic credentials must be client_id:client_secret")
  const clientId = formDecode(decoded.slice(0, colon))
  const secret = formDecode(decoded.slice(colon + 1))
  if (clientId === undefined || secret === undefined) {
    return malformedHeader("the Basic client_id and client_secret must be form-urlencoded (RFC 6749 section 2.3.1)")
  }
  if (clientId === "") return malformedHeader("the Basic credentials have an empty client_id")
  return Either.right({ clientId, secret: Redacted.make(secret) })
}

/**
 * The one authentication method a token request uses (RFC 6749 §2.3: a client must not use more
 * than one), with its credentials.
 *
 * @internal
 */
export const read = (
  authorization: string | undefined,
  parameters: Parameters
): Either.Either<Presented, InvalidRequest | InvalidClient> =>
  Either.gen(function*() {
    const clientId = yield* parameter(parameters, "client_id")
    const secret = yield* parameter(parameters, "client_secret")
    const assertionType = yield* parameter(parameters, "client_assertion_type")
    const assertion = yield* parameter(parameters, "client_assertion")
    const header = authorization === undefined || authorization.trim() === "" ? undefined : authorization
    const used = [header !== undefined, secret !== undefined, assertionType !== undefined || assertion !== undefined]
    if (used.filter(Boolean).length > 1) {
      return yield* Either.left(
        new InvalidRequest({
          reason: "MultipleAuthMethods",
          clientId,
          description: "the client must use only one authentication method (RFC 6749 section 2.3)"
        })
      )
    }
    if (header !== undefined) {
      const basic = yield* parseBasic(header)
      if (clientId !== undefined && clientId !== basic.clientId) {
        return yield* Either.left(
          new InvalidRequest({
            reason: "ClientIdMismatch",
            clientId: basic.clientId,
            description: "client_id does not match the client of the Authorization header"
          })
        )
      }
      return { method: "client_secret_basic", ...basic } as const
    }
    if (secret !== undefined) {
      if (clientId === undefined) {
        return yield* Either.left(
          new InvalidRequest({ reason: "MissingParameter", description: "client_secret requires client_id" })
        )
      }
      return { method: "client_secret_post", clientId, secret: Redacted.make(secret) } as const
    }
    if (assertionType !== undefined || assertion !== undefined) {
      if (assertionType !== jwtBearerAssertionType) {
        return yield* Either.left(
          assertionType === undefined
            ? new InvalidRequest({
              reason: "MissingParameter",
              clientId,
              description: "client_assertion_type is missing"
            })
            : new InvalidRequest({
              reason: "UnsupportedAssertionType",
              clientId,
              description: `client_assertion_type must be ${jwtBearerAssertionType}`
            })
        )
      }
      if (assertion === undefined) {
        return yield* Either.left(
          new InvalidRequest({ reason: "MissingParameter", clientId, description: "client_assertion is missing" })
        )
      }
      return { method: "client_assertion", clientId, assertion: Redacted.make(assertion) } as const
    }
    if (clientId === undefined) {
      return yield* Either.left(
        new InvalidClient({ reason: "MissingCredentials", description: "no client authentication included" })
      )
    }
    return { method: "none", clientId } as const
  })
