// A canned Authlete DCR API for the client benchmark: answers every POST to
// /api/{serviceId}/client/registration[/get|/update|/delete] with a fixed 200 JSON body (Authlete's
// own examples, the schema package's fixtures), after reading the request body. Nothing is
// checked or stored: the benchmark measures the client side. Prints "listening <port>".
import { readFileSync } from "node:fs"
import { createServer } from "node:http"

const port = Number(process.env.PORT ?? 0)
// Authlete's own example answers: the schema package's fixtures, read once (compact JSON).
const fixture = (name) =>
  JSON.stringify(
    JSON.parse(
      readFileSync(new URL(`../../../packages/schema/test/fixtures/authlete/${name}.json`, import.meta.url), "utf8")
    )
  )
const answers = {
  register: fixture("register-created"),
  get: fixture("get-ok"),
  update: fixture("update-updated"),
  delete: fixture("delete-deleted")
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
