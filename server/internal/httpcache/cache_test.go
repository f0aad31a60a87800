package httpcache

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// origin is a fake component: it answers with resp (per request, from answer) and
// counts calls, recording the last request it saw.
type origin struct {
	calls  atomic.Int64
	mu     sync.Mutex
	last   *http.Request
	answer func(r *http.Request) *Response
}

func (o *origin) serve(r *http.Request) (*Response, error) {
	o.calls.Add(1)
	o.mu.Lock()
	o.last = r
	o.mu.Unlock()
	return o.answer(r), nil
}

func fixed(status int, body string, header ...string) func(*http.Request) *Response {
	return func(*http.Request) *Response {
		h := http.Header{}
		for i := 0; i+1 < len(header); i += 2 {
			h.Add(header[i], header[i+1])
		}
		return &Response{Status: status, Header: h, Body: []byte(body)}
	}
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newCache(t *testing.T, size int64) (*Cache, *clock) {
	t.Helper()
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	c, err := New(Options{MaxBytes: size, Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	return c, clk
}

func get(target string, header ...string) *http.Request {
	r := httptest.NewRequest("GET", target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Add(header[i], header[i+1])
	}
	return r
}

func serve(t *testing.T, c *Cache, o *origin, r *http.Request) Result {
	t.Helper()
	res, err := c.Serve(r, "static", o.serve)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestHitAfterMiss(t *testing.T) {
	c, clk := newCache(t, 1<<20)
	o := &origin{answer: fixed(200, "page", "Cache-Control", "public, max-age=60", "ETag", `"v1"`)}
	if r := serve(t, c, o, get("/a")); r.Status != "wasmsite; fwd=miss; stored" || string(r.Resp.Body) != "page" || r.Age != 0 {
		t.Fatalf("first: %+v", r)
	}
	clk.t = clk.t.Add(7 * time.Second)
	r := serve(t, c, o, get("/a"))
	if !strings.HasPrefix(r.Status, "wasmsite; hit; ttl=53") || r.Age != 7 || o.calls.Load() != 1 {
		t.Fatalf("second: %+v, %d origin calls", r, o.calls.Load())
	}
	// HEAD is answered from the GET's entry.
	head := httptest.NewRequest("HEAD", "/a", nil)
	if r := serve(t, c, o, head); !strings.Contains(r.Status, "hit") || o.calls.Load() != 1 {
		t.Fatalf("HEAD: %+v", r)
	}
	// A client's conditional request gets a 304 from the entry.
	if r := serve(t, c, o, get("/a", "If-None-Match", `W/"v1"`)); r.Resp.Status != 304 || r.Resp.Header.Get("ETag") != `"v1"` || o.calls.Load() != 1 {
		t.Fatalf("conditional: %+v", r.Resp)
	}
	if c.Hits.Load() != 3 || c.Misses.Load() != 1 {
		t.Errorf("hits %d misses %d", c.Hits.Load(), c.Misses.Load())
	}
}

func TestNotStored(t *testing.T) {
	for name, tc := range map[string]struct {
		answer func(*http.Request) *Response
		req    *http.Request
	}{
		"private":          {fixed(200, "x", "Cache-Control", "private, max-age=60"), get("/x")},
		"no-store":         {fixed(200, "x", "Cache-Control", "no-store, max-age=60"), get("/x")},
		"set-cookie":       {fixed(200, "x", "Cache-Control", "public, max-age=60", "Set-Cookie", "a=b"), get("/x")},
		"no freshness":     {fixed(200, "x"), get("/x")},
		"vary star":        {fixed(200, "x", "Cache-Control", "max-age=60", "Vary", "*"), get("/x")},
		"status 500":       {fixed(500, "x", "Cache-Control", "max-age=60"), get("/x")},
		"status 302":       {fixed(302, "x", "Cache-Control", "max-age=60"), get("/x")},
		"authorization":    {fixed(200, "x", "Cache-Control", "public, max-age=60"), get("/x", "Authorization", "Bearer t")},
		"request no-store": {fixed(200, "x", "Cache-Control", "public, max-age=60"), get("/x", "Cache-Control", "no-store")},
	} {
		t.Run(name, func(t *testing.T) {
			c, _ := newCache(t, 1<<20)
			o := &origin{answer: tc.answer}
			for range 3 {
				if r := serve(t, c, o, tc.req); strings.Contains(r.Status, "stored") || strings.Contains(r.Status, "hit") {
					t.Fatalf("status %q", r.Status)
				}
			}
			if o.calls.Load() != 3 {
				t.Errorf("%d origin calls for 3 requests", o.calls.Load())
			}
		})
	}
}

// The gzip and identity variants are kept apart (Vary: Accept-Encoding).
func TestVary(t *testing.T) {
	c, _ := newCache(t, 1<<20)
	o := &origin{answer: func(r *http.Request) *Response {
		body := "plain"
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			body = "gzipped"
		}
		return &Response{Status: 200, Body: []byte(body), Header: http.Header{"Cache-Control": {"max-age=60"}, "Vary": {"Accept-Encoding"}}}
	}}
	for range 2 {
		if r := serve(t, c, o, get("/p", "Accept-Encoding", "gzip")); string(r.Resp.Body) != "gzipped" {
			t.Fatalf("gzip variant %q", r.Resp.Body)
		}
		if r := serve(t, c, o, get("/p")); string(r.Resp.Body) != "plain" {
			t.Fatalf("identity variant %q", r.Resp.Body)
		}
	}
	if o.calls.Load() != 2 {
		t.Errorf("%d origin calls, want one per variant", o.calls.Load())
	}
}

// A stale entry is revalidated with its ETag; the origin's 304 refreshes it. A client's
// no-cache forwards (as a conditional request) however fresh the entry is.
func TestRevalidation(t *testing.T) {
	c, clk := newCache(t, 1<<20)
	o := &origin{}
	o.answer = func(r *http.Request) *Response {
		if r.Header.Get("If-None-Match") == `"v1"` {
			return &Response{Status: 304, Header: http.Header{"Cache-Control": {"max-age=10"}, "Etag": {`"v1"`}}}
		}
		return &Response{Status: 200, Body: []byte("v1 body"), Header: http.Header{"Cache-Control": {"max-age=10"}, "Etag": {`"v1"`}}}
	}
	serve(t, c, o, get("/r"))
	clk.t = clk.t.Add(11 * time.Second)
	r := serve(t, c, o, get("/r"))
	if r.Status != "wasmsite; fwd=stale; fwd-status=304; stored" || string(r.Resp.Body) != "v1 body" || o.last.Header.Get("If-None-Match") != `"v1"` {
		t.Fatalf("revalidation: %+v, origin saw %v", r, o.last.Header)
	}
	if r := serve(t, c, o, get("/r")); !strings.Contains(r.Status, "hit") || o.calls.Load() != 2 {
		t.Fatalf("after refresh: %+v", r)
	}
	if r := serve(t, c, o, get("/r", "Cache-Control", "no-cache")); strings.Contains(r.Status, "hit") || o.calls.Load() != 3 {
		t.Fatalf("no-cache: %+v, %d calls", r, o.calls.Load())
	}
}

// Concurrent identical misses make one origin call; uncacheable answers are not shared.
func TestCoalescing(t *testing.T) {
	c, _ := newCache(t, 1<<20)
	release := make(chan struct{})
	o := &origin{answer: func(*http.Request) *Response {
		<-release
		return &Response{Status: 200, Body: []byte("shared"), Header: http.Header{"Cache-Control": {"max-age=60"}}}
	}}
	var wg sync.WaitGroup
	for range 200 {
		wg.Go(func() {
			if r := serve(t, c, o, get("/hot")); string(r.Resp.Body) != "shared" {
				t.Errorf("body %q", r.Resp.Body)
			}
		})
	}
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	if n := o.calls.Load(); n != 1 {
		t.Errorf("200 concurrent misses made %d origin calls", n)
	}

	personal := &origin{answer: func(r *http.Request) *Response {
		return &Response{Status: 200, Body: []byte(r.Header.Get("Cookie")), Header: http.Header{"Cache-Control": {"private"}}}
	}}
	for _, who := range []string{"a", "b", "a"} {
		if r := serve(t, c, personal, get("/me", "Cookie", who)); string(r.Resp.Body) != who {
			t.Errorf("reader %s got %q", who, r.Resp.Body)
		}
	}
}

func TestInvalidateAndSize(t *testing.T) {
	c, _ := newCache(t, 64<<10)
	o := &origin{answer: fixed(200, strings.Repeat("x", 10<<10), "Cache-Control", "max-age=60")}
	for i := range 20 {
		serve(t, c, o, get("/f"+string(rune('a'+i))))
	}
	c.items.CleanUp()
	if size := c.Size(); size > 64<<10 {
		t.Errorf("cache holds %d bytes, bound 64 KiB", size)
	}
	// Invalidation, in a cache with room to spare: whether a full cache admits a new
	// entry is its admission policy's call.
	c, _ = newCache(t, 1<<20)
	serve(t, c, o, get("/kept"))
	calls := o.calls.Load()
	if r := serve(t, c, o, get("/kept")); !strings.Contains(r.Status, "hit") {
		t.Fatalf("not a hit before invalidation: %s", r.Status)
	}
	c.Invalidate("static")
	if r := serve(t, c, o, get("/kept")); strings.Contains(r.Status, "hit") || o.calls.Load() != calls+1 {
		t.Fatalf("hit after Invalidate: %s", r.Status)
	}
	// A POST to a URL drops its entries.
	post := httptest.NewRequest("POST", "/kept", nil)
	serve(t, c, o, post)
	if r := serve(t, c, o, get("/kept")); strings.Contains(r.Status, "hit") {
		t.Fatalf("hit after POST: %s", r.Status)
	}
}

// A scope whose responses cannot be stored is passed through without coalescing
// (concurrent requests run side by side) until it sends something cacheable.
func TestScopeModes(t *testing.T) {
	c, _ := newCache(t, 1<<20)
	var inFlight, most atomic.Int64
	cacheable := atomic.Bool{}
	o := &origin{answer: func(*http.Request) *Response {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		time.Sleep(20 * time.Millisecond)
		cc := "private, no-store"
		if cacheable.Load() {
			cc = "public, max-age=60"
		}
		return &Response{Status: 200, Body: []byte("count"), Header: http.Header{"Cache-Control": {cc}}}
	}}
	serve(t, c, o, get("/api/likes"))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if r := serve(t, c, o, get("/api/likes")); r.Status != "wasmsite; fwd=bypass" {
				t.Errorf("passing scope: %s", r.Status)
			}
		})
	}
	wg.Wait()
	if most.Load() < 2 {
		t.Errorf("requests to a passing scope ran one at a time (at most %d at once)", most.Load())
	}
	cacheable.Store(true)
	if r := serve(t, c, o, get("/api/likes")); r.Status != "wasmsite; fwd=bypass; stored" {
		t.Fatalf("first cacheable answer: %s", r.Status)
	}
	if r := serve(t, c, o, get("/api/likes")); !strings.Contains(r.Status, "hit") {
		t.Fatalf("after it: %s", r.Status)
	}
}
