// A canned Authlete DCR API for the client benchmark: answers every POST to
// /api/{serviceId}/client/registration[/get|/update|/delete] with a fixed 200 JSON body (Authlete's
// own examples, as in packages/client/test/fixtures.ts), after reading the request body. Nothing is
// checked or stored: the benchmark measures the client side. Prints "listening <port>".
import { createServer } from "node:http"

const port = Number(process.env.PORT ?? 0)
const clientSecret = "bMsjvZm2FE1_mqJgxhmYj_Wr8rA0Pia_A_j-V076qQm6-P1edKB055W579GBe7MSbOdxZ3dJKsKinCtdIFwxpw"
const registrationAccessToken = "qs4Tu5TV7qqDYT93bFs6ISyhTByMF9o-54GY4JU5vTA"
const responseContent = JSON.stringify({
  client_id: "26837717140341",
  client_secret: clientSecret,
  client_id_issued_at: 1641735467,
  client_secret_expires_at: 0,
  registration_access_token: registrationAccessToken,
  registration_client_uri: "https://my-service.example.com/dcr/register/26837717140341",
  client_name: "My Dynamic Client",
  token_endpoint_auth_method: "client_secret_basic",
  id_token_signed_response_alg: "RS256",
  subject_type: "public",
  default_max_age: 0,
  require_pushed_authorization_requests: false,
  require_signed_request_object: false,
  backchannel_user_code_parameter: false,
  tls_client_certificate_bound_access_tokens: false
})
const client = {
  number: 6248,
  serviceNumber: 5041,
  developer: "authlete_21653835348762",
  clientId: 26837717140341,
  clientSecret,
  clientType: "CONFIDENTIAL",
  clientName: "My Dynamic Client",
  tokenAuthMethod: "CLIENT_SECRET_BASIC",
  idTokenSignAlg: "RS256",
  subjectType: "PUBLIC",
  createdAt: 1641735467000,
  modifiedAt: 1641735467013,
  dynamicallyRegistered: true,
  clientIdAliasEnabled: false,
  authTimeRequired: false,
  defaultMaxAge: 0,
  parRequired: false,
  requestObjectRequired: false,
  bcUserCodeRequired: false,
  tlsClientCertificateBoundAccessTokens: false
}
const answers = {
  register: JSON.stringify({
    resultCode: "A202001",
    resultMessage: "[A202001] The client was created with id 26837717140341.",
    action: "CREATED",
    responseContent,
    client
  }),
  get: JSON.stringify({
    resultCode: "A217001",
    resultMessage: "[A217001] The client information has been returned.",
    action: "OK",
    responseContent,
    client
  }),
  update: JSON.stringify({
    resultCode: "A213001",
    resultMessage: "[A213001] The client has been updated.",
    action: "UPDATED",
    responseContent,
    client
  }),
  delete: JSON.stringify({
    resultCode: "A216001",
    resultMessage: "[A216001] The client has been deleted.",
    action: "DELETED"
  })
}
const headers = { "content-type": "application/json" }

const server = createServer((req, res) => {
  req.resume()
  req.on("end", () => {
    const m = req.method === "POST" && req.url.match(/^\/api\/[^/]+\/client\/registration(?:\/(get|update|delete))?$/)
    if (!m) {
      res.writeHead(404, headers)
      return res.end("{\"resultCode\":\"A000404\",\"resultMessage\":\"not found\"}")
    }
    res.writeHead(200, headers)
    res.end(answers[m[1] ?? "register"])
  })
})
server.keepAliveTimeout = 60_000
server.listen(port, "127.0.0.1", () => console.log(`listening ${server.address().port}`))
const stop = () => server.close(() => process.exit(0))
process.on("SIGTERM", stop)
process.on("SIGINT", stop)
