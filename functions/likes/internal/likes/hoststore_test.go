//go:build !wasip1

package likes

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"wasmsite/functions/sdk/redis"
	"wasmsite/server/store"
	"wasmsite/server/store/embedded"
	redisstore "wasmsite/server/store/redis"
	"wasmsite/server/store/redistest"
)

// hostStore adapts the host's store.Redis (what outbound-redis runs on) to Store, so
// the handler is checked against the real command semantics of the embedded store and
// of a real redis-server.
type hostStore struct {
	r     store.Redis
	calls *int // round trips so far
}

func (h hostStore) Execute(cmd string, args ...any) ([]redis.Result, error) {
	*h.calls++
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

// A hostBackend is a store the handler runs on in a deployment, and whether the
// handler runs scripts on it (Handler.Scripts) there.
type hostBackend struct {
	name    string
	scripts bool
	// open makes a new, empty store for t; stop makes it unreachable.
	open func(t *testing.T) (st Store, stop func())
}

// hostBackends: the embedded store (commands), and a real redis-server with commands
// and with scripts, each subtest on a server of its own.
func hostBackends() []hostBackend {
	openRedis := func(t *testing.T) (Store, func()) {
		srv := redistest.Start(t)
		r, err := redisstore.New(srv.URL())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		return hostStore{r, new(int)}, srv.Stop
	}
	openEmbedded := func(t *testing.T) (Store, func()) {
		emb, err := embedded.Open(filepath.Join(t.TempDir(), "store.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { emb.Close() })
		return hostStore{emb, new(int)}, func() { emb.Close() }
	}
	return []hostBackend{
		{name: "embedded", open: openEmbedded},
		{name: "redis", open: openRedis},
		{name: "redis-scripts", scripts: true, open: openRedis},
	}
}

// TestAgainstHostStore runs the API through each back end: cold and cached sitemap,
// likes by new and known readers, unlike, toggle, unknown pages, rate limits, the
// sitemap's stale copy while the site is unreachable, and a store outage.
func TestAgainstHostStore(t *testing.T) {
	for _, b := range hostBackends() {
		t.Run(b.name, func(t *testing.T) {
			st, stop := b.open(t)
			e := newEnv(t, map[string]string{KeyRateLimit: "5", KeyIPRateLimit: "100"})
			e.now = time.Now()
			e.h.Store, e.h.Scripts = st, b.scripts
			const page, other = "/blog/x/", "/blog/y/"
			e.fetch.body = sitemapXML(siteURL, page, other)
			state := func(r result, count float64, liked bool, what string) {
				t.Helper()
				if r.json["count"] != count || r.json["liked"] != liked {
					t.Fatalf("%s: %d %s, want count %v liked %v", what, r.status, r.body, count, liked)
				}
			}

			r := e.do("GET", "/likes?url="+page, "")
			e.expect(r, 200, "GET cold")
			state(r, 0, false, "GET cold")
			if e.fetch.n != 1 {
				t.Fatalf("cold GET: %d fetches", e.fetch.n)
			}
			// With scripts, a GET or a change is one round trip.
			roundTrips := func(what string, commands, scripts int, do func() result) result {
				t.Helper()
				calls := st.(hostStore).calls
				before := *calls
				r := do()
				if want := map[bool]int{false: commands, true: scripts}[b.scripts]; *calls-before != want {
					t.Errorf("%s: %d round trips, want %d", what, *calls-before, want)
				}
				return r
			}
			r = roundTrips("GET cached", 2, 1, func() result { return e.do("GET", "/likes?url="+page, "") })
			state(r, 0, false, "GET cached")
			r = e.do("POST", "/likes", `{"url":"`+page+`"}`, origin...)
			state(r, 1, true, "like by a new reader")
			c := r.cookie()
			if c == nil {
				t.Fatal("like by a new reader: no token")
			}
			r = roundTrips("like twice", 6, 1, func() result {
				return e.do("POST", "/likes", `{"url":"`+page+`index.html"}`, withCookie(c, origin...)...)
			})
			state(r, 1, true, "like twice")
			state(e.do("POST", "/likes", `{"url":"`+page+`"}`, origin...), 2, true, "second reader")
			if e.fetch.n != 1 {
				t.Errorf("sitemap cache not used: %d fetches", e.fetch.n)
			}
			state(e.do("DELETE", "/likes", `{"url":"`+page+`"}`, withCookie(c, origin...)...), 1, false, "unlike")
			r = e.do("DELETE", "/likes", `{"url":"`+page+`"}`, origin...)
			state(r, 1, false, "unlike without a token")
			if r.cookie() != nil {
				t.Errorf("unlike without a token set a cookie: %v", r.h)
			}
			r = e.do("POST", "/likes", "url="+page+"&action=toggle", withCookie(c, append(origin, "Content-Type", "application/x-www-form-urlencoded")...)...)
			e.expect(r, 303, "form toggle")
			state(r, 2, true, "form toggle")
			state(e.do("POST", "/likes", `{"url":"`+page+`","action":"toggle"}`, withCookie(c, origin...)...), 1, false, "toggle back")

			// unknown page: one refetch, then throttled; GET and POST alike
			e.expect(e.do("POST", "/likes", `{"url":"/blog/unknown/"}`, origin...), 404, "unknown")
			e.expect(e.do("POST", "/likes", `{"url":"/blog/unknown/"}`, origin...), 404, "unknown again")
			e.expect(e.do("GET", "/likes?url=/blog/unknown/&url="+page, ""), 404, "GET unknown")
			if e.fetch.n != 2 {
				t.Errorf("refetches: %d fetches", e.fetch.n)
			}
			// reader c: 4 counted changes so far (like again, unlike, 2 toggles) + 1 → limit 5 reached
			state(e.do("POST", "/likes", `{"url":"`+page+`"}`, withCookie(c, origin...)...), 2, true, "5th change")
			r = e.do("DELETE", "/likes", `{"url":"`+page+`"}`, withCookie(c, origin...)...)
			e.expect(r, 429, "rate limited") // and the like stays (batch below)
			if ra, _ := strconv.Atoi(r.h.Get("Retry-After")); ra < 1 || ra > 60 {
				t.Errorf("Retry-After %q", r.h.Get("Retry-After"))
			}
			r = e.do("GET", "/likes?url="+page+"&url="+other, "", withCookie(c)...)
			e.expect(r, 200, "batch")
			if r.body != `{"likes":[{"url":"`+page+`","count":2,"liked":true},{"url":"`+other+`","count":0,"liked":false}]}` {
				t.Errorf("batch %s", r.body)
			}

			// The cache is gone and the site unreachable: the stale copy answers.
			if _, err := st.Execute("DEL", sitemapKey); err != nil {
				t.Fatal(err)
			}
			e.fetch.err = errors.New("site down")
			state(e.do("POST", "/likes", `{"url":"`+other+`"}`, origin...), 1, true, "like with the stale sitemap")
			state(e.do("GET", "/likes?url="+other, ""), 1, false, "GET with the stale sitemap")

			stop()
			e.expect(e.do("GET", "/likes?url="+page, ""), 503, "GET, store down")
			e.expect(e.do("POST", "/likes", `{"url":"`+page+`"}`, withCookie(c, origin...)...), 503, "like, store down")
		})
	}
}

// TestRateLimiterAgainstHostStore: counts, the first exceeded limit stopping the count,
// the window's end and the counters' lifetime, on each back end: by RateLimiter.Allow's
// commands, or by changeScript's counting.
func TestRateLimiterAgainstHostStore(t *testing.T) {
	for _, b := range hostBackends() {
		t.Run(b.name, func(t *testing.T) {
			st, stop := b.open(t)
			now := time.Date(2026, 11, 21, 12, 0, 10, 0, time.UTC)
			rl := &RateLimiter{Store: st, Now: func() time.Time { return now }}
			// With scripts, changeScript counts: here for a page of no sitemap, so that
			// it makes the counts only.
			allow := func(limits ...Limit) (bool, int64, error) {
				if !b.scripts {
					return rl.Allow(limits...)
				}
				c := rl.counting(limits)
				keys := append([]string{sitemapKey, pageKey("/none/")}, c.keys...)
				res, err := changeScript.run(st, keys, append([]any{"/none/", "r", "like", "1"}, c.scriptArgs()...)...)
				if err != nil {
					return false, 0, err
				}
				return c.verdict(res)
			}
			ip, reader := Limit{Key: "ip:a", Max: 2}, Limit{Key: "r:a", Max: 3}
			for i := 0; i < 2; i++ {
				if ok, _, err := allow(ip, reader); !ok || err != nil {
					t.Fatalf("request %d refused: %v", i, err)
				}
			}
			ok, retry, err := allow(ip, reader)
			if ok || err != nil || retry != 50 {
				t.Fatalf("3rd: ok=%v retry=%d err=%v", ok, retry, err)
			}
			count := func(key string) int64 {
				t.Helper()
				r, err := one(st, "GET", "rl:"+key+":29921040")
				if err != nil {
					t.Fatal(err)
				}
				n, _ := strconv.ParseInt(string(r.Binary), 10, 64)
				return n
			}
			if n := count("r:a"); n != 2 {
				t.Errorf("the reader's counter is %d after the IP's limit stopped a request, want 2", n)
			}
			if ok, _, err := allow(Limit{Key: "ip:b", Max: 2}, reader); !ok || err != nil {
				t.Fatalf("another IP: ok=%v err=%v", ok, err)
			}
			if ok, _, _ := allow(Limit{Key: "ip:c", Max: 2}, reader); ok || count("r:a") != 4 {
				t.Errorf("the reader's own limit: ok=%v count %d", ok, count("r:a"))
			}
			if ttl, err := intResult(st, "TTL", "rl:r:a:29921040"); err != nil || ttl < 110 || ttl > 120 {
				t.Errorf("counter lifetime %d s (%v), want 120", ttl, err)
			}
			if ok, _, _ := allow(Limit{Key: "ip:a", Max: 0}); !ok {
				t.Error("limit 0 must mean unlimited")
			}
			now = now.Add(50 * time.Second) // next window
			if ok, _, _ := allow(ip, reader); !ok {
				t.Error("next window still limited")
			}
			stop()
			if ok, _, err := allow(ip, reader); ok || !errors.Is(err, errStore) {
				t.Errorf("store down: ok=%v err=%v, want errStore", ok, err)
			}
		})
	}
}
