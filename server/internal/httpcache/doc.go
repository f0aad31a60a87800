// Package httpcache is the host's shared HTTP cache (RFC 9111) in front of components:
// a response a component marks cacheable for shared caches (public, s-maxage, max-age,
// Expires) is kept, by URL and the request headers it varies on, and served again
// without running the component while fresh; stale or no-cache entries with a validator
// are revalidated with a conditional request (ETag, Last-Modified) and refreshed by a
// 304. It never stores responses to requests with Authorization, responses with
// Set-Cookie, private, no-store or Vary: *, nor statuses other than 200, 301, 404 and
// 410. Concurrent identical misses make one origin call (request coalescing). Clients'
// conditional requests are answered from entries (304).
//
// Entries are immutable and shared by concurrent readers, bounded by total size
// (otter's weighted cache: W-TinyLFU admission, S3-FIFO eviction), and dropped per
// scope (a component) by Invalidate, which the host calls when a component's mapped
// files change.
package httpcache
