//go:build !wasip1

package likes

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"wasmsite/functions/sdk/redis"
	"wasmsite/server/store"
	"wasmsite/server/store/embedded"
	redisstore "wasmsite/server/store/redis"
)

// hostStore adapts the host's store.Redis (what outbound-redis runs on) to Store, so
// the handler is checked against the real command semantics of the embedded store and,
// when LIKES_TEST_REDIS_URL is set, of a real Redis.
type hostStore struct{ r store.Redis }

func (h hostStore) Execute(cmd string, args ...any) ([]redis.Result, error) {
	ps, err := redis.Params(args)
	if err != nil {
		return nil, err
	}
	sp := make([]store.Param, len(ps))
	for i, p := range ps {
		sp[i] = store.Param{IsInt: p.IsInt, Int64: p.Int64, Binary: p.Binary}
	}
	res, err := h.r.Execute(context.Background(), cmd, sp)
	if err != nil {
		return nil, err
	}
	out := make([]redis.Result, len(res))
	for i, r := range res {
		out[i] = redis.Result{Kind: redis.Kind(r.Kind), Status: r.Status, Int64: r.Int64, Binary: r.Binary}
	}
	return out, nil
}

func hostStores(t *testing.T) map[string]store.Redis {
	emb, err := embedded.Open(filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emb.Close() })
	stores := map[string]store.Redis{"embedded": emb}
	if u := os.Getenv("LIKES_TEST_REDIS_URL"); u != "" {
		r, err := redisstore.New(u)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		stores["redis"] = r
	}
	return stores
}

func TestAgainstHostStore(t *testing.T) {
	for name, st := range hostStores(t) {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, map[string]string{KeyRateLimit: "3", KeyIPRateLimit: "100"})
			// a fresh site per run, so a shared real Redis does not see old state
			e.now = time.Now()
			e.h.Store = hostStore{st}
			page := "/blog/" + e.now.Format("150405000000") + "/"
			e.fetch.body = sitemapXML(siteURL, page)

			r := e.do("GET", "/likes?url="+page, "")
			e.expect(r, 200, "GET cold")
			if r.json["count"] != 0.0 || e.fetch.n != 1 {
				t.Fatalf("cold GET %s, fetches %d", r.body, e.fetch.n)
			}
			r = e.do("POST", "/likes", `{"url":"`+page+`"}`, origin...)
			e.expect(r, 200, "like")
			c := r.cookie()
			r = e.do("POST", "/likes", `{"url":"`+page+`index.html"}`, withCookie(c, origin...)...)
			if r.json["count"] != 1.0 || r.json["liked"] != true {
				t.Fatalf("like twice: %s", r.body)
			}
			r = e.do("POST", "/likes", `{"url":"`+page+`"}`, origin...)
			if r.json["count"] != 2.0 {
				t.Fatalf("second reader: %s", r.body)
			}
			if e.fetch.n != 1 {
				t.Errorf("sitemap cache not used: %d fetches", e.fetch.n)
			}
			r = e.do("DELETE", "/likes", `{"url":"`+page+`"}`, withCookie(c, origin...)...)
			if r.json["count"] != 1.0 || r.json["liked"] != false {
				t.Fatalf("unlike: %s", r.body)
			}
			// unknown page: one refetch, then throttled
			e.expect(e.do("POST", "/likes", `{"url":"/blog/unknown/"}`, origin...), 404, "unknown")
			e.expect(e.do("POST", "/likes", `{"url":"/blog/unknown/"}`, origin...), 404, "unknown again")
			if e.fetch.n != 2 {
				t.Errorf("refetches: %d fetches", e.fetch.n)
			}
			// reader c: 2 counted changes so far (like again, unlike) + 1 → limit 3 reached
			e.expect(e.do("POST", "/likes", `{"url":"`+page+`"}`, withCookie(c, origin...)...), 200, "3rd change")
			r = e.do("POST", "/likes", `{"url":"`+page+`"}`, withCookie(c, origin...)...)
			e.expect(r, 429, "rate limited")
			r = e.do("GET", "/likes?url="+page+"&url="+page, "", withCookie(c)...)
			e.expect(r, 200, "batch")
			if r.body != `{"likes":[{"url":"`+page+`","count":2,"liked":true},{"url":"`+page+`","count":2,"liked":true}]}` {
				t.Errorf("batch %s", r.body)
			}
		})
	}
}
