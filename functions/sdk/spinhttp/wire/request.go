package wire

import (
	"net/url"
	"strings"

	"wasmsite/functions/sdk/spin"
)

// Request is an inbound request as Spin's request record carries it.
type Request struct {
	Method string // HTTP method name, e.g. "GET"
	URI    string // path and query, as sent
	// Headers are in the order the host sent them, names as sent (lower-case from
	// Spin hosts), Spin's own spin-* headers included.
	Headers []Pair
	Body    []byte
}

// Lookup returns the value of the first header called name (compared ignoring ASCII
// case) and whether there is one. For the headers the host sets (spin.HostHeaders) it
// is the last one: the host's, which it adds after the client's headers.
func (r *Request) Lookup(name string) (string, bool) {
	if spin.IsHostHeader(name) {
		for i := len(r.Headers) - 1; i >= 0; i-- {
			if equalFoldASCII(r.Headers[i].Name, name) {
				return r.Headers[i].Value, true
			}
		}
		return "", false
	}
	for _, p := range r.Headers {
		if equalFoldASCII(p.Name, name) {
			return p.Value, true
		}
	}
	return "", false
}

// Header returns the value Lookup finds, or "".
func (r *Request) Header(name string) string {
	v, _ := r.Lookup(name)
	return v
}

// Values calls fn with the value of every header called name, in order.
func (r *Request) Values(name string, fn func(value string)) {
	for _, p := range r.Headers {
		if equalFoldASCII(p.Name, name) {
			fn(p.Value)
		}
	}
}

// Query returns the URI's query parameters (url.ParseQuery: malformed pairs are
// dropped).
func (r *Request) Query() url.Values {
	_, query, _ := strings.Cut(r.URI, "?")
	v, _ := url.ParseQuery(query)
	return v
}

// Cookie returns the value of the first cookie called name in the Cookie headers, with
// the double quotes RFC 6265 allows around it removed, and whether there is one.
func (r *Request) Cookie(name string) (string, bool) {
	for _, h := range r.Headers {
		if !equalFoldASCII(h.Name, "cookie") {
			continue
		}
		for part := range strings.SplitSeq(h.Value, ";") {
			if n, v, ok := strings.Cut(strings.TrimSpace(part), "="); ok && n == name {
				if len(v) > 1 && v[0] == '"' && v[len(v)-1] == '"' {
					v = v[1 : len(v)-1]
				}
				return v, true
			}
		}
	}
	return "", false
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
