/**
 * The `ClientRegistry` contract (`registryContract.ts`) against `AuthleteClientRegistry` of
 * `@effect-dcr/client`, over real HTTP to an Authlete-compatible server on loopback (`_authlete.ts`).
 * The engine runs the same contract on each of its stores (`ClientRegistry.test.ts`); what only
 * Authlete does (client_secret_jwt, its failures and retries) is tested in the client package.
 */
import { authleteTarget } from "./_authlete.js"
import { registryContract } from "./registryContract.js"

registryContract("AuthleteClientRegistry over loopback HTTP", authleteTarget)
