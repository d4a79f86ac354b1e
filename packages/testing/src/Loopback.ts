/**
 * A test's own HTTP server on 127.0.0.1 (an ephemeral port) for the lifetime of a scope.
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as Http from "node:http"
import type { AddressInfo } from "node:net"

/**
 * Listens `server` on an ephemeral port of 127.0.0.1; its port and `http://127.0.0.1:{port}`. When
 * the scope closes, every connection is dropped and the server closed.
 */
export const listen = (
  server: Http.Server
): Effect.Effect<{ readonly port: number; readonly url: string }, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<{ readonly port: number; readonly url: string }>((resume) => {
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({ port, url: `http://127.0.0.1:${port}` }))
      })
    }),
    () =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )
