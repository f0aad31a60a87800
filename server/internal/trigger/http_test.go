package trigger

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"wasmsite/functions/sdk/spin"
	"wasmsite/server/internal/abi"
)

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

type spinFixture struct {
	t       *testing.T
	handler handlerFunc
	calls   int
	last    *abi.HTTPRequest
	srv     *HTTP
}

// newSpinFixture serves component "c" on base "/base" at route "/api/..." and exact
// "/exact" (component "e", the same guest), plus "/..." under base "/" as "all".
func newSpinFixture(t *testing.T) *spinFixture {
	f := &spinFixture{t: t}
	f.handler = func(req *abi.HTTPRequest) *abi.HTTPResponse {
		return &abi.HTTPResponse{Status: 200, Headers: [][2]string{{"content-type", "text/plain"}}, Body: []byte("ok")}
	}
	h := handlerFunc(func(req *abi.HTTPRequest) *abi.HTTPResponse {
		f.calls++
		f.last = req
		return f.handler(req)
	})
	c := spinComponent(t, "c", &h)
	rt, _ := NewRouter([]*Route{
		NewRoute("/base", "/api/...", "c"),
		NewRoute("/base", "/exact", "e"),
		NewRoute("/", "/...", "all"),
	})
	f.srv = &HTTP{
		Router:     rt,
		Components: map[string]*Component{"c": c, "e": {ID: "e", Module: c.Module, Executor: SpinExecutor{}}, "all": {ID: "all", Module: c.Module, Executor: SpinExecutor{}}},
		AppName:    "app",
		AppVersion: "1.2.3",
		Log:        quietLog(),
	}
	return f
}

func (f *spinFixture) do(method, target, body string, hdr ...string) *httptest.ResponseRecorder {
	f.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, r)
	req.RemoteAddr = "192.0.2.1:4321"
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Add(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	f.srv.ServeHTTP(w, req)
	return w
}

func TestSpinRequestRecord(t *testing.T) {
	f := newSpinFixture(t)
	hdr := []string{"X-Custom", "a", "X-Custom", "b", "Content-Type", "text/plain", "X-Request-Id", "forged"}
	for _, name := range spin.HostHeaders { // forged: removed, the host sets its own
		hdr = append(hdr, name, "/robots.txt", strings.ToUpper(name), "6.6.6.6:1")
	}
	w := f.do("POST", "http://site.test:8080/base/api/v1/items?x=1&y=%20", "payload", hdr...)
	if w.Code != 200 || w.Body.String() != "ok" {
		t.Fatalf("response %d %q", w.Code, w.Body)
	}
	req := f.last
	if req.Method != "POST" || req.URI != "/base/api/v1/items?x=1&y=%20" || string(req.Body) != "payload" {
		t.Errorf("method %s uri %s body %q", req.Method, req.URI, req.Body)
	}
	if req.Params == nil || len(req.Params) != 0 {
		t.Errorf("params %#v, want an empty list", req.Params)
	}
	// Client headers (lower-cased, every value) but those the host sets, host, then
	// Spin's in B.3 order.
	var client [][2]string
	for _, kv := range req.Headers[:len(req.Headers)-7] {
		client = append(client, kv)
	}
	wantClient := map[string][]string{"x-custom": {"a", "b"}, "content-type": {"text/plain"}, "host": {"site.test:8080"}}
	gotClient := map[string][]string{}
	for _, kv := range client {
		gotClient[kv[0]] = append(gotClient[kv[0]], kv[1])
	}
	if id := gotClient["x-request-id"]; len(id) != 1 || len(id[0]) != 16 || id[0] == "forged" {
		t.Errorf("x-request-id %q, want the host's 16 hex digits", id)
	}
	delete(gotClient, "x-request-id")
	if !reflect.DeepEqual(gotClient, wantClient) {
		t.Errorf("client headers %q, want %q", gotClient, wantClient)
	}
	wantSpin := [][2]string{
		{"spin-path-info", "/v1/items"},
		{"spin-full-url", "http://site.test:8080/base/api/v1/items?x=1&y=%20"},
		{"spin-matched-route", "/base/api/..."},
		{"spin-base-path", "/base"},
		{"spin-raw-component-route", "/api/..."},
		{"spin-component-route", "/api"},
		{"spin-client-addr", "192.0.2.1:4321"},
	}
	if got := req.Headers[len(req.Headers)-7:]; !reflect.DeepEqual(got, wantSpin) {
		t.Errorf("spin headers\n%q\nwant\n%q", got, wantSpin)
	}
}

func TestSpinRequestDefaults(t *testing.T) {
	f := newSpinFixture(t)
	// GET without a body still has Some(empty body); an exact route has an empty path info.
	w := f.do("GET", "/base/exact", "")
	if w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	if f.last.Body == nil || len(f.last.Body) != 0 {
		t.Errorf("body %#v, want present and empty", f.last.Body)
	}
	spin := map[string]string{}
	for _, kv := range f.last.Headers {
		if strings.HasPrefix(kv[0], "spin-") {
			spin[kv[0]] = kv[1]
		}
	}
	want := map[string]string{
		"spin-path-info": "", "spin-full-url": "http://example.com/base/exact", "spin-matched-route": "/base/exact",
		"spin-base-path": "/base", "spin-raw-component-route": "/exact", "spin-component-route": "/exact",
		"spin-client-addr": "192.0.2.1:4321",
	}
	if !reflect.DeepEqual(spin, want) {
		t.Errorf("spin headers %q, want %q", spin, want)
	}
	// The catch-all route under base "/".
	f.do("GET", "/elsewhere/x", "")
	for _, kv := range f.last.Headers {
		switch kv[0] {
		case "spin-path-info":
			if kv[1] != "/elsewhere/x" {
				t.Errorf("catch-all path info %q", kv[1])
			}
		case "spin-component-route":
			if kv[1] != "" {
				t.Errorf("catch-all component route %q", kv[1])
			}
		case "spin-matched-route":
			if kv[1] != "/..." {
				t.Errorf("catch-all matched route %q", kv[1])
			}
		}
	}
}

func TestSpinResponses(t *testing.T) {
	f := newSpinFixture(t)
	for _, tc := range []struct {
		name    string
		resp    *abi.HTTPResponse
		status  int
		headers http.Header
		body    string
	}{
		{"full", &abi.HTTPResponse{Status: 201, Headers: [][2]string{{"content-type", "application/json"}, {"x-a", "1"}}, Body: []byte(`{}`)},
			201, http.Header{"Content-Type": {"application/json"}, "X-A": {"1"}}, `{}`},
		{"no headers, no body", &abi.HTTPResponse{Status: 204}, 204, http.Header{}, ""},
		{"no content type is not sniffed", &abi.HTTPResponse{Status: 200, Body: []byte("<html>hi</html>")}, 200, http.Header{}, "<html>hi</html>"},
		{"status 600 is allowed", &abi.HTTPResponse{Status: 600}, 600, http.Header{}, ""},
		{"status 99 is malformed", &abi.HTTPResponse{Status: 99, Body: []byte("x")}, 500, http.Header{}, ""},
		{"status 601 is malformed", &abi.HTTPResponse{Status: 601}, 500, http.Header{}, ""},
		{"invalid header name", &abi.HTTPResponse{Status: 200, Headers: [][2]string{{"x-ok", "1"}, {"bad name", "v"}}, Body: []byte("x")}, 500, http.Header{}, ""},
		{"invalid header value", &abi.HTTPResponse{Status: 200, Headers: [][2]string{{"x-a", "a\r\nx-injected: 1"}}}, 500, http.Header{}, ""},
		{"trap", nil, 500, http.Header{}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.handler = func(*abi.HTTPRequest) *abi.HTTPResponse { return tc.resp }
			w := f.do("GET", "/base/api/x", "")
			if w.Code != tc.status || w.Body.String() != tc.body {
				t.Errorf("response %d %q, want %d %q", w.Code, w.Body, tc.status, tc.body)
			}
			got := w.Result().Header
			delete(got, "Content-Length")
			for k, v := range got {
				if len(v) == 0 || (len(v) == 1 && v[0] == "") {
					delete(got, k)
				}
			}
			if !reflect.DeepEqual(got, tc.headers) {
				t.Errorf("headers %v, want %v", got, tc.headers)
			}
		})
	}
}

func TestSpinRoutingAndWellKnown(t *testing.T) {
	f := newSpinFixture(t)
	f.srv.Router, _ = NewRouter([]*Route{NewRoute("/base", "/api/...", "c")})
	for _, tc := range []struct {
		method, target string
		status         int
		body           string
		called         bool
	}{
		{"GET", "/base/api", 200, "ok", true},
		{"GET", "/other", 404, "", false},
		{"GET", "/base/apix", 404, "", false},
		{"TRACE", "/base/api/x", 405, "", false},
		{"CONNECT", "/base/api/x", 405, "", false},
		{"OPTIONS", "/base/api/x", 200, "ok", true},
		{"GET", "/.well-known/spin/health", 200, "OK", false},
		{"POST", "/.well-known/spin/health", 200, "OK", false},
		{"GET", "/.well-known/spin/info", 200, "{\n  \"name\": \"app\",\n  \"version\": \"1.2.3\"\n}", false},
		{"GET", "/.well-known/spin/other", 404, "", false},
	} {
		f.calls = 0
		w := f.do(tc.method, tc.target, "")
		if w.Code != tc.status || w.Body.String() != tc.body || (f.calls > 0) != tc.called {
			t.Errorf("%s %s = %d %q (guest called %d times), want %d %q called %v", tc.method, tc.target, w.Code, w.Body, f.calls, tc.status, tc.body, tc.called)
		}
	}
	// The well-known prefix is never routed, even with a catch-all route.
	f.srv.Router, _ = NewRouter([]*Route{NewRoute("/", "/...", "c")})
	f.calls = 0
	if w := f.do("GET", "/.well-known/spin/nothing", ""); w.Code != 404 || f.calls != 0 {
		t.Errorf("well-known under a catch-all: %d, guest called %d times", w.Code, f.calls)
	}
	if w := f.do("GET", "/.well-known/other", ""); w.Code != 200 || f.calls != 1 {
		t.Errorf("other well-known path: %d, guest called %d times", w.Code, f.calls)
	}
	// Like routing, the prefix is matched on the raw path: an encoded prefix is routed,
	// an encoded name under the prefix is not "health".
	f.calls = 0
	if w := f.do("GET", "/%2Ewell-known/spin/health", ""); w.Code != 200 || w.Body.String() != "ok" || f.calls != 1 {
		t.Errorf("encoded well-known prefix: %d %q, guest called %d times", w.Code, w.Body, f.calls)
	}
	f.calls = 0
	if w := f.do("GET", "/.well-known/spin/%68ealth", ""); w.Code != 404 || f.calls != 0 {
		t.Errorf("encoded health: %d %q, guest called %d times", w.Code, w.Body, f.calls)
	}
	f.srv.AppVersion = ""
	if w := f.do("GET", "/.well-known/spin/info", ""); w.Body.String() != "{\n  \"name\": \"app\"\n}" || w.Header().Get("Content-Type") != "application/json" {
		t.Errorf("info without version: %q %v", w.Body, w.Header())
	}
}

func TestSpinBodyLimit(t *testing.T) {
	f := newSpinFixture(t)
	f.srv.MaxBody = 10
	if w := f.do("POST", "/base/api/x", strings.Repeat("x", 10)); w.Code != 200 || string(f.last.Body) != strings.Repeat("x", 10) {
		t.Errorf("body at the limit: %d", w.Code)
	}
	f.calls = 0
	if w := f.do("POST", "/base/api/x", strings.Repeat("x", 11)); w.Code != 413 || f.calls != 0 {
		t.Errorf("body over the limit: %d, guest called %d times", w.Code, f.calls)
	}
}

// A guest that traps leaves the next request unaffected.
func TestSpinTrapThenOK(t *testing.T) {
	f := newSpinFixture(t)
	for i := range 20 {
		trap := i%3 == 0
		f.handler = func(*abi.HTTPRequest) *abi.HTTPResponse {
			if trap {
				return nil
			}
			return &abi.HTTPResponse{Status: 200, Body: []byte("fine")}
		}
		w := f.do("GET", "/base/api/x", "")
		if trap && w.Code != 500 || !trap && (w.Code != 200 || w.Body.String() != "fine") {
			t.Fatalf("request %d (trap %v): %d %q", i, trap, w.Code, w.Body)
		}
	}
}

// A request whose client went away while the guest ran (the guest stopped, as the
// interrupt stops it) is logged at info, not as the guest's error, and recorded as 503;
// a guest that fails with its client still there is an error and a 500.
func TestSpinClientGone(t *testing.T) {
	f := newSpinFixture(t)
	var logs bytes.Buffer
	f.srv.Log = slog.New(slog.NewTextHandler(&logs, nil))
	ctx, cancel := context.WithCancel(context.Background())
	f.handler = func(*abi.HTTPRequest) *abi.HTTPResponse {
		cancel() // the client disconnects while the guest runs
		return nil
	}
	req := httptest.NewRequest("GET", "/base/api/x", nil).WithContext(ctx)
	w := httptest.NewRecorder()
	f.srv.ServeHTTP(w, req)
	if w.Code != 503 || strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), "client went away") {
		t.Errorf("client gone: %d, logged:\n%s", w.Code, logs.String())
	}
	logs.Reset()
	if w := f.do("GET", "/base/api/x", ""); w.Code != 500 || !strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("guest failure: %d, logged:\n%s", w.Code, logs.String())
	}
}
