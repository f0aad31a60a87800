package e2e

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/redis/go-redis/v9"

	"wasmsite/server/internal/testenv"
	"wasmsite/server/store/redistest"
)

// TestLikesAPI runs the black-box API suite over real HTTP against the real host and the
// real likes component, once with the host's embedded store and once with a real
// redis-server, including a host restart (likes persist) for both.
func TestLikesAPI(t *testing.T) {
	t.Run("embedded", func(t *testing.T) {
		t.Parallel()
		runAPISuite(t, nil)
	})
	t.Run("redis", func(t *testing.T) {
		t.Parallel()
		rs := redistest.StartWith(t, redistest.Options{AppendOnly: true})
		runAPISuite(t, rs)
	})
}

func runAPISuite(t *testing.T, rs *redistest.Server) {
	content := writeContent(t, 6)
	testenv.WriteFile(t, filepath.Join(content, "blog", "ünïcode.md"), "+++\ntitle = \"Ünïcode\"\ndate = 2023-06-01\n+++\n\nA post whose URL is not ASCII.\n")
	o := siteOptions{contentDir: content, env: []string{
		// Per-reader limit stays at the component's default (30/min); the per-IP limit
		// is lifted because every test reader comes from 127.0.0.1.
		"SPIN_VARIABLE_IP_RATE_LIMIT=100000",
	}}
	if rs != nil {
		o.redis = rs.URL()
	}
	s := startSite(t, o)
	var rdb *redis.Client
	if rs != nil {
		rdb = redis.NewClient(&redis.Options{Addr: rs.Addr()})
		t.Cleanup(func() { rdb.Close() })
	}

	// Must run first: on a fresh store there is no cached sitemap.
	t.Run("SitemapUnreachableNoCache", func(t *testing.T) { testSitemapUnreachable(t, s) })
	t.Run("LikeUnlikeFlow", func(t *testing.T) { testFlow(t, s, rdb) })
	t.Run("Batch", func(t *testing.T) { testBatch(t, s) })
	t.Run("FormFallback", func(t *testing.T) { testForm(t, s) })
	t.Run("JSONErrors", func(t *testing.T) { testErrors(t, s) })
	t.Run("CSRF", func(t *testing.T) { testCSRF(t, s) })
	t.Run("Tokens", func(t *testing.T) { testTokens(t, s) })
	t.Run("Normalisation", func(t *testing.T) { testNormalisation(t, s) })
	t.Run("Limits", func(t *testing.T) { testLimits(t, s) })
	t.Run("NotInSitemap", func(t *testing.T) { testNotInSitemap(t, s) })
	t.Run("NewPostAfterRerender", func(t *testing.T) { testNewPost(t, s) })
	t.Run("ReaderRateLimit", func(t *testing.T) { testReaderRateLimit(t, s) })
	t.Run("SurvivesHostRestart", func(t *testing.T) { testRestart(t, s) })
	if rs != nil {
		t.Run("RedisOutage", func(t *testing.T) { testRedisOutage(t, s, rs) })
	}
}

// testSitemapUnreachable: with no cached sitemap and /sitemap.xml not served, the API
// answers 503; once the sitemap is back it recovers.
func testSitemapUnreachable(t *testing.T, s *site) {
	sm := filepath.Join(s.dir, "public", "sitemap.xml")
	if err := os.Rename(sm, sm+".away"); err != nil {
		t.Fatal(err)
	}
	restored := false
	restore := func() {
		if !restored {
			restored = true
			if err := os.Rename(sm+".away", sm); err != nil {
				t.Fatal(err)
			}
		}
	}
	defer restore()
	r := newReader(t, s)
	wantJSONError(t, "GET with sitemap unreachable", r.get(postURL("post-00")), http.StatusServiceUnavailable)
	wantJSONError(t, "POST with sitemap unreachable", r.post(postURL("post-00")), http.StatusServiceUnavailable)
	restore()
	if got := r.state(postURL("post-00")); got.Count != 0 {
		t.Errorf("after the sitemap is back: %+v, want count 0", got)
	}
	// Now a copy is cached: the sitemap going away again does not break likes.
	if err := os.Rename(sm, sm+".away"); err != nil {
		t.Fatal(err)
	}
	restored = false
	if r := r.get(postURL("post-00")); r.status != http.StatusOK {
		t.Errorf("GET with a cached sitemap while the site's sitemap is gone: %s, want 200", r)
	}
}

func testFlow(t *testing.T, s *site, rdb *redis.Client) {
	page := postURL("post-01")
	a, b := newReader(t, s), newReader(t, s)
	if got := a.state(page); got != (pageLikes{URL: page}) {
		t.Fatalf("initial state %+v", got)
	}
	r := a.post(page)
	if r.status != http.StatusOK {
		t.Fatalf("like: %s", r)
	}
	if got := r.likes(t); got != (pageLikes{page, 1, true}) {
		t.Errorf("like answered %+v", got)
	}
	c := r.cookie()
	if c == nil {
		t.Fatal("first like set no likes_token cookie")
	}
	if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/likes" || c.Secure || c.MaxAge <= 0 {
		t.Errorf("cookie attributes: %s (want HttpOnly, SameSite=Lax, Path=/likes, not Secure on http, Max-Age > 0)", r.header.Get("Set-Cookie"))
	}
	// The issued token is HS256 under the first secret, with the site as issuer.
	var cl jwt.RegisteredClaims
	tok, err := jwt.ParseWithClaims(c.Value, &cl, func(*jwt.Token) (any, error) { return []byte(newSecret), nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuer(s.siteURL), jwt.WithExpirationRequired())
	if err != nil || !tok.Valid {
		t.Errorf("issued token does not verify with the first secret: %v", err)
	}
	if _, err := jwt.Parse(c.Value, func(*jwt.Token) (any, error) { return []byte(oldSecret), nil }); err == nil {
		t.Error("issued token verifies with the second secret: the first secret must sign")
	}
	// Liking again is idempotent; another reader adds one.
	if got := a.like(page); got != (pageLikes{page, 1, true}) {
		t.Errorf("second like by the same reader: %+v", got)
	}
	if r := a.post(page); r.cookie() != nil {
		t.Errorf("a reader with a valid token got a new cookie: %s", r.header.Get("Set-Cookie"))
	}
	if got := b.like(page); got != (pageLikes{page, 2, true}) {
		t.Errorf("like by a second reader: %+v", got)
	}
	if got := a.state(page); got != (pageLikes{page, 2, true}) {
		t.Errorf("GET for the first reader: %+v", got)
	}
	if got := newReader(t, s).state(page); got != (pageLikes{page, 2, false}) {
		t.Errorf("GET for a reader without a token: %+v", got)
	}
	if rdb != nil {
		// Data model: a set of reader ids per page, counted with SCARD.
		ctx := t.Context()
		key := "likes:" + page
		if typ, err := rdb.Type(ctx, key).Result(); err != nil || typ != "set" {
			t.Errorf("redis TYPE %s = %q, %v; want set", key, typ, err)
		}
		members, _ := rdb.SMembers(ctx, key).Result()
		if len(members) != 2 || !contains(members, cl.Subject) {
			t.Errorf("redis SMEMBERS %s = %v; want 2 reader ids including %s", key, members, cl.Subject)
		}
	}
	// Unlike (DELETE), twice: idempotent.
	for i := 0; i < 2; i++ {
		r := a.del(page)
		if r.status != http.StatusOK {
			t.Fatalf("unlike: %s", r)
		}
		if got := r.likes(t); got != (pageLikes{page, 1, false}) {
			t.Errorf("unlike #%d answered %+v", i+1, got)
		}
	}
	// POST with action unlike and toggle.
	r = b.do(http.MethodPost, "/likes", "application/json", `{"url":"`+page+`","action":"unlike"}`)
	if r.status != http.StatusOK || r.likes(t) != (pageLikes{page, 0, false}) {
		t.Errorf("POST action=unlike: %s", r)
	}
	r = b.do(http.MethodPost, "/likes", "application/json", `{"url":"`+page+`","action":"toggle"}`)
	if r.status != http.StatusOK || r.likes(t) != (pageLikes{page, 1, true}) {
		t.Errorf("POST action=toggle (like): %s", r)
	}
	r = b.do(http.MethodPost, "/likes", "application/json", `{"url":"`+page+`","action":"toggle"}`)
	if r.status != http.StatusOK || r.likes(t) != (pageLikes{page, 0, false}) {
		t.Errorf("POST action=toggle (unlike): %s", r)
	}
	// Unlike without a token: nothing to remove, no cookie issued.
	r = newReader(t, s).del(page)
	if r.status != http.StatusOK || r.likes(t) != (pageLikes{page, 0, false}) || r.cookie() != nil {
		t.Errorf("DELETE without a token: %s cookie %v", r, r.cookie())
	}
	// HEAD is a GET without a body.
	if r := a.do(http.MethodHead, "/likes?url="+page, "", ""); r.status != http.StatusOK {
		t.Errorf("HEAD: %s", r)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func testBatch(t *testing.T, s *site) {
	a := newReader(t, s)
	p2, p3 := postURL("post-02"), postURL("post-03")
	a.like(p2)
	newReader(t, s).like(p2)
	newReader(t, s).like(p3)
	r := a.get(p2, p3, "/about/", "/")
	if r.status != http.StatusOK {
		t.Fatalf("batch GET: %s", r)
	}
	want := []pageLikes{{p2, 2, true}, {p3, 1, false}, {"/about/", 0, false}, {"/", 0, false}}
	got := r.batch(t)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("batch GET = %+v, want %+v", got, want)
	}
	// One unknown page fails the batch with 404; over 100 urls is 400.
	wantJSONError(t, "batch with an unknown page", a.get(p2, "/nope/"), http.StatusNotFound)
	many := make([]string, 101)
	for i := range many {
		many[i] = p2
	}
	wantJSONError(t, "batch of 101 urls", a.get(many...), http.StatusBadRequest)
}

// testForm: the no-JS fallback — a form POST (toggle) answers 303 back to the page.
func testForm(t *testing.T, s *site) {
	page := postURL("post-04")
	a := newReader(t, s)
	form := "url=" + page + "&action=toggle"
	r := a.do(http.MethodPost, "/likes", "application/x-www-form-urlencoded", form)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != page {
		t.Fatalf("form POST: %s Location %q, want 303 to %s", r, r.header.Get("Location"), page)
	}
	if r.cookie() == nil {
		t.Fatal("form POST set no cookie")
	}
	if got := a.state(page); got != (pageLikes{page, 1, true}) {
		t.Errorf("after form like: %+v", got)
	}
	// A browser would follow the 303 with GET: the page itself.
	first, _ := r.resp.Location()
	if pg := a.do(http.MethodGet, first.Path, "", ""); pg.status != http.StatusOK || !strings.Contains(string(pg.body), "<form class=\"like\"") {
		t.Errorf("following the redirect: %d, like form present %v", pg.status, strings.Contains(string(pg.body), "<form class=\"like\""))
	}
	r = a.do(http.MethodPost, "/likes", "application/x-www-form-urlencoded", form)
	if r.status != http.StatusSeeOther {
		t.Fatalf("second form POST: %s", r)
	}
	if got := a.state(page); got != (pageLikes{page, 0, false}) {
		t.Errorf("after form toggle back: %+v", got)
	}
	// A page whose path is not ASCII: Location must be a valid (percent-encoded) URI
	// reference that leads back to the page.
	uni := "/blog/ünïcode/"
	r = a.do(http.MethodPost, "/likes", "application/x-www-form-urlencoded", "url="+url.QueryEscape(uni)+"&action=toggle")
	if r.status != http.StatusSeeOther {
		t.Fatalf("form POST for %s: %s", uni, r)
	}
	loc := r.header.Get("Location")
	for _, c := range []byte(loc) {
		if c <= 0x20 || c >= 0x7f {
			t.Errorf("form POST for %s: Location %q is not an ASCII URI reference", uni, loc)
			break
		}
	}
	if u, err := url.Parse(loc); err != nil || u.Path != uni {
		t.Errorf("form POST for %s: Location %q does not lead back to the page", uni, loc)
	} else if pg := a.do(http.MethodGet, u.EscapedPath(), "", ""); pg.status != http.StatusOK {
		t.Errorf("following Location %q: %d", loc, pg.status)
	}
	if got := a.state(uni); got != (pageLikes{uni, 1, true}) {
		t.Errorf("after the form like of %s: %+v", uni, got)
	}
	// Referer instead of Origin (older browsers on same-origin form posts).
	r = a.do(http.MethodPost, "/likes", "application/x-www-form-urlencoded", form, "Origin", "", "Referer", s.siteURL+page)
	if r.status != http.StatusSeeOther {
		t.Errorf("form POST with Referer only: %s", r)
	}
}

func testErrors(t *testing.T, s *site) {
	a := newReader(t, s)
	page := postURL("post-05")
	cases := []struct {
		name   string
		method string
		path   string
		ct     string
		body   string
		status int
	}{
		{"PUT", http.MethodPut, "/likes", "application/json", jsonBody(page), 405},
		{"PATCH", http.MethodPatch, "/likes", "application/json", jsonBody(page), 405},
		{"GET without url", http.MethodGet, "/likes", "", "", 400},
		{"GET with empty url", http.MethodGet, "/likes?url=", "", "", 400},
		{"GET relative url", http.MethodGet, "/likes?url=blog/post-05/", "", "", 400},
		{"GET foreign url", http.MethodGet, "/likes?url=https://example.com/blog/post-05/", "", "", 400},
		{"POST malformed JSON", http.MethodPost, "/likes", "application/json", `{"url":`, 400},
		{"POST missing url", http.MethodPost, "/likes", "application/json", `{}`, 400},
		{"POST url not a string", http.MethodPost, "/likes", "application/json", `{"url":5}`, 400},
		{"POST bad action", http.MethodPost, "/likes", "application/json", `{"url":"` + page + `","action":"explode"}`, 400},
		{"POST text/plain", http.MethodPost, "/likes", "text/plain", "url=" + page, 400},
		{"POST foreign url", http.MethodPost, "/likes", "application/json", jsonBody("http://evil.example/blog/post-05/"), 400},
		{"POST javascript url", http.MethodPost, "/likes", "application/json", jsonBody("javascript:alert(1)"), 400},
		{"DELETE form body", http.MethodDelete, "/likes", "application/x-www-form-urlencoded", "url=" + page, 400},
	}
	for _, c := range cases {
		r := a.do(c.method, c.path, c.ct, c.body)
		wantJSONError(t, c.name, r, c.status)
		if r.header.Get("Cache-Control") != "private, no-store" {
			t.Errorf("%s: Cache-Control %q, want private, no-store", c.name, r.header.Get("Cache-Control"))
		}
	}
	if got := a.state(page); got.Count != 0 {
		t.Errorf("rejected requests changed the count: %+v", got)
	}
}

func testCSRF(t *testing.T, s *site) {
	page := postURL("post-05")
	a := newReader(t, s)
	a.like(page) // a reader with a valid cookie: CSRF must not rely on the cookie
	other := strings.Replace(s.siteURL, "127.0.0.1", "localhost", 1)
	port := s.siteURL[strings.LastIndex(s.siteURL, ":")+1:]
	p, _ := strconv.Atoi(port)
	otherPort := fmt.Sprintf("http://127.0.0.1:%d", p+1)
	refused := []struct {
		name string
		hdr  []string
	}{
		{"no Origin, no Referer", []string{"Origin", ""}},
		{"foreign Origin", []string{"Origin", "https://evil.example"}},
		{"Origin null", []string{"Origin", "null"}},
		{"other host name", []string{"Origin", other}},
		{"other port", []string{"Origin", otherPort}},
		{"https scheme", []string{"Origin", strings.Replace(s.siteURL, "http:", "https:", 1)}},
		{"foreign Referer", []string{"Origin", "", "Referer", "https://evil.example" + page}},
		{"foreign Origin, site Referer", []string{"Origin", "https://evil.example", "Referer", s.siteURL + page}},
		{"site as a prefix of the origin", []string{"Origin", s.siteURL + ".evil.example"}},
	}
	for _, c := range refused {
		wantJSONError(t, "POST with "+c.name, a.post(page, c.hdr...), http.StatusForbidden)
		wantJSONError(t, "DELETE with "+c.name, a.del(page, c.hdr...), http.StatusForbidden)
		wantJSONError(t, "form POST with "+c.name,
			a.do(http.MethodPost, "/likes", "application/x-www-form-urlencoded", "url="+page+"&action=toggle", c.hdr...), http.StatusForbidden)
	}
	if got := a.state(page); got != (pageLikes{page, 1, true}) {
		t.Errorf("refused requests changed the state: %+v", got)
	}
	// Same origin by Referer alone is accepted.
	if r := a.del(page, "Origin", "", "Referer", s.siteURL+page+"?from=test"); r.status != http.StatusOK {
		t.Errorf("DELETE with the site's Referer: %s", r)
	}
	// GET needs no origin (reads only).
	if r := a.get(page); r.status != http.StatusOK {
		t.Errorf("GET without Origin: %s", r)
	}
}

func testTokens(t *testing.T, s *site) {
	page := postURL("post-03")
	iss := s.siteURL
	now := time.Now()
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	with := func(f func(c jwt.MapClaims)) jwt.MapClaims {
		c := claims(iss, readerID())
		f(c)
		return c
	}
	valid, _ := validToken(t, iss, newSecret)
	parts := strings.Split(valid, ".")
	otherPayload := strings.Split(sign(t, jwt.SigningMethodHS256, []byte("x"), claims(iss, readerID())), ".")[1]
	sig := []byte(parts[2])
	if sig[3] == 'A' {
		sig[3] = 'B'
	} else {
		sig[3] = 'A'
	}
	none, err := jwt.NewWithClaims(jwt.SigningMethodNone, claims(iss, readerID())).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	rejected := []struct{ name, token string }{
		{"alg none", none},
		{"alg none, signature kept", strings.Join([]string{strings.Split(none, ".")[0], parts[1], parts[2]}, ".")},
		{"HS384 with the secret", sign(t, jwt.SigningMethodHS384, []byte(newSecret), claims(iss, readerID()))},
		{"HS512 with the secret", sign(t, jwt.SigningMethodHS512, []byte(newSecret), claims(iss, readerID()))},
		{"RS256", sign(t, jwt.SigningMethodRS256, rsaKey, claims(iss, readerID()))},
		{"tampered payload", parts[0] + "." + otherPayload + "." + parts[2]},
		{"tampered signature", parts[0] + "." + parts[1] + "." + string(sig)},
		{"unsigned (signature dropped)", parts[0] + "." + parts[1] + "."},
		{"unknown secret", sign(t, jwt.SigningMethodHS256, []byte("not-the-secret"), claims(iss, readerID()))},
		{"expired", sign(t, jwt.SigningMethodHS256, []byte(newSecret), with(func(c jwt.MapClaims) {
			c["iat"], c["nbf"], c["exp"] = now.Add(-2*time.Hour).Unix(), now.Add(-2*time.Hour).Unix(), now.Add(-time.Hour).Unix()
		}))},
		{"expired beyond leeway", sign(t, jwt.SigningMethodHS256, []byte(newSecret), with(func(c jwt.MapClaims) {
			c["iat"], c["nbf"], c["exp"] = now.Add(-time.Hour).Unix(), now.Add(-time.Hour).Unix(), now.Add(-5*time.Minute).Unix()
		}))},
		{"not yet valid", sign(t, jwt.SigningMethodHS256, []byte(newSecret), with(func(c jwt.MapClaims) { c["nbf"] = now.Add(time.Hour).Unix() }))},
		{"no exp", sign(t, jwt.SigningMethodHS256, []byte(newSecret), with(func(c jwt.MapClaims) { delete(c, "exp") }))},
		{"wrong issuer", sign(t, jwt.SigningMethodHS256, []byte(newSecret), claims("https://evil.example", readerID()))},
		{"no issuer", sign(t, jwt.SigningMethodHS256, []byte(newSecret), with(func(c jwt.MapClaims) { delete(c, "iss") }))},
		{"bad subject", sign(t, jwt.SigningMethodHS256, []byte(newSecret), claims(iss, "../../admin"))},
		{"malformed", "not-a-jwt"},
		{"malformed three parts", "a.b.c"},
		{"garbage base64", "eyJhbGciOiJIUzI1NiJ9.!!!.???"},
	}
	before := newReader(t, s).state(page).Count
	for _, c := range rejected {
		for _, method := range []string{http.MethodPost, http.MethodDelete} {
			r := newReader(t, s)
			r.token = c.token
			var resp response
			if method == http.MethodPost {
				resp = r.post(page)
			} else {
				resp = r.del(page)
			}
			wantJSONError(t, method+" with token "+c.name, resp, http.StatusUnauthorized)
			if ck := resp.cookie(); ck == nil || ck.Value != "" || ck.MaxAge >= 0 || ck.Path != "/likes" {
				t.Errorf("%s with token %s: no cookie clearing the bad one (Set-Cookie %q)", method, c.name, resp.header.Get("Set-Cookie"))
			}
		}
		// GET does not fail on a bad token (counts stay visible) but drops it.
		r := newReader(t, s)
		r.token = c.token
		resp := r.get(page)
		if resp.status != http.StatusOK || resp.likes(t).Liked {
			t.Errorf("GET with token %s: %s, want 200 not liked", c.name, resp)
		}
		if ck := resp.cookie(); ck == nil || ck.MaxAge >= 0 {
			t.Errorf("GET with token %s: bad cookie not cleared (Set-Cookie %q)", c.name, resp.header.Get("Set-Cookie"))
		}
	}
	if got := newReader(t, s).state(page); got.Count != before {
		t.Errorf("rejected tokens changed the count: %+v, want %d", got, before)
	}

	accepted := []struct{ name, token string }{
		{"first secret", sign(t, jwt.SigningMethodHS256, []byte(newSecret), claims(iss, readerID()))},
		{"second (old) secret", sign(t, jwt.SigningMethodHS256, []byte(oldSecret), claims(iss, readerID()))},
		{"expired within leeway", sign(t, jwt.SigningMethodHS256, []byte(newSecret), with(func(c jwt.MapClaims) {
			c["iat"], c["nbf"], c["exp"] = now.Add(-time.Hour).Unix(), now.Add(-time.Hour).Unix(), now.Add(-5*time.Second).Unix()
		}))},
		{"nbf within leeway", sign(t, jwt.SigningMethodHS256, []byte(newSecret), with(func(c jwt.MapClaims) { c["nbf"] = now.Add(5 * time.Second).Unix() }))},
	}
	base := newReader(t, s).state(page).Count
	for i, c := range accepted {
		r := newReader(t, s)
		r.token = c.token
		resp := r.post(page)
		if resp.status != http.StatusOK {
			t.Errorf("POST with token %s: %s, want 200", c.name, resp)
			continue
		}
		if got := resp.likes(t); got != (pageLikes{page, base + int64(i+1), true}) {
			t.Errorf("POST with token %s: %+v", c.name, got)
		}
		if resp.cookie() != nil {
			t.Errorf("POST with a valid token %s replaced the cookie", c.name)
		}
		if got := r.state(page); !got.Liked {
			t.Errorf("GET with token %s: not liked", c.name)
		}
	}
}

func testNormalisation(t *testing.T, s *site) {
	page := postURL("post-02")
	base := newReader(t, s).state(page).Count
	variants := []string{
		"/blog/post-02/",
		"/blog/post-02",
		"/blog/post-02/index.html",
		"/blog/post-02/?utm_source=feed",
		"/blog/post-02/#comments",
		"/blog//post-02/",
		"/blog/./post-02/",
		"/blog/x/../post-02/",
		"/blog/%70ost-02/",
		s.siteURL + "/blog/post-02/",
		s.siteURL + "/blog/post-02/index.html?x=1#y",
		strings.Replace(s.siteURL, "http://", "HTTP://", 1) + "/blog/post-02",
	}
	for i, v := range variants {
		r := newReader(t, s)
		resp := r.post(v)
		if resp.status != http.StatusOK {
			t.Errorf("like via %q: %s", v, resp)
			continue
		}
		if got := resp.likes(t); got != (pageLikes{page, base + int64(i) + 1, true}) {
			t.Errorf("like via %q: %+v, want %s with count %d", v, got, page, base+int64(i)+1)
		}
		// The same reader sees its like under another spelling (one identity).
		if got := r.state(variants[(i+1)%len(variants)]); !got.Liked || got.URL != page {
			t.Errorf("like via %q not seen via %q: %+v", v, variants[(i+1)%len(variants)], got)
		}
	}
	want := base + int64(len(variants))
	r := newReader(t, s).get(variants...)
	if r.status != http.StatusOK {
		t.Fatalf("batch GET of variants: %s", r)
	}
	for i, pl := range r.batch(t) {
		if pl.URL != page || pl.Count != want {
			t.Errorf("GET via %q: %+v, want %s with count %d", variants[i], pl, page, want)
		}
	}
}

func testLimits(t *testing.T, s *site) {
	page := postURL("post-00")
	a := newReader(t, s)
	big := `{"url":"` + page + `","pad":"` + strings.Repeat("x", 5000) + `"}`
	wantJSONError(t, "POST body over 4 KiB", a.do(http.MethodPost, "/likes", "application/json", big), http.StatusRequestEntityTooLarge)
	huge := `{"url":"` + page + `","pad":"` + strings.Repeat("x", 1<<20) + `"}`
	wantJSONError(t, "POST body of 1 MiB", a.do(http.MethodPost, "/likes", "application/json", huge), http.StatusRequestEntityTooLarge)
	wantJSONError(t, "form POST body over 4 KiB", a.do(http.MethodPost, "/likes", "application/x-www-form-urlencoded",
		"url="+page+"&pad="+strings.Repeat("x", 5000)), http.StatusRequestEntityTooLarge)
	// A chunked body (no Content-Length) is bounded too.
	req, _ := http.NewRequest(http.MethodPost, s.url+"/likes", io.MultiReader(strings.NewReader(`{"url":"`+page+`","pad":"`), strings.NewReader(strings.Repeat("y", 64<<10)+`"}`)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", s.siteURL)
	if resp, err := a.hc.Do(req); err != nil {
		t.Errorf("chunked POST: %v", err)
	} else {
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("chunked POST of 64 KiB: %d, want 413", resp.StatusCode)
		}
	}
	long := "/blog/" + strings.Repeat("a", 3000) + "/"
	wantJSONError(t, "POST url of 3000 chars", a.post(long), http.StatusBadRequest)
	wantJSONError(t, "GET url of 3000 chars", a.get(long), http.StatusBadRequest)
	if got := a.state(page); got.Liked {
		t.Errorf("rejected requests liked the page: %+v", got)
	}
}

func testNotInSitemap(t *testing.T, s *site) {
	a := newReader(t, s)
	for _, u := range []string{"/blog/no-such-post/", "/secret/", "/likes/", "/feed.xml"} {
		r := a.post(u)
		wantJSONError(t, "POST like "+u, r, http.StatusNotFound)
		if r.cookie() != nil {
			t.Errorf("POST like %s issued a cookie", u)
		}
		wantJSONError(t, "GET "+u, a.get(u), http.StatusNotFound)
	}
}

// testNewPost: a post added and rendered while the host runs becomes likeable within the
// sitemap TTL (here the component's default, 30 s; a miss refetches after 5 s at most).
func testNewPost(t *testing.T, s *site) {
	slug := "brand-new-" + strconv.FormatInt(time.Now().UnixNano()%1e6, 10)
	page := postURL(slug)
	a := newReader(t, s)
	wantJSONError(t, "like before the post exists", a.post(page), http.StatusNotFound)
	addPost(t, s.content, slug, time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
	s.rerender(t)
	if r := a.do(http.MethodGet, page, "", ""); r.status != http.StatusOK {
		t.Fatalf("new post page after re-rendering: %d", r.status)
	}
	start := time.Now()
	deadline := start.Add(60 * time.Second)
	for {
		r := a.post(page)
		if r.status == http.StatusOK {
			if got := r.likes(t); got != (pageLikes{page, 1, true}) {
				t.Errorf("like of the new post: %+v", got)
			}
			t.Logf("new post likeable %v after re-rendering", time.Since(start).Round(100*time.Millisecond))
			return
		}
		if r.status != http.StatusNotFound {
			t.Fatalf("like of the new post: %s", r)
		}
		if time.Now().After(deadline) {
			t.Fatalf("new post still not likeable %v after re-rendering: %s", time.Since(start), r)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// testReaderRateLimit: one reader's likes/unlikes beyond the per-reader limit (default
// 30 per minute) answer 429 with Retry-After.
func testReaderRateLimit(t *testing.T, s *site) {
	a := newReader(t, s)
	page := postURL("post-04")
	// A fixed one-minute window may roll over during the loop: allow two windows' worth.
	for i := 0; i < 70; i++ {
		var r response
		if i%2 == 0 {
			r = a.post(page)
		} else {
			r = a.del(page)
		}
		if r.status == http.StatusOK {
			continue
		}
		wantJSONError(t, "over the rate limit", r, http.StatusTooManyRequests)
		ra, err := strconv.Atoi(r.header.Get("Retry-After"))
		if err != nil || ra < 1 || ra > 60 {
			t.Errorf("Retry-After %q, want 1..60 seconds", r.header.Get("Retry-After"))
		}
		if i < 30 {
			t.Errorf("429 after %d requests, the limit is 30 per minute", i)
		}
		// Other readers are not affected.
		if r := newReader(t, s).post(page); r.status != http.StatusOK {
			t.Errorf("another reader while the first is limited: %s", r)
		}
		return
	}
	t.Fatal("70 changes by one reader in a row were never rate limited")
}

// testRestart: likes survive a host restart; after it, with a per-client limit of 5, a
// client's 6th change in a minute (at the latest) answers 429 even with fresh cookies.
func testRestart(t *testing.T, s *site) {
	page := postURL("post-05")
	a := newReader(t, s)
	before := a.like(page)
	s.srv.Restart()
	if got := a.state(page); got != before {
		t.Errorf("after a host restart: %+v, want %+v", got, before)
	}
	other := newReader(t, s).state(postURL("post-02"))
	if other.Count == 0 {
		t.Errorf("after a host restart post-02 has no likes: %+v", other)
	}
	// Per-client (IP) limit: restart with ip_rate_limit = 5.
	s.srv.Env = append(s.srv.Env, "SPIN_VARIABLE_IP_RATE_LIMIT=5")
	s.srv.Restart()
	defer func() {
		s.srv.Env = append(s.srv.Env, "SPIN_VARIABLE_IP_RATE_LIMIT=100000")
		s.srv.Restart()
	}()
	for i := 0; i < 12; i++ {
		r := newReader(t, s).post(page)
		if r.status == http.StatusOK {
			continue
		}
		wantJSONError(t, "over the per-client limit", r, http.StatusTooManyRequests)
		if r.header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
		// (Changes made earlier in this minute from 127.0.0.1 count too: no lower bound.)
		return
	}
	t.Error("12 likes from one client with ip_rate_limit=5 were never rate limited")
}

// testRedisOutage: redis down → 503 (JSON) for reads and changes; back up → recovers with
// the data (append-only redis).
func testRedisOutage(t *testing.T, s *site, rs *redistest.Server) {
	page := postURL("post-01")
	a := newReader(t, s)
	before := a.like(page)
	rs.Stop()
	restarted := false
	defer func() {
		if !restarted {
			rs.Start()
		}
	}()
	wantJSONError(t, "GET with redis down", a.get(page), http.StatusServiceUnavailable)
	wantJSONError(t, "POST with redis down", a.post(page), http.StatusServiceUnavailable)
	wantJSONError(t, "DELETE with redis down", a.del(page), http.StatusServiceUnavailable)
	if r := a.do(http.MethodGet, page, "", ""); r.status != http.StatusOK {
		t.Errorf("the page itself with redis down: %d", r.status)
	}
	rs.Start()
	restarted = true
	deadline := time.Now().Add(15 * time.Second)
	for {
		r := a.get(page)
		if r.status == http.StatusOK {
			if got := r.likes(t); got != before {
				t.Errorf("after redis recovered: %+v, want %+v", got, before)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still failing 15 s after redis came back: %s", r)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if got := newReader(t, s).like(page); got.Count != before.Count+1 {
		t.Errorf("like after recovery: %+v", got)
	}
}
