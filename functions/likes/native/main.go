// Command native serves the likes API natively: the same internal/likes handler the
// component runs, wired to Redis through go-redis and to the sitemap through net/http
// instead of the host's interfaces. It is the baseline of the host's likes benchmark
// (what the same logic costs without WebAssembly) and a way to debug the logic.
//
//	native -listen 127.0.0.1:4000 -redis 127.0.0.1:6379 -site http://127.0.0.1:3000 -secret S
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"strconv"

	goredis "github.com/redis/go-redis/v9"

	"wasmsite/functions/likes/internal/likes"
	"wasmsite/functions/sdk/redis"
	"wasmsite/functions/sdk/spinhttp"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:4000", "address to serve on")
	addr := flag.String("redis", "127.0.0.1:6379", "Redis address (host:port)")
	site := flag.String("site", "http://127.0.0.1:3000", "the site's URL (site_url)")
	secret := flag.String("secret", "", "jwt_secret (comma-separated to rotate)")
	rate := flag.Int("rate-limit", 30, "rate_limit (likes per reader per minute)")
	ipRate := flag.Int("ip-rate-limit", 0, "ip_rate_limit (0: 4 × rate-limit)")
	scripts := flag.Bool("scripts", true, "run the store work as Lua scripts, as the component does on a Redis")
	flag.Parse()
	cfg := map[string]string{likes.KeySiteURL: *site, likes.KeyJWTSecret: *secret,
		likes.KeyRateLimit: strconv.Itoa(*rate)}
	if *ipRate > 0 {
		cfg[likes.KeyIPRateLimit] = strconv.Itoa(*ipRate)
	}
	config, err := likes.LoadConfig(func(k string) (string, bool) { v, ok := cfg[k]; return v, ok })
	if err != nil {
		log.Fatal(err)
	}
	rdb := goredis.NewClient(&goredis.Options{Addr: *addr, PoolSize: 64})
	h := &likes.Handler{Config: config, Store: store{rdb}, Fetcher: fetcher{}, Scripts: *scripts}
	fmt.Printf("Serving http://%s\n", *listen)
	log.Fatal(http.ListenAndServe(*listen, spinhttp.HTTPHandler(h.Serve, likes.MaxBody)))
}

// store runs commands with go-redis, flattening replies as the host's outbound-redis
// does (Spin 1.x).
type store struct{ rdb *goredis.Client }

func (s store) Execute(command string, args ...any) ([]redis.Result, error) {
	reply, err := s.rdb.Do(context.Background(), append([]any{command}, args...)...).Result()
	if errors.Is(err, goredis.Nil) {
		return []redis.Result{{Kind: redis.KindNil}}, nil
	}
	if err != nil {
		return nil, err
	}
	return flatten(nil, reply), nil
}

func flatten(out []redis.Result, v any) []redis.Result {
	switch v := v.(type) {
	case nil:
		return append(out, redis.Result{Kind: redis.KindNil})
	case int64:
		return append(out, redis.Result{Kind: redis.KindInt64, Int64: v})
	case string:
		return append(out, redis.Result{Kind: redis.KindBinary, Binary: []byte(v)})
	case []any:
		for _, e := range v {
			out = flatten(out, e)
		}
		return out
	}
	return append(out, redis.Result{Kind: redis.KindStatus, Status: fmt.Sprint(v)})
}

type fetcher struct{}

func (fetcher) Fetch(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 8<<20))
}
