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
)

// Store keys of the sitemap cache.
const (
	sitemapKey      = "likes:sitemap"       // newline-separated paths, EX = Sitemap.TTL
	sitemapStaleKey = "likes:sitemap:stale" // last good copy, used when the site is unreachable
	sitemapLockKey  = "likes:sitemap:lock"  // + ":<window>": INCR, at most one refetch per RefetchEvery
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

func encodeSet(set map[string]bool) []byte {
	var b strings.Builder
	for p := range set {
		b.WriteString(p)
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

func decodeSet(data []byte) map[string]bool {
	set := map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		if line != "" {
			set[line] = true
		}
	}
	return set
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
			enc := encodeSet(set)
			// Cache failures are not fatal here; the count operation reports store errors.
			s.Store.Execute("SET", sitemapKey, enc, "EX", secs(s.TTL))
			s.Store.Execute("SET", sitemapStaleKey, enc, "EX", secs(staleTTL))
			return set, nil
		}
	}
	// The site is unreachable or serves garbage: fall back to the last good copy.
	if data, ok, serr := getBytes(s.Store, sitemapStaleKey); serr == nil && ok {
		return decodeSet(data), nil
	}
	return nil, fmt.Errorf("%w: %v", ErrSitemapUnavailable, err)
}

// Contains reports, for each page (normalised paths), whether it is in the sitemap. A
// cached copy is used while fresh; a page missing from it triggers a refetch at most once
// per RefetchEvery window (INCR lock), so a new post is likeable as soon as the sitemap
// lists it. Errors wrap errStore or ErrSitemapUnavailable.
func (s *Sitemap) Contains(ctx context.Context, pages ...string) ([]bool, error) {
	out := make([]bool, len(pages))
	data, ok, err := getBytes(s.Store, sitemapKey)
	if err != nil {
		return nil, err
	}
	if ok {
		set := decodeSet(data)
		all := true
		for i, p := range pages {
			out[i] = set[p]
			all = all && out[i]
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
		return nil, err
	}
	for i, p := range pages {
		out[i] = set[p]
	}
	return out, nil
}
