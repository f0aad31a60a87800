// Command likes is the wasmsite likes component (route /likes): readers like pages of
// the site; counts live in Redis through the host's outbound-redis, the set of likeable
// pages is the site's sitemap.xml fetched over outbound HTTP, readers are identified by
// an HS256 JWT cookie. See internal/likes for the API.
//
// Component config keys (spin-config): site_url (required), jwt_secret (required;
// comma-separated for rotation: first signs, all verify), redis_address ("" = host's
// embedded store), jwt_issuer (default site_url), sitemap_ttl_seconds (30),
// rate_limit (30 per reader per minute), ip_rate_limit (4 × rate_limit per client IP).
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"

	"wasmsite/functions/likes/internal/likes"
	"wasmsite/functions/sdk/config"
	"wasmsite/functions/sdk/redis"
	"wasmsite/functions/sdk/spinhttp"
)

// initial is the handler built from the config read during initialisation (the config
// is fixed for the application's life), or nil when the host gave none then: each
// request then reads it.
var initial *likes.Handler

func init() {
	if h := newHandler(); h.ConfigErr == nil {
		initial = h
		if err := likes.Warm(h); err != nil {
			// Only speed is lost: requests still run, each doing the lazy set-up.
			fmt.Fprintln(os.Stderr, err)
		}
	}
	spinhttp.HandleRequest(serve)
}

func main() {}

func serve(r *spinhttp.Request) spinhttp.Response {
	h := initial
	if h == nil {
		h = newHandler()
	}
	return h.Serve(r)
}

// newHandler reads the config through the host and wires the handler to the host's
// outbound Redis and HTTP.
func newHandler() *likes.Handler {
	cfg, err := likes.LoadConfig(func(key string) (string, bool) {
		v, err := config.Get(key)
		return v, err == nil
	})
	return &likes.Handler{
		Config:    cfg,
		ConfigErr: err,
		Store:     redisStore{address: cfg.RedisAddress},
		Fetcher:   httpFetcher{},
		// A Redis address is a real Redis, which runs the handler's scripts; "" is the
		// host's embedded store, which runs commands only.
		Scripts: cfg.RedisAddress != "",
	}
}

type redisStore struct{ address string }

func (s redisStore) Execute(cmd string, args ...any) ([]redis.Result, error) {
	return redis.Execute(s.address, cmd, args...)
}

// maxSitemap bounds the sitemap body read.
const maxSitemap = 8 << 20

type httpFetcher struct{}

func (httpFetcher) Fetch(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := spinhttp.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	return io.ReadAll(io.LimitReader(resp.Body, maxSitemap))
}
