package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/redis/go-redis/v9"

	"wasmsite/server/internal/redistest"
)

// BenchmarkLikes measures POST /likes (a like with a valid reader token) over real HTTP
// with parallel clients, against a real redis-server:
//
//   - wasm: the real host (`server up`) running the real likes component;
//   - native: a net/http handler in this process doing the core of the same work with
//     golang-jwt and go-redis (JWT verify, SADD, SCARD).
//
// Both run in the same process run, on the same machine and redis-server; each reports
// req/s, and the parent logs the ratio. Run with, e.g.,
//
//	go test -run '^$' -bench Likes -benchtime 200x ./server/internal/e2e/
//
// (more iterations, e.g. -benchtime 2000x, give steadier figures).
func BenchmarkLikes(b *testing.B) {
	const (
		readers = 500
		pages   = 10
	)
	rs := redistest.Start(b)
	content := writeContent(b, pages)
	s := startSite(b, siteOptions{contentDir: content, redis: rs.URL(), env: []string{
		"SPIN_VARIABLE_RATE_LIMIT=100000000", "SPIN_VARIABLE_IP_RATE_LIMIT=100000000",
	}})
	rdb := redis.NewClient(&redis.Options{Addr: rs.Addr(), PoolSize: 64})
	b.Cleanup(func() { rdb.Close() })
	native := httptest.NewServer(&nativeLikes{rdb: rdb, secrets: [][]byte{[]byte(newSecret), []byte(oldSecret)}, issuer: s.siteURL})
	b.Cleanup(native.Close)

	tokens := make([]string, readers)
	for i := range tokens {
		tokens[i], _ = validToken(b, s.siteURL, newSecret)
	}
	bodies := make([]string, pages)
	for i := range bodies {
		bodies[i] = jsonBody(postURL(fmt.Sprintf("post-%02d", i)))
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}, Timeout: 30 * time.Second}
	post := func(base string, n int64) error {
		req, _ := http.NewRequest(http.MethodPost, base+"/likes", strings.NewReader(bodies[n%pages]))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", s.siteURL)
		req.AddCookie(&http.Cookie{Name: "likes_token", Value: tokens[n%readers]})
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"liked":true`) {
			return fmt.Errorf("POST %s/likes: %d %s", base, resp.StatusCode, body)
		}
		return nil
	}

	rps := map[string]float64{}
	run := func(name, base string) {
		b.Run(name, func(b *testing.B) {
			for i := int64(0); i < 50; i++ { // warm up connections and instances
				if err := post(base, i); err != nil {
					b.Fatal(err)
				}
			}
			var next atomic.Int64
			b.SetParallelism(8)
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := post(base, next.Add(1)); err != nil {
						b.Error(err)
						return
					}
				}
			})
			el := time.Since(start)
			b.StopTimer()
			rps[name] = float64(b.N) / el.Seconds()
			b.ReportMetric(rps[name], "req/s")
		})
	}
	run("wasm", s.url)
	run("native", native.URL)
	if rps["wasm"] > 0 && rps["native"] > 0 {
		// Printed (not b.Logf): the log of a benchmark with sub-benchmarks is not shown.
		fmt.Printf("BenchmarkLikes: POST /likes: wasm host %.0f req/s, native Go %.0f req/s; native/wasm = %.1f× (wasm reaches %.0f%% of native)\n",
			rps["wasm"], rps["native"], rps["native"]/rps["wasm"], 100*rps["wasm"]/rps["native"])
	}
}

// nativeLikes is the native baseline: the core of a like as a plain Go handler — origin
// check, body limit, JSON decode, HS256 JWT verification pinned like the component's
// (issuer, exp required, leeway, key set for rotation), SADD and SCARD over go-redis.
type nativeLikes struct {
	rdb     *redis.Client
	secrets [][]byte
	issuer  string
}

func (h *nativeLikes) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fail := func(status int, msg string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"error":%q}`, msg)
	}
	if r.Method != http.MethodPost {
		fail(http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	if r.Header.Get("Origin") != h.issuer {
		fail(http.StatusForbidden, "cross-origin request refused")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<10+1))
	if err != nil || len(body) > 4<<10 {
		fail(http.StatusRequestEntityTooLarge, "body too large")
		return
	}
	var req struct {
		URL string `json:"url"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.URL == "" {
		fail(http.StatusBadRequest, "bad request")
		return
	}
	c, err := r.Cookie("likes_token")
	if err != nil {
		fail(http.StatusUnauthorized, "no token")
		return
	}
	keys := jwt.VerificationKeySet{}
	for _, s := range h.secrets {
		keys.Keys = append(keys.Keys, s)
	}
	var cl jwt.RegisteredClaims
	if _, err := jwt.ParseWithClaims(c.Value, &cl, func(*jwt.Token) (any, error) { return keys, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuer(h.issuer), jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(), jwt.WithLeeway(30*time.Second)); err != nil {
		fail(http.StatusUnauthorized, "invalid token")
		return
	}
	ctx := r.Context()
	key := "likes:" + req.URL
	if err := h.rdb.SAdd(ctx, key, cl.Subject).Err(); err != nil {
		fail(http.StatusServiceUnavailable, "store unavailable")
		return
	}
	n, err := h.rdb.SCard(ctx, key).Result()
	if err != nil {
		fail(http.StatusServiceUnavailable, "store unavailable")
		return
	}
	out, _ := json.Marshal(pageLikes{URL: req.URL, Count: n, Liked: true})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(out)
}
