package likes

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Config keys (component config, read through spin-config).
const (
	KeySiteURL     = "site_url"            // required, e.g. http://127.0.0.1:3000
	KeyJWTSecret   = "jwt_secret"          // required; comma-separated list: first signs, all verify
	KeyRedis       = "redis_address"       // outbound-redis address, "" = host's embedded store
	KeyIssuer      = "jwt_issuer"          // default: site_url
	KeySitemapTTL  = "sitemap_ttl_seconds" // default 30
	KeyRateLimit   = "rate_limit"          // likes+unlikes per reader per minute, default 30
	KeyIPRateLimit = "ip_rate_limit"       // per client IP per minute, default 4 × rate_limit
)

// Config is the component configuration.
type Config struct {
	Site         *url.URL
	SiteOrigin   string // Origin(Site), which the CSRF check compares on every change
	Secrets      [][]byte
	Issuer       string
	RedisAddress string
	SitemapTTL   time.Duration
	RateLimit    int64
	IPRateLimit  int64
}

// LoadConfig reads the configuration through get, which reports whether a key is set.
func LoadConfig(get func(key string) (string, bool)) (Config, error) {
	var c Config
	str := func(k, def string) string {
		if v, ok := get(k); ok {
			return strings.TrimSpace(v)
		}
		return def
	}
	num := func(k string, def int64) (int64, error) {
		v := str(k, "")
		if v == "" {
			return def, nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("config %s: %q is not a non-negative integer", k, v)
		}
		return n, nil
	}
	site := strings.TrimSuffix(str(KeySiteURL, ""), "/")
	u, err := url.Parse(site)
	if site == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, fmt.Errorf("config %s: %q is not an http(s) URL", KeySiteURL, site)
	}
	c.Site, c.SiteOrigin = u, Origin(u)
	for _, s := range strings.Split(str(KeyJWTSecret, ""), ",") {
		if s = strings.TrimSpace(s); s != "" {
			c.Secrets = append(c.Secrets, []byte(s))
		}
	}
	if len(c.Secrets) == 0 {
		return c, errors.New("config jwt_secret: missing")
	}
	c.Issuer = str(KeyIssuer, "")
	if c.Issuer == "" {
		c.Issuer = site
	}
	c.RedisAddress, _ = get(KeyRedis)
	ttl, err := num(KeySitemapTTL, 30)
	if err != nil {
		return c, err
	}
	c.SitemapTTL = time.Duration(ttl) * time.Second
	if c.RateLimit, err = num(KeyRateLimit, 30); err != nil {
		return c, err
	}
	if c.IPRateLimit, err = num(KeyIPRateLimit, 4*c.RateLimit); err != nil {
		return c, err
	}
	return c, nil
}
