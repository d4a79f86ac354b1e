// The ceiling: a bare node:http registration handler. It does the minimum a registration endpoint
// must do — read and bound the body, parse JSON, check it is an object, mint an id, a secret and a
// registration access token, hash the token, keep the client in a Map, answer 201 with no-store
// headers — and nothing else (no validation of metadata, no durability).
import { createHash, randomBytes, randomInt } from "node:crypto"
import { createServer } from "node:http"

const port = Number(process.env.PORT ?? 0)
const clients = new Map()
const LIMIT = 64 * 1024
const headers = { "content-type": "application/json", "cache-control": "no-store", pragma: "no-cache" }

const fail = (res, status, error) => {
  res.writeHead(status, headers)
  res.end(JSON.stringify({ error }))
}

const server = createServer((req, res) => {
  if (req.method !== "POST" || req.url !== "/register") return fail(res, 404, "not_found")
  const chunks = []
  let size = 0
  req.on("data", (c) => {
    size += c.length
    if (size > LIMIT) {
      fail(res, 413, "invalid_request")
      req.destroy()
    } else chunks.push(c)
  })
  req.on("end", () => {
    let metadata
    try {
      metadata = JSON.parse(Buffer.concat(chunks).toString("utf8"))
    } catch {
      return fail(res, 400, "invalid_client_metadata")
    }
    if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) {
      return fail(res, 400, "invalid_client_metadata")
    }
    const clientId = String(1e14 + randomInt(0, 2 ** 48 - 1))
    const token = randomBytes(32).toString("base64url")
    const secret = metadata.token_endpoint_auth_method === "none" ? undefined : randomBytes(64).toString("base64url")
    clients.set(clientId, { metadata, tokenHash: createHash("sha256").update(token).digest("base64url") })
    res.writeHead(201, headers)
    res.end(JSON.stringify({
      ...metadata,
      client_id: clientId,
      ...(secret ? { client_secret: secret, client_secret_expires_at: 0 } : {}),
      client_id_issued_at: Math.floor(Date.now() / 1000),
      registration_access_token: token,
      registration_client_uri: `http://127.0.0.1:${server.address().port}/register/${clientId}`
    }))
  })
})
server.listen(port, "127.0.0.1", () => console.log(`listening ${server.address().port}`))
const stop = () => server.close(() => process.exit(0))
process.on("SIGTERM", stop)
process.on("SIGINT", stop)
