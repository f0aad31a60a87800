package app

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"go.uber.org/zap"

	"wasmsite/server/manifest"
)

func TestMergeTLS(t *testing.T) {
	on, off := true, false
	file := &manifest.RuntimeConfig{TLS: manifest.TLS{Domains: []string{"file.test"}, Email: "file@x", CA: "https://ca.test/dir",
		HSTS: &on, HTTPListen: ":8080", HTTPSListen: ":8443"}}
	for _, c := range []struct {
		name  string
		flags manifest.TLS
		rc    *manifest.RuntimeConfig
		want  manifest.TLS
	}{
		{"file alone", manifest.TLS{}, file, file.TLS},
		{"flags win field by field", manifest.TLS{Email: "flag@x", HSTS: &off, HTTPSListen: ":9443"}, file,
			manifest.TLS{Domains: []string{"file.test"}, Email: "flag@x", CA: "https://ca.test/dir", HSTS: &off, HTTPListen: ":8080", HTTPSListen: ":9443"}},
		{"flags' domains replace the file's", manifest.TLS{Domains: []string{"flag.test"}}, file,
			manifest.TLS{Domains: []string{"flag.test"}, Email: "file@x", CA: "https://ca.test/dir", HSTS: &on, HTTPListen: ":8080", HTTPSListen: ":8443"}},
		{"flags' files replace the file's domains and drop ACME's settings", manifest.TLS{CertFile: "c.pem", KeyFile: "k.pem"}, file,
			manifest.TLS{CertFile: "c.pem", KeyFile: "k.pem", HSTS: &on, HTTPListen: ":8080", HTTPSListen: ":8443"}},
		{"no runtime config", manifest.TLS{Domains: []string{"flag.test"}}, nil, manifest.TLS{Domains: []string{"flag.test"}}},
		{"off", manifest.TLS{}, nil, manifest.TLS{}},
	} {
		got, err := mergeTLS(c.flags, c.rc)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %+v %v, want %+v", c.name, got, err, c.want)
		}
	}
	_, err := mergeTLS(manifest.TLS{HSTS: &on}, nil)
	if err == nil || !strings.Contains(err.Error(), "tls hsts is set but HTTPS is off") {
		t.Errorf("hsts without a certificate source: %v", err)
	}
	_, err = mergeTLS(manifest.TLS{}, &manifest.RuntimeConfig{TLS: manifest.TLS{HTTPSListen: ":443"}})
	if err == nil || !strings.Contains(err.Error(), "tls https_listen is set") {
		t.Errorf("https_listen without a certificate source: %v", err)
	}
}

func TestRedirectToHTTPS(t *testing.T) {
	for _, c := range []struct {
		port, target, host string
		status             int
		location           string
	}{
		{"443", "/blog/x/?a=1&b=%20", "example.com", 308, "https://example.com/blog/x/?a=1&b=%20"},
		{"443", "/", "example.com:80", 308, "https://example.com/"},
		{"8443", "/p", "example.com:8080", 308, "https://example.com:8443/p"},
		{"443", "/a%2Fb", "[2001:db8::1]:80", 308, "https://[2001:db8::1]/a%2Fb"},
		{"8443", "/", "[2001:db8::1]", 308, "https://[2001:db8::1]:8443/"},
		{"443", "/.well-known/acme-challenge/token", "example.com", 404, ""},
		{"443", "/", "", 400, ""},
	} {
		r := httptest.NewRequest("GET", c.target, nil)
		r.Host = c.host
		w := httptest.NewRecorder()
		redirectToHTTPS(c.port).ServeHTTP(w, r)
		if w.Code != c.status || w.Header().Get("Location") != c.location {
			t.Errorf("%s%s (https port %s): %d %q, want %d %q", c.host, c.target, c.port, w.Code, w.Header().Get("Location"), c.status, c.location)
		}
	}
}

func TestWithHSTS(t *testing.T) {
	w := httptest.NewRecorder()
	withHSTS(http.NotFoundHandler()).ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	if got := w.Header().Get("Strict-Transport-Security"); got != "max-age=31536000" {
		t.Errorf("Strict-Transport-Security %q", got)
	}
}

// recordTrip records the request it is given.
type recordTrip struct{ got *http.Request }

func (r *recordTrip) RoundTrip(req *http.Request) (*http.Response, error) {
	r.got = req
	return nil, errors.New("recorded")
}

func TestLoopbackRoute(t *testing.T) {
	for _, c := range []struct{ url, wantURL, wantHost string }{
		{"https://example.com/sitemap.xml", "http://127.0.0.1:4000/sitemap.xml", "example.com"},
		{"https://WWW.example.com:443/x?y=1", "http://127.0.0.1:4000/x?y=1", "WWW.example.com:443"},
		{"https://example.com:8443/", "https://example.com:8443/", "example.com:8443"},
		{"http://example.com/", "http://example.com/", "example.com"},
		{"https://other.test/", "https://other.test/", "other.test"},
	} {
		next := &recordTrip{}
		rt := &loopbackRoute{names: []string{"example.com", "www.example.com"}, port: "443", loopback: "127.0.0.1:4000", next: next}
		req, _ := http.NewRequest("GET", c.url, nil)
		rt.RoundTrip(req)
		if next.got.URL.String() != c.wantURL || next.got.Host != c.wantHost {
			t.Errorf("%s: sent to %s with Host %q, want %s with Host %q", c.url, next.got.URL, next.got.Host, c.wantURL, c.wantHost)
		}
		if req.URL.String() != c.url {
			t.Errorf("%s: the caller's request was changed to %s", c.url, req.URL)
		}
	}
}

func TestZapLogger(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	z := zapLogger(log).Named("obtain").With(zap.String("identifier", "example.com"))
	z.Debug("hidden")
	z.Warn("could not obtain", zap.Error(errors.New("boom")), zap.Int("attempt", 2))
	got := buf.String()
	for _, want := range []string{`level=WARN msg="could not obtain" identifier=example.com logger=obtain attempt=2 error=boom`} {
		if !strings.Contains(got, want) {
			t.Errorf("log %q lacks %q", got, want)
		}
	}
	if strings.Contains(got, "hidden") {
		t.Errorf("debug line written at info level: %q", got)
	}
}
