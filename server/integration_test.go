package main

// Integration tests of the first slice: the real server binary serving the project's
// own application (spin.toml, the static and likes components compiled from
// functions/, the sample content rendered by ssg) over real HTTP, with likes counted in
// the embedded store and in a real redis-server.

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"wasmsite/server/internal/testenv"
	"wasmsite/server/store/redistest"
)

const testSecret = "integration-test-secret"

// startSite lays out the project's app for a free address and starts the host.
func startSite(t *testing.T, extraEnv ...string) *testenv.Server {
	t.Helper()
	addr := testenv.FreeAddr(t)
	base := "http://" + addr
	dir := testenv.SiteApp(t, filepath.Join(testenv.Root(t), "content"), base)
	return testenv.Start(t, testenv.Options{Dir: dir, Addr: addr, Env: append([]string{
		"SPIN_VARIABLE_JWT_SECRET=" + testSecret, "SPIN_VARIABLE_SITE_URL=" + base}, extraEnv...)})
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestSiteIsServed(t *testing.T) {
	s := startSite(t)
	resp, body := get(t, s.URL+"/")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if !strings.Contains(body, "/blog/what-is-wasmsite/") {
		t.Errorf("home page does not link the sample post")
	}
	resp, body = get(t, s.URL+"/blog/what-is-wasmsite/")
	if resp.StatusCode != 200 || !strings.Contains(body, "<h1") || !strings.Contains(body, `action="/likes"`) {
		t.Fatalf("post page: %d, like form present: %v", resp.StatusCode, strings.Contains(body, `action="/likes"`))
	}
	resp, body = get(t, s.URL+"/sitemap.xml")
	if resp.StatusCode != 200 || !strings.Contains(body, "<loc>"+s.URL+"/blog/what-is-wasmsite/</loc>") {
		t.Fatalf("sitemap: %d\n%s", resp.StatusCode, body)
	}
	if !strings.Contains(resp.Header.Get("Content-Type"), "xml") {
		t.Errorf("sitemap Content-Type %q", resp.Header.Get("Content-Type"))
	}
	// HEAD: headers, no body.
	hresp, err := http.Head(s.URL + "/blog/what-is-wasmsite/")
	if err != nil {
		t.Fatal(err)
	}
	hb, _ := io.ReadAll(hresp.Body)
	hresp.Body.Close()
	if hresp.StatusCode != 200 || len(hb) != 0 || hresp.Header.Get("Content-Type") == "" {
		t.Errorf("HEAD: %d, %d body bytes, type %q", hresp.StatusCode, len(hb), hresp.Header.Get("Content-Type"))
	}
	resp, body = get(t, s.URL+"/no/such/page/")
	if resp.StatusCode != 404 || !strings.Contains(strings.ToLower(body), "not found") {
		t.Errorf("missing page: %d %q", resp.StatusCode, body)
	}
	// Spin's well-known endpoints.
	if resp, body := get(t, s.URL+"/.well-known/spin/health"); resp.StatusCode != 200 || body != "OK" {
		t.Errorf("health: %d %q", resp.StatusCode, body)
	}
	if resp, body := get(t, s.URL+"/.well-known/spin/info"); resp.StatusCode != 200 || !strings.Contains(body, `"name": "wasmsite"`) {
		t.Errorf("info: %d %q", resp.StatusCode, body)
	}
}

// rawGet sends a request line verbatim (clients normalise "..") and returns status and body.
func rawGet(t *testing.T, addr, target string) (int, string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", target, addr)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestPathTraversalIsRefused(t *testing.T) {
	s := startSite(t)
	for _, target := range []string{
		"/../../../../etc/passwd",
		"/..%2f..%2f..%2f..%2fetc%2fpasswd",
		"/blog/../../../etc/passwd",
		"/%2e%2e/%2e%2e/etc/passwd",
		"/..\\..\\etc\\passwd",
		"/blog/%00/index.html",
	} {
		code, body := rawGet(t, s.Addr, target)
		if code != 404 && code != 400 {
			t.Errorf("GET %s: status %d, want 404", target, code)
		}
		if strings.Contains(body, "root:") {
			t.Errorf("GET %s leaked a host file", target)
		}
	}
	if code, _ := rawGet(t, s.Addr, "/"); code != 200 {
		t.Errorf("host stopped serving after traversal attempts: %d", code)
	}
}

type reader struct {
	t      *testing.T
	client *http.Client
	base   string
}

func newReader(t *testing.T, base string) *reader {
	jar, _ := cookiejar.New(nil)
	return &reader{t: t, client: &http.Client{Jar: jar}, base: base}
}

type likeState struct {
	URL   string `json:"url"`
	Count int    `json:"count"`
	Liked bool   `json:"liked"`
	Error string `json:"error"`
}

func (r *reader) do(method, page string) (int, likeState, *http.Response) {
	r.t.Helper()
	var req *http.Request
	if method == http.MethodGet {
		req, _ = http.NewRequest(method, r.base+"/likes?url="+page, nil)
	} else {
		req, _ = http.NewRequest(method, r.base+"/likes", strings.NewReader(`{"url":"`+page+`"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", r.base)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	var st likeState
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		r.t.Fatalf("%s %s: status %d, body is not JSON: %v", method, page, resp.StatusCode, err)
	}
	return resp.StatusCode, st, resp
}

func (r *reader) expect(method, page string, code, count int, liked bool) {
	r.t.Helper()
	got, st, _ := r.do(method, page)
	if got != code || (code == 200 && (st.Count != count || st.Liked != liked)) {
		r.t.Fatalf("%s %s: got %d %+v, want %d count=%d liked=%v", method, page, got, st, code, count, liked)
	}
}

// likesFlow checks the cookie flow of issue 2 and returns after leaving page liked by
// two readers.
func likesFlow(t *testing.T, s *testenv.Server) {
	const page = "/blog/what-is-wasmsite/"
	a := newReader(t, s.URL)
	code, st, resp := a.do(http.MethodPost, page)
	if code != 200 || st.Count != 1 || !st.Liked || st.URL != page {
		t.Fatalf("first like: %d %+v", code, st)
	}
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "likes_token" {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || strings.Count(cookie.Value, ".") != 2 {
		t.Fatalf("like did not set an HttpOnly SameSite=Lax JWT cookie: %+v", resp.Header["Set-Cookie"])
	}
	a.expect(http.MethodPost, page, 200, 1, true) // a second like changes nothing
	a.expect(http.MethodGet, page, 200, 1, true)
	a.expect(http.MethodGet, "/blog/what-is-wasmsite", 200, 1, true) // one page, one counter
	b := newReader(t, s.URL)
	b.expect(http.MethodGet, page, 200, 1, false)
	b.expect(http.MethodPost, page, 200, 2, true)
	b.expect(http.MethodDelete, page, 200, 1, false)
	b.expect(http.MethodDelete, page, 200, 1, false)
	b.expect(http.MethodPost, page, 200, 2, true)

	// A tampered token is refused.
	bad := newReader(t, s.URL)
	u, _ := http.NewRequest("GET", s.URL+"/likes", nil)
	parts := strings.Split(cookie.Value, ".")
	bad.client.Jar.SetCookies(u.URL, []*http.Cookie{{Name: "likes_token", Value: parts[0] + "." + parts[1] + ".AAAA" + parts[2][4:], Path: "/likes"}})
	if code, st, _ := bad.do(http.MethodPost, page); code != 401 || st.Error == "" {
		t.Errorf("tampered token: %d %+v, want 401 with an error", code, st)
	}
	if code, st, _ := a.do(http.MethodPost, "/blog/not-a-post/"); code != 404 || st.Error == "" {
		t.Errorf("page not in sitemap: %d %+v, want 404", code, st)
	}
	if code, st, _ := a.do(http.MethodPut, page); code != 405 || st.Error == "" {
		t.Errorf("PUT: %d %+v, want 405", code, st)
	}
}

func TestLikesEmbeddedStore(t *testing.T) {
	s := startSite(t)
	likesFlow(t, s)
	s.Restart()
	newReader(t, s.URL).expect(http.MethodGet, "/blog/what-is-wasmsite/", 200, 2, false)
	if _, err := os.Stat(filepath.Join(s.Dir, ".spin", "store.db")); err != nil {
		t.Errorf("embedded store not under the state dir: %v", err)
	}
}

func TestLikesRedis(t *testing.T) {
	r := redistest.Start(t)
	s := startSite(t, "SPIN_VARIABLE_REDIS_ADDRESS="+r.URL())
	likesFlow(t, s)
	s.Restart()
	newReader(t, s.URL).expect(http.MethodGet, "/blog/what-is-wasmsite/", 200, 2, false)
	// The count lives in Redis, not in the host: a fresh host with an empty state dir sees it.
	s.Stop()
	os.RemoveAll(filepath.Join(s.Dir, ".spin"))
	s.Restart()
	newReader(t, s.URL).expect(http.MethodGet, "/blog/what-is-wasmsite/", 200, 2, false)
}

// TestOutboundHostRefused gives the likes component a site URL whose host its
// manifest does not allow: the host refuses the sitemap fetch before connecting, and
// the like is answered 503.
func TestOutboundHostRefused(t *testing.T) {
	var conns atomic.Int32
	other := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `<urlset><url><loc>http://x/blog/what-is-wasmsite/</loc></url></urlset>`)
	}))
	other.Config.ConnState = func(net.Conn, http.ConnState) { conns.Add(1) }
	other.Start()
	defer other.Close()

	addr := testenv.FreeAddr(t)
	base := "http://" + addr
	dir := testenv.SiteApp(t, filepath.Join(testenv.Root(t), "content"), base)
	manifest, _ := os.ReadFile(filepath.Join(dir, "spin.toml"))
	// site_url points at the other server, but only the host itself is allowed.
	m := strings.Replace(string(manifest), `allowed_http_hosts = ["{{ site_url }}"]`, `allowed_http_hosts = ["`+addr+`"]`, 1)
	if m == string(manifest) {
		t.Fatal("spin.toml no longer has the expected allowed_http_hosts line")
	}
	testenv.WriteFile(t, filepath.Join(dir, "spin.toml"), m)
	s := testenv.Start(t, testenv.Options{Dir: dir, Addr: addr, Env: []string{
		"SPIN_VARIABLE_JWT_SECRET=" + testSecret, "SPIN_VARIABLE_SITE_URL=" + other.URL}})
	req, _ := http.NewRequest("POST", s.URL+"/likes", strings.NewReader(`{"url":"/blog/what-is-wasmsite/"}`))
	req.Header.Set("Origin", other.URL)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 503 {
		t.Errorf("like with a refused sitemap host: %d %s, want 503", resp.StatusCode, body)
	}
	if n := conns.Load(); n != 0 {
		t.Errorf("the host connected to a host not in allowed_http_hosts (%d connection events)", n)
	}
	if !s.WaitLog("outbound http refused", 5*time.Second) {
		t.Errorf("refusal not logged")
	}
	if strings.Contains(s.Logs(), testSecret) {
		t.Errorf("the secret jwt_secret appears in the host log")
	}
}

// TestStartupErrors: bad configuration stops start-up with a message naming the cause.
func TestStartupErrors(t *testing.T) {
	addr := testenv.FreeAddr(t)
	dir := testenv.SiteApp(t, filepath.Join(testenv.Root(t), "content"), "http://"+addr)
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SPIN_") {
			env = append(env, kv)
		}
	}
	cmd := testenv.ServerCommand(t, dir, env, "up", "--listen", addr)
	b, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(b), `"jwt_secret"`) || !strings.Contains(string(b), "SPIN_VARIABLE_JWT_SECRET") {
		t.Errorf("missing required variable: err=%v output:\n%s", err, b)
	}

	manifest, _ := os.ReadFile(filepath.Join(dir, "spin.toml"))
	testenv.WriteFile(t, filepath.Join(dir, "spin.toml"), strings.Replace(string(manifest), "allowed_http_hosts", "allowed_hosts", 1))
	out, err := testenv.RunServer(t, dir, []string{"SPIN_VARIABLE_JWT_SECRET=x"}, "up", "--listen", addr)
	if err == nil || !strings.Contains(out, `"allowed_hosts"`) || !strings.Contains(out, "spin.toml:") {
		t.Errorf("unknown manifest field: err=%v output:\n%s", err, out)
	}

	// A module not built yet: the error names the fix, the component's build command.
	testenv.WriteFile(t, filepath.Join(dir, "spin.toml"), string(manifest))
	if err := os.Remove(filepath.Join(dir, "build", "likes.wasm")); err != nil {
		t.Fatal(err)
	}
	out, err = testenv.RunServer(t, dir, []string{"SPIN_VARIABLE_JWT_SECRET=" + testSecret}, "up", "--listen", addr)
	want := "Error: component \"likes\": source build/likes.wasm does not exist: run `server build`, or the component's build command: " +
		"GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o build/likes.wasm ./functions/likes\n"
	if err == nil || !strings.HasSuffix(out, want) {
		t.Errorf("missing module: err=%v output:\n%s\nwant it to end with:\n%s", err, out, want)
	}
}

// TestRemoteSourceFromCache: a component whose source is { url, digest } is served from
// the download cache given by --cache-dir; an empty cache names where the module goes.
func TestRemoteSourceFromCache(t *testing.T) {
	addr := testenv.FreeAddr(t)
	dir := testenv.SiteApp(t, filepath.Join(testenv.Root(t), "content"), "http://"+addr)
	wasm, err := os.ReadFile(filepath.Join(dir, "build", "static.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(wasm)
	digest := "sha256:" + hex.EncodeToString(sum[:])
	const url = "https://example.com/wasmsite/static.wasm"
	cache := t.TempDir()
	testenv.WriteFile(t, filepath.Join(cache, "registry", "wasm", digest), string(wasm))
	os.Remove(filepath.Join(dir, "build", "static.wasm"))
	manifest, _ := os.ReadFile(filepath.Join(dir, "spin.toml"))
	m := strings.Replace(string(manifest), `source = "build/static.wasm"`, `source = { url = "`+url+`", digest = "`+digest+`" }`, 1)
	if m == string(manifest) {
		t.Fatal("spin.toml no longer has the expected static source line")
	}
	testenv.WriteFile(t, filepath.Join(dir, "spin.toml"), m)

	empty := t.TempDir()
	out, err := testenv.RunServer(t, dir, []string{"SPIN_VARIABLE_JWT_SECRET=" + testSecret}, "up", "--listen", addr, "--cache-dir", empty)
	path := filepath.Join(empty, "registry", "wasm", digest)
	if err == nil || !strings.Contains(out, "source "+url+" (digest "+digest+") is not in the download cache") || !strings.Contains(out, "save the module as "+path) {
		t.Errorf("module not in the cache: err=%v output:\n%s", err, out)
	}

	s := testenv.Start(t, testenv.Options{Dir: dir, Addr: addr, Env: []string{"SPIN_VARIABLE_JWT_SECRET=" + testSecret},
		Args: []string{"--cache-dir", cache}})
	if resp, _ := get(t, s.URL+"/"); resp.StatusCode != 200 {
		t.Fatalf("GET / from the cached module: %d", resp.StatusCode)
	}
}
