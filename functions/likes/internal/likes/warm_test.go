package likes

import (
	"encoding/base64"
	"strings"
	"testing"
)

// TestWarm: every warm-up request is answered as a successful one (Warm checks each
// status), with commands and with scripts; none reaches the handler's own store or fetcher, and the handler's own
// token verifier is made (in a guest, the snapshot then holds its keys).
func TestWarm(t *testing.T) {
	for _, site := range []string{siteURL, "https://example.com/blog/"} {
		e := newEnv(t, map[string]string{KeySiteURL: site})
		e.h.Scripts = site != siteURL // commands, then scripts
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

// TestWarmStoreScripts: warmStore settles each script, so Warm with scripts runs the
// scripted paths (not their command fallbacks).
func TestWarmStoreScripts(t *testing.T) {
	e := newEnv(t, nil)
	h := &Handler{Config: e.h.Config, Store: warmStore{}, Scripts: true}
	if out, err := h.statesByScript([]string{"/", "/x/"}, "r"); len(out) != 2 || err != nil {
		t.Errorf("states: %v, %v", out, err)
	}
	w := &writer{}
	limits := []Limit{{Key: "ip:a", Max: 2}, {Key: "r:a", Max: 2}}
	if st, ok := h.changeByScript(w, limits, "/", "toggle", "r"); !ok || !st.Liked || st.Count != 1 {
		t.Errorf("change: %+v, %v (%d %s)", st, ok, w.Status, w.Body)
	}
}

// TestWarmForms: Warm's other-form token verifies and its claims take encoding/json's
// path, so that path is warm in the snapshot as well as the plain one.
func TestWarmForms(t *testing.T) {
	now := t0
	tk := testTokens(&now, "s3cret")
	token, err := otherFormToken(tk, reader)
	if err != nil {
		t.Fatal(err)
	}
	if id, err := tk.Verify(token); id != reader || err != nil {
		t.Fatalf("Verify(other form) = %q, %v", id, err)
	}
	data, _ := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[1])
	if plainClaims(data, &readerClaims{}) {
		t.Errorf("the other-form token's claims %s are in the plain form", data)
	}
}
