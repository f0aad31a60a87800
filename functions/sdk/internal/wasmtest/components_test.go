package wasmtest

import (
	"context"
	"encoding/json"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

func startComponent(t *testing.T, pkg string, h *Host) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("builds wasm components")
	}
	wasm, err := Build(t.TempDir(), pkg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d bytes", pkg, len(wasm))
	ctx := context.Background()
	if err := h.Start(ctx, wasm); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close(ctx) })
	return ctx
}

func header(r Response, name string) string {
	for _, p := range r.Headers {
		if strings.EqualFold(p.Name, name) {
			return p.Value
		}
	}
	return ""
}

func TestStaticComponent(t *testing.T) {
	h := &Host{
		FS: fstest.MapFS{
			"index.html":        {Data: []byte("<h1>home</h1>")},
			"blog/x/index.html": {Data: []byte("<h1>x</h1>")},
			"404.html":          {Data: []byte("<h1>404</h1>")},
		},
		Env: map[string]string{"CACHE_CONTROL": "max-age=5"},
	}
	ctx := startComponent(t, "wasmsite/functions/static", h)
	req := func(path string) Response {
		r, err := h.ServeHTTP(ctx, 0, path, []Pair{{"spin-path-info", path}, {"spin-matched-route", "/..."}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := req("/"); r.Status != 200 || string(r.Body) != "<h1>home</h1>" || header(r, "Cache-Control") != "max-age=5" {
		t.Errorf("/: %d %q %v", r.Status, r.Body, r.Headers)
	}
	if r := req("/blog/x/"); r.Status != 200 || string(r.Body) != "<h1>x</h1>" {
		t.Errorf("/blog/x/: %d %q", r.Status, r.Body)
	}
	if r := req("/blog/x"); r.Status != 301 || header(r, "Location") != "/blog/x/" {
		t.Errorf("/blog/x: %d %v", r.Status, r.Headers)
	}
	for _, p := range []string{"/..%2f..%2fetc/passwd", "/../../etc/passwd", "/nope"} {
		if r := req(p); r.Status != 404 || string(r.Body) != "<h1>404</h1>" {
			t.Errorf("%s: %d %q", p, r.Status, r.Body)
		}
	}
}

// TestStaticComponentMounts serves files from two preopened directories, as wasmtime
// preopens a component's files entries: static then resolves paths as syscall.Open
// does (its shortcut is for a lone "/").
func TestStaticComponentMounts(t *testing.T) {
	h := &Host{
		FS:     fstest.MapFS{"index.html": {Data: []byte("<h1>home</h1>")}},
		Mounts: map[string]fs.FS{"/docs": fstest.MapFS{"a.txt": {Data: []byte("mounted")}}},
	}
	ctx := startComponent(t, "wasmsite/functions/static", h)
	for path, want := range map[string]string{"/": "<h1>home</h1>", "/docs/a.txt": "mounted"} {
		r, err := h.ServeHTTP(ctx, 0, path, []Pair{{"spin-path-info", path}, {"spin-matched-route", "/..."}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != 200 || string(r.Body) != want {
			t.Errorf("%s: %d %q, want 200 %q", path, r.Status, r.Body, want)
		}
	}
}

// miniRedis answers the commands the likes component uses (no expiry).
func miniRedis() func(cmd string, args []any) []any {
	strs := map[string][]byte{}
	sets := map[string]map[string]bool{}
	s := func(a any) string {
		switch v := a.(type) {
		case []byte:
			return string(v)
		case int64:
			return strconv.FormatInt(v, 10)
		}
		return ""
	}
	return func(cmd string, args []any) []any {
		k := s(args[0])
		switch cmd {
		case "GET":
			if v, ok := strs[k]; ok {
				return []any{v}
			}
			return []any{nil}
		case "SET":
			for _, a := range args[2:] {
				if s(a) == "NX" {
					if _, ok := strs[k]; ok {
						return []any{nil}
					}
				}
			}
			strs[k] = []byte(s(args[1]))
			return []any{"OK"}
		case "INCR":
			n, _ := strconv.ParseInt(string(strs[k]), 10, 64)
			strs[k] = []byte(strconv.FormatInt(n+1, 10))
			return []any{n + 1}
		case "EXPIRE":
			return []any{int64(1)}
		case "SADD", "SREM":
			if sets[k] == nil {
				sets[k] = map[string]bool{}
			}
			var n int64
			for _, a := range args[1:] {
				if sets[k][s(a)] != (cmd == "SADD") {
					n++
				}
				if cmd == "SADD" {
					sets[k][s(a)] = true
				} else {
					delete(sets[k], s(a))
				}
			}
			return []any{n}
		case "SCARD":
			return []any{int64(len(sets[k]))}
		case "SISMEMBER":
			if sets[k][s(args[1])] {
				return []any{int64(1)}
			}
			return []any{int64(0)}
		case "SMISMEMBER":
			var out []any
			for _, a := range args[1:] {
				if sets[k][s(a)] {
					out = append(out, int64(1))
				} else {
					out = append(out, int64(0))
				}
			}
			return out
		case "DEL":
			delete(strs, k)
			delete(sets, k)
			return []any{int64(1)}
		}
		return nil
	}
}

func TestLikesComponent(t *testing.T) {
	fetches := 0
	h := &Host{
		Config: map[string]string{"site_url": "http://127.0.0.1:3000", "jwt_secret": "s3cret", "redis_address": ""},
		Exec:   miniRedis(),
		HTTP: func(method uint32, uri string, headers []Pair, body []byte, hasBody bool) (Response, uint8) {
			if uri != "http://127.0.0.1:3000/sitemap.xml" {
				return Response{}, 1
			}
			fetches++
			return Response{Status: 200, Body: []byte(`<urlset><url><loc>http://127.0.0.1:3000/blog/x/</loc></url></urlset>`)}, 0
		},
	}
	ctx := startComponent(t, "wasmsite/functions/likes", h)
	base := []Pair{{"spin-full-url", "http://127.0.0.1:3000/likes"}, {"spin-client-addr", "127.0.0.1:4000"}, {"spin-path-info", ""}}
	post := append(append([]Pair{}, base...), Pair{"origin", "http://127.0.0.1:3000"}, Pair{"content-type", "application/json"})
	r, err := h.ServeHTTP(ctx, 1, "/likes", post, []byte(`{"url":"/blog/x"}`))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	json.Unmarshal(r.Body, &got)
	if r.Status != 200 || got["count"] != 1.0 || got["liked"] != true || got["url"] != "/blog/x/" {
		t.Fatalf("like: %d %s %v", r.Status, r.Body, r.Headers)
	}
	cookie := header(r, "Set-Cookie")
	if !strings.HasPrefix(cookie, "likes_token=") || !strings.Contains(cookie, "HttpOnly") {
		t.Fatalf("cookie %q", cookie)
	}
	c := (&http.Response{Header: http.Header{"Set-Cookie": {cookie}}}).Cookies()[0]
	withCookie := append(append([]Pair{}, base...), Pair{"cookie", "likes_token=" + c.Value})
	r, _ = h.ServeHTTP(ctx, 0, "/likes?url=/blog/x/", withCookie, nil)
	json.Unmarshal(r.Body, &got)
	if r.Status != 200 || got["count"] != 1.0 || got["liked"] != true {
		t.Fatalf("get: %d %s", r.Status, r.Body)
	}
	r, _ = h.ServeHTTP(ctx, 1, "/likes", post[:len(post)-1], []byte(`{"url":"/blog/x"}`)) // no content-type: JSON
	if r.Status != 200 {
		t.Errorf("post without content-type: %d", r.Status)
	}
	r, _ = h.ServeHTTP(ctx, 1, "/likes", base, []byte(`{"url":"/blog/x"}`))
	if r.Status != 403 {
		t.Errorf("no origin: %d", r.Status)
	}
	r, _ = h.ServeHTTP(ctx, 0, "/likes?url=/blog/nope/", base, nil)
	if r.Status != 404 {
		t.Errorf("not in sitemap: %d %s", r.Status, r.Body)
	}
	if fetches != 2 { // first fetch + one refetch for the unknown page
		t.Errorf("sitemap fetched %d times", fetches)
	}
}
