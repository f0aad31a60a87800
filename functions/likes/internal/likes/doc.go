// Package likes is the logic of the likes component, independent of the wasm host:
// the HTTP API (Handler), reader tokens (JWT), page identity (Normalize), the sitemap
// allow-list and the rate limiter. The component's main package wires Store to
// outbound-redis and Fetcher to outbound HTTP. On a real Redis the handler runs its
// store work as Lua scripts (Handler.Scripts): one round trip for a GET or a change.
// Tests use an in-memory fake, and the host's store back ends (the embedded store
// and a real redis-server) for what only real command semantics show.
package likes
