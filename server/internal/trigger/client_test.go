package trigger

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestClientAddr(t *testing.T) {
	trusted, err := ParseTrustedProxies("10.0.0.0/8, 127.0.0.1,::1")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, peer string
		hdr        []string
		want       string
	}{
		{"untrusted peer: headers ignored", "203.0.113.9:5000", []string{"X-Forwarded-For", "1.2.3.4"}, "203.0.113.9:5000"},
		{"untrusted peer: Forwarded ignored", "203.0.113.9:5000", []string{"Forwarded", "for=1.2.3.4"}, "203.0.113.9:5000"},
		{"trusted peer, no header", "10.1.1.1:80", nil, "10.1.1.1:80"},
		{"one hop", "127.0.0.1:9", []string{"X-Forwarded-For", "198.51.100.7"}, "198.51.100.7:0"},
		{"client-forged entries left of the real one", "127.0.0.1:9", []string{"X-Forwarded-For", "6.6.6.6, 7.7.7.7, 198.51.100.7"}, "198.51.100.7:0"},
		{"through two trusted proxies", "127.0.0.1:9", []string{"X-Forwarded-For", "6.6.6.6, 198.51.100.7, 10.0.0.5"}, "198.51.100.7:0"},
		{"with a port", "127.0.0.1:9", []string{"X-Forwarded-For", "198.51.100.7:4444"}, "198.51.100.7:4444"},
		{"IPv6", "[::1]:9", []string{"X-Forwarded-For", "2001:db8::1"}, "[2001:db8::1]:0"},
		{"Forwarded wins", "127.0.0.1:9", []string{"Forwarded", `for=6.6.6.6, for="[2001:db8::2]:4711";proto=https`, "X-Forwarded-For", "5.5.5.5"}, "[2001:db8::2]:4711"},
		{"Forwarded, quoted v4, by and proto", "127.0.0.1:9", []string{"Forwarded", `for="198.51.100.8";by=10.0.0.1;proto=http`}, "198.51.100.8:0"},
		{"obfuscated hop stops the walk", "127.0.0.1:9", []string{"Forwarded", "for=198.51.100.7, for=_hidden"}, "127.0.0.1:9"},
		{"garbage stops at the last trusted hop", "127.0.0.1:9", []string{"X-Forwarded-For", "198.51.100.7, nonsense, 10.0.0.3"}, "10.0.0.3:0"},
		{"all trusted", "127.0.0.1:9", []string{"X-Forwarded-For", "10.0.0.1, 10.0.0.2"}, "10.0.0.1:0"},
		{"v4-mapped peer", "[::ffff:127.0.0.1]:9", []string{"X-Forwarded-For", "198.51.100.7"}, "198.51.100.7:0"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.peer
		for i := 0; i+1 < len(c.hdr); i += 2 {
			r.Header.Add(c.hdr[i], c.hdr[i+1])
		}
		if got := trusted.ClientAddr(r); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "127.0.0.1:9"
	r.Header.Set("X-Forwarded-For", "6.6.6.6")
	if got := TrustedProxies(nil).ClientAddr(r); got != "127.0.0.1:9" {
		t.Errorf("no trusted proxies: %s", got)
	}
	for _, bad := range []string{"10.0.0.0/33", "example.com", "1.2.3"} {
		if _, err := ParseTrustedProxies(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// A request id from a trusted proxy is kept when well formed; anyone else's is
// replaced.
func TestRequestID(t *testing.T) {
	trusted, _ := ParseTrustedProxies("127.0.0.1")
	h := &HTTP{TrustedProxies: trusted}
	for _, c := range []struct {
		peer, sent string
		kept       bool
	}{
		{"127.0.0.1:1", "abc-123_x.y", true},
		{"127.0.0.1:1", "has space", false},
		{"127.0.0.1:1", strings.Repeat("a", 129), false},
		{"203.0.113.1:1", "abc-123", false},
		{"127.0.0.1:1", "", false},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.peer
		if c.sent != "" {
			r.Header.Set(RequestIDHeader, c.sent)
		}
		id := h.requestID(r)
		if kept := id == c.sent; kept != c.kept || id == "" {
			t.Errorf("peer %s sent %q: id %q", c.peer, c.sent, id)
		}
	}
	r := httptest.NewRequest("GET", "/", nil)
	if a, b := h.requestID(r), h.requestID(r); a == b || len(a) != 16 {
		t.Errorf("ids %q, %q", a, b)
	}
}
