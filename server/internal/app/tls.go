package app

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/caddyserver/certmagic"

	"wasmsite/server/manifest"
)

// Defaults of the [tls] settings.
const (
	// DefaultACMEDirectory is Let's Encrypt's production directory.
	DefaultACMEDirectory = certmagic.LetsEncryptProductionCA
	DefaultHTTPSListen   = ":443"
	// DefaultTLSHTTPListen is where HTTP is served with HTTPS on: the redirect and the
	// ACME HTTP-01 challenges.
	DefaultTLSHTTPListen = ":80"
	// hstsHeader is sent on HTTPS responses with hsts on: a year, this host only.
	hstsHeader = "max-age=31536000"
)

// mergeTLS takes the certificates' source (domains, or certificate and key files) from
// the flags when they give one, else from the runtime config's [tls], and every other
// setting from the flags, else the file. ACME's settings are dropped when the source is
// files. With neither source, any other setting is an error naming it.
func mergeTLS(flags manifest.TLS, rc *manifest.RuntimeConfig) (manifest.TLS, error) {
	var file manifest.TLS
	if rc != nil {
		file = rc.TLS
	}
	out := manifest.TLS{Domains: file.Domains, CertFile: file.CertFile, KeyFile: file.KeyFile,
		Email: cmp.Or(flags.Email, file.Email), CA: cmp.Or(flags.CA, file.CA), CARoot: cmp.Or(flags.CARoot, file.CARoot),
		HSTS: cmp.Or(flags.HSTS, file.HSTS), HTTPListen: cmp.Or(flags.HTTPListen, file.HTTPListen),
		HTTPSListen: cmp.Or(flags.HTTPSListen, file.HTTPSListen)}
	if flags.Enabled() {
		out.Domains, out.CertFile, out.KeyFile = flags.Domains, flags.CertFile, flags.KeyFile
	}
	if out.CertFile != "" {
		out.Email, out.CA, out.CARoot = "", "", ""
	}
	if !out.Enabled() {
		for _, f := range []struct {
			field string
			set   bool
		}{{"email", out.Email != ""}, {"ca", out.CA != ""}, {"ca_root", out.CARoot != ""}, {"hsts", out.HSTS != nil},
			{"http_listen", out.HTTPListen != ""}, {"https_listen", out.HTTPSListen != ""}} {
			if f.set {
				return out, fmt.Errorf("tls %s is set but HTTPS is off: set tls domains or cert_file too (by flag or in the runtime config's [tls])", f.field)
			}
		}
	}
	return out, nil
}

// certSource is where the HTTPS listener's certificates come from.
type certSource interface {
	// names are the DNS names the certificates are for.
	names() []string
	// start begins keeping the certificates current until ctx ends, given the HTTP and
	// HTTPS listeners (which answer ACME challenges).
	start(ctx context.Context, httpAddr, httpsAddr net.Addr) error
	// tlsConfig serves the certificates.
	tlsConfig() *tls.Config
	// challenge answers ACME HTTP-01 challenges on the HTTP listener and passes other
	// requests to next.
	challenge(next http.Handler) http.Handler
}

// loadCerts sets a.certs from a.tls: ACME for its domains (certificates kept in
// <state dir>/certmagic), or its certificate files, read now; nil when HTTPS is off.
func (a *App) loadCerts() error {
	switch {
	case len(a.tls.Domains) > 0:
		c, stop, err := newACMECerts(a.tls, a.StateDir, a.log)
		if err != nil {
			return err
		}
		a.closers.push(closerFunc(func() error { stop(); return nil }))
		a.certs = c
	case a.tls.CertFile != "":
		f := &fileCerts{certFile: a.tls.CertFile, keyFile: a.tls.KeyFile, log: a.log}
		if err := f.load(); err != nil {
			return err
		}
		a.certs = f
	}
	return nil
}

// acmeCerts obtains and renews certificates for its domains over ACME with certmagic,
// answering the CA's HTTP-01 challenges on the HTTP listener and its TLS-ALPN-01 ones
// on the HTTPS listener.
type acmeCerts struct {
	domains []string
	config  *certmagic.Config
	issuer  *certmagic.ACMEIssuer
	// template is the issuer's settings; start adds the listeners' ports.
	template certmagic.ACMEIssuer
}

// newACMECerts prepares certmagic: a cache and a config storing certificates, keys and
// the ACME account under <stateDir>/certmagic, trusting t.CARoot's roots (if set) for
// the CA's own server. It returns the function that stops the cache's maintenance.
func newACMECerts(t manifest.TLS, stateDir string, log *slog.Logger) (*acmeCerts, func(), error) {
	if stateDir == "" {
		return nil, nil, errors.New("tls domains: ACME certificates are kept in the state dir, and there is none (state dir \"\")")
	}
	roots, err := loadRoots(t.CARoot)
	if err != nil {
		return nil, nil, err
	}
	zl := zapLogger(log)
	c := &acmeCerts{domains: t.Domains}
	cache := certmagic.NewCache(certmagic.CacheOptions{
		GetConfigForCert: func(certmagic.Certificate) (*certmagic.Config, error) { return c.config, nil },
		Logger:           zl,
	})
	c.config = certmagic.New(cache, certmagic.Config{Storage: &certmagic.FileStorage{Path: filepath.Join(stateDir, "certmagic")}, Logger: zl})
	c.template = certmagic.ACMEIssuer{CA: cmp.Or(t.CA, DefaultACMEDirectory), Email: t.Email, Agreed: true, TrustedRoots: roots, Logger: zl}
	return c, cache.Stop, nil
}

// loadRoots reads a PEM file of root certificates (nil for ""; then the system's roots
// are trusted).
func loadRoots(file string) (*x509.CertPool, error) {
	if file == "" {
		return nil, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("tls ca_root: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("tls ca_root: %s holds no PEM certificate", file)
	}
	return pool, nil
}

func (c *acmeCerts) names() []string { return c.domains }

// start makes the ACME issuer, which finds the challenge ports taken by the host's own
// listeners and so leaves the challenges to them, then loads the certificates kept and
// obtains or renews the others in the background (ManageAsync) while ctx lasts.
func (c *acmeCerts) start(ctx context.Context, httpAddr, httpsAddr net.Addr) error {
	iss := c.template
	iss.ListenHost = listenHost(httpAddr)
	iss.AltHTTPPort, iss.AltTLSALPNPort = port(httpAddr), port(httpsAddr)
	c.issuer = certmagic.NewACMEIssuer(c.config, iss)
	c.config.Issuers = []certmagic.Issuer{c.issuer}
	if err := c.config.ManageAsync(ctx, c.domains); err != nil {
		return fmt.Errorf("tls domains: %w", err)
	}
	return nil
}

// tlsConfig serves the managed certificates and answers TLS-ALPN-01 challenges.
func (c *acmeCerts) tlsConfig() *tls.Config {
	cfg := c.config.TLSConfig()
	cfg.NextProtos = append([]string{"h2", "http/1.1"}, cfg.NextProtos...)
	return cfg
}

func (c *acmeCerts) challenge(next http.Handler) http.Handler {
	return c.issuer.HTTPChallengeHandler(next)
}

// fileCerts serves a certificate and key read from PEM files, read again on SIGHUP.
type fileCerts struct {
	certFile, keyFile string
	cert              atomic.Pointer[tls.Certificate]
	log               *slog.Logger
}

// load reads the files; on failure the certificate served stays as it was.
func (f *fileCerts) load() error {
	c, err := tls.LoadX509KeyPair(f.certFile, f.keyFile)
	if err != nil {
		return fmt.Errorf("tls cert_file %s, key_file %s: %w", f.certFile, f.keyFile, err)
	}
	f.cert.Store(&c)
	return nil
}

// names are the certificate's DNS names (as loaded at start-up).
func (f *fileCerts) names() []string { return f.cert.Load().Leaf.DNSNames }

// start reloads the files on every SIGHUP until ctx ends.
func (f *fileCerts) start(ctx context.Context, _, _ net.Addr) error {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		defer signal.Stop(hup)
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				if err := f.load(); err != nil {
					f.log.Error("SIGHUP: keeping the previous certificate", "err", err)
				} else {
					f.log.Info("SIGHUP: certificate reloaded", "cert_file", f.certFile, "not_after", f.cert.Load().Leaf.NotAfter)
				}
			}
		}
	}()
	return nil
}

func (f *fileCerts) tlsConfig() *tls.Config {
	return &tls.Config{NextProtos: []string{"h2", "http/1.1"},
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return f.cert.Load(), nil }}
}

// challenge passes everything on: there is no ACME.
func (f *fileCerts) challenge(next http.Handler) http.Handler { return next }

// acmeChallengePath is where ACME HTTP-01 challenges are fetched (RFC 8555 §8.3).
const acmeChallengePath = "/.well-known/acme-challenge/"

// redirectToHTTPS answers 308 with the same host, path and query on https at
// httpsPort; unknown ACME challenges get 404 rather than a redirect.
func redirectToHTTPS(httpsPort string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, acmeChallengePath) {
			http.NotFound(w, r)
			return
		}
		host := (&url.URL{Host: r.Host}).Hostname()
		if host == "" {
			http.Error(w, "missing Host header", http.StatusBadRequest)
			return
		}
		target := "https://" + originHost(host, httpsPort) + r.URL.RequestURI()
		http.Redirect(w, r, target, http.StatusPermanentRedirect)
	})
}

// originHost is host:port as an origin writes it: without the port when it is 443.
func originHost(host, port string) string {
	return strings.TrimSuffix(net.JoinHostPort(host, port), ":443")
}

// withHSTS adds Strict-Transport-Security to h's responses.
func withHSTS(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", hstsHeader)
		h.ServeHTTP(w, r)
	})
}

// loopbackRoute sends the host's outbound requests for its own HTTPS origins (one of
// the certificates' names at the HTTPS listener's port) to the loopback listener in
// plain HTTP, Host header kept: the site answers itself without a DNS lookup, a hairpin
// through the router or a TLS handshake. Other requests go to next.
type loopbackRoute struct {
	names    []string
	port     string
	loopback string // host:port
	next     http.RoundTripper
}

func (t *loopbackRoute) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Scheme != "https" || cmp.Or(r.URL.Port(), "443") != t.port || !slices.Contains(t.names, strings.ToLower(r.URL.Hostname())) {
		return t.next.RoundTrip(r)
	}
	own := r.Clone(r.Context())
	own.URL.Scheme, own.URL.Host = "http", t.loopback
	own.Host = cmp.Or(r.Host, r.URL.Host)
	return t.next.RoundTrip(own)
}

// serveTLS prepares HTTPS: the app over TLS on l.HTTPS (with HSTS if on), the redirect
// and ACME challenges on l.HTTP, and the app again on a loopback listener of its own
// for the host's requests to itself ("self", relative URLs and its own HTTPS origins,
// see loopbackRoute). Guests see https in spin-full-url. "self" is the site's origin,
// https://<first certificate name>[:port], or the loopback listener's origin when the
// certificate has no DNS name.
func (a *App) serveTLS(ctx context.Context, l *Listeners) ([]served, error) {
	loop, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("loopback listener for the host's own requests: %w", err)
	}
	if err := a.certs.start(ctx, l.HTTP.Addr(), l.HTTPS.Addr()); err != nil {
		loop.Close()
		return nil, err
	}
	httpsPort := fmt.Sprint(port(l.HTTPS.Addr()))
	names := a.certs.names()
	a.HTTP.TLS = true
	a.HTTP.Self = selfOrigin(loop.Addr())
	if len(names) > 0 {
		a.HTTP.Self = &url.URL{Scheme: "https", Host: originHost(names[0], httpsPort)}
	}
	a.outbound.Transport = &loopbackRoute{names: names, port: httpsPort, loopback: loop.Addr().String(), next: http.DefaultTransport}
	var app http.Handler = a.HTTP
	if a.tls.HSTS != nil && *a.tls.HSTS {
		app = withHSTS(app)
	}
	https := a.server(app)
	https.TLSConfig = a.certs.tlsConfig()
	return []served{{srv: https, ln: l.HTTPS, tls: true},
		{srv: a.server(a.certs.challenge(redirectToHTTPS(httpsPort))), ln: l.HTTP},
		{srv: a.server(a.HTTP), ln: loop}}, nil
}

// listenHost is the IP a listener is bound to, "" for all addresses.
func listenHost(addr net.Addr) string {
	if tcp, ok := addr.(*net.TCPAddr); ok && !tcp.IP.IsUnspecified() {
		return tcp.IP.String()
	}
	return ""
}

// port is a TCP listener's port (0 for others).
func port(addr net.Addr) int {
	if tcp, ok := addr.(*net.TCPAddr); ok {
		return tcp.Port
	}
	return 0
}
