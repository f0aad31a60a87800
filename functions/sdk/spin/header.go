package spin

import "strings"

// Headers a Spin 1.x host adds to every inbound HTTP request
// (crates/trigger-http compute_default_headers).
const (
	// HeaderPathInfo is the request path after the component's route, still
	// percent-encoded.
	HeaderPathInfo = "spin-path-info"
	// HeaderFullURL is scheme://host/path?query of the request.
	HeaderFullURL = "spin-full-url"
	// HeaderMatchedRoute is the route pattern that matched, base included.
	HeaderMatchedRoute = "spin-matched-route"
	// HeaderBasePath is the HTTP trigger's base path.
	HeaderBasePath = "spin-base-path"
	// HeaderRawComponentRoute is the component's route as written in the manifest.
	HeaderRawComponentRoute = "spin-raw-component-route"
	// HeaderComponentRoute is the component's route without a trailing "/...".
	HeaderComponentRoute = "spin-component-route"
	// HeaderClientAddr is the client's address, ip:port.
	HeaderClientAddr = "spin-client-addr"
)

// HostHeaders are the headers the host sets on every request. A host removes any a
// client sent before adding its own, so each appears once, with the host's value.
var HostHeaders = []string{HeaderPathInfo, HeaderFullURL, HeaderMatchedRoute, HeaderBasePath,
	HeaderRawComponentRoute, HeaderComponentRoute, HeaderClientAddr}

// IsHostHeader reports whether name (any case) is one of HostHeaders.
func IsHostHeader(name string) bool {
	if len(name) < 5 || !strings.EqualFold(name[:5], "spin-") {
		return false
	}
	for _, h := range HostHeaders {
		if strings.EqualFold(name, h) {
			return true
		}
	}
	return false
}
