package host

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"wasmsite/functions/sdk/spin"
	"wasmsite/server/internal/abi"
	"wasmsite/server/internal/allowlist"
	"wasmsite/server/store"
)

func allow(t *testing.T, version int, entries ...string) *allowlist.List {
	t.Helper()
	a, err := allowlist.Parse(entries, version)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// echo is a server that records requests and answers with a fixed response.
type echo struct {
	*httptest.Server
	hits atomic.Int32
	last *http.Request
	body string
}

func newEcho(t *testing.T, h http.HandlerFunc) *echo {
	e := &echo{}
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.hits.Add(1)
		b, _ := io.ReadAll(r.Body)
		e.last, e.body = r, string(b)
		if h != nil {
			h(w, r)
			return
		}
		w.Header().Add("X-Multi", "1")
		w.Header().Add("X-Multi", "2")
		w.WriteHeader(201)
		io.WriteString(w, "created")
	}))
	t.Cleanup(e.Close)
	return e
}

func httpHost() *Host {
	h := quietHost()
	h.HTTP = &http.Client{}
	h.MaxResponseBytes = 1 << 20
	return h
}

func TestSend(t *testing.T) {
	srv := newEcho(t, nil)
	h := httpHost()
	c := &Scope{Caps: &Capabilities{ComponentID: "c", Allow: allow(t, 1, srv.URL)}}
	resp, code := h.Send(context.Background(), c, &abi.HTTPRequest{
		Method: "PUT", URI: srv.URL + "/p?q=1",
		Headers: [][2]string{{"x-a", "b"}, {"host", "evil.example"}, {"Content-Type", "text/plain"}},
		Params:  [][2]string{{"ignored", "x"}},
		Body:    []byte("payload"),
	})
	if code != spin.HTTPSuccess || resp == nil {
		t.Fatalf("Send = %v, %d", resp, code)
	}
	if resp.Status != 201 || string(resp.Body) != "created" {
		t.Errorf("response %d %q", resp.Status, resp.Body)
	}
	var multi []string
	for _, kv := range resp.Headers {
		if kv[0] != strings.ToLower(kv[0]) {
			t.Errorf("header name %q not lower-case", kv[0])
		}
		if kv[0] == "x-multi" {
			multi = append(multi, kv[1])
		}
	}
	if !slices.Equal(multi, []string{"1", "2"}) {
		t.Errorf("x-multi values %q", multi)
	}
	r := srv.last
	if r.Method != "PUT" || r.URL.RequestURI() != "/p?q=1" || srv.body != "payload" || r.Header.Get("X-A") != "b" || r.Header.Get("Content-Type") != "text/plain" {
		t.Errorf("server saw %s %s %q %v", r.Method, r.URL, srv.body, r.Header)
	}
	if r.Host != strings.TrimPrefix(srv.URL, "http://") {
		t.Errorf("guest Host header reached the server: %q", r.Host)
	}
}

func TestSendRefusals(t *testing.T) {
	srv := newEcho(t, nil)
	h := httpHost()
	origin, _ := url.Parse(srv.URL)
	for _, tc := range []struct {
		name   string
		allow  *allowlist.List
		origin *url.URL
		uri    string
		want   spin.HTTPError
	}{
		{"no allow-list", nil, nil, srv.URL, spin.HTTPDestinationNotAllowed},
		{"other host", allow(t, 1, "example.com"), nil, srv.URL, spin.HTTPDestinationNotAllowed},
		{"unparsable", allow(t, 1, "insecure:allow-all"), nil, "http://[::1", spin.HTTPInvalidURL},
		{"ftp not allowed", allow(t, 1, "example.com"), nil, "ftp://example.com/x", spin.HTTPDestinationNotAllowed},
		{"ftp with allow-all", allow(t, 1, "insecure:allow-all"), nil, "ftp://example.com/x", spin.HTTPInvalidURL},
		{"no host", allow(t, 1, "insecure:allow-all"), nil, "http:///path", spin.HTTPInvalidURL},
		{"relative without self", allow(t, 1, srv.URL), origin, "/x", spin.HTTPDestinationNotAllowed},
		{"relative without origin", allow(t, 1, "self"), nil, "/x", spin.HTTPDestinationNotAllowed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := srv.hits.Load()
			c := &Scope{Caps: &Capabilities{Allow: tc.allow}, Origin: tc.origin}
			resp, code := h.Send(context.Background(), c, &abi.HTTPRequest{Method: "GET", URI: tc.uri})
			if code != tc.want || resp != nil {
				t.Errorf("Send = %v, %d; want nil, %d", resp, code, tc.want)
			}
			if srv.hits.Load() != before {
				t.Error("a refused request reached the server")
			}
		})
	}
	// Relative URLs resolve against the origin when "self" is allowed.
	c := &Scope{Caps: &Capabilities{Allow: allow(t, 1, "self")}, Origin: origin}
	if resp, code := h.Send(context.Background(), c, &abi.HTTPRequest{Method: "GET", URI: "/rel?x"}); code != spin.HTTPSuccess || resp.Status != 201 || srv.last.URL.RequestURI() != "/rel?x" {
		t.Errorf("relative with self: %v, %d", resp, code)
	}
}

func TestSendRedirectsAndErrors(t *testing.T) {
	other := newEcho(t, nil)
	srv := newEcho(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/out":
			http.Redirect(w, r, other.URL+"/landed", http.StatusFound)
		case "/in":
			http.Redirect(w, r, "/final", http.StatusMovedPermanently)
		case "/big":
			w.Write(make([]byte, 2<<20))
		default:
			io.WriteString(w, "final")
		}
	})
	h := httpHost()
	c := &Scope{Caps: &Capabilities{Allow: allow(t, 1, srv.URL)}}
	send := func(uri string) (*abi.HTTPResponse, spin.HTTPError) {
		return h.Send(context.Background(), c, &abi.HTTPRequest{Method: "GET", URI: uri})
	}
	if resp, code := send(srv.URL + "/in"); code != spin.HTTPSuccess || resp.Status != 200 || string(resp.Body) != "final" {
		t.Errorf("allowed redirect: %v, %d", resp, code)
	}
	resp, code := send(srv.URL + "/out")
	if code != spin.HTTPSuccess || resp.Status != http.StatusFound || other.hits.Load() != 0 {
		t.Errorf("redirect to a host not allowed: %v, %d, target hit %d times", resp, code, other.hits.Load())
	}
	if resp, code := send(srv.URL + "/big"); code != spin.HTTPRuntimeError || resp != nil {
		t.Errorf("oversized body: %v, %d", resp, code)
	}
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	c.Caps.Allow = allow(t, 1, deadURL)
	if resp, code := send(deadURL); code != spin.HTTPRuntimeError || resp != nil {
		t.Errorf("connection refused: %v, %d", resp, code)
	}
}

// The whole import: lifting the flattened request, lowering expected<response, http-error>.
func TestOutboundHTTPImport(t *testing.T) {
	srv := newEcho(t, nil)
	h := httpHost()
	g := newTestGuest(t, h, &Capabilities{Allow: allow(t, 1, srv.URL)}, hostImport{"wasi-outbound-http", "request", 11})
	up, ul := g.str(64, srv.URL+"/x")
	g.fill(ret, 32)
	if err := g.invoke("wasi-outbound-http", "request", 1, up, ul, 0, 0, 0, 0, 1, 8, 0, ret); err != nil {
		t.Fatal(err)
	}
	if g.u8(ret) != 0 || g.u32(ret+4)&0xffff != 201 || g.u8(ret+8) != 1 || g.u8(ret+20) != 1 || g.u32(ret+28) != 7 {
		t.Fatalf("ok area % x", g.read(ret, 32))
	}
	if body := g.read(g.u32(ret+24), 7); body != "created" {
		t.Errorf("body %q", body)
	}
	if srv.last.Method != "POST" || srv.body != "" {
		t.Errorf("server saw %s with body %q", srv.last.Method, srv.body)
	}
	// Refused: is_err 1, destination-not-allowed (1) at +4.
	up, ul = g.str(64, "http://example.com/")
	g.fill(ret, 32)
	if err := g.invoke("wasi-outbound-http", "request", 0, up, ul, 0, 0, 0, 0, 0, 0, 0, ret); err != nil {
		t.Fatal(err)
	}
	if got := g.read(ret, 8); got != "\x01\x00\x00\x00\x01\x00\x00\x00" {
		t.Errorf("error area % x", got)
	}
	// A bad method discriminant traps.
	if err := g.invoke("wasi-outbound-http", "request", 7, up, ul, 0, 0, 0, 0, 0, 0, 0, ret); err == nil {
		t.Error("method 7 accepted")
	}
}

// fakeRedis records calls and returns canned results.
type fakeRedis struct {
	store.Redis // unimplemented methods panic
	kv          map[string][]byte
	sets        map[string][]string
	params      []store.Param
	results     []store.Result
	published   []string
	fail        error
}

func (f *fakeRedis) Publish(ctx context.Context, ch string, p []byte) error {
	f.published = append(f.published, ch+"="+string(p))
	return f.fail
}
func (f *fakeRedis) Get(ctx context.Context, k string) ([]byte, error) { return f.kv[k], f.fail }
func (f *fakeRedis) Set(ctx context.Context, k string, v []byte) error {
	if f.fail != nil {
		return f.fail
	}
	f.kv[k] = v
	return nil
}
func (f *fakeRedis) Incr(ctx context.Context, k string) (int64, error) { return -5, f.fail }
func (f *fakeRedis) Del(ctx context.Context, keys []string) (int64, error) {
	return int64(len(keys)) * 10, f.fail
}
func (f *fakeRedis) SAdd(ctx context.Context, k string, m []string) (int64, error) {
	f.sets[k] = append(f.sets[k], m...)
	return int64(len(m)), f.fail
}
func (f *fakeRedis) SMembers(ctx context.Context, k string) ([]string, error) {
	return f.sets[k], f.fail
}
func (f *fakeRedis) SRem(ctx context.Context, k string, m []string) (int64, error) {
	return 1, f.fail
}
func (f *fakeRedis) Execute(ctx context.Context, cmd string, args []store.Param) ([]store.Result, error) {
	f.params = append([]store.Param{{Binary: []byte(cmd)}}, args...)
	return f.results, f.fail
}

var redisImports = []hostImport{
	{"outbound-redis", "publish", 7}, {"outbound-redis", "set", 7}, {"outbound-redis", "get", 5},
	{"outbound-redis", "incr", 5}, {"outbound-redis", "del", 5}, {"outbound-redis", "sadd", 7},
	{"outbound-redis", "smembers", 5}, {"outbound-redis", "srem", 7}, {"outbound-redis", "execute", 7},
}

func TestOutboundRedis(t *testing.T) {
	fr := &fakeRedis{kv: map[string][]byte{}, sets: map[string][]string{}}
	var addrs []string
	h := quietHost()
	h.Redis = func(ctx context.Context, addr string) (store.Redis, error) {
		addrs = append(addrs, addr)
		if addr == "redis://down" {
			return nil, errors.New("unreachable")
		}
		return fr, nil
	}
	g := newTestGuest(t, h, &Capabilities{ComponentID: "c", ManifestVersion: 1}, redisImports...)
	const r8 = 512 // 8-aligned result area
	call := func(name string, args ...uint64) {
		t.Helper()
		g.fill(r8, 16)
		if err := g.invoke("outbound-redis", name, append(args, r8)...); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	ap, al := g.str(64, "redis://localhost:6379")
	kp, kl := g.str(100, "key")
	vp, vl := g.str(120, "val")
	call("set", ap, al, kp, kl, vp, vl)
	if g.read(r8, 2) != "\x00\x00" || string(fr.kv["key"]) != "val" {
		t.Errorf("set: area % x, stored %q", g.read(r8, 2), fr.kv["key"])
	}
	call("publish", ap, al, kp, kl, vp, vl)
	if g.u8(r8) != 0 || !slices.Equal(fr.published, []string{"key=val"}) {
		t.Errorf("publish: area % x, published %q", g.read(r8, 2), fr.published)
	}
	call("get", ap, al, kp, kl)
	if g.u8(r8) != 0 || g.u32(r8+8) != 3 || g.read(g.u32(r8+4), 3) != "val" {
		t.Errorf("get: area % x", g.read(r8, 12))
	}
	call("incr", ap, al, kp, kl)
	if g.u8(r8) != 0 || int64(g.u64(r8+8)) != -5 {
		t.Errorf("incr: area % x", g.read(r8, 16))
	}
	// list<string> arguments: ("a", "bc")
	g.str(140, "abc")
	g.mem.WriteUint32Le(160, 140)
	g.mem.WriteUint32Le(164, 1)
	g.mem.WriteUint32Le(168, 141)
	g.mem.WriteUint32Le(172, 2)
	call("del", ap, al, 160, 2)
	if g.u8(r8) != 0 || g.u64(r8+8) != 20 {
		t.Errorf("del: area % x", g.read(r8, 16))
	}
	call("sadd", ap, al, kp, kl, 160, 2)
	if g.u8(r8) != 0 || g.u64(r8+8) != 2 || !slices.Equal(fr.sets["key"], []string{"a", "bc"}) {
		t.Errorf("sadd: area % x, set %q", g.read(r8, 16), fr.sets["key"])
	}
	call("smembers", ap, al, kp, kl)
	if g.u8(r8) != 0 || g.u32(r8+8) != 2 {
		t.Fatalf("smembers: area % x", g.read(r8, 12))
	}
	arr := g.u32(r8 + 4)
	if m := []string{g.read(g.u32(arr), g.u32(arr+4)), g.read(g.u32(arr+8), g.u32(arr+12))}; !slices.Equal(m, []string{"a", "bc"}) {
		t.Errorf("smembers list %q", m)
	}
	call("srem", ap, al, kp, kl, 160, 1)
	if g.u8(r8) != 0 || g.u64(r8+8) != 1 {
		t.Errorf("srem: area % x", g.read(r8, 16))
	}

	// execute: parameters int64(-3), binary("bc"); results nil, status, int64, binary.
	const params = 1024
	g.fill(params, 32)
	g.mem.WriteByte(params, 0)
	g.mem.WriteUint64Le(params+8, uint64(0xFFFFFFFFFFFFFFFD))
	g.mem.WriteByte(params+16, 1)
	g.mem.WriteUint32Le(params+24, 141)
	g.mem.WriteUint32Le(params+28, 2)
	cp, cl := g.str(180, "CMD")
	fr.results = []store.Result{{Kind: store.ResultNil}, {Kind: store.ResultStatus, Status: "OK"}, {Kind: store.ResultInt64, Int64: -7}, {Kind: store.ResultBinary, Binary: []byte("bin")}}
	call("execute", ap, al, cp, cl, params, 2)
	if len(fr.params) != 3 || string(fr.params[0].Binary) != "CMD" || !fr.params[1].IsInt || fr.params[1].Int64 != -3 || fr.params[2].IsInt || string(fr.params[2].Binary) != "bc" {
		t.Errorf("execute params %+v", fr.params)
	}
	if g.u8(r8) != 0 || g.u32(r8+8) != 4 {
		t.Fatalf("execute: area % x", g.read(r8, 12))
	}
	res := g.u32(r8 + 4)
	if res%8 != 0 {
		t.Errorf("result list at %#x, not 8-aligned", res)
	}
	if g.u8(res) != 0 || g.u8(res+16) != 1 || g.read(g.u32(res+24), g.u32(res+28)) != "OK" ||
		g.u8(res+32) != 2 || int64(g.u64(res+40)) != -7 || g.u8(res+48) != 3 || g.read(g.u32(res+56), g.u32(res+60)) != "bin" {
		t.Errorf("execute results % x", g.read(res, 64))
	}
	// An invalid redis-parameter discriminant traps.
	g.mem.WriteByte(params, 2)
	if err := g.invoke("outbound-redis", "execute", ap, al, cp, cl, params, 2, r8); err == nil {
		t.Error("redis-parameter tag 2 accepted")
	}
	// A misaligned parameter list traps.
	if err := g.invoke("outbound-redis", "execute", ap, al, cp, cl, params+4, 1, r8); err == nil {
		t.Error("misaligned parameter list accepted")
	}

	// Failures are error::error (1), in each area shape.
	fr.fail = errors.New("boom")
	call("set", ap, al, kp, kl, vp, vl)
	if g.read(r8, 2) != "\x01\x01" {
		t.Errorf("set error area % x", g.read(r8, 2))
	}
	call("incr", ap, al, kp, kl)
	if g.u8(r8) != 1 || g.u8(r8+8) != 1 {
		t.Errorf("incr error area % x", g.read(r8, 16))
	}
	call("get", ap, al, kp, kl)
	if g.u8(r8) != 1 || g.u8(r8+4) != 1 {
		t.Errorf("get error area % x", g.read(r8, 12))
	}
	fr.fail = nil
	dp, dl := g.str(64, "redis://down")
	call("get", dp, dl, kp, kl)
	if g.u8(r8) != 1 || g.u8(r8+4) != 1 {
		t.Errorf("unreachable address: area % x", g.read(r8, 12))
	}
	// The s64 area must be 8-aligned.
	if err := g.invoke("outbound-redis", "incr", ap, al, kp, kl, r8+4); err == nil {
		t.Error("incr with a 4-aligned result area accepted")
	}
}

// v2 manifests must list a redis address in allowed_outbound_hosts; v1 had no allow-list.
func TestOutboundRedisAllowList(t *testing.T) {
	fr := &fakeRedis{kv: map[string][]byte{"k": []byte("v")}}
	calls := 0
	h := quietHost()
	h.Redis = func(ctx context.Context, addr string) (store.Redis, error) { calls++; return fr, nil }
	caps := &Capabilities{ManifestVersion: 2, Allow: allow(t, 2, "redis://allowed.test:6379")}
	g := newTestGuest(t, h, caps, redisImports...)
	kp, kl := g.str(100, "k")
	for addr, ok := range map[string]bool{
		"redis://allowed.test:6379": true,
		"redis://allowed.test":      true, // default port 6379
		"redis://other.test:6379":   false,
		"redis://allowed.test:6380": false,
		"":                          true, // the embedded store
	} {
		calls = 0
		ap, al := g.str(64, addr)
		g.fill(512, 12)
		if err := g.invoke("outbound-redis", "get", ap, al, kp, kl, 512); err != nil {
			t.Fatal(err)
		}
		if got := g.u8(512) == 0; got != ok || (calls == 1) != ok {
			t.Errorf("%q: ok %v (backend calls %d), want %v", addr, got, calls, ok)
		}
	}
}
