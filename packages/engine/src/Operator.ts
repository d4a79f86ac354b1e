/**
 * Operator operations on the engine's `ClientStore`, without any registration access token: list,
 * show, delete, rotate a client secret, reissue a registration access token (the lost-token case,
 * and the way back for a client whose token was revoked under RFC 7592 §2). New credentials are
 * answered once as `Redacted`; only their SHA-256 hashes are stored. The `effect-dcr clients`
 * commands are these functions.
 *
 * @since 0.1.0
 */
import type { Client } from "@effect-dcr/schema"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import {
  type ClientRecord,
  ClientStore,
  type ClientStoreError,
  type ListOptions,
  revokedTokenHash
} from "./ClientStore.js"
import type * as Engine from "./Engine.js"
import * as Answers from "./internal/answers.js"
import * as Credentials from "./internal/credentials.js"
import * as Metadata from "./internal/metadata.js"

/**
 * An operator operation could not be done: no such client, a public client has no secret to
 * rotate, the stored client could not be decoded, or the client kept changing under the operation.
 *
 * @since 0.1.0
 * @category errors
 */
export class OperatorError extends Schema.TaggedError<OperatorError>()("OperatorError", {
  reason: Schema.Literal("NotFound", "PublicClient", "Undecodable", "Conflict"),
  clientId: Schema.String
}) {
  override get message(): string {
    switch (this.reason) {
      case "NotFound":
        return `No client ${this.clientId}`
      case "PublicClient":
        return `Client ${this.clientId} is public (token_endpoint_auth_method "none"): it has no client secret`
      case "Undecodable":
        return `The stored client ${this.clientId} could not be decoded`
      case "Conflict":
        return `Client ${this.clientId} was changed concurrently several times; try again`
    }
  }
}

/**
 * The engine options the operations use: the endpoints (for `registration_client_uri`) and the
 * client secret lifetime (for a rotated secret's `client_secret_expires_at`).
 *
 * @since 0.1.0
 * @category models
 */
export type Options = Pick<
  Engine.Options,
  "registrationEndpoint" | "registrationManagementEndpoint" | "clientSecretLifetime"
>

/**
 * One client as `list` shows it: no secret, no token, no hash.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientSummary {
  readonly clientId: string
  /** `undefined` when the client has none (or its stored form could not be decoded). */
  readonly clientName: string | undefined
  /** `CONFIDENTIAL` or `PUBLIC`; `undefined` when the stored form could not be decoded. */
  readonly clientType: string | undefined
  readonly softwareId: string | undefined
  readonly registrationPolicy: string | undefined
  /** Epoch milliseconds. */
  readonly createdAt: number
  /** Epoch milliseconds. */
  readonly modifiedAt: number
  /** Epoch milliseconds; `undefined`: never expires (or no secret). */
  readonly clientSecretExpiresAt: number | undefined
  /** The registration access token was revoked (RFC 7592 §2): `reissueToken` gives the client a new one. */
  readonly registrationAccessTokenRevoked: boolean
}

const summary = (record: ClientRecord): ClientSummary => {
  const client = Either.getOrUndefined(Metadata.decodeStoredClient(record.client))
  return {
    clientId: record.clientId,
    clientName: client?.clientName,
    clientType: client?.clientType,
    softwareId: record.softwareId,
    registrationPolicy: record.registrationPolicy,
    createdAt: record.createdAt,
    modifiedAt: record.modifiedAt,
    clientSecretExpiresAt: record.clientSecretExpiresAt,
    registrationAccessTokenRevoked: record.registrationAccessTokenHash === revokedTokenHash
  }
}

/**
 * One page of clients in client id order (`ClientStore.list`), summarised.
 *
 * @since 0.1.0
 * @category operations
 */
export const list = Effect.fn("Operator.list")(function*(options: ListOptions) {
  const store = yield* ClientStore
  const records = yield* store.list(options)
  return records.map(summary)
})

const find = (
  clientId: string
): Effect.Effect<
  { readonly record: ClientRecord; readonly client: Client },
  OperatorError | ClientStoreError,
  ClientStore
> =>
  Effect.flatMap(ClientStore, (store) => store.find(clientId)).pipe(
    Effect.flatMap((found) => {
      if (Option.isNone(found)) return Effect.fail(new OperatorError({ reason: "NotFound", clientId }))
      const client = Metadata.decodeStoredClient(found.value.client)
      return Either.isLeft(client)
        ? Effect.fail(new OperatorError({ reason: "Undecodable", clientId }))
        : Effect.succeed({ record: found.value, client: client.right })
    })
  )

/**
 * A client's information response (RFC 7591 §3.2.1) as GET /register/{id} answers it, without the
 * client secret and the registration access token.
 *
 * @since 0.1.0
 * @category operations
 */
export const show = Effect.fn("Operator.show")(function*(options: Options, clientId: string) {
  const { client, record } = yield* find(clientId)
  return Answers.informationWithoutCredentials(
    client,
    `${Answers.managementBase(options)}/${record.clientId}`,
    record.clientSecretExpiresAt
  )
})

/** How many times an operation re-reads a client that changed between its read and its write. */
const maxAttempts = 3

/**
 * Reads the client, builds its replacement, and writes it with compare-and-set on the token hash
 * read; re-reads when the client changed meanwhile. The stored client's `modifiedAt` is the new
 * `modifiedAt` of the row.
 */
const replaceWith = <A>(
  clientId: string,
  change: (
    record: ClientRecord,
    client: Client,
    now: number
  ) => Effect.Effect<
    {
      readonly tokenHash: string
      readonly secretHash: string | undefined
      readonly secretExpiresAt: number | undefined
      readonly answer: A
    },
    OperatorError
  >
): Effect.Effect<A, OperatorError | ClientStoreError, ClientStore> =>
  Effect.gen(function*() {
    const store = yield* ClientStore
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const { client, record } = yield* find(clientId)
      const now = Math.max(yield* Clock.currentTimeMillis, record.modifiedAt)
      const next = yield* change(record, client, now)
      const replaced = yield* store.replace(record.clientId, record.registrationAccessTokenHash, {
        client: Metadata.encodeStoredClient({ ...client, modifiedAt: now }),
        registrationAccessTokenHash: next.tokenHash,
        clientSecretHash: next.secretHash,
        clientSecretExpiresAt: next.secretExpiresAt,
        softwareId: record.softwareId,
        modifiedAt: now
      })
      if (replaced) return next.answer
    }
    return yield* new OperatorError({ reason: "Conflict", clientId })
  })

/**
 * What `rotateSecret` answers: the new secret (shown once, never stored) and when it expires.
 *
 * @since 0.1.0
 * @category models
 */
export interface RotatedSecret {
  readonly clientSecret: Redacted.Redacted<string>
  /** Epoch milliseconds; `undefined`: never. */
  readonly clientSecretExpiresAt: number | undefined
}

/**
 * A new client secret for a confidential client: the old one stops working at once; the new one
 * expires after `clientSecretLifetime` (never by default). The secret is answered once; only its
 * hash is stored. The registration access token is unchanged.
 *
 * @since 0.1.0
 * @category operations
 */
export const rotateSecret = Effect.fn("Operator.rotateSecret")(function*(options: Options, clientId: string) {
  const lifetime = Duration.toMillis(Duration.decode(options.clientSecretLifetime ?? 0))
  return yield* replaceWith(clientId, (record, client, now) => {
    if (client.clientType !== "CONFIDENTIAL") {
      return Effect.fail(new OperatorError({ reason: "PublicClient", clientId }))
    }
    const secret = Credentials.generateClientSecret()
    const expiresAt = Credentials.secretExpiry(lifetime, now)
    return Effect.succeed({
      tokenHash: record.registrationAccessTokenHash,
      secretHash: Credentials.hash(secret),
      secretExpiresAt: expiresAt,
      answer: { clientSecret: secret, clientSecretExpiresAt: expiresAt } satisfies RotatedSecret
    })
  })
})

/**
 * A new registration access token (RFC 7592): the old one, or the revoked marker, is replaced at
 * once. The token is answered once; only its hash is stored. The client secret is unchanged.
 *
 * @since 0.1.0
 * @category operations
 */
export const reissueToken = Effect.fn("Operator.reissueToken")(function*(clientId: string) {
  return yield* replaceWith(clientId, (record) => {
    const token = Credentials.generateRegistrationAccessToken(record.clientId)
    return Effect.succeed({
      tokenHash: Credentials.hash(token),
      secretHash: record.clientSecretHash,
      secretExpiresAt: record.clientSecretExpiresAt,
      answer: token
    })
  })
})

/**
 * Deletes a client without its registration access token (compare-and-set on the stored token
 * hash, re-read when it changed meanwhile).
 *
 * @since 0.1.0
 * @category operations
 */
export const remove = Effect.fn("Operator.remove")(function*(clientId: string) {
  const store = yield* ClientStore
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const found = yield* store.find(clientId)
    if (Option.isNone(found)) return yield* new OperatorError({ reason: "NotFound", clientId })
    if (yield* store.delete(clientId, found.value.registrationAccessTokenHash)) return
  }
  return yield* new OperatorError({ reason: "Conflict", clientId })
})
