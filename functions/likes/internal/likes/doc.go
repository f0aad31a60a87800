// Package likes is the logic of the likes component, independent of the wasm host:
// the HTTP API (Handler), reader tokens (JWT), page identity (Normalize), the sitemap
// allow-list and the rate limiter. The component's main package wires Store to
// outbound-redis and Fetcher to outbound HTTP; tests use in-memory fakes.
package likes
