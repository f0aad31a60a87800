package e2e

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/redis/go-redis/v9"

	"wasmsite/server/internal/testenv"
	"wasmsite/server/store/redistest"
)

// TestConcurrentHostsSharedRedis runs two host processes on different ports sharing one
// redis-server (both with site_url = the first host, which serves the sitemap to both),
// and has 300 readers like, re-like (duplicates), unlike and toggle 10 pages through
// both hosts concurrently, each request to a random host. Every answer must be
// consistent with the reader's own sequence, and the final counts, per-reader states and
// Redis sets must be exact.
func TestConcurrentHostsSharedRedis(t *testing.T) {
	const (
		readers = 300
		pages   = 10
		workers = 32
	)
	rs := redistest.Start(t)
	content := writeContent(t, pages)
	addrA := testenv.FreeAddr(t)
	limits := []string{"SPIN_VARIABLE_RATE_LIMIT=100000", "SPIN_VARIABLE_IP_RATE_LIMIT=100000"}
	a := startSite(t, siteOptions{contentDir: content, redis: rs.URL(), addr: addrA, env: limits})
	b := startSite(t, siteOptions{contentDir: content, redis: rs.URL(), siteURL: a.siteURL, env: limits})
	hosts := []*site{a, b}
	urls := make([]string, pages)
	for i := range urls {
		urls[i] = postURL(fmt.Sprintf("post-%02d", i))
	}

	type op int
	const (
		like op = iota
		unlike
		unlikePost // POST {"action":"unlike"}
		toggle
	)
	type chain struct {
		reader int
		page   int
		ops    []op
	}
	rng := rand.New(rand.NewPCG(1, 2))
	tokens := make([]string, readers)
	subs := make([]string, readers)
	// Readers 0..149 hold tokens forged with the shared secrets (half with the old one);
	// readers 150..299 get theirs from the component on their first like.
	for r := 0; r < readers/2; r++ {
		secret := newSecret
		if r%2 == 1 {
			secret = oldSecret
		}
		tokens[r], subs[r] = validToken(t, a.siteURL, secret)
	}
	client := &http.Client{Transport: sharedTransport, Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	newRd := func(host *site, token string) *reader {
		return &reader{tb: t, base: host.url, origin: a.siteURL, hc: client, token: token}
	}
	var requests atomic.Int64
	start := time.Now()
	// Issued readers: a first like through a random host gives them their cookie.
	firstLiked := make([]bool, readers) // page 0 liked by the bootstrap like
	{
		var wg sync.WaitGroup
		sem := make(chan struct{}, workers)
		errs := make(chan error, readers)
		for r := readers / 2; r < readers; r++ {
			wg.Add(1)
			sem <- struct{}{}
			go func(r int, host *site) {
				defer func() { <-sem; wg.Done() }()
				resp, err := newRd(host, "").try(http.MethodPost, "/likes", "application/json", jsonBody(urls[0]))
				requests.Add(1)
				if err != nil || resp.status != http.StatusOK {
					errs <- fmt.Errorf("bootstrap like of reader %d: %v %v", r, resp, err)
					return
				}
				c := resp.cookie()
				if c == nil {
					errs <- fmt.Errorf("bootstrap like of reader %d: no cookie", r)
					return
				}
				var cl jwt.RegisteredClaims
				if _, err := jwt.ParseWithClaims(c.Value, &cl, func(*jwt.Token) (any, error) { return []byte(newSecret), nil }); err != nil {
					errs <- fmt.Errorf("issued token: %v", err)
					return
				}
				tokens[r], subs[r] = c.Value, cl.Subject
			}(r, hosts[r%2])
			firstLiked[r] = true
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
	}

	// The plan: for half the (reader, page) pairs, a sequence of 1..2 operations (plus
	// exact duplicates) run in order; all sequences run concurrently.
	var chains []chain
	liked := make([][]bool, readers)
	for r := 0; r < readers; r++ {
		liked[r] = make([]bool, pages)
		liked[r][0] = firstLiked[r]
		for p := 0; p < pages; p++ {
			if rng.IntN(2) == 0 {
				continue
			}
			n := 1 + rng.IntN(2)
			c := chain{reader: r, page: p}
			for i := 0; i < n; i++ {
				var o op
				switch x := rng.IntN(10); {
				case x < 5:
					o = like
				case x < 7:
					o = unlike
				case x < 8:
					o = unlikePost
				default:
					o = toggle
				}
				c.ops = append(c.ops, o)
				if rng.IntN(5) == 0 { // an exact duplicate (double click, retry)
					c.ops = append(c.ops, o)
				}
			}
			chains = append(chains, c)
		}
	}
	rng.Shuffle(len(chains), func(i, j int) { chains[i], chains[j] = chains[j], chains[i] })

	var (
		mu       sync.Mutex
		failures []string
	)
	failf := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(failures) < 20 {
			failures = append(failures, fmt.Sprintf(format, args...))
		}
	}
	work := make(chan chain)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			rr := rand.New(rand.NewPCG(seed, 7))
			for c := range work {
				state := liked[c.reader][c.page]
				for _, o := range c.ops {
					rd := newRd(hosts[rr.IntN(2)], tokens[c.reader])
					var resp response
					var err error
					switch o {
					case like:
						resp, err = rd.try(http.MethodPost, "/likes", "application/json", jsonBody(urls[c.page]))
						state = true
					case unlike:
						resp, err = rd.try(http.MethodDelete, "/likes", "application/json", jsonBody(urls[c.page]))
						state = false
					case unlikePost:
						resp, err = rd.try(http.MethodPost, "/likes", "application/json", `{"url":"`+urls[c.page]+`","action":"unlike"}`)
						state = false
					case toggle:
						resp, err = rd.try(http.MethodPost, "/likes", "application/json", `{"url":"`+urls[c.page]+`","action":"toggle"}`)
						state = !state
					}
					requests.Add(1)
					if err != nil {
						failf("reader %d page %d op %d: %v", c.reader, c.page, o, err)
						return
					}
					if resp.status != http.StatusOK {
						failf("reader %d page %d op %d via %s: %s", c.reader, c.page, o, rd.base, resp)
						continue
					}
					var pl pageLikes
					if err := json.Unmarshal(resp.body, &pl); err != nil || pl.Liked != state || pl.URL != urls[c.page] || pl.Count < 0 || pl.Count > readers {
						failf("reader %d page %d op %d: answer %s, want liked=%v", c.reader, c.page, o, resp, state)
					}
					if resp.cookie() != nil {
						failf("reader %d with a valid token got a new cookie", c.reader)
					}
				}
				liked[c.reader][c.page] = state // only this goroutine touches this cell now
			}
		}(uint64(w))
	}
	for _, c := range chains {
		work <- c
	}
	close(work)
	wg.Wait()
	elapsed := time.Since(start)
	n := requests.Load()
	t.Logf("%d changes by %d readers on %d pages through 2 hosts in %v (%.0f req/s)",
		n, readers, pages, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds())
	if n < 2000 {
		t.Errorf("only %d requests: the test is too small to mean anything", n)
	}
	for _, f := range failures {
		t.Error(f)
	}
	if t.Failed() {
		t.FailNow()
	}

	// Expected state.
	want := make([]int64, pages)
	wantSets := make([][]string, pages)
	for r := 0; r < readers; r++ {
		for p := 0; p < pages; p++ {
			if liked[r][p] {
				want[p]++
				wantSets[p] = append(wantSets[p], subs[r])
			}
		}
	}
	t.Logf("final counts: %v", want)
	// Counts through both hosts (batch GET).
	for _, h := range hosts {
		resp := newRd(h, "").get(urls...)
		if resp.status != http.StatusOK {
			t.Fatalf("batch GET via %s: %s", h.url, resp)
		}
		for i, pl := range resp.batch(t) {
			if pl.Count != want[i] {
				t.Errorf("via %s: %s has %d likes, want %d", h.url, pl.URL, pl.Count, want[i])
			}
		}
	}
	// Redis: one set of reader ids per page, exactly the readers who like it.
	rdb := redis.NewClient(&redis.Options{Addr: rs.Addr()})
	defer rdb.Close()
	for p, u := range urls {
		got, err := rdb.SMembers(t.Context(), "likes:"+u).Result()
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(got)
		sort.Strings(wantSets[p])
		if fmt.Sprint(got) != fmt.Sprint(wantSets[p]) {
			t.Errorf("redis set of %s: %d members, want %d (sets differ)", u, len(got), len(wantSets[p]))
		}
	}
	// Each reader's own view, through a random host.
	var bad atomic.Int64
	sem := make(chan struct{}, workers)
	var vg sync.WaitGroup
	for r := 0; r < readers; r++ {
		vg.Add(1)
		sem <- struct{}{}
		go func(r int) {
			defer func() { <-sem; vg.Done() }()
			resp, err := newRd(hosts[r%2], tokens[r]).try(http.MethodGet, "/likes?url="+joinURLs(urls), "", "")
			if err != nil || resp.status != http.StatusOK {
				failf("reader %d batch GET: %v %v", r, resp, err)
				bad.Add(1)
				return
			}
			var out struct{ Likes []pageLikes }
			if err := json.Unmarshal(resp.body, &out); err != nil || len(out.Likes) != pages {
				failf("reader %d batch GET: %s", r, resp)
				bad.Add(1)
				return
			}
			for p, pl := range out.Likes {
				if pl.Liked != liked[r][p] {
					failf("reader %d sees %s liked=%v, want %v", r, pl.URL, pl.Liked, liked[r][p])
					bad.Add(1)
				}
			}
		}(r)
	}
	vg.Wait()
	for _, f := range failures {
		t.Error(f)
	}
}

func joinURLs(urls []string) string {
	s := ""
	for i, u := range urls {
		if i > 0 {
			s += "&url="
		}
		s += u
	}
	return s
}
