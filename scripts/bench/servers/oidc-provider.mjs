// oidc-provider (panva) with dynamic registration enabled and its default in-memory adapter.
// Started as its own process by scripts/bench/register.mjs; prints "listening <port>" when ready.
import Provider from "oidc-provider"

const port = Number(process.env.PORT ?? 0)
const host = "127.0.0.1"
const provider = new Provider(`http://${host}:${port}`, {
  features: {
    registration: { enabled: true },
    devInteractions: { enabled: false }
  },
  // Silence the development-keys warning path: oidc-provider generates signing keys when none are given.
  clientAuthMethods: ["client_secret_basic", "client_secret_post", "none"]
})
const server = provider.listen(port, host, () => {
  console.log(`listening ${server.address().port}`)
})
const stop = () => server.close(() => process.exit(0))
process.on("SIGTERM", stop)
process.on("SIGINT", stop)
