package likes

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"wasmsite/functions/sdk/spinhttp"
)

const siteURL = "http://127.0.0.1:3000"

type env struct {
	t     *testing.T
	now   time.Time
	store *memStore
	fetch *fakeFetcher
	h     *Handler
}

func newEnv(t *testing.T, cfg map[string]string) *env {
	e := &env{t: t, now: t0}
	e.store = newMemStore(func() time.Time { return e.now })
	e.fetch = &fakeFetcher{body: sitemapXML(siteURL, "/", "/blog/x/", "/blog/y/", "/about.html")}
	base := map[string]string{KeySiteURL: siteURL, KeyJWTSecret: "s3cret"}
	for k, v := range cfg {
		base[k] = v
	}
	c, err := LoadConfig(func(k string) (string, bool) { v, ok := base[k]; return v, ok })
	e.h = &Handler{Config: c, ConfigErr: err, Store: e.store, Fetcher: e.fetch, Now: func() time.Time { return e.now }}
	return e
}

type result struct {
	status int
	h      http.Header
	body   string
	json   map[string]any
}

func (r result) cookie() *http.Cookie {
	resp := http.Response{Header: r.h}
	for _, c := range resp.Cookies() {
		if c.Name == CookieName {
			return c
		}
	}
	return nil
}

// do drives the handler the way the host does: Spin request parts through spinhttp.ServeRequest.
func (e *env) do(method, uri, body string, hdr ...string) result {
	e.t.Helper()
	headers := []spinhttp.Pair{
		{Name: spinhttp.HeaderFullURL, Value: siteURL + uri},
		{Name: spinhttp.HeaderPathInfo, Value: ""},
		{Name: spinhttp.HeaderMatchedRoute, Value: "/likes"},
		{Name: spinhttp.HeaderClientAddr, Value: "192.0.2.7:40000"},
	}
	ct := false
	for i := 0; i+1 < len(hdr); i += 2 {
		headers = append(headers, spinhttp.Pair{Name: hdr[i], Value: hdr[i+1]})
		ct = ct || strings.EqualFold(hdr[i], "Content-Type")
	}
	if body != "" && !ct {
		headers = append(headers, spinhttp.Pair{Name: "Content-Type", Value: "application/json"})
	}
	resp := spinhttp.ServeRequest(e.h.Serve, method, uri, headers, []byte(body))
	r := result{status: resp.Status, h: http.Header{}, body: string(resp.Body)}
	for _, p := range resp.Headers {
		r.h.Add(p.Name, p.Value)
	}
	if strings.HasPrefix(r.body, "{") {
		json.Unmarshal(resp.Body, &r.json)
	}
	if r.h.Get("Cache-Control") != "private, no-store" || r.h.Get("Content-Type") != "application/json" {
		e.t.Errorf("%s %s: headers %v", method, uri, r.h)
	}
	return r
}

var origin = []string{"Origin", siteURL}

func withCookie(c *http.Cookie, hdr ...string) []string {
	return append(append([]string{}, hdr...), "Cookie", CookieName+"="+c.Value)
}

func (e *env) expect(r result, status int, what string) {
	e.t.Helper()
	if r.status != status {
		e.t.Fatalf("%s: status %d, want %d (body %s)", what, r.status, status, r.body)
	}
}

func TestLikeFlow(t *testing.T) {
	e := newEnv(t, nil)
	// GET without cookie
	r := e.do("GET", "/likes?url=/blog/x/", "")
	e.expect(r, 200, "GET")
	if r.json["url"] != "/blog/x/" || r.json["count"] != 0.0 || r.json["liked"] != false {
		t.Fatalf("GET body %s", r.body)
	}
	// first like issues a token
	r = e.do("POST", "/likes", `{"url":"/blog/x"}`, origin...)
	e.expect(r, 200, "POST like")
	if r.json["url"] != "/blog/x/" || r.json["count"] != 1.0 || r.json["liked"] != true {
		t.Fatalf("POST body %s", r.body)
	}
	c := r.cookie()
	if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/likes" || c.Secure || c.MaxAge <= 0 {
		t.Fatalf("cookie %+v", c)
	}
	// the same reader liking again (any URL form of the page) changes nothing
	for _, u := range []string{"/blog/x/", "/blog/x/index.html", siteURL + "/blog/x?a=b#c"} {
		r = e.do("POST", "/likes", `{"url":"`+u+`"}`, withCookie(c, origin...)...)
		e.expect(r, 200, "POST again")
		if r.json["count"] != 1.0 || r.json["liked"] != true || r.cookie() != nil {
			t.Fatalf("second like %s (%v)", r.body, r.h)
		}
	}
	// another reader
	r = e.do("POST", "/likes", `{"url":"/blog/x/"}`, origin...)
	e.expect(r, 200, "POST reader 2")
	c2 := r.cookie()
	if r.json["count"] != 2.0 || c2 == nil || c2.Value == c.Value {
		t.Fatalf("reader 2: %s", r.body)
	}
	// GET with cookie reports liked
	r = e.do("GET", "/likes?url=/blog/x", "", withCookie(c)...)
	if r.json["liked"] != true || r.json["count"] != 2.0 {
		t.Fatalf("GET liked %s", r.body)
	}
	// unlike (twice: idempotent)
	for i := 0; i < 2; i++ {
		r = e.do("DELETE", "/likes", `{"url":"/blog/x/"}`, withCookie(c, origin...)...)
		e.expect(r, 200, "DELETE")
		if r.json["count"] != 1.0 || r.json["liked"] != false {
			t.Fatalf("unlike %s", r.body)
		}
	}
	// DELETE without a cookie: nothing to undo, no token
	r = e.do("DELETE", "/likes", `{"url":"/blog/x/"}`, origin...)
	if r.status != 200 || r.json["count"] != 1.0 || r.cookie() != nil {
		t.Fatalf("anonymous unlike %d %s", r.status, r.body)
	}
	// batch
	r = e.do("GET", "/likes?url=/blog/x/&url=/blog/y/&url=/", "", withCookie(c2)...)
	e.expect(r, 200, "batch")
	var batch struct{ Likes []PageLikes }
	json.Unmarshal([]byte(r.body), &batch)
	want := []PageLikes{{"/blog/x/", 1, true}, {"/blog/y/", 0, false}, {"/", 0, false}}
	if len(batch.Likes) != 3 || batch.Likes[0] != want[0] || batch.Likes[1] != want[1] || batch.Likes[2] != want[2] {
		t.Fatalf("batch %s", r.body)
	}
	// Redis layout: one set per page
	if got := len(e.store.sets["likes:/blog/x/"]); got != 1 {
		t.Errorf("set size %d", got)
	}
}

func TestFormFlow(t *testing.T) {
	e := newEnv(t, nil)
	form := []string{"Content-Type", "application/x-www-form-urlencoded", "Referer", siteURL + "/blog/y/"}
	r := e.do("POST", "/likes", "url=%2Fblog%2Fy%2F&action=toggle", form...)
	e.expect(r, 303, "form toggle")
	if r.h.Get("Location") != "/blog/y/" || r.cookie() == nil {
		t.Fatalf("form like: %v", r.h)
	}
	c := r.cookie()
	r = e.do("POST", "/likes", "url=/blog/y/&action=toggle", withCookie(c, form...)...)
	e.expect(r, 303, "form toggle off")
	if r.json["liked"] != false || r.json["count"] != 0.0 {
		t.Fatalf("toggle off %s", r.body)
	}
	r = e.do("POST", "/likes", "url=/blog/y/&action=like", withCookie(c, form...)...)
	if r.status != 303 || r.json["count"] != 1.0 {
		t.Fatalf("form like %s", r.body)
	}
	r = e.do("POST", "/likes", "url=/blog/y/&action=unlike", withCookie(c, form...)...)
	if r.status != 303 || r.json["count"] != 0.0 {
		t.Fatalf("form unlike %s", r.body)
	}
	r = e.do("POST", "/likes", "url=/blog/y/&action=explode", form...)
	e.expect(r, 400, "bad action")
}

func TestErrors(t *testing.T) {
	e := newEnv(t, nil)
	r := e.do("POST", "/likes", `{"url":"/blog/x/"}`, origin...)
	good := r.cookie()

	cases := []struct {
		name, method, uri, body string
		hdr                     []string
		status                  int
	}{
		{"PUT", "PUT", "/likes", `{"url":"/"}`, origin, 405},
		{"no origin", "POST", "/likes", `{"url":"/blog/x/"}`, nil, 403},
		{"foreign origin", "POST", "/likes", `{"url":"/blog/x/"}`, []string{"Origin", "http://evil.example"}, 403},
		{"foreign referer", "POST", "/likes", `{"url":"/blog/x/"}`, []string{"Referer", "http://127.0.0.1:3001/blog/x/"}, 403},
		{"null origin", "DELETE", "/likes", `{"url":"/blog/x/"}`, []string{"Origin", "null"}, 403},
		{"https origin", "POST", "/likes", `{"url":"/blog/x/"}`, []string{"Origin", "https://127.0.0.1:3000"}, 403},
		{"malformed json", "POST", "/likes", `{"url":`, origin, 400},
		{"missing url", "POST", "/likes", `{}`, origin, 400},
		{"url not string", "POST", "/likes", `{"url":5}`, origin, 400},
		{"foreign url", "POST", "/likes", `{"url":"http://evil.example/blog/x/"}`, origin, 400},
		{"long url", "POST", "/likes", `{"url":"/` + strings.Repeat("a", 2100) + `"}`, origin, 400},
		{"too big", "POST", "/likes", `{"url":"/blog/x/","pad":"` + strings.Repeat("a", MaxBody) + `"}`, origin, 413},
		{"not in sitemap", "POST", "/likes", `{"url":"/blog/nope/"}`, origin, 404},
		{"bad content type", "POST", "/likes", `url=/`, []string{"Origin", siteURL, "Content-Type", "text/plain"}, 400},
		{"GET missing url", "GET", "/likes", "", nil, 400},
		{"GET not in sitemap", "GET", "/likes?url=/nope/", "", nil, 404},
		{"GET foreign", "GET", "/likes?url=http://evil.example/", "", nil, 400},
		{"GET too many", "GET", "/likes?" + strings.Repeat("url=/&", MaxBatch+1), "", nil, 400},
	}
	for _, tc := range cases {
		r := e.do(tc.method, tc.uri, tc.body, withCookie(good, tc.hdr...)...)
		if r.status != tc.status || r.json["error"] == nil {
			t.Errorf("%s: %d %s, want %d with error", tc.name, r.status, r.body, tc.status)
		}
		if tc.status == 405 && r.h.Get("Allow") == "" {
			t.Errorf("%s: no Allow", tc.name)
		}
	}
	if got := len(e.store.sets["likes:/blog/nope/"]); got != 0 {
		t.Errorf("page outside sitemap was counted")
	}
}

func TestInvalidTokens(t *testing.T) {
	e := newEnv(t, nil)
	expired := testTokens(&e.now, "s3cret")
	e.now = t0.Add(-2 * TokenTTL)
	old, _ := expired.Issue(reader)
	e.now = t0
	otherIss := &Tokens{Secrets: [][]byte{[]byte("s3cret")}, Issuer: "http://other", Now: func() time.Time { return e.now }}
	wrongIss, _ := otherIss.Issue(reader)
	for name, tok := range map[string]string{"expired": old, "issuer": wrongIss, "garbage": "abc.def.ghi"} {
		hdr := append([]string{"Cookie", CookieName + "=" + tok}, origin...)
		r := e.do("POST", "/likes", `{"url":"/blog/x/"}`, hdr...)
		if r.status != 401 {
			t.Errorf("%s POST: %d", name, r.status)
		}
		if c := r.cookie(); c == nil || c.MaxAge >= 0 || c.Value != "" || c.Path != "/likes" {
			t.Errorf("%s: cookie not cleared: %v", name, r.h)
		}
		r = e.do("DELETE", "/likes", `{"url":"/blog/x/"}`, hdr...)
		if r.status != 401 {
			t.Errorf("%s DELETE: %d", name, r.status)
		}
		// GET still answers (liked=false) and clears the bad cookie
		r = e.do("GET", "/likes?url=/blog/x/", "", "Cookie", CookieName+"="+tok)
		if r.status != 200 || r.json["liked"] != false || r.cookie() == nil {
			t.Errorf("%s GET: %d %s", name, r.status, r.body)
		}
	}
	if len(e.store.sets["likes:/blog/x/"]) != 0 {
		t.Error("like stored for an invalid token")
	}
}

func TestSecureCookieAndRotation(t *testing.T) {
	e := newEnv(t, map[string]string{KeySiteURL: "https://example.com/", KeyJWTSecret: "new, old"})
	e.fetch.body = sitemapXML("https://example.com", "/blog/x/")
	oldTok, _ := (&Tokens{Secrets: [][]byte{[]byte("old")}, Issuer: "https://example.com", Now: func() time.Time { return e.now }}).Issue(reader)
	uri := "/likes"
	hdr := []string{"Origin", "https://example.com", "Cookie", CookieName + "=" + oldTok}
	r := e.do("POST", uri, `{"url":"https://example.com/blog/x"}`, hdr...)
	e.expect(r, 200, "rotated token")
	if r.json["liked"] != true || r.cookie() != nil {
		t.Fatalf("rotation: %s", r.body)
	}
	r = e.do("POST", uri, `{"url":"/blog/x/"}`, "Origin", "https://example.com")
	if c := r.cookie(); c == nil || !c.Secure {
		t.Fatalf("https cookie: %v", r.h)
	}
}

func TestRateLimitHTTP(t *testing.T) {
	e := newEnv(t, map[string]string{KeyRateLimit: "2", KeyIPRateLimit: "5"})
	r := e.do("POST", "/likes", `{"url":"/blog/x/"}`, origin...)
	c := r.cookie()                                                                                        // IP: 1; the new reader's first like is counted per IP only
	e.expect(e.do("DELETE", "/likes", `{"url":"/blog/x/"}`, withCookie(c, origin...)...), 200, "reader 1") // IP 2, reader 1
	e.expect(e.do("POST", "/likes", `{"url":"/blog/x/"}`, withCookie(c, origin...)...), 200, "reader 2")   // IP 3, reader 2
	r = e.do("POST", "/likes", `{"url":"/blog/x/"}`, withCookie(c, origin...)...)                          // IP 4, reader 3
	e.expect(r, 429, "reader limit")
	if ra := r.h.Get("Retry-After"); ra == "" || ra == "0" {
		t.Errorf("Retry-After %q", ra)
	}
	// other (new) readers from the same IP hit the IP limit
	e.expect(e.do("POST", "/likes", `{"url":"/blog/y/"}`, origin...), 200, "ip within limit") // IP 5
	e.expect(e.do("POST", "/likes", `{"url":"/blog/y/"}`, origin...), 429, "ip limit")        // IP 6
	// GETs are not limited
	e.expect(e.do("GET", "/likes?url=/blog/y/", ""), 200, "GET not limited")
	e.now = e.now.Add(time.Minute)
	e.expect(e.do("POST", "/likes", `{"url":"/blog/x/"}`, withCookie(c, origin...)...), 200, "next window")
}

func TestUnavailable(t *testing.T) {
	e := newEnv(t, nil)
	e.fetch.err = errors.New("connection refused")
	r := e.do("POST", "/likes", `{"url":"/blog/x/"}`, origin...)
	if r.status != 503 || r.json["error"] != "sitemap unavailable" || r.cookie() != nil {
		t.Fatalf("sitemap down: %d %s", r.status, r.body)
	}
	e.expect(e.do("GET", "/likes?url=/blog/x/", ""), 503, "GET sitemap down")
	e.fetch.err = nil
	e.store.down = true
	r = e.do("POST", "/likes", `{"url":"/blog/x/"}`, origin...)
	if r.status != 503 || r.json["error"] != "store unavailable" || r.cookie() != nil {
		t.Fatalf("store down: %d %s", r.status, r.body)
	}
	e.expect(e.do("GET", "/likes?url=/blog/x/", ""), 503, "GET store down")
}

func TestMisconfigured(t *testing.T) {
	for _, cfg := range []map[string]string{
		{KeySiteURL: ""}, {KeySiteURL: "ftp://x"}, {KeyJWTSecret: " , "}, {KeyRateLimit: "lots"},
	} {
		e := newEnv(t, cfg)
		if r := e.do("GET", "/likes?url=/", ""); r.status != 500 {
			t.Errorf("%v: %d", cfg, r.status)
		}
	}
}

func TestLoadConfigDefaults(t *testing.T) {
	c, err := LoadConfig(func(k string) (string, bool) {
		v, ok := map[string]string{KeySiteURL: "http://127.0.0.1:3000/", KeyJWTSecret: "a,b", KeyRedis: "redis://127.0.0.1:6379"}[k]
		return v, ok
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.Site.String() != "http://127.0.0.1:3000" || c.Issuer != "http://127.0.0.1:3000" || len(c.Secrets) != 2 ||
		c.RedisAddress != "redis://127.0.0.1:6379" || c.SitemapTTL != 30*time.Second || c.RateLimit != 30 || c.IPRateLimit != 120 {
		t.Errorf("config %+v", c)
	}
	_ = url.URL{}
}
