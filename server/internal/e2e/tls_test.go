package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/letsencrypt/pebble/v2/ca"
	"github.com/letsencrypt/pebble/v2/db"
	"github.com/letsencrypt/pebble/v2/va"
	"github.com/letsencrypt/pebble/v2/wfe"
	"github.com/miekg/dns"

	"wasmsite/server/internal/testenv"
)

// tlsName is the site's name in the TLS tests: the DNS stub resolves it to 127.0.0.1
// for Pebble, and the test clients dial 127.0.0.1 for it.
const tlsName = "site.wasmsite.test"

// TestHTTPSWithACME runs the real host with --tls-domain against Pebble, an ACME server
// embedded in the test process, and checks what a browser would see: the site and the
// likes API over HTTPS with a certificate for the name, HTTP redirected to HTTPS except
// ACME's challenge path, HSTS, https in spin-full-url and "self" requests answered.
func TestHTTPSWithACME(t *testing.T) {
	httpAddr, httpsAddr := testenv.FreeAddr(t), testenv.FreeAddr(t)
	// Pebble validates HTTP-01 at the host's HTTP listener; its TLS-ALPN-01 port is
	// closed, so the certificate can only come through the HTTP listener's challenge
	// handler (certmagic tries the other challenge when one fails).
	pebble := startPebble(t, portOf(t, httpAddr), portOf(t, testenv.FreeAddr(t)), startDNSStub(t))
	s := startTLSSite(t, httpAddr, httpsAddr, pebble.roots,
		"--tls-domain", tlsName, "--tls-email", "e2e@wasmsite.test", "--tls-ca", pebble.directory,
		"--tls-ca-root", pebble.serverRootFile, "--hsts")

	resp := s.get(t, "/")
	if resp.status != http.StatusOK || !strings.Contains(string(resp.body), "e2e site") {
		t.Fatalf("GET / over HTTPS: %s", resp)
	}
	leaf := resp.resp.TLS.PeerCertificates[0]
	if !slices.Contains(leaf.DNSNames, tlsName) || !strings.Contains(leaf.Issuer.CommonName, "Pebble") {
		t.Errorf("certificate for %v issued by %q, want %s by Pebble", leaf.DNSNames, leaf.Issuer.CommonName, tlsName)
	}
	if got := resp.header.Get("Strict-Transport-Security"); got != "max-age=31536000" {
		t.Errorf("HTTPS response with --hsts: Strict-Transport-Security %q", got)
	}
	if _, err := os.Stat(filepath.Join(s.dir, ".spin", "certmagic", "certificates")); err != nil {
		t.Errorf("certificates not kept in the state dir: %v", err)
	}
	checkRedirects(t, s)
	checkGuestsSeeHTTPS(t, s)
	checkLikesOverHTTPS(t, s)
}

// TestHTTPSWithCertificateFiles runs the host with --tls-cert/--tls-key (a certificate
// the test makes): the same HTTPS listener, redirect, guest view and likes, no HSTS
// unless asked, and the certificate read again on SIGHUP.
func TestHTTPSWithCertificateFiles(t *testing.T) {
	dir := t.TempDir()
	root, rootKey := newCA(t)
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	first := writeLeaf(t, root, rootKey, certFile, keyFile)
	roots := x509.NewCertPool()
	roots.AddCert(root)
	s := startTLSSite(t, testenv.FreeAddr(t), testenv.FreeAddr(t), roots, "--tls-cert", certFile, "--tls-key", keyFile)

	resp := s.get(t, "/blog/post-00/")
	if resp.status != http.StatusOK {
		t.Fatalf("GET a post over HTTPS: %s", resp)
	}
	if got := resp.resp.TLS.PeerCertificates[0].SerialNumber; got.Cmp(first) != 0 {
		t.Errorf("served certificate %v, want the file's %v", got, first)
	}
	if got := resp.header.Get("Strict-Transport-Security"); got != "" {
		t.Errorf("Strict-Transport-Security %q without --hsts", got)
	}
	checkRedirects(t, s)
	checkGuestsSeeHTTPS(t, s)
	checkLikesOverHTTPS(t, s)

	second := writeLeaf(t, root, rootKey, certFile, keyFile)
	if err := syscall.Kill(s.srv.Pid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for s.get(t, "/").resp.TLS.PeerCertificates[0].SerialNumber.Cmp(second) != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the new certificate is not served after SIGHUP")
		}
		s.client.CloseIdleConnections()
		time.Sleep(50 * time.Millisecond)
	}
}

// tlsSite is a host serving the site over HTTPS under tlsName.
type tlsSite struct {
	*site
	httpsURL, httpURL string // https://tlsName:port, http://tlsName:port
	client            *http.Client
}

// startTLSSite starts the site with site_url https://tlsName:<https port>, a probe
// component at /probe/ that may reach "self", and the TLS flags args; it is ready when
// its health check answers over HTTPS with a certificate the client trusts (roots).
func startTLSSite(t *testing.T, httpAddr, httpsAddr string, roots *x509.CertPool, args ...string) *tlsSite {
	s := &tlsSite{httpsURL: "https://" + tlsName + ":" + portString(t, httpsAddr), httpURL: "http://" + tlsName + ":" + portString(t, httpAddr)}
	s.client = tlsClient(roots)
	s.site = &site{url: s.httpsURL, siteURL: s.httpsURL, content: writeContent(t, 2)}
	s.dir = testenv.SiteApp(t, s.content, s.siteURL)
	testManifest(t, s.dir)
	addProbe(t, s.dir)
	shareCompileCache(t, s.dir)
	env := []string{"SPIN_VARIABLE_JWT_SECRET=" + newSecret, "SPIN_VARIABLE_SITE_URL=" + s.siteURL, "SPIN_VARIABLE_REDIS_ADDRESS="}
	s.srv = testenv.Start(t, testenv.Options{Dir: s.dir, Addr: httpAddr, Env: env,
		Args: append([]string{"--https-listen", httpsAddr}, args...),
		Ready: func() bool {
			r, err := s.fetch("/.well-known/spin/health")
			return err == nil && r.status == http.StatusOK
		}})
	return s
}

// compileCache is the compiled-module cache the TLS tests' hosts share.
var compileCache = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "wasmsite-e2e-tls-cache-*")
	testenv.OnExit(func() { os.RemoveAll(dir) })
	return dir, err
})

// shareCompileCache links appDir's compiled-module cache (.spin/cache) to compileCache,
// so that a host does not compile again what another test's host compiled.
func shareCompileCache(t *testing.T, appDir string) {
	dir, err := compileCache()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(appDir, ".spin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(dir, filepath.Join(appDir, ".spin", "cache")); err != nil {
		t.Fatal(err)
	}
}

// addProbe adds the conformance probe component at /probe/... with "self" allowed.
func addProbe(t *testing.T, dir string) {
	testenv.CopyFile(t, testenv.Component(t, "server/internal/conformance/testdata/probe"), filepath.Join(dir, "build", "probe.wasm"))
	m, err := os.ReadFile(filepath.Join(dir, "spin.toml"))
	if err != nil {
		t.Fatal(err)
	}
	testenv.WriteFile(t, filepath.Join(dir, "spin.toml"), string(m)+`
[[component]]
id = "probe"
source = "build/probe.wasm"
allowed_http_hosts = ["self"]
[component.trigger]
route = "/probe/..."
`)
}

// fetch GETs url (a path on the HTTPS origin, or absolute) without following redirects.
func (s *tlsSite) fetch(url string) (response, error) {
	return (&reader{hc: s.client}).try(http.MethodGet, s.absolute(url), "", "")
}

func (s *tlsSite) get(t *testing.T, url string) response {
	t.Helper()
	r, err := s.fetch(url)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// absolute is url as is when it has a scheme, else the path on the HTTPS origin.
func (s *tlsSite) absolute(url string) string {
	if strings.Contains(url, "://") {
		return url
	}
	return s.httpsURL + url
}

// checkRedirects: plain HTTP answers 308 to the same host, path and query on HTTPS,
// without HSTS, except under ACME's challenge path.
func checkRedirects(t *testing.T, s *tlsSite) {
	r := s.get(t, s.httpURL+"/blog/post-01/?utm=x&y=%20")
	if want := s.httpsURL + "/blog/post-01/?utm=x&y=%20"; r.status != http.StatusPermanentRedirect || r.header.Get("Location") != want {
		t.Errorf("HTTP GET: %d Location %q, want 308 to %s", r.status, r.header.Get("Location"), want)
	}
	if got := r.header.Get("Strict-Transport-Security"); got != "" {
		t.Errorf("HSTS %q on plain HTTP", got)
	}
	if r := s.get(t, s.httpURL+"/.well-known/acme-challenge/no-such-token"); r.status != http.StatusNotFound {
		t.Errorf("unknown ACME challenge over HTTP: %s, want 404 (not a redirect)", r)
	}
}

// checkGuestsSeeHTTPS: a component sees https in spin-full-url, and its relative
// ("self") requests reach the site, which sees them as https too.
func checkGuestsSeeHTTPS(t *testing.T, s *tlsSite) {
	var echo struct{ Headers map[string]string }
	r := s.get(t, "/probe/echo?x=1")
	if err := json.Unmarshal(r.body, &echo); err != nil {
		t.Fatalf("probe echo: %s", r)
	}
	if got, want := echo.Headers["spin-full-url"], s.httpsURL+"/probe/echo?x=1"; got != want {
		t.Errorf("spin-full-url %q, want %q", got, want)
	}
	var out struct {
		Status int
		Body   string
		Err    string
	}
	r = s.get(t, "/probe/http?url=/probe/echo")
	if err := json.Unmarshal(r.body, &out); err != nil || out.Status != http.StatusOK {
		t.Fatalf("relative outbound request: %s", r)
	}
	if err := json.Unmarshal([]byte(out.Body), &echo); err != nil {
		t.Fatal(err)
	}
	if got, want := echo.Headers["spin-full-url"], s.httpsURL+"/probe/echo"; got != want {
		t.Errorf("self request: spin-full-url %q, want %q", got, want)
	}
}

// checkLikesOverHTTPS: the likes flow works over HTTPS with the site's https Origin,
// and the reader cookie is Secure.
func checkLikesOverHTTPS(t *testing.T, s *tlsSite) {
	c := &reader{tb: t, base: s.httpsURL, origin: s.httpsURL, hc: s.client}
	r := c.post(postURL("post-00"))
	if r.status != http.StatusOK {
		t.Fatalf("like over HTTPS: %s", r)
	}
	if pl := r.likes(t); pl.Count != 1 || !pl.Liked {
		t.Errorf("like: %+v, want count 1, liked", pl)
	}
	if ck := r.cookie(); ck == nil || !ck.Secure || !ck.HttpOnly {
		t.Errorf("reader cookie %+v, want Secure and HttpOnly", ck)
	}
	if pl := c.state(postURL("post-00")); pl.Count != 1 || !pl.Liked {
		t.Errorf("GET after like: %+v, want count 1, liked", pl)
	}
	c.origin = "http://" + strings.TrimPrefix(s.httpsURL, "https://")
	wantJSONError(t, "like with the http origin", c.post(postURL("post-01")), http.StatusForbidden)
}

// tlsClient trusts roots, dials 127.0.0.1 for tlsName, keeps cookies and does not
// follow redirects.
func tlsClient(roots *x509.CertPool) *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots},
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				if host, port, _ := net.SplitHostPort(addr); host == tlsName {
					addr = net.JoinHostPort("127.0.0.1", port)
				}
				return dialer.DialContext(ctx, network, addr)
			}}}
}

// pebbleCA is an ACME server made of Pebble's packages, in the test process.
type pebbleCA struct {
	directory      string         // ACME directory URL
	serverRootFile string         // PEM of the certificate its API is served with (--tls-ca-root)
	roots          *x509.CertPool // the root it issues under
}

// startPebble wires Pebble as its command does (memory store, CA, VA, WFE) and serves
// its API over TLS on a free port. The VA validates HTTP-01 at httpPort and TLS-ALPN-01
// at tlsPort, resolving names with the DNS server at dnsAddr; it does not sleep before
// validating, and the WFE rejects no nonces.
func startPebble(t *testing.T, httpPort, tlsPort int, dnsAddr string) *pebbleCA {
	t.Setenv("PEBBLE_VA_NOSLEEP", "1")
	t.Setenv("PEBBLE_WFE_NONCEREJECT", "0")
	logs := &testenv.SyncBuffer{}
	logger := log.New(logs, "pebble ", log.Lmicroseconds)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("Pebble's log:\n%s", logs)
		}
	})
	store := db.NewMemoryStore()
	authority := ca.New(logger, store, "", "ecdsa", 0, 1, map[string]ca.Profile{"default": {Description: "default"}})
	validator := va.New(logger, httpPort, tlsPort, false, dnsAddr, store)
	front := wfe.New(logger, store, validator, authority, []string{"pebble.letsencrypt.org"}, false, false, 0, 0)
	srv := httptest.NewTLSServer(front.Handler())
	t.Cleanup(srv.Close)
	serverRoot := filepath.Join(t.TempDir(), "pebble-api.pem")
	testenv.WriteFile(t, serverRoot, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})))
	roots := x509.NewCertPool()
	roots.AddCert(authority.GetRootCert(0).Cert)
	return &pebbleCA{directory: srv.URL + wfe.DirectoryPath, serverRootFile: serverRoot, roots: roots}
}

// startDNSStub serves DNS over TCP (as Pebble's VA asks) on a free port: tlsName is
// 127.0.0.1, other names have no records. It returns the address.
func startDNSStub(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{Listener: ln, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		for _, question := range q.Question {
			if question.Qtype == dns.TypeA && strings.EqualFold(question.Name, tlsName+".") {
				m.Answer = append(m.Answer, &dns.A{A: net.IPv4(127, 0, 0, 1),
					Hdr: dns.RR_Header{Name: question.Name, Rrtype: dns.TypeA, Class: dns.ClassINET}})
			}
		}
		w.WriteMsg(m)
	})}
	go srv.ActivateAndServe()
	t.Cleanup(func() { srv.Shutdown() })
	return ln.Addr().String()
}

// newCA makes a self-signed root.
func newCA(t *testing.T) (*x509.Certificate, *ecdsa.PrivateKey) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "wasmsite e2e root"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

// writeLeaf writes a new certificate for tlsName signed by root, and its key, as PEM
// files, and returns its serial number.
func writeLeaf(t *testing.T, root *x509.Certificate, rootKey *ecdsa.PrivateKey, certFile, keyFile string) *big.Int {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: serial, DNSNames: []string{tlsName},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, root, &key.PublicKey, rootKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	testenv.WriteFile(t, keyFile, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})))
	testenv.WriteFile(t, certFile, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	return serial
}

func portString(t *testing.T, addr string) string {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return port
}

func portOf(t *testing.T, addr string) int {
	n, err := strconv.Atoi(portString(t, addr))
	if err != nil {
		t.Fatal(err)
	}
	return n
}
