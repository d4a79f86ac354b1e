/**
 * The test-only TLS certificates (fixtures/tls/README.md says how they were made): a test CA and a
 * server certificate it signed for `127.0.0.1`, `localhost` and `[::1]`, with its private key. The
 * key is public: never use these outside tests.
 */
import { readFileSync } from "node:fs"

/** The directory holding the PEM files (and the README). */
export const directory: string = new URL("../fixtures/tls/", import.meta.url).pathname

const read = (name: string): string => readFileSync(`${directory}${name}`, "utf8")

/** The test CA's certificate (PEM): trust it, and `localhostCertificate` is trusted. */
export const caCertificate: string = read("ca.pem")

/** The server certificate for `127.0.0.1`, `localhost` and `[::1]` (PEM), signed by the test CA. */
export const localhostCertificate: string = read("localhost.pem")

/** The private key of `localhostCertificate` (PEM). */
export const localhostKey: string = read("localhost.key")
