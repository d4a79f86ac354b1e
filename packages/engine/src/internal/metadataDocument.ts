/**
 * The resolver of client metadata documents behind `ClientRegistry`: the client id URL checked, the
 * document fetched (`documentFetch`), held to the draft's rules (its `client_id` is the URL; no
 * shared secret; no private key) and to registration's (decode, defaults, cross-member and URI
 * rules), mapped to a `Client`, and cached for its `Cache-Control` lifetime within bounds.
 *
 * @internal
 */
import type { Client, RegistrationErrorResponse } from "@effect-dcr/schema"
import * as Cache from "effect/Cache"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as tls from "node:tls"
import { checkClientIdUrl, ClientIdMetadataDocumentError, defaults, type Options } from "../ClientIdMetadataDocument.js"
import * as DocumentFetch from "./documentFetch.js"
import * as Metadata from "./metadata.js"

/** @internal */
export interface Resolver {
  readonly resolve: (clientId: string) => Effect.Effect<Client, ClientIdMetadataDocumentError>
}

/** RFC 6749 `error_description` characters only: `"` → `'`, `\` → `/`, anything else outside %x20-7E → `?`. */
const describable = (text: string): string =>
  text.replaceAll("\"", "'").replaceAll("\\", "/").replace(/[^\x20-\x7E]/g, "?")

const sharedSecretMethods: ReadonlySet<string> = new Set([
  "client_secret_basic",
  "client_secret_post",
  "client_secret_jwt"
])

/** JWK members that hold private or symmetric key material (RFC 7518 §6.2.2, §6.3.2, §6.4.1). */
const privateKeyMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] as const

const hasPrivateKey = (jwks: unknown): boolean => {
  const keys = typeof jwks === "object" && jwks !== null ? (jwks as { readonly keys?: unknown }).keys : undefined
  return Array.isArray(keys) &&
    keys.some((key) => typeof key === "object" && key !== null && privateKeyMembers.some((member) => member in key))
}

/**
 * How long to keep a document: 0 with `no-store` or `no-cache`, else its `max-age` (or `minTtl`
 * without one) held within `[minTtl, maxTtl]`. Milliseconds.
 *
 * @internal
 */
export const cacheLifetime = (cacheControl: string | undefined, minTtl: number, maxTtl: number): number => {
  const directives = (cacheControl ?? "").toLowerCase().split(",").map((directive) => directive.trim())
  if (directives.some((d) => d === "no-store" || d === "no-cache" || d.startsWith("no-cache="))) return 0
  const maxAge = directives.map((d) => /^max-age\s*=\s*"?(\d+)"?$/.exec(d)?.[1]).find((s) => s !== undefined)
  const wanted = maxAge === undefined ? minTtl : Number(maxAge) * 1000
  return Math.min(maxTtl, Math.max(minTtl, wanted))
}

/**
 * The resolver for `options` (enabled or not: the registry decides when to call it).
 *
 * @internal
 */
export const make = (options: Options): Effect.Effect<Resolver> => {
  const allowInsecureLoopback = options.allowInsecureLoopback === true
  const fetchOptions: DocumentFetch.Options = {
    timeout: Duration.decode(options.timeout ?? defaults.timeout),
    maxBytes: options.maxBytes ?? defaults.maxBytes,
    allowInsecureLoopback,
    ca: options.trustedCertificates === undefined || options.trustedCertificates.length === 0
      ? undefined
      : [...tls.rootCertificates, ...options.trustedCertificates]
  }
  const minTtl = Duration.toMillis(Duration.decode(options.cache?.minTtl ?? defaults.minTtl))
  const maxTtl = Duration.toMillis(Duration.decode(options.cache?.maxTtl ?? defaults.maxTtl))
  const maxEntries = options.cache?.maxEntries ?? defaults.maxEntries
  const mapping = Metadata.mappingOptions(options)
  const uriRules = options.uriRules ?? { allowLoopbackHttp: true }

  const load = (clientId: string) =>
    Effect.gen(function*() {
      const fail = (reason: ClientIdMetadataDocumentError["reason"], description: string) =>
        new ClientIdMetadataDocumentError({ reason, clientId, description: describable(description) })
      const url = yield* Either.mapLeft(checkClientIdUrl(clientId, { allowInsecureLoopback }), (problem) =>
        fail("InvalidClientIdUrl", problem))
      const fetched = yield* DocumentFetch.fetchDocument(url, clientId, fetchOptions)
      const fetchedAt = yield* Clock.currentTimeMillis
      let document: unknown
      try {
        document = JSON.parse(fetched.body)
      } catch {
        return yield* fail("MalformedDocument", "the document is not valid JSON")
      }
      if (typeof document !== "object" || document === null || Array.isArray(document)) {
        return yield* fail("MalformedDocument", "the document is not a JSON object")
      }
      const members = document as Record<string, unknown>
      if (members.client_id !== clientId) {
        return yield* fail("ClientIdMismatch", "the document's client_id is not the URL it was fetched from")
      }
      if ("client_secret" in members || "client_secret_expires_at" in members) {
        return yield* fail("SharedSecret", "the document must not contain client_secret or client_secret_expires_at")
      }
      const method = members.token_endpoint_auth_method
      if (typeof method === "string" && sharedSecretMethods.has(method)) {
        return yield* fail("SharedSecret", `token_endpoint_auth_method ${method} needs a shared secret`)
      }
      if (hasPrivateKey(members.jwks)) {
        return yield* fail("PrivateKey", "the document's jwks contains a private key")
      }
      const invalid = (error: RegistrationErrorResponse) =>
        fail("InvalidMetadata", `${error.error}: ${error.error_description ?? "the metadata is invalid"}`)
      const decoded = yield* Either.mapLeft(Metadata.decode(document), invalid)
      // RFC 7591's default (client_secret_basic) needs a shared secret: without one, a public client
      const sent = decoded.token_endpoint_auth_method === undefined
        ? { ...decoded, token_endpoint_auth_method: "none" as const }
        : decoded
      const metadata = yield* Either.mapLeft(
        Metadata.validate(Metadata.applyDefaults(sent), {
          grantTypesDefaulted: sent.grant_types === undefined,
          uriRules
        }),
        invalid
      )
      const ttl = cacheLifetime(fetched.cacheControl, minTtl, maxTtl)
      const client = Metadata.toDocumentClient(metadata, mapping, {
        location: clientId,
        fetchedAt,
        expiresAt: fetchedAt + ttl
      })
      return { client, ttl }
    }).pipe(Effect.withSpan("ClientIdMetadataDocument.fetch", { attributes: { "dcr.client_id": clientId } }))

  if (maxEntries <= 0) {
    return Effect.succeed({ resolve: (clientId) => Effect.map(load(clientId), ({ client }) => client) })
  }
  // effect's Cache: bounded (least recently used dropped), a lifetime per entry, and concurrent
  // resolutions of one URL share one fetch. A refusal or an uncacheable document is dropped at once
  // (its entry would otherwise live to the end of the current millisecond).
  return Effect.map(
    Cache.makeWith({
      capacity: maxEntries,
      lookup: load,
      timeToLive: (exit) => Exit.isSuccess(exit) ? Duration.millis(exit.value.ttl) : Duration.zero
    }),
    (cache): Resolver => ({
      resolve: (clientId) =>
        cache.get(clientId).pipe(
          Effect.tap(({ ttl }) => ttl === 0 ? cache.invalidate(clientId) : Effect.void),
          Effect.tapError(() => cache.invalidate(clientId)),
          Effect.map(({ client }) => client)
        )
    })
  )
}
