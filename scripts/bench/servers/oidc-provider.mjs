// oidc-provider (panva) with dynamic registration and registration management (RFC 7592, at
// /reg/{id}) enabled. Started as its own process by the benchmarks; prints "listening <port>".
//
// - OIDC_ADAPTER unset: oidc-provider's default in-memory adapter, an LRU of 1 000 entries (each
//   registration stores a client and a registration access token, so it keeps the last ~500
//   clients and its memory stays bounded however many clients register).
// - OIDC_ADAPTER=map: an unbounded Map per model, so every registered client stays readable, as a
//   registration server must (the management benchmark needs it).
// - The registration access token is not rotated on update (oidc-provider's default rotates it;
//   effect-dcr's does not), so both servers do the same work per PUT.
import Provider from "oidc-provider"

class MapAdapter {
  static stores = new Map()
  constructor(name) {
    if (!MapAdapter.stores.has(name)) MapAdapter.stores.set(name, new Map())
    this.store = MapAdapter.stores.get(name)
  }
  async upsert(id, payload) {
    this.store.set(id, payload)
  }
  async find(id) {
    return this.store.get(id)
  }
  async findByUserCode(userCode) {
    for (const p of this.store.values()) if (p.userCode === userCode) return p
  }
  async findByUid(uid) {
    for (const p of this.store.values()) if (p.uid === uid) return p
  }
  async consume(id) {
    const p = this.store.get(id)
    if (p) p.consumed = Math.floor(Date.now() / 1000)
  }
  async destroy(id) {
    this.store.delete(id)
  }
  async revokeByGrantId(grantId) {
    for (const [id, p] of this.store) if (p.grantId === grantId) this.store.delete(id)
  }
}

const port = Number(process.env.PORT ?? 0)
const host = "127.0.0.1"
const provider = new Provider(`http://${host}:${port}`, {
  ...(process.env.OIDC_ADAPTER === "map" ? { adapter: MapAdapter } : {}),
  features: {
    registration: { enabled: true },
    registrationManagement: { enabled: true, rotateRegistrationAccessToken: false },
    devInteractions: { enabled: false }
  },
  clientAuthMethods: ["client_secret_basic", "client_secret_post", "none"]
})
const server = provider.listen(port, host, () => {
  console.log(`listening ${server.address().port}`)
})
const stop = () => server.close(() => process.exit(0))
process.on("SIGTERM", stop)
process.on("SIGINT", stop)
