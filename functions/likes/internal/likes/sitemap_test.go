package likes

import (
	"context"
	"errors"
	"net/url"
	"reflect"
	"testing"
	"time"
)

func TestParseSitemap(t *testing.T) {
	site, _ := url.Parse("http://127.0.0.1:3000")
	data := `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc> http://127.0.0.1:3000/ </loc><lastmod>2026-01-01</lastmod></url>
<url><loc>http://127.0.0.1:3000/blog/x/</loc></url>
<url><loc>http://127.0.0.1:3000/blog/y/index.html</loc></url>
<url><loc>http://other.example/blog/z/</loc></url>
</urlset>`
	set, err := ParseSitemap(site, []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"/": true, "/blog/x/": true, "/blog/y/": true}
	if !reflect.DeepEqual(set, want) {
		t.Errorf("set = %v", set)
	}
	for _, bad := range []string{"", "<html></html>", "<urlset><url><loc>", "not xml"} {
		if _, err := ParseSitemap(site, []byte(bad)); err == nil {
			t.Errorf("ParseSitemap(%q) accepted", bad)
		}
	}
}

func TestSitemapCache(t *testing.T) {
	now := t0
	clock := func() time.Time { return now }
	site, _ := url.Parse("http://127.0.0.1:3000")
	st := newMemStore(clock)
	f := &fakeFetcher{body: sitemapXML("http://127.0.0.1:3000", "/blog/x/")}
	sm := &Sitemap{Site: site, Store: st, Fetcher: f, TTL: 30 * time.Second, RefetchEvery: 5 * time.Second, Now: clock}
	ctx := context.Background()

	check := func(page string, want bool, fetches int) {
		t.Helper()
		got, err := sm.Contains(ctx, page)
		if err != nil || got[0] != want || f.n != fetches {
			t.Fatalf("Contains(%s) = %v %v after %d fetches; want %v, %d", page, got, err, f.n, want, fetches)
		}
	}
	check("/blog/x/", true, 1)
	if f.lastU != "http://127.0.0.1:3000/sitemap.xml" {
		t.Errorf("fetched %s", f.lastU)
	}
	check("/blog/x/", true, 1)    // cached
	check("/blog/new/", false, 2) // unknown: one refetch
	check("/blog/new/", false, 2) // throttled
	f.body = sitemapXML("http://127.0.0.1:3000", "/blog/x/", "/blog/new/")
	now = now.Add(6 * time.Second)
	check("/blog/new/", true, 3) // published: likeable after the throttle window
	// expiry of the cache forces a refetch
	now = now.Add(31 * time.Second)
	check("/blog/x/", true, 4)
	// site down: stale copy still answers
	f.err = errors.New("connection refused")
	now = now.Add(31 * time.Second)
	check("/blog/x/", true, 5)
	// site down and no copy at all: unavailable
	st2 := newMemStore(clock)
	sm2 := &Sitemap{Site: site, Store: st2, Fetcher: f, TTL: 30 * time.Second, RefetchEvery: 5 * time.Second}
	if _, err := sm2.Contains(ctx, "/blog/x/"); !errors.Is(err, ErrSitemapUnavailable) {
		t.Errorf("no copy: %v", err)
	}
	// store down
	st.down = true
	if _, err := sm.Contains(ctx, "/blog/x/"); !errors.Is(err, errStore) {
		t.Errorf("store down: %v", err)
	}
}
