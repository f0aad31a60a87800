package likes

import (
	"strings"
	"testing"
)

// TestWarm: every warm-up request is answered as a successful one (Warm checks each
// status), none reaches the handler's own store or fetcher, and the handler's own
// token verifier is made (in a guest, the snapshot then holds its keys).
func TestWarm(t *testing.T) {
	for _, site := range []string{siteURL, "https://example.com/blog/"} {
		e := newEnv(t, map[string]string{KeySiteURL: site})
		if err := Warm(e.h); err != nil {
			t.Errorf("site %s: %v", site, err)
		}
		if len(e.store.calls) != 0 || e.fetch.n != 0 {
			t.Errorf("site %s: warming reached the store (%q) or fetched (%d)", site, e.store.calls, e.fetch.n)
		}
		if e.h.tok == nil || e.h.tok.verify == nil {
			t.Errorf("site %s: the handler's token verifier was not made", site)
		}
	}
}

// TestWarmMisconfigured: a handler that answers 500 is not warmed; the error says why.
func TestWarmMisconfigured(t *testing.T) {
	e := newEnv(t, map[string]string{KeyJWTSecret: ""})
	if err := Warm(e.h); err == nil || !strings.Contains(err.Error(), KeyJWTSecret) {
		t.Errorf("Warm of a handler without a secret = %v, want its configuration error", err)
	}
}
