package security

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"wasmsite/functions/sdk/spin"
	"wasmsite/server/internal/testenv"
)

// forgedValue is what a client claims in a host header; no component may see it.
const forgedValue = "/forged-by-the-client"

// TestForgedHeaders: a client's copies of the headers the host sets never reach a
// component, under the Spin executor (the raw header list) or WAGI (CGI variables);
// the site's static component and likes API cannot be steered by them; forwarding
// headers name the client only when they come from --trusted-proxies.
func TestForgedHeaders(t *testing.T) {
	rw := newRow(t, "headers", 40, "forgeries seen")
	manifest := `spin_manifest_version = 2
[application]
name = "security-headers"
[[trigger.http]]
route = "/echo/..."
component = "echo"
[[trigger.http]]
route = "/cgi/..."
component = "cgi"
executor = { type = "wagi" }
[component.echo]
source = "rawecho.wasm"
[component.cgi]
source = "wagi.wasm"
`
	dir, state := componentApp(t, manifest, map[string]string{
		"rawecho.wasm": testenv.Component(t, "server/internal/security/testdata/rawecho"),
		"wagi.wasm":    testenv.Command(t, "functions/examples/wagi"),
	})
	plain := testenv.Start(t, testenv.Options{Dir: dir, Args: []string{"-q", "--state-dir", state}})
	spinExecutorCases(t, rw, plain.Addr)
	wagiCases(t, rw, plain.Addr)
	clientAddrCases(t, rw, plain.Addr, false)
	plain.Stop()
	proxied := testenv.Start(t, testenv.Options{Dir: dir, Args: []string{"-q", "--state-dir", state, "--trusted-proxies", "127.0.0.1"}})
	clientAddrCases(t, rw, proxied.Addr, true)
	proxied.Stop()
	siteCases(t, rw)
}

// headerSpellings are the ways a client may spell a host header's name.
func headerSpellings(name string) []string {
	return []string{name, strings.ToUpper(name), http.CanonicalHeaderKey(name)}
}

// spinExecutorCases send each host header, in several spellings, once and twice, and
// all of them at once; the raw echo component must receive each exactly once, with
// the host's value.
func spinExecutorCases(t *testing.T, rw *row, addr string) {
	var all []string
	for _, name := range spin.HostHeaders {
		for _, spelling := range headerSpellings(name) {
			line := spelling + ": " + forgedValue
			for _, lines := range [][]string{{line}, {line, line}} {
				pairs, _ := echo(t, addr, "/echo/x?n=1", lines...)
				rw.check(hostHeaderOnce(pairs, name), "%q sent %d times: the component received %q", spelling, len(lines), values(pairs, name))
			}
		}
		all = append(all, name+": "+forgedValue)
	}
	pairs, _ := echo(t, addr, "/echo/x", all...)
	for _, name := range spin.HostHeaders {
		rw.check(hostHeaderOnce(pairs, name), "all host headers forged at once: the component received %s: %q", name, values(pairs, name))
	}
}

// hostHeaderOnce reports whether name appears exactly once in pairs, not with the
// client's value.
func hostHeaderOnce(pairs [][2]string, name string) bool {
	v := values(pairs, name)
	return len(v) == 1 && !strings.Contains(v[0], forgedValue)
}

func values(pairs [][2]string, name string) []string {
	var out []string
	for _, p := range pairs {
		if strings.EqualFold(p[0], name) {
			out = append(out, p[1])
		}
	}
	return out
}

// echo sends GET target with header lines to the raw echo component on a connection
// of its own, and returns the header pairs the component received and the
// connection's local address (the client address the host should report).
func echo(t *testing.T, addr, target string, headers ...string) (pairs [][2]string, local string) {
	t.Helper()
	body, local := rawExchange(t, addr, target, headers)
	if err := json.Unmarshal([]byte(body), &pairs); err != nil {
		t.Fatalf("GET %s: not the echo's JSON: %q", target, body)
	}
	return pairs, local
}

func rawExchange(t *testing.T, addr, target string, headers []string) (body, local string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n%s\r\n", target, addr, joinLines(headers))
	r, err := readResponse(bufio.NewReader(c))
	if err != nil || r.status != 200 {
		t.Fatalf("GET %s with %q: %d %v %q", target, headers, r.status, err, r.body)
	}
	return r.body, c.LocalAddr().String()
}

func joinLines(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l + "\r\n")
	}
	return b.String()
}

// cgiVariables are the CGI variables the host sets from its own headers.
var cgiVariables = []string{"PATH_INFO", "X_FULL_URL", "X_MATCHED_ROUTE", "X_BASE_PATH", "X_RAW_COMPONENT_ROUTE",
	"X_COMPONENT_ROUTE", "X_CLIENT_ADDR"}

// wagiCases: under WAGI a forged host header becomes no HTTP_ variable and changes
// none of the host's CGI variables; neither do the same names spelt with '_' (which
// CGI would turn into the same variable names) nor Proxy (httpoxy).
func wagiCases(t *testing.T, rw *row, addr string) {
	var lines []string
	for _, name := range spin.HostHeaders {
		lines = append(lines, name+": "+forgedValue, strings.ReplaceAll(name, "-", "_")+": "+forgedValue)
	}
	for _, v := range cgiVariables {
		lines = append(lines, strings.ReplaceAll(v, "_", "-")+": "+forgedValue, v+": "+forgedValue)
	}
	lines = append(lines, "Proxy: http://127.0.0.1:1/")
	env := wagiEnv(t, addr, lines)
	for _, v := range cgiVariables {
		rw.check(env[v] != "" && !strings.Contains(env[v], forgedValue), "WAGI %s = %q", v, env[v])
	}
	var spinVars []string
	for k := range env {
		if strings.HasPrefix(k, "HTTP_SPIN_") {
			spinVars = append(spinVars, k)
		}
	}
	rw.check(len(spinVars) == 0, "WAGI received the client's host headers as %q", spinVars)
	_, proxy := env["HTTP_PROXY"]
	rw.check(!proxy, "WAGI received HTTP_PROXY = %q (httpoxy)", env["HTTP_PROXY"])
}

func wagiEnv(t *testing.T, addr string, lines []string) map[string]string {
	t.Helper()
	body, _ := rawExchange(t, addr, "/cgi/x", lines)
	var out struct{ Env map[string]string }
	if err := json.Unmarshal([]byte(body), &out); err != nil || out.Env == nil {
		t.Fatalf("not the WAGI example's JSON: %q", body)
	}
	return out.Env
}

// forwarding is a client's claim of another address and what spin-client-addr must be
// when it comes from a trusted proxy ("" = the socket's address).
type forwarding struct {
	headers []string
	trusted string
}

var forwardings = []forwarding{
	{nil, ""},
	{[]string{"X-Forwarded-For: 203.0.113.7"}, "203.0.113.7:0"},
	{[]string{"X-Forwarded-For: 203.0.113.7, 198.51.100.2"}, "198.51.100.2:0"},
	{[]string{"X-Forwarded-For: 198.51.100.2, 127.0.0.1"}, "198.51.100.2:0"},
	{[]string{"X-Forwarded-For: 203.0.113.7", "X-Forwarded-For: 198.51.100.2"}, "198.51.100.2:0"},
	{[]string{`Forwarded: for=192.0.2.60;proto=http, for="[2001:db8::1]:4711"`}, "[2001:db8::1]:4711"},
	{[]string{"Forwarded: for=192.0.2.60", "X-Forwarded-For: 203.0.113.7"}, "192.0.2.60:0"},
	{[]string{"X-Forwarded-For: not-an-address"}, ""},
	{[]string{"X-Forwarded-For: 203.0.113.7, _hidden"}, ""},
	{[]string{"Forwarded: for=unknown"}, ""},
	{[]string{"X-Real-IP: 203.0.113.9", "True-Client-IP: 203.0.113.9", "CF-Connecting-IP: 203.0.113.9"}, ""},
	{[]string{"spin-client-addr: 203.0.113.9:1", "X-Forwarded-For: 203.0.113.7"}, "203.0.113.7:0"},
}

// clientAddrCases: without trusted proxies the client address is always the socket's;
// with 127.0.0.1 trusted, the rightmost address its chain gives.
func clientAddrCases(t *testing.T, rw *row, addr string, trusted bool) {
	for _, f := range forwardings {
		pairs, local := echo(t, addr, "/echo/addr", f.headers...)
		want := local
		if trusted && f.trusted != "" {
			want = f.trusted
		}
		got := values(pairs, spin.HeaderClientAddr)
		rw.check(len(got) == 1 && got[0] == want, "trusted proxies %v, %q: spin-client-addr %q, want %q", trusted, f.headers, got, want)
	}
}

// siteCases: the real site cannot be steered by forged host headers: spin-path-info
// does not pick the file, spin-matched-route does not reach a redirect's Location, and
// no forged client address escapes the likes per-IP limit (5 per minute here).
func siteCases(t *testing.T, rw *row) {
	dir, addr := siteApp(t)
	s := startSite(t, dir, addr, []string{"SPIN_VARIABLE_IP_RATE_LIMIT=5"})
	for i, spelling := range headerSpellings(spin.HeaderPathInfo) {
		// A query of its own makes each request a cache miss: the component runs.
		r, err := rawGet(s.Addr, fmt.Sprintf("/?path-info=%d", i), spelling+": /robots.txt")
		rw.check(err == nil && r.status == 200 && strings.Contains(r.body, "<html") && !strings.Contains(r.body, "User-agent"),
			"GET / with %s: /robots.txt: %d %.60q %v", spelling, r.status, r.body, err)
	}
	for i, route := range []string{`/\evil.example/...`, "//evil.example/...", "/evil/...", "http://evil.example/..."} {
		r, err := rawGet(s.Addr, fmt.Sprintf("/blog?route=%d", i), "spin-matched-route: "+route, "spin-component-route: /evil")
		want := fmt.Sprintf("/blog/?route=%d", i)
		rw.check(err == nil && r.status == 301 && r.header.Get("Location") == want,
			"GET /blog with spin-matched-route %s: %d Location %q, want %q (%v)", route, r.status, r.header.Get("Location"), want, err)
	}
	rateLimitCases(t, rw, s.URL)
}

// rateLimitCases: twelve likes by new readers, each claiming another client address;
// with 5 per minute and a fixed window, the 11th at the latest is refused.
func rateLimitCases(t *testing.T, rw *row, site string) {
	first429 := 0
	for i := 1; i <= 12 && first429 == 0; i++ {
		claim := fmt.Sprintf("203.0.113.%d", i)
		req, _ := http.NewRequest("POST", site+"/likes", strings.NewReader(`{"url":"`+likedPage+`"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", site)
		for _, h := range []string{"Spin-Client-Addr", "X-Forwarded-For", "X-Real-IP", "True-Client-IP"} {
			req.Header.Set(h, claim)
		}
		req.Header.Set("Forwarded", "for="+claim)
		resp, err := probeClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			first429 = i
		} else if resp.StatusCode != 200 {
			t.Fatalf("like %d: %d", i, resp.StatusCode)
		}
	}
	rw.check(first429 >= 6 && first429 <= 11, "per-IP limit of 5 with forged client addresses: first 429 at like %d, want 6..11", first429)
}
