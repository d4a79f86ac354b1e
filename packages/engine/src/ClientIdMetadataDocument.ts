/**
 * OAuth Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document): a client whose
 * `client_id` is an `https` URL publishes its RFC 7591 metadata at that URL. The options of
 * `ClientRegistry.layer`'s `clientIdMetadataDocuments`, the client id URL rules and the error a
 * refused document gives. The fetching (with its SSRF guards) and the cache are internal.
 *
 * @since 0.1.0
 */
import type { UriRulesOptions } from "@effect-dcr/schema"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { isLoopbackHostName } from "./internal/addressRanges.js"

/**
 * How client metadata documents are fetched and cached.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Resolve `https://` client ids from their documents. Default `false`. */
  readonly enabled?: boolean | undefined
  /**
   * For development and tests only: accept client ids on `127.0.0.1`, `localhost` or `[::1]`, `http://`
   * or `https://`, fetched from a loopback address (the loopback address is what is insecure; every
   * other host and address check stays). Default `false`; never in production: the server would
   * fetch from its own host.
   */
  readonly allowInsecureLoopback?: boolean | undefined
  /**
   * Extra CA certificates (PEM) trusted for `https://` documents, next to Node's bundled public roots
   * (`tls.rootCertificates`), for tests and private PKI. In code only (no CLI setting). Default none:
   * Node's default trust.
   */
  readonly trustedCertificates?: ReadonlyArray<string> | undefined
  /** The longest a fetch may take, connecting included. Default 5 seconds. */
  readonly timeout?: Duration.DurationInput | undefined
  /** The largest document read, in bytes (the draft's §8.7 recommends 5 KB). Default 5120. */
  readonly maxBytes?: number | undefined
  /** The cache of resolved documents. */
  readonly cache?: CacheOptions | undefined
  /** The URI rules applied to the document's URIs, as at registration. Default `{ allowLoopbackHttp: true }`. */
  readonly uriRules?: UriRulesOptions | undefined
  /** As `Engine.Options.dcrScopeUsedAsRequestable`: the document's `scope` becomes its requestable scopes. */
  readonly dcrScopeUsedAsRequestable?: boolean | undefined
  /** As `Engine.Options.supportedCustomClientMetadata`: other members kept in `customMetadata`. */
  readonly supportedCustomClientMetadata?: ReadonlyArray<string> | undefined
}

/**
 * The cache: a document is kept for its `Cache-Control: max-age` held within `[minTtl, maxTtl]`
 * (`minTtl` without `max-age`), never with `no-store` or `no-cache`; a refusal is never kept.
 *
 * @since 0.1.0
 * @category models
 */
export interface CacheOptions {
  /** The most documents kept (least recently used dropped first). Default 1000; 0 turns the cache off. */
  readonly maxEntries?: number | undefined
  /** The shortest a document is kept (also when it names no `max-age`). Default 30 seconds. */
  readonly minTtl?: Duration.DurationInput | undefined
  /** The longest a document is kept, whatever its `max-age`. Default 1 day. */
  readonly maxTtl?: Duration.DurationInput | undefined
}

/**
 * The defaults of {@link Options} and {@link CacheOptions}.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults = {
  timeout: Duration.seconds(5),
  maxBytes: 5120,
  maxEntries: 1000,
  minTtl: Duration.seconds(30),
  maxTtl: Duration.days(1)
} as const

/**
 * Why a client metadata document was refused:
 *
 * - `InvalidClientIdUrl`: the client id breaks the URL rules of the draft's §3 ({@link checkClientIdUrl});
 * - `ForbiddenAddress`: the host is, or resolves to, a special-use address (loopback, private,
 *   link-local, unique-local, CGNAT, multicast, unspecified, reserved; RFC 6890);
 * - `UnresolvableHost`, `FetchFailed`, `Timeout`;
 * - `UnexpectedStatus` (not 200), `Redirect` (redirects are never followed, draft §5);
 * - `NotJson` (the media type), `TooLarge`, `MalformedDocument` (not a JSON object in UTF-8);
 * - `ClientIdMismatch`: the document's `client_id` is not the URL, character for character;
 * - `SharedSecret`: a `client_secret*` member or a shared-secret `token_endpoint_auth_method` (draft §4.1);
 * - `PrivateKey`: private key material in `jwks`;
 * - `InvalidMetadata`: the metadata breaks the rules registration applies (RFC 7591, URI rules).
 *
 * @since 0.1.0
 * @category errors
 */
export class ClientIdMetadataDocumentError extends Schema.TaggedError<ClientIdMetadataDocumentError>()(
  "ClientIdMetadataDocumentError",
  {
    reason: Schema.Literal(
      "InvalidClientIdUrl",
      "ForbiddenAddress",
      "UnresolvableHost",
      "FetchFailed",
      "Timeout",
      "UnexpectedStatus",
      "Redirect",
      "NotJson",
      "TooLarge",
      "MalformedDocument",
      "ClientIdMismatch",
      "SharedSecret",
      "PrivateKey",
      "InvalidMetadata"
    ),
    clientId: Schema.String,
    /** What was refused, in RFC 6749 `error_description` characters (no `"` or `\`). */
    description: Schema.String
  }
) {
  override get message(): string {
    return `client metadata document ${this.clientId} refused: ${this.description}`
  }
}

/**
 * Whether a client id is meant as a metadata document URL (`https://…`, or `http://…` which only the
 * development switch accepts): such ids are never the engine's (decimal) client ids.
 *
 * @since 0.1.0
 * @category guards
 */
export const isDocumentUrl = (clientId: string): boolean => /^https?:\/\//i.test(clientId)

/**
 * The draft's §3 rules for a client id URL: `https`, no user information, a path, no `.` or `..`
 * segment, no fragment (a query is accepted). With `allowInsecureLoopback`, `http` on `127.0.0.1`,
 * `localhost` or `[::1]` too. The parsed URL, or why not.
 *
 * @example
 * ```ts
 * import { ClientIdMetadataDocument } from "@effect-dcr/engine"
 *
 * ClientIdMetadataDocument.checkClientIdUrl("https://app.example.com/oauth/client.json") // Either.right(URL)
 * ClientIdMetadataDocument.checkClientIdUrl("https://app.example.com") // Either.left("… must have a path")
 * ```
 *
 * @since 0.1.0
 * @category validation
 */
export const checkClientIdUrl = (
  clientId: string,
  options?: { readonly allowInsecureLoopback?: boolean | undefined }
): Either.Either<URL, string> => {
  if (!URL.canParse(clientId)) return Either.left("the client id is not a URL")
  const url = new URL(clientId)
  const insecure = url.protocol === "http:" && options?.allowInsecureLoopback === true &&
    isLoopbackHostName(url.hostname)
  if (url.protocol !== "https:" && !insecure) return Either.left("the client id URL must use https")
  if (url.username !== "" || url.password !== "" || /^[a-z]+:\/\/[^/?#]*@/i.test(clientId)) {
    return Either.left("the client id URL must not contain user information")
  }
  if (clientId.includes("#")) return Either.left("the client id URL must not contain a fragment")
  const path = /^[a-z]+:\/\/[^/?#]*(\/[^?#]*)/i.exec(clientId)?.[1]
  if (path === undefined) return Either.left("the client id URL must have a path")
  const dotSegment = path.split("/").some((segment) => /^(?:\.|%2e){1,2}$/i.test(segment))
  if (dotSegment) return Either.left("the client id URL must not contain . or .. path segments")
  return Either.right(url)
}
