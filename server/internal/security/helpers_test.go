package security

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"wasmsite/server/internal/testenv"
)

// jwtSecret is the reader-token secret of every site the suite starts.
const jwtSecret = "security-suite-secret-0123456789abcdef"

// row counts the cases one row of the suite tries and how many of them failed, and
// reports both when the test ends; fewer cases than min fails the test.
type row struct {
	t        *testing.T
	name     string
	min      int
	failure  string // what a failed case is called in the report, e.g. "leaks"
	cases    int
	failures int
}

func newRow(t *testing.T, name string, min int, failure string) *row {
	r := &row{t: t, name: name, min: min, failure: failure}
	t.Cleanup(r.report)
	return r
}

// check counts one case; a false ok fails it with the message.
func (r *row) check(ok bool, format string, args ...any) {
	r.t.Helper()
	r.cases++
	if !ok {
		r.failures++
		r.t.Errorf(format, args...)
	}
}

func (r *row) report() {
	r.t.Logf("%s: %d cases, %d %s", r.name, r.cases, r.failures, r.failure)
	if r.cases < r.min {
		r.t.Errorf("%s: %d cases, fewer than the row's minimum of %d", r.name, r.cases, r.min)
	}
}

var (
	cacheOnce sync.Once
	cacheDir  string
	cacheErr  error
)

// linkCompileCache makes stateDir's compilation cache the directory every host of the
// package shares, so that each component is compiled once per run instead of once per
// host (compiling this site takes tens of seconds on a loaded machine).
func linkCompileCache(t testing.TB, stateDir string) {
	t.Helper()
	cacheOnce.Do(func() {
		cacheDir, cacheErr = os.MkdirTemp("", "wasmsite-security-cache-*")
		if cacheErr == nil {
			testenv.OnExit(func() { os.RemoveAll(cacheDir) })
		}
	})
	if cacheErr != nil {
		t.Fatal(cacheErr)
	}
	if err := os.MkdirAll(stateDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(cacheDir, filepath.Join(stateDir, "cache")); err != nil {
		t.Fatal(err)
	}
}

// siteApp lays out the project's application (its spin.toml, static and likes
// components, the project's content rendered into public/) for a free address, with
// the likes component's ip_rate_limit an application variable. It returns the app
// dir and the address the host must listen on.
func siteApp(t *testing.T) (dir, addr string) {
	t.Helper()
	addr = testenv.FreeAddr(t)
	dir = testenv.SiteApp(t, filepath.Join(testenv.Root(t), "content"), "http://"+addr)
	manifest := filepath.Join(dir, "spin.toml")
	b, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	const vars, cfg = "[variables]\n", "redis_address = \"{{ redis_address }}\"\n"
	s := string(b)
	if strings.Count(s, vars) != 1 || strings.Count(s, cfg) != 1 {
		t.Fatalf("spin.toml changed shape: cannot find %q and %q once each", vars, cfg)
	}
	s = strings.Replace(s, vars, vars+"ip_rate_limit = { default = \"\" }\n", 1)
	s = strings.Replace(s, cfg, cfg+"ip_rate_limit = \"{{ ip_rate_limit }}\"\n", 1)
	testenv.WriteFile(t, manifest, s)
	linkCompileCache(t, filepath.Join(dir, ".spin"))
	return dir, addr
}

// startSite starts the host on a site app laid out by siteApp, with extra `server up`
// flags and environment.
func startSite(t *testing.T, dir, addr string, env []string, args ...string) *testenv.Server {
	t.Helper()
	return testenv.Start(t, testenv.Options{Dir: dir, Addr: addr, Args: append([]string{"-q"}, args...),
		Env: append([]string{"SPIN_VARIABLE_JWT_SECRET=" + jwtSecret, "SPIN_VARIABLE_SITE_URL=http://" + addr}, env...)})
}

// componentApp writes an app dir holding manifest as spin.toml and each built
// component (file name → testenv build output), with a state dir sharing the compile
// cache; it returns the app dir and the state dir.
func componentApp(t *testing.T, manifest string, components map[string]string) (dir, state string) {
	t.Helper()
	dir, state = t.TempDir(), t.TempDir()
	testenv.WriteFile(t, filepath.Join(dir, "spin.toml"), manifest)
	for name, built := range components {
		testenv.CopyFile(t, built, filepath.Join(dir, name))
	}
	linkCompileCache(t, state)
	return dir, state
}

// probe is the conformance tests' probe component (its http op makes an outbound
// request and reports the result; its redis op an outbound Redis call).
func probe(t *testing.T) string {
	return testenv.Component(t, "server/internal/conformance/testdata/probe")
}

// rawResponse is an answer read from a raw connection.
type rawResponse struct {
	status int
	header http.Header
	body   string
}

// rawDo writes request verbatim on a new connection to addr (no client-side parsing
// or normalisation) and reads one response, waiting at most 30 s. The request is
// written while the response is read: a host may answer before reading all of it.
func rawDo(addr, request string) (rawResponse, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return rawResponse{}, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	go io.WriteString(c, request)
	return readResponse(bufio.NewReader(c))
}

func readResponse(br *bufio.Reader) (rawResponse, error) {
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return rawResponse{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return rawResponse{status: resp.StatusCode, header: resp.Header, body: string(b)}, err
}

// rawGet sends "GET target" with the given extra header lines ("Name: value").
func rawGet(addr, target string, headers ...string) (rawResponse, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n", target, addr)
	for _, h := range headers {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("\r\n")
	return rawDo(addr, b.String())
}

// servesHome reports whether the host still answers GET / with the home page.
func servesHome(addr string) bool {
	r, err := rawGet(addr, "/")
	return err == nil && r.status == http.StatusOK && strings.Contains(r.body, "<html")
}
