package e2e

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"wasmsite/server/internal/testenv"
)

// TestHTTPCacheSite runs the host's HTTP cache against the real site: the static
// component's pages are stored and served again without it, per encoding, and a
// re-render shows at once; the likes API is never stored.
func TestHTTPCacheSite(t *testing.T) {
	s := startSite(t, siteOptions{contentDir: writeContent(t, 3)})
	c := newReader(t, s)
	post := postURL("post-01")

	t.Run("HitAfterMiss", func(t *testing.T) {
		first := c.do("GET", post, "", "", "Accept-Encoding", "gzip")
		wantCacheStatus(t, first, "wasmsite; fwd=miss; stored")
		time.Sleep(1100 * time.Millisecond)
		second := c.do("GET", post, "", "", "Accept-Encoding", "gzip")
		wantCacheStatus(t, second, "wasmsite; hit")
		if age, err := strconv.Atoi(second.header.Get("Age")); err != nil || age < 1 {
			t.Errorf("Age %q after a second, want ≥ 1", second.header.Get("Age"))
		}
		if string(second.body) != string(first.body) || second.header.Get("ETag") != first.header.Get("ETag") {
			t.Error("the hit differs from the stored response")
		}
	})
	t.Run("EncodingsApart", func(t *testing.T) {
		gz := c.do("GET", post, "", "", "Accept-Encoding", "gzip")
		id := c.do("GET", post, "", "", "Accept-Encoding", "identity")
		wantCacheStatus(t, id, "wasmsite; fwd=miss; stored")
		id = c.do("GET", post, "", "", "Accept-Encoding", "identity")
		wantCacheStatus(t, id, "wasmsite; hit")
		if gz.header.Get("Content-Encoding") != "gzip" || id.header.Get("Content-Encoding") != "" ||
			!strings.Contains(string(id.body), "<html") {
			t.Errorf("gzip variant %q, identity variant %q starting %.20q", gz.header.Get("Content-Encoding"),
				id.header.Get("Content-Encoding"), id.body)
		}
	})
	t.Run("HeadFromGet", func(t *testing.T) {
		head := c.do("HEAD", post, "", "", "Accept-Encoding", "identity")
		wantCacheStatus(t, head, "wasmsite; hit")
		get := c.do("GET", post, "", "", "Accept-Encoding", "identity")
		if head.status != 200 || head.header.Get("Content-Length") != strconv.Itoa(len(get.body)) {
			t.Errorf("HEAD %d, Content-Length %q, body %d bytes", head.status, head.header.Get("Content-Length"), len(get.body))
		}
	})
	t.Run("ConditionalFromEntry", func(t *testing.T) {
		tag := c.do("GET", post, "", "", "Accept-Encoding", "gzip").header.Get("ETag")
		r := c.do("GET", post, "", "", "Accept-Encoding", "gzip", "If-None-Match", tag)
		wantCacheStatus(t, r, "wasmsite; hit")
		if r.status != http.StatusNotModified || len(r.body) != 0 {
			t.Errorf("conditional request: %d with %d bytes", r.status, len(r.body))
		}
	})
	t.Run("RerenderShowsWithinASecond", func(t *testing.T) {
		wantCacheStatus(t, c.do("GET", post, "", "", "Accept-Encoding", "gzip"), "wasmsite; hit")
		path := filepath.Join(s.content, "blog", "post-01.md")
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		testenv.WriteFile(t, path, string(b)+"\nAn edit made after publishing.\n")
		s.rerender(t)
		published := time.Now()
		for {
			r := c.do("GET", post, "", "", "Accept-Encoding", "identity")
			if strings.Contains(string(r.body), "An edit made after publishing.") {
				t.Logf("the edit showed %s after publication (%s)", time.Since(published).Round(time.Millisecond), r.header.Get("Cache-Status"))
				break
			}
			if time.Since(published) > time.Second {
				t.Fatalf("a second after publishing, the page is still the old one (%s)", r.header.Get("Cache-Status"))
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
	t.Run("LikesNeverShared", func(t *testing.T) {
		a, b := newReader(t, s), newReader(t, s)
		a.like(post)
		for range 2 {
			ra, rb := a.get(post), b.get(post)
			for who, r := range map[string]response{"A": ra, "B": rb} {
				if cs := r.header.Get("Cache-Status"); strings.Contains(cs, "hit") || strings.Contains(cs, "stored") {
					t.Errorf("reader %s's likes answer went through the cache: %s", who, cs)
				}
				if cc := r.header.Get("Cache-Control"); !strings.Contains(cc, "private") || !strings.Contains(cc, "no-store") {
					t.Errorf("reader %s's likes answer has Cache-Control %q", who, cc)
				}
			}
			if !ra.likes(t).Liked || rb.likes(t).Liked {
				t.Fatalf("reader A liked %v, reader B liked %v", ra.likes(t).Liked, rb.likes(t).Liked)
			}
		}
	})
}

// probeApp is a host serving the cache probe component at /probe/... with the given
// extra flags.
type probeApp struct {
	*testing.T
	srv *testenv.Server
	hc  *http.Client
}

func startProbe(t *testing.T, args ...string) *probeApp {
	dir := t.TempDir()
	testenv.CopyFile(t, testenv.Component(t, "server/internal/e2e/testdata/cacheprobe"), filepath.Join(dir, "probe.wasm"))
	testenv.WriteFile(t, filepath.Join(dir, "files", "f.txt"), "a mapped file\n")
	testenv.WriteFile(t, filepath.Join(dir, "spin.toml"), `spin_manifest_version = 2
[application]
name = "cacheprobe"
[[trigger.http]]
route = "/probe/..."
component = "probe"
[component.probe]
source = "probe.wasm"
files = [{ source = "files", destination = "/" }]
`)
	srv := testenv.Start(t, testenv.Options{Dir: dir, Args: append([]string{"-q", "--state-dir", ""}, args...)})
	return &probeApp{T: t, srv: srv, hc: &http.Client{Transport: sharedTransport, Timeout: 30 * time.Second}}
}

// get requests /probe/<uri> with header pairs and returns the response (body read).
func (p *probeApp) get(uri string, hdr ...string) response {
	p.Helper()
	req, _ := http.NewRequest("GET", p.srv.URL+"/probe/"+uri, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := p.hc.Do(req)
	if err != nil {
		p.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		p.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b, resp: resp}
}

// calls returns how many requests for uri reached the component, and the If-None-Match
// the last one carried.
func (p *probeApp) calls(uri string) (int, string) {
	p.Helper()
	r := p.get("count?uri=" + url.QueryEscape("/probe/"+uri))
	n, inm, _ := strings.Cut(string(r.body), " ")
	count, err := strconv.Atoi(n)
	if err != nil {
		p.Fatalf("count: %s", r)
	}
	return count, inm
}

// TestHTTPCacheProbe drives the cache with a component whose headers each test picks.
func TestHTTPCacheProbe(t *testing.T) {
	p := startProbe(t)
	t.Run("NotStored", func(t *testing.T) {
		for name, uri := range map[string]string{
			"Set-Cookie":    "a?cc=public,max-age=60&cookie=id%3D1",
			"private":       "b?cc=private,max-age=60",
			"no-store":      "c?cc=no-store",
			"no lifetime":   "d",
			"Vary: *":       "e?cc=max-age=60&vary=*",
			"Authorization": "f?cc=public,max-age=60",
		} {
			var hdr []string
			if name == "Authorization" {
				hdr = []string{"Authorization", "Bearer x"}
			}
			for range 2 {
				if cs := p.get(uri, hdr...).header.Get("Cache-Status"); strings.Contains(cs, "hit") || strings.Contains(cs, "stored") {
					t.Errorf("%s: %s", name, cs)
				}
			}
			if n, _ := p.calls(uri); n != 2 {
				t.Errorf("%s: %d calls for 2 requests", name, n)
			}
		}
	})
	t.Run("NoCacheForwards", func(t *testing.T) {
		uri := "nc?cc=max-age=60&etag=v1"
		p.get(uri)
		wantCacheStatus(t, p.get(uri), "wasmsite; hit")
		r := p.get(uri, "Cache-Control", "no-cache")
		wantCacheStatus(t, r, "wasmsite; fwd=stale; fwd-status=304")
		if n, inm := p.calls(uri); n != 2 || inm != `"v1"` {
			t.Errorf("after no-cache: %d calls, last If-None-Match %s; want 2 and \"v1\"", n, inm)
		}
	})
	t.Run("ExpiryAndRevalidation", func(t *testing.T) {
		uri := "exp?cc=max-age=1&etag=v7"
		first := p.get(uri)
		time.Sleep(1100 * time.Millisecond)
		r := p.get(uri)
		wantCacheStatus(t, r, "wasmsite; fwd=stale; fwd-status=304")
		if r.status != 200 || string(r.body) != string(first.body) {
			t.Errorf("revalidated answer %s, want the stored %q", r, first.body)
		}
		if n, inm := p.calls(uri); n != 2 || inm != `"v7"` {
			t.Errorf("%d calls, last If-None-Match %s; want 2 and \"v7\"", n, inm)
		}
		wantCacheStatus(t, p.get(uri), "wasmsite; hit")
	})
	t.Run("VaryKeepsVariantsApart", func(t *testing.T) {
		uri := "lang?cc=max-age=60&vary=Accept-Language"
		en := p.get(uri, "Accept-Language", "en")
		de := p.get(uri, "Accept-Language", "de")
		if string(en.body) == string(de.body) || !strings.Contains(string(de.body), `"de"`) {
			t.Errorf("en %q, de %q", en.body, de.body)
		}
		wantCacheStatus(t, p.get(uri, "Accept-Language", "en"), "wasmsite; hit")
		wantCacheStatus(t, p.get(uri, "Accept-Language", "de"), "wasmsite; hit")
	})
	t.Run("ConcurrentMissesOneCall", func(t *testing.T) {
		uri := "hot?cc=max-age=60&sleep=300"
		var wg sync.WaitGroup
		statuses := make([]string, 200)
		for i := range statuses {
			wg.Go(func() {
				r := p.get(uri)
				if r.status != 200 {
					t.Errorf("status %d", r.status)
				}
				statuses[i] = r.header.Get("Cache-Status")
			})
		}
		wg.Wait()
		if n, _ := p.calls(uri); n != 1 {
			t.Errorf("200 concurrent identical misses made %d guest calls", n)
		}
		collapsed := 0
		for _, s := range statuses {
			if strings.Contains(s, "collapsed") || strings.Contains(s, "hit") {
				collapsed++
			}
		}
		t.Logf("%d of 200 answered by the one call, the rest from the entry", collapsed)
	})
	t.Run("MappedFilesChange", func(t *testing.T) {
		uri := "mapped?cc=max-age=600"
		p.get(uri)
		wantCacheStatus(t, p.get(uri), "wasmsite; hit")
		testenv.WriteFile(t, filepath.Join(p.srv.Dir, "files", "f.txt"), "changed\n")
		deadline := time.Now().Add(time.Second)
		for strings.Contains(p.get(uri).header.Get("Cache-Status"), "hit") {
			if time.Now().After(deadline) {
				t.Fatal("still served from the cache a second after a mapped file changed")
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}

// TestHTTPCacheBound fills a small cache past its size: older entries are evicted, and
// --http-cache-size 0 turns the cache off.
func TestHTTPCacheBound(t *testing.T) {
	p := startProbe(t, "--http-cache-size", "256KiB")
	const n = 40 // × 20 KiB = 800 KiB
	uri := func(i int) string { return fmt.Sprintf("big%d?cc=max-age=600&size=20480", i) }
	for range 2 { // twice, so that the admission policy has seen every entry
		for i := range n {
			p.get(uri(i))
		}
	}
	// A few entries asked for often: a frequency-based admission policy keeps them,
	// whatever a cyclic scan of all of them did (which leaves an LRU cache no hits).
	const hot = 3
	for range 6 {
		for i := range hot {
			p.get(uri(i))
		}
	}
	hits, hotHits := 0, 0
	for i := range n {
		if strings.Contains(p.get(uri(i)).header.Get("Cache-Status"), "hit") {
			hits++
			if i < hot {
				hotHits++
			}
		}
	}
	if hotHits == 0 || hits > 256/20 {
		t.Errorf("%d of %d entries of 20 KiB were hits in a 256 KiB cache (%d of the %d asked for often); want at most %d, and one of those",
			hits, n, hotHits, hot, 256/20)
	}

	off := startProbe(t, "--http-cache-size", "0")
	r := off.get("x?cc=max-age=60")
	if cs := r.header.Get("Cache-Status"); cs != "" {
		t.Errorf("with the cache off, Cache-Status %q", cs)
	}
}

func wantCacheStatus(t *testing.T, r response, prefix string) {
	t.Helper()
	if cs := r.header.Get("Cache-Status"); !strings.HasPrefix(cs, prefix) {
		t.Errorf("Cache-Status %q, want %q… (status %d)", cs, prefix, r.status)
	}
}
