// Package security is the host's security test suite: attacks sent over real sockets to
// the real `server up` binary serving real components compiled from source (the
// project's site, the conformance probe and the components in testdata/). Each row is
// one test that counts the cases it tries, logs "<row>: N cases, M <failures>" and
// fails when it tried fewer than its minimum:
//
//   - traversal (TestPathTraversal, ≥ 50): encodings of "..", separators, prefixes and
//     depths sent as raw request lines to the static component, and symlinks in public/
//     pointing outside it; no answer may contain /etc/passwd or a marker file kept next
//     to public/, and the host keeps serving.
//   - outbound (TestOutboundBypass, ≥ 30): a probe component allowed to reach only test
//     server A tries to reach server B through other spellings of B's address,
//     userinfo, schemes, ports, redirects from A, "self" with a forged Host, and
//     outbound Redis (TCP and unix sockets); B must see no connection.
//   - tokens (TestForgedTokens, ≥ 20): forged, tampered and expired reader tokens
//     against the likes API; each gets 401 and no like is counted or removed.
//   - headers (TestForgedHeaders, ≥ 40): a client's copies of the headers the host sets
//     (spin.HostHeaders) never reach a component (Spin or WAGI executor), forwarding
//     headers are believed only from --trusted-proxies, and a forged client address
//     does not escape the likes per-IP rate limit.
//   - slow clients (TestSlowClients, ≥ 7): idle keep-alive connections, trickling
//     headers and bodies are cut at their timeouts, and --max-connections holds back
//     the 21st connection until one of 20 closes.
//   - oversized (TestOversizedRequests, ≥ 15): bodies over --max-body-mb get 413
//     (declared or chunked), header sections over 64 KiB get 431, and the host keeps
//     serving.
//   - faults (TestGuestFaults, ≥ 20): a guest that loops, exhausts its memory, panics,
//     exits or floods its output gets a 500 (or its output capped) for that request
//     only, and its logs stay bounded.
//
// Every host of the package shares one directory of compiled WebAssembly, so each
// component is compiled once per run.
package security
