package httpcache

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkServe measures the cache's own work per request: a hit, a miss that is
// stored (a new URL each time) and a request to a passing scope, against an origin
// that returns a prepared 4 KiB response.
func BenchmarkServe(b *testing.B) {
	page := &Response{Status: 200, Body: []byte(strings.Repeat("x", 4096)), Header: http.Header{
		"Cache-Control": {"public, max-age=0, s-maxage=60"}, "Content-Type": {"text/html"},
		"Etag": {`"abc"`}, "Vary": {"Accept-Encoding"}}}
	private := &Response{Status: 200, Body: []byte("{}"), Header: http.Header{"Cache-Control": {"private, no-store"}}}
	for _, c := range []struct {
		name   string
		resp   *Response
		unique bool
	}{{"hit", page, false}, {"miss", page, true}, {"pass", private, false}} {
		b.Run(c.name, func(b *testing.B) {
			cache, err := New(Options{MaxBytes: 64 << 20})
			if err != nil {
				b.Fatal(err)
			}
			origin := func(*http.Request) (*Response, error) { return c.resp, nil }
			r := httptest.NewRequest("GET", "/blog/post/", nil)
			r.Header.Set("Accept-Encoding", "gzip")
			cache.Serve(r, "static", origin)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if c.unique {
					r.URL.RawQuery = "n=" + strconv.Itoa(i)
				}
				if _, err := cache.Serve(r, "static", origin); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
