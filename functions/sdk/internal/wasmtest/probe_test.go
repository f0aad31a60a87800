package wasmtest

import (
	"context"
	"strings"
	"testing"
)

func probeHost(t *testing.T) (*Host, context.Context) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds wasm components")
	}
	wasm, err := Build(t.TempDir(), "./testdata/probe")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	h := &Host{
		Config:  map[string]string{"k": "v"},
		Strings: map[string][]byte{},
		Sets:    map[string]map[string]bool{},
		KV:      map[string][]byte{},
		Exec: func(cmd string, args []any) []any {
			return []any{cmd, args[0].([]byte), args[1].(int64), nil, args[2].([]byte)}
		},
		HTTP: func(method uint32, uri string, headers []Pair, body []byte, hasBody bool) (Response, uint8) {
			if strings.Contains(uri, "denied") {
				return Response{}, 1
			}
			return Response{Status: 202, Headers: []Pair{{"x-resp", uri + " " + string(body)}}, Body: []byte("pong")}, 0
		},
	}
	if err := h.Start(ctx, wasm); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close(ctx) })
	return h, ctx
}

func get(t *testing.T, h *Host, ctx context.Context, uri string) Response {
	t.Helper()
	r, err := h.ServeHTTP(ctx, 0, uri, nil, nil)
	if err != nil {
		t.Fatalf("GET %s: %v", uri, err)
	}
	return r
}

func TestProbe(t *testing.T) {
	h, ctx := probeHost(t)

	r, err := h.ServeHTTP(ctx, 1, "/echo?a=1&a=2", []Pair{
		{"content-type", "text/plain"}, {"x-dup", "1"}, {"x-dup", "2"},
		{"spin-full-url", "http://127.0.0.1:3000/echo?a=1&a=2"}, {"spin-client-addr", "127.0.0.1:5000"},
		{"spin-path-info", "/echo"},
	}, []byte("hello body"))
	if err != nil {
		t.Fatal(err)
	}
	body := string(r.Body)
	for _, want := range []string{"POST /echo?a=1&a=2 host=127.0.0.1:3000 remote=127.0.0.1:5000 body=hello body", "X-Dup: 1|2", "Spin-Path-Info: /echo"} {
		if !strings.Contains(body, want) {
			t.Errorf("echo body lacks %q:\n%s", want, body)
		}
	}
	if r.Status != 201 {
		t.Errorf("status %d", r.Status)
	}
	multi := 0
	for _, p := range r.Headers {
		if p.Name == "X-Multi" {
			multi++
		}
	}
	if multi != 2 {
		t.Errorf("headers %v", r.Headers)
	}

	// every method of the enum
	for m := uint32(0); m < 7; m++ {
		if r, err := h.ServeHTTP(ctx, m, "/nothing", nil, nil); err != nil || r.Status != 404 {
			t.Errorf("method %d: %v %d", m, err, r.Status)
		}
	}

	if r := get(t, h, ctx, "/config?key=k"); string(r.Body) != `value="v" err=<nil> notfound=false` {
		t.Errorf("config: %s", r.Body)
	}
	if r := get(t, h, ctx, "/config?key=missing"); !strings.Contains(string(r.Body), "notfound=true") {
		t.Errorf("config missing: %s", r.Body)
	}

	r = get(t, h, ctx, "/redis")
	want := `set <nil>
get "v1" <nil>
incr 1 <nil>
sadd 3 <nil>
srem 1 <nil>
smembers [a c] <nil>
del 2 <nil>
publish <nil>
execute [status:ECHO binary:"x" int64:-42 nil binary:"bin"] <nil>
err outbound-redis get: redis error true
pinned 0`
	if string(r.Body) != want {
		t.Errorf("redis:\n%s\nwant:\n%s", r.Body, want)
	}
	if len(h.Published) != 1 || h.Published[0] != "ch=hello" {
		t.Errorf("published %v", h.Published)
	}

	r = get(t, h, ctx, "/kv")
	want = `open forbidden true
open <nil>
set <nil>
get "1" <nil>
get missing true
exists true <nil>
keys [a] <nil>
delete <nil>
io true key-value: io error: disk on fire
pinned 0`
	if string(r.Body) != want {
		t.Errorf("kv:\n%s\nwant:\n%s", r.Body, want)
	}

	r = get(t, h, ctx, "/http")
	if string(r.Body) != "status 202 hdr https://api.example/x?y=1 payload body pong\ndenied true pinned 0" {
		t.Errorf("http: %q", r.Body)
	}

	if r := get(t, h, ctx, "/panic"); r.Status != 500 {
		t.Errorf("panic: %d", r.Status)
	}
	// a method outside the enum
	if r, err := h.ServeHTTP(ctx, 9, "/echo", nil, nil); err != nil || r.Status != 405 {
		t.Errorf("method 9: %v %d", err, r.Status)
	}

	if isErr, _, err := h.Deliver(ctx, []byte("msg")); err != nil || isErr || string(h.Strings["last-message"]) != "msg" {
		t.Errorf("redis message: %v %v %q", isErr, err, h.Strings["last-message"])
	}
	if isErr, code, err := h.Deliver(ctx, []byte("fail")); err != nil || !isErr || code != 1 {
		t.Errorf("redis message fail: %v %d %v", isErr, code, err)
	}
}
