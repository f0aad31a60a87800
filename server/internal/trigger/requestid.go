package trigger

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/netip"
)

// RequestIDHeader carries a request's id to the component (x-request-id in Spin's
// request record, HTTP_X_REQUEST_ID for WAGI). The host sets it on every request; the
// same id is in the request's log line and in the host's log of that request's
// errors.
const RequestIDHeader = "X-Request-Id"

// requestID is the id of r: a trusted proxy's X-Request-Id when it sent a well-formed
// one (so that a request can be followed across both logs), else 16 random hex digits.
func (t *HTTP) requestID(r *http.Request) string {
	if v := r.Header.Get(RequestIDHeader); v != "" && validRequestID(v) && t.fromTrustedProxy(r) {
		return v
	}
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (t *HTTP) fromTrustedProxy(r *http.Request) bool {
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	return err == nil && t.TrustedProxies.contains(peer.Addr())
}

// validRequestID accepts 1 to 128 letters, digits, '-', '_' and '.'.
func validRequestID(s string) bool {
	if len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}
