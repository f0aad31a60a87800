package likes

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"wasmsite/functions/sdk/redis"
)

// Store keys of the sitemap cache. The cached sitemaps are sets of paths plus
// sitemapPresent, so one SMISMEMBER both finds the pages and tells a cached sitemap
// from none (Redis 6.2 or later).
const (
	sitemapKey      = "likes:sitemap:pages"       // EX = Sitemap.TTL
	sitemapStaleKey = "likes:sitemap:pages:stale" // last good copy, used when the site is unreachable
	sitemapLockKey  = "likes:sitemap:lock"        // + ":<window>": INCR, at most one refetch per RefetchEvery
	sitemapPresent  = "."                         // a member of every cached sitemap (never a path)
	staleTTL        = 7 * 24 * time.Hour
)

// ParseSitemap returns the normalised paths of a sitemap's <loc>s on the site's origin
// (locs on other origins are ignored).
func ParseSitemap(site *url.URL, data []byte) (map[string]bool, error) {
	var doc struct {
		XMLName xml.Name
		URLs    []struct {
			Loc string `xml:"loc"`
		} `xml:"url"`
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("sitemap: %w", err)
	}
	if doc.XMLName.Local != "urlset" {
		return nil, fmt.Errorf("sitemap: root element <%s>, want <urlset>", doc.XMLName.Local)
	}
	set := make(map[string]bool, len(doc.URLs))
	for _, u := range doc.URLs {
		if p, err := Normalize(site, strings.TrimSpace(u.Loc)); err == nil {
			set[p] = true
		}
	}
	return set, nil
}

// Sitemap is the allow-list of likeable pages, cached in the store.
type Sitemap struct {
	Site         *url.URL
	Store        Store
	Fetcher      Fetcher
	TTL          time.Duration // cache lifetime (sitemap_ttl_seconds)
	RefetchEvery time.Duration // min interval between refetches caused by unknown pages
	Now          func() time.Time
}

// ErrSitemapUnavailable: no usable sitemap (fetch failed and no cached copy).
var ErrSitemapUnavailable = errors.New("sitemap unavailable")

// storeSet replaces the set key with set's paths and sitemapPresent, expiring after
// ttl. Failures are not fatal: the caller has the sitemap and later store calls report
// store errors.
func (s *Sitemap) storeSet(key string, set map[string]bool, ttl time.Duration) {
	members := make([]any, 0, len(set)+2)
	members = append(members, key, sitemapPresent)
	for p := range set {
		members = append(members, p)
	}
	s.Store.Execute("DEL", key)
	s.Store.Execute("SADD", members...)
	s.Store.Execute("EXPIRE", key, secs(ttl))
}

// lookup asks the cached sitemap at key about pages: cached is false when there is
// none; else known[i] reports pages[i].
func (s *Sitemap) lookup(key string, pages []string) (known []bool, cached bool, err error) {
	args := make([]any, 0, len(pages)+2)
	args = append(args, key, sitemapPresent)
	for _, p := range pages {
		args = append(args, p)
	}
	res, err := s.Store.Execute("SMISMEMBER", args...)
	if err != nil {
		return nil, false, storeErr("SMISMEMBER", err)
	}
	if len(res) != len(pages)+1 {
		return nil, false, storeErr("SMISMEMBER", fmt.Errorf("%d replies for %d members", len(res), len(pages)+1))
	}
	if res[0].Kind != redis.KindInt64 || res[0].Int64 != 1 {
		return nil, false, nil
	}
	known = make([]bool, len(pages))
	for i := range pages {
		known[i] = res[i+1].Kind == redis.KindInt64 && res[i+1].Int64 == 1
	}
	return known, true, nil
}

func secs(d time.Duration) int64 {
	s := int64(d / time.Second)
	if s < 1 {
		s = 1
	}
	return s
}

func (s *Sitemap) fetch(ctx context.Context) (map[string]bool, error) {
	u := strings.TrimSuffix(s.Site.String(), "/") + "/sitemap.xml"
	data, err := s.Fetcher.Fetch(ctx, u)
	if err == nil {
		var set map[string]bool
		if set, err = ParseSitemap(s.Site, data); err == nil {
			s.storeSet(sitemapKey, set, s.TTL)
			s.storeSet(sitemapStaleKey, set, staleTTL)
			return set, nil
		}
	}
	return nil, fmt.Errorf("%w: %v", ErrSitemapUnavailable, err)
}

// Contains reports, for each page (normalised paths), whether it is in the sitemap. A
// cached copy is used while fresh; a page missing from it triggers a refetch at most once
// per RefetchEvery window (INCR lock), so a new post is likeable as soon as the sitemap
// lists it. Errors wrap errStore or ErrSitemapUnavailable.
func (s *Sitemap) Contains(ctx context.Context, pages ...string) ([]bool, error) {
	out, cached, err := s.lookup(sitemapKey, pages)
	if err != nil {
		return nil, err
	}
	if cached {
		all := true
		for _, known := range out {
			all = all && known
		}
		if all {
			return out, nil
		}
		// Refetch lock: the first INCR of the current RefetchEvery-long window wins.
		// (INCR rather than SET NX: outbound-redis drops both "OK" and nil replies,
		// so SET NX cannot tell success from failure.) Keys expire after two windows.
		every := secs(s.RefetchEvery)
		lock := fmt.Sprintf("%s:%d", sitemapLockKey, time.Now().Unix()/every)
		if s.Now != nil {
			lock = fmt.Sprintf("%s:%d", sitemapLockKey, s.Now().Unix()/every)
		}
		n, err := intResult(s.Store, "INCR", lock)
		if err != nil {
			return nil, err
		}
		if n != 1 { // someone refetched in this window
			return out, nil
		}
		if _, err := one(s.Store, "EXPIRE", lock, 2*every); err != nil {
			return nil, err
		}
	}
	set, err := s.fetch(ctx)
	if err != nil {
		// The site is unreachable or serves garbage: the last good copy answers.
		if stale, cached, serr := s.lookup(sitemapStaleKey, pages); serr == nil && cached {
			return stale, nil
		}
		return nil, err
	}
	out = make([]bool, len(pages))
	for i, p := range pages {
		out[i] = set[p]
	}
	return out, nil
}
