package conformance

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"wasmsite/server/internal/testenv"
)

// buildC compiles a C test component (see testenv.CComponent).
func buildC(t testing.TB, src string, reactor bool) string {
	return testenv.CComponent(t, src, reactor)
}

// copyDir copies a directory tree (no symlinks), skipping *.wasm files.
func copyDir(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if strings.HasSuffix(p, ".wasm") {
			return nil
		}
		testenv.CopyFile(t, p, filepath.Join(dst, rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

var client = &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
	return http.ErrUseLastResponse
}}

type response struct {
	Status int
	Header http.Header
	Body   string
}

func do(t testing.TB, method, url, body string, hdr ...string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
}

func get(t testing.TB, url string) response { t.Helper(); return do(t, "GET", url, "") }

// getJSON GETs (or POSTs body when non-empty) and decodes a 200 JSON answer.
func getJSON(t testing.TB, url, body string, v any) {
	t.Helper()
	method := "GET"
	if body != "" {
		method = "POST"
	}
	r := do(t, method, url, body)
	if r.Status != 200 {
		t.Fatalf("%s %s: status %d, body %q", method, url, r.Status, r.Body)
	}
	if err := json.Unmarshal([]byte(r.Body), v); err != nil {
		t.Fatalf("%s %s: %v in %q", method, url, err, r.Body)
	}
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// recorder is an HTTP server on a loopback port that answers each request
// with what it received ("recorded METHOD URI X-Probe BODY", status 201).
type recorder struct {
	URL  string
	Addr string
}

func newRecorder(t testing.TB) *recorder {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &recorder{Addr: ln.Addr().String(), URL: "http://" + ln.Addr().String()}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		line := req.Method + " " + req.URL.RequestURI() + " " + req.Header.Get("X-Probe") + " " + string(body)
		w.Header().Set("X-Recorder", "hit")
		w.WriteHeader(201)
		io.WriteString(w, "recorded "+line)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return r
}

// connCounter is a TCP listener that counts the connections made to it (and closes them).
type connCounter struct {
	Addr  string
	count atomic.Int64
}

func newConnCounter(t testing.TB) *connCounter {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &connCounter{Addr: ln.Addr().String()}
	testenv.CountConns(t, ln, &c.count)
	return c
}

func (c *connCounter) Port() string { _, p, _ := net.SplitHostPort(c.Addr); return p }

// eventually retries f until it returns true or the timeout passes.
func eventually(t testing.TB, timeout time.Duration, what string, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if f() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var _ = bytes.NewReader

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
