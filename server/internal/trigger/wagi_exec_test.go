package trigger

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"wasmsite/server/internal/engine"
)

var (
	wagiOnce sync.Once
	wagiWasm []byte
	wagiErr  string
)

// wagiGuest builds testdata/wagi (a wasip1 command) once per test binary.
func wagiGuest(t *testing.T) []byte {
	t.Helper()
	wagiOnce.Do(func() {
		out := filepath.Join(os.TempDir(), "wasmsite-trigger-wagi-"+strings.ReplaceAll(t.Name(), "/", "_")+".wasm")
		defer os.Remove(out)
		cmd := exec.Command("go", "build", "-o", out, "./wagi")
		cmd.Dir = "testdata"
		cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
		if b, err := cmd.CombinedOutput(); err != nil {
			wagiErr = err.Error() + "\n" + string(b)
			return
		}
		wagiWasm, _ = os.ReadFile(out)
	})
	if wagiWasm == nil {
		t.Fatalf("building testdata/wagi: %s", wagiErr)
	}
	return wagiWasm
}

func newWagiServer(t *testing.T) *HTTP {
	t.Helper()
	ctx := context.Background()
	e, err := engine.New(ctx, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close(ctx) })
	m, err := e.Compile(ctx, "cgi", wagiGuest(t), engine.Settings{Env: map[string]string{"COMPONENT_ENV": "from-manifest"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close(ctx) })
	rt, _ := NewRouter([]*Route{NewRoute("/", "/wagi/...", "cgi")})
	return &HTTP{
		Router:     rt,
		Components: map[string]*Component{"cgi": {ID: "cgi", Module: m, Executor: WagiExecutor{Entrypoint: "_start", Argv: "${SCRIPT_NAME} ${ARGS}"}}},
		Log:        quietLog(),
	}
}

func TestWagiExecutor(t *testing.T) {
	srv := newWagiServer(t)
	req := httptest.NewRequest("POST", "http://h.test:3000/wagi/run/a%2Fb?x=1&y=2", strings.NewReader("the body"))
	req.Header.Set("X-Test", "v")
	req.Header.Set("Authorization", "secret")
	req.RemoteAddr = "192.0.2.9:999"
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, req)
	if w.Code != 200 || w.Header().Get("Content-Type") != "text/plain" || w.Header().Get("X-Args") != "3" {
		t.Fatalf("response %d %v\n%s", w.Code, w.Header(), w.Body)
	}
	out := w.Body.String()
	for _, want := range []string{
		`arg="/wagi/run/a%2Fb"`, `arg="x=1"`, `arg="y=2"`,
		"env=REQUEST_METHOD=POST\n", "env=SCRIPT_NAME=/wagi\n", "env=PATH_INFO=/run/a%2Fb\n",
		"env=X_RAW_PATH_INFO=/run/a%2Fb\n", "env=PATH_TRANSLATED=/run/a/b\n", "env=QUERY_STRING=x=1&y=2\n",
		"env=CONTENT_LENGTH=8\n", "env=HTTP_X_TEST=v\n", "env=HTTP_HOST=h.test:3000\n",
		"env=SERVER_NAME=h.test\n", "env=SERVER_PORT=3000\n", "env=REMOTE_ADDR=192.0.2.9\n",
		"env=X_MATCHED_ROUTE=/wagi/...\n", "env=X_COMPONENT_ROUTE=/wagi\n", "env=X_FULL_URL=http://h.test:3000/wagi/run/a%2Fb?x=1&y=2\n",
		"env=GATEWAY_INTERFACE=CGI/1.1\n", "env=COMPONENT_ENV=from-manifest\n",
		`stdin="the body"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(out, "secret") || strings.Contains(out, "HTTP_AUTHORIZATION") {
		t.Error("Authorization reached the guest")
	}
}

func TestWagiExecutorOutcomes(t *testing.T) {
	srv := newWagiServer(t)
	for _, tc := range []struct {
		path     string
		status   int
		body     string
		location string
	}{
		{"/wagi/exit0", 200, "exited", ""},
		{"/wagi/exit3", 500, "", ""},
		{"/wagi/silent", 500, "", ""},
		{"/wagi/panic", 500, "", ""},
		{"/wagi/redirect", 302, "", "/elsewhere"},
		{"/wagi", 200, "", ""}, // the prefix itself; trailing empty argument
		{"/other", 404, "", ""},
	} {
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, httptest.NewRequest("GET", tc.path, nil))
		if w.Code != tc.status || (tc.body != "" && w.Body.String() != tc.body) || w.Header().Get("Location") != tc.location {
			t.Errorf("%s: %d %q location %q, want %d %q %q", tc.path, w.Code, w.Body, w.Header().Get("Location"), tc.status, tc.body, tc.location)
		}
		if tc.path == "/wagi" && !strings.Contains(w.Body.String(), "arg=\"/wagi\"\narg=\"\"\n") {
			t.Errorf("/wagi args: %s", w.Body)
		}
	}
	// WAGI accepts methods outside Spin's enum.
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, httptest.NewRequest("PROPFIND", "/wagi/x", nil))
	if w.Code != 200 || !strings.Contains(w.Body.String(), "env=REQUEST_METHOD=PROPFIND\n") {
		t.Errorf("PROPFIND: %d %s", w.Code, w.Body)
	}
	// Instances that ended with exit(0) were reset and reused, each request still
	// seeing its own arguments and environment.
	if s := srv.Components["cgi"].Module.Stats(); s.Reused == 0 {
		t.Errorf("no WAGI instance was reused: %+v", s)
	}
}
