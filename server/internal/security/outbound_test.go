package security

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"wasmsite/server/internal/testenv"
)

// TestOutboundBypass: probe components allowed to reach only test server A (or only
// "self") try to reach the forbidden server B by every other spelling of its address,
// through A's redirects, through "self" under a forged Host, and over outbound Redis.
// B counts the connections it gets (on 127.0.0.1, ::1 and a unix socket): it must get
// none, and each attempt must be refused, not fail while connecting.
func TestOutboundBypass(t *testing.T) {
	a := newServerA(t)
	b := newForbidden(t)
	v2 := startProbeApp(t, outboundV2Manifest(a.port, b.port), nil)
	v1 := startProbeApp(t, outboundV1Manifest(a.port), nil)
	rw := newRow(t, "outbound", 30, "bypasses")
	for _, app := range []struct{ name, base string }{{"v2", v2.URL + "/a/"}, {"v1", v1.URL + "/"}} {
		if r := outbound(t, app.base, a.url+"/ok", nil); r.Status != 200 || r.Body != "A ok" {
			t.Fatalf("%s: the allowed server A is not reachable (%+v): refusals would prove nothing", app.name, r)
		}
		for _, target := range bypassURLs(a.port, b.port) {
			attempt(t, rw, b, app.base, target, nil)
		}
		for _, rd := range redirects(a, b.port) {
			var r probeResult
			n := b.during(func() { r = outbound(t, app.base, rd.url, nil) })
			rw.check(rd.follow == (r.Status == 200) && n == 0, "%s: redirect %s: %+v, want followed=%v; B got %d connections",
				app.name, rd.url, r, rd.follow, n)
		}
	}
	selfCases(t, rw, b, v2.URL+"/self/", "/self/status")
	selfCases(t, rw, b, v2.URL+"/v1self/", "/v1self/status")
	selfCases(t, rw, b, v1.URL+"/", "/status")
	for _, addr := range redisAddrs(a.port, b.port, b.socket) {
		for _, base := range []string{v2.URL + "/a/", v2.URL + "/anyscheme/"} {
			var r redisResult
			n := b.during(func() { r = redisGet(t, base, addr) })
			rw.check(r.Err != "" && n == 0, "%s: outbound redis %q: %+v; B got %d connections", base, addr, r, n)
		}
	}
	if n := b.count(); n != 0 {
		t.Errorf("server B got %d connections", n)
	}
}

// serverA is the allowed server: /ok answers "A ok", /redirect?code=&to= redirects.
type serverA struct {
	url, port string
}

func newServerA(t *testing.T) *serverA {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			io.WriteString(w, "A ok")
		case "/redirect":
			code := 302
			fmt.Sscan(r.URL.Query().Get("code"), &code)
			w.Header().Set("Location", r.URL.Query().Get("to"))
			w.WriteHeader(code)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	return &serverA{url: srv.URL, port: port}
}

// forbidden is server B: listeners on one port of 127.0.0.1 and ::1 (when the machine
// has IPv6) and a unix socket, counting every connection and closing it.
type forbidden struct {
	port, socket string
	conns        atomic.Int64
}

func newForbidden(t *testing.T) *forbidden {
	b := &forbidden{socket: filepath.Join(t.TempDir(), "b.sock")}
	v4, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, b.port, _ = net.SplitHostPort(v4.Addr().String())
	testenv.CountConns(t, v4, &b.conns)
	if v6, err := net.Listen("tcp", "[::1]:"+b.port); err == nil {
		testenv.CountConns(t, v6, &b.conns)
	}
	unix, err := net.Listen("unix", b.socket)
	if err != nil {
		t.Fatal(err)
	}
	testenv.CountConns(t, unix, &b.conns)
	return b
}

func (b *forbidden) count() int64 { return b.conns.Load() }

// during returns the connections B got while f ran.
func (b *forbidden) during(f func()) int64 {
	before := b.count()
	f()
	return b.count() - before
}

// startProbeApp writes manifest with the probe component as probe.wasm and starts
// the host on it.
func startProbeApp(t *testing.T, manifest string, args []string) *testenv.Server {
	t.Helper()
	dir, state := componentApp(t, manifest, map[string]string{"probe.wasm": probe(t)})
	return testenv.Start(t, testenv.Options{Dir: dir, Args: append([]string{"-q", "--state-dir", state}, args...)})
}

// outboundV2Manifest: "allow-a" may reach A only, "self" and "v1self" only their own
// listener (v2 and v1 syntax), "anyscheme" A's address with any scheme.
func outboundV2Manifest(portA, portB string) string {
	return fmt.Sprintf(`spin_manifest_version = 2
[application]
name = "security-outbound"
[[trigger.http]]
route = "/a/..."
component = "allow-a"
[[trigger.http]]
route = "/self/..."
component = "self"
[[trigger.http]]
route = "/v1self/..."
component = "v1self"
[[trigger.http]]
route = "/anyscheme/..."
component = "anyscheme"
[component.allow-a]
source = "probe.wasm"
allowed_outbound_hosts = ["http://127.0.0.1:%[1]s"]
[component.self]
source = "probe.wasm"
allowed_outbound_hosts = ["http://self"]
[component.v1self]
source = "probe.wasm"
allowed_http_hosts = ["self"]
[component.anyscheme]
source = "probe.wasm"
allowed_outbound_hosts = ["*://127.0.0.1:%[1]s"]
`, portA)
}

// outboundV1Manifest: a Spin 1.x app whose probe may reach A and itself.
func outboundV1Manifest(portA string) string {
	return fmt.Sprintf(`spin_version = "1"
name = "security-outbound-v1"
version = "1.0.0"
trigger = { type = "http", base = "/" }
[[component]]
id = "probe"
source = "probe.wasm"
allowed_http_hosts = ["127.0.0.1:%s", "self"]
[component.trigger]
route = "/..."
`, portA)
}

// probeResult is the probe's report of an outbound request.
type probeResult struct {
	Status int
	Body   string
	Err    string
}

// outbound asks the probe at base to request target; hdr are extra request headers
// sent to the host ("Host" sets the Host header).
func outbound(t *testing.T, base, target string, hdr map[string]string) probeResult {
	t.Helper()
	req, err := http.NewRequest("GET", base+"http?url="+url.QueryEscape(target), nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		if k == "Host" {
			req.Host = v
		} else {
			req.Header.Set(k, v)
		}
	}
	return probeJSON[probeResult](t, req)
}

func probeJSON[T any](t *testing.T, req *http.Request) T {
	t.Helper()
	var out T
	resp, err := probeClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &out); resp.StatusCode != 200 || err != nil {
		t.Fatalf("%s %s: %d %q", req.Method, req.URL, resp.StatusCode, b)
	}
	return out
}

var probeClient = &http.Client{Timeout: 60 * time.Second}

// refused reports whether a probe result is a refusal: the host's
// destination-not-allowed or invalid-url, or the guest's own URL parser's error, but
// not an answer nor a failure while connecting (runtime-error, request-error).
func refused(r probeResult) bool {
	switch r.Err {
	case "", "runtime-error", "request-error":
		return false
	}
	return true
}

// attempt has the probe at base request target (with hdr sent to the host) and checks
// that it is refused and B got no connection.
func attempt(t *testing.T, rw *row, b *forbidden, base, target string, hdr map[string]string) {
	t.Helper()
	var r probeResult
	n := b.during(func() { r = outbound(t, base, target, hdr) })
	rw.check(refused(r) && n == 0, "%s (Host %q): outbound %q was not refused (%+v); B got %d connections", base, hdr["Host"], target, r, n)
}

// bypassURLs spell B's address (and other forbidden destinations) in ways an
// allow-list naming A might let through.
func bypassURLs(portA, portB string) []string {
	forms := []string{
		"http://127.0.0.1:%[2]s/", "http://127.1:%[2]s/", "http://2130706433:%[2]s/", "http://0x7f000001:%[2]s/",
		"http://0177.0.0.1:%[2]s/", "http://0x7f.0.0.1:%[2]s/", "http://127.000.000.001:%[2]s/", "http://[::1]:%[2]s/",
		"http://[::ffff:127.0.0.1]:%[2]s/", "http://[::ffff:7f00:1]:%[2]s/", "http://[0:0:0:0:0:0:0:1]:%[2]s/",
		"http://localhost:%[2]s/", "http://LOCALHOST:%[2]s/", "http://localhost.:%[2]s/", "http://0.0.0.0:%[2]s/",
		"http://0:%[2]s/", "http://127.0.0.2:%[2]s/", "http://127.0.0.1.:%[2]s/", "HTTP://127.0.0.1:%[2]s/",
		"http://127.0.0.1:%[1]s@127.0.0.1:%[2]s/", "http://user:pass@127.0.0.1:%[2]s/", "http://127.0.0.1:%[1]s:@127.0.0.1:%[2]s/",
		"http://127.0.0.1:%[2]s#@127.0.0.1:%[1]s/", "http://127.0.0.1:%[2]s?@127.0.0.1:%[1]s/", `http://127.0.0.1:%[2]s\@127.0.0.1:%[1]s/`,
		"http://127.0.0.1%%2f@127.0.0.1:%[2]s/", "http://127.0.0.1:0%[2]s/", "http://127.0.0.1:000%[2]s/",
		"http://127.0.0.1:%[1]s%[2]s/", "http://127.0.0.1:%[2]s:%[1]s/", "http://127.0.0.1:%[1]s:%[2]s/",
		"http://127.0.0.1:+%[2]s/", "http://127.0.0.1:%[2]s%%00/", "http://127.0.0.1:65536/",
		"https://127.0.0.1:%[2]s/", "http://127.0.0.1:%[1]s%%2f@127.0.0.1:%[2]s/",
		"http://127.0.0.1/", "http://127.0.0.1:80/", "http://%%31%%32%%37.0.0.1:%[2]s/", "http://127。0。0。1:%[2]s/",
		"file:///etc/passwd", "file://127.0.0.1:%[2]s/etc/passwd", "gopher://127.0.0.1:%[2]s/_GET", "ftp://127.0.0.1:%[2]s/",
		"ws://127.0.0.1:%[1]s/", "dict://127.0.0.1:%[2]s/", "unix:///%[2]s", "//127.0.0.1:%[2]s/", "//localhost:%[2]s/x",
		"http://self:%[2]s/", "http://self/", "http:127.0.0.1:%[2]s/", "http:/127.0.0.1:%[2]s/", "http:///127.0.0.1:%[2]s/",
	}
	out := make([]string, len(forms))
	for i, f := range forms {
		out[i] = fmt.Sprintf(f, portA, portB)
	}
	return out
}

type redirect struct {
	url    string
	follow bool // the target is allowed: the redirect is followed to A's 200
}

// redirects are A's answers redirecting to B in several ways (never followed), and one
// redirecting to A itself (followed).
func redirects(a *serverA, portB string) []redirect {
	via := func(code int, to string) string {
		return a.url + "/redirect?" + url.Values{"code": {fmt.Sprint(code)}, "to": {to}}.Encode()
	}
	b := "http://127.0.0.1:" + portB + "/"
	out := []redirect{{via(302, a.url+"/ok"), true}, {via(307, "/ok"), true}}
	for _, code := range []int{301, 302, 303, 307, 308} {
		out = append(out, redirect{via(code, b), false})
	}
	for _, to := range []string{"//127.0.0.1:" + portB + "/", "http://localhost:" + portB + "/",
		"http://127.0.0.1:" + strings.TrimPrefix(a.url, "http://127.0.0.1:") + "@127.0.0.1:" + portB + "/",
		via(302, b), "file:///etc/passwd"} {
		out = append(out, redirect{via(302, to), false})
	}
	return out
}

// selfCases: a component allowed only "self", called with B as the Host (and the
// forwarding headers), reaches its own listener with a relative URL (the probe's
// status op answers 418) and nothing through absolute or scheme-relative URLs to B.
func selfCases(t *testing.T, rw *row, b *forbidden, base, statusPath string) {
	forged := "127.0.0.1:" + b.port
	for _, hdr := range []map[string]string{
		{"Host": forged},
		{"Host": forged, "X-Forwarded-Host": forged, "Forwarded": "host=" + forged, "X-Forwarded-Proto": "http"},
		{"Host": "localhost:" + b.port, "spin-full-url": "http://" + forged + "/"},
	} {
		var r probeResult
		n := b.during(func() { r = outbound(t, base, statusPath, hdr) })
		rw.check(r.Status == http.StatusTeapot && n == 0,
			"%s with Host %s: relative %s did not reach the host's own listener: %+v; B got %d connections", base, hdr["Host"], statusPath, r, n)
		for _, target := range []string{"http://" + forged + statusPath, "//" + forged + statusPath, "http://self" + statusPath} {
			attempt(t, rw, b, base, target, hdr)
		}
	}
	// The absolute form of the request line sets the Host the server sees, too.
	target := strings.TrimPrefix(base, "http://") // addr/route/
	addr, route, _ := strings.Cut(target, "/")
	var r rawResponse
	var err error
	n := b.during(func() { r, err = rawGet(addr, "http://"+forged+"/"+route+"http?url="+url.QueryEscape(statusPath)) })
	rw.check(err == nil && strings.Contains(r.body, `"status":418`) && n == 0,
		"%s: absolute-form request naming B: %v %+v; B got %d connections", base, err, r, n)
}

// redisResult is the probe's report of an outbound Redis call.
type redisResult struct{ Err string }

func redisGet(t *testing.T, base, addr string) redisResult {
	t.Helper()
	body := fmt.Sprintf(`{"addr": %q, "op": "get", "key": "k"}`, addr)
	req, err := http.NewRequest("POST", base+"redis", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return probeJSON[redisResult](t, req)
}

// redisAddrs spell B as a Redis address, for a component allowed only A (over http)
// and one allowed A's address with any scheme.
func redisAddrs(portA, portB, socket string) []string {
	forms := []string{
		"redis://127.0.0.1:%[2]s", "redis://127.1:%[2]s", "redis://localhost:%[2]s", "redis://[::1]:%[2]s",
		"rediss://127.0.0.1:%[2]s", "redis://user:pass@127.0.0.1:%[2]s/0", "redis://127.0.0.1:%[1]s@127.0.0.1:%[2]s",
		"REDIS://127.0.0.1:%[2]s", "redis://:%[2]s", "127.0.0.1:%[2]s", "unix://%[3]s", "unix://127.0.0.1:%[1]s%[3]s",
		"redis+unix://%[3]s", "unix:%[3]s",
	}
	out := make([]string, len(forms))
	for i, f := range forms {
		out[i] = fmt.Sprintf(f, portA, portB, socket)
	}
	return out
}
