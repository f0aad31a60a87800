// Package e2e tests the whole site end to end: the real `server up` process serving the
// project's components (built from source) and a site rendered by the generator, over
// real HTTP, with the embedded store or a real redis-server, and in a real headless
// Chromium. It also holds the likes benchmark (wasm host vs a native Go handler).
package e2e

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"wasmsite/server/internal/testenv"
)

// Reader-token secrets handed to every host through SPIN_VARIABLE_JWT_SECRET: the first
// signs, both verify (rotation).
const (
	newSecret = "e2e-new-secret-0123456789abcdef"
	oldSecret = "e2e-old-secret-fedcba9876543210"
)

// writeContent writes a content directory with site settings and posts post-00 …
// post-(n-1) under blog/ (URL /blog/post-NN/), and returns the directory.
func writeContent(tb testing.TB, n int) string {
	tb.Helper()
	dir := tb.TempDir()
	testenv.WriteFile(tb, filepath.Join(dir, "site.toml"), `title = "e2e site"
author = "e2e"
base_url = "http://127.0.0.1:3000"
description = "Site under test"
language = "en"
paginate = 50
feed_limit = 20
`)
	testenv.WriteFile(tb, filepath.Join(dir, "pages", "about.md"), "+++\ntitle = \"About\"\n+++\n\nAbout this site.\n")
	for i := 0; i < n; i++ {
		addPost(tb, dir, fmt.Sprintf("post-%02d", i), time.Date(2024, 1, 1+i, 0, 0, 0, 0, time.UTC))
	}
	return dir
}

// addPost writes one post with the given slug (URL /blog/<slug>/).
func addPost(tb testing.TB, contentDir, slug string, date time.Time) {
	tb.Helper()
	testenv.WriteFile(tb, filepath.Join(contentDir, "blog", slug+".md"), fmt.Sprintf(`+++
title = "Post %s"
slug = "%s"
date = %s
tags = ["e2e"]
+++

This is the text of %s. It has a paragraph, *emphasis* and a list:

- one
- two
`, slug, slug, date.Format("2006-01-02"), slug))
}

func postURL(slug string) string { return "/blog/" + slug + "/" }

// testManifest rewrites the project's spin.toml in app dir so that the likes component's
// rate limits and sitemap TTL are application variables (SPIN_VARIABLE_RATE_LIMIT,
// SPIN_VARIABLE_IP_RATE_LIMIT, SPIN_VARIABLE_SITEMAP_TTL_SECONDS); unset, they keep the
// component's defaults. Everything else is the project's manifest as is.
func testManifest(tb testing.TB, appDir string) {
	tb.Helper()
	path := filepath.Join(appDir, "spin.toml")
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	s := string(b)
	const vars = "[variables]\n"
	const cfg = "redis_address = \"{{ redis_address }}\"\n"
	if strings.Count(s, vars) != 1 || strings.Count(s, cfg) != 1 {
		tb.Fatalf("spin.toml changed shape: cannot find %q and %q once each", vars, cfg)
	}
	s = strings.Replace(s, vars, vars+`rate_limit = { default = "" }
ip_rate_limit = { default = "" }
sitemap_ttl_seconds = { default = "" }
`, 1)
	s = strings.Replace(s, cfg, cfg+`rate_limit = "{{ rate_limit }}"
ip_rate_limit = "{{ ip_rate_limit }}"
sitemap_ttl_seconds = "{{ sitemap_ttl_seconds }}"
`, 1)
	testenv.WriteFile(tb, path, s)
}

// siteOptions describe one host of the site.
type siteOptions struct {
	contentDir      string
	redis           string   // "" = embedded store
	siteURL         string   // "" = the host's own URL
	addr            string   // "" = a free port
	env             []string // extra SPIN_VARIABLE_...
	projectManifest bool     // use spin.toml exactly as in the project (no test variables)
	args            []string // extra `server up` flags
}

// site is one running host with its app dir.
type site struct {
	dir     string
	url     string // where this host listens
	siteURL string // SPIN_VARIABLE_SITE_URL
	srv     *testenv.Server
	content string
}

func startSite(tb testing.TB, o siteOptions) *site {
	tb.Helper()
	if o.addr == "" {
		o.addr = testenv.FreeAddr(tb)
	}
	s := &site{url: "http://" + o.addr, siteURL: o.siteURL, content: o.contentDir}
	if s.siteURL == "" {
		s.siteURL = s.url
	}
	s.dir = testenv.SiteApp(tb, o.contentDir, s.siteURL)
	if !o.projectManifest {
		testManifest(tb, s.dir)
	}
	env := []string{
		"SPIN_VARIABLE_JWT_SECRET=" + newSecret + "," + oldSecret,
		"SPIN_VARIABLE_SITE_URL=" + s.siteURL,
		"SPIN_VARIABLE_REDIS_ADDRESS=" + o.redis,
	}
	s.srv = testenv.Start(tb, testenv.Options{Dir: s.dir, Addr: o.addr, Env: append(env, o.env...), Args: append([]string{"-q"}, o.args...)})
	return s
}

// rerender renders the content dir into the running host's public/ (the generator
// swaps it atomically).
func (s *site) rerender(tb testing.TB) {
	tb.Helper()
	testenv.RenderSite(tb, s.content, filepath.Join(s.dir, "public"), s.siteURL)
}

// pageLikes is the API's answer for one page.
type pageLikes struct {
	URL   string `json:"url"`
	Count int64  `json:"count"`
	Liked bool   `json:"liked"`
}

// reader is one browser-like HTTP client: its own cookie jar, requests sent with the
// site's Origin.
type reader struct {
	tb     testing.TB
	base   string // host URL requests go to
	origin string // Origin header for state-changing requests ("" = none)
	hc     *http.Client
	token  string // explicit likes_token cookie (instead of the jar's) when set
}

func newReader(tb testing.TB, s *site) *reader {
	jar, _ := cookiejar.New(nil)
	return &reader{tb: tb, base: s.url, origin: s.siteURL, hc: &http.Client{
		Jar:       jar,
		Timeout:   30 * time.Second,
		Transport: sharedTransport,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}}
}

var sharedTransport = &http.Transport{MaxIdleConns: 512, MaxIdleConnsPerHost: 256, IdleConnTimeout: 30 * time.Second}

// response is a read response.
type response struct {
	status int
	header http.Header
	body   []byte
	resp   *http.Response
}

func (r response) String() string {
	return fmt.Sprintf("%d %s", r.status, strings.TrimSpace(string(r.body)))
}

// likes decodes a single-page answer.
func (r response) likes(tb testing.TB) pageLikes {
	tb.Helper()
	var pl pageLikes
	if err := json.Unmarshal(r.body, &pl); err != nil || pl.URL == "" {
		tb.Fatalf("not a page-likes answer: %s (%v)", r, err)
	}
	return pl
}

// batch decodes a batch answer.
func (r response) batch(tb testing.TB) []pageLikes {
	tb.Helper()
	var out struct {
		Likes []pageLikes `json:"likes"`
	}
	if err := json.Unmarshal(r.body, &out); err != nil || out.Likes == nil {
		tb.Fatalf("not a batch answer: %s (%v)", r, err)
	}
	return out.Likes
}

// cookie returns the likes_token Set-Cookie of the response, or nil.
func (r response) cookie() *http.Cookie {
	for _, c := range r.resp.Cookies() {
		if c.Name == "likes_token" {
			return c
		}
	}
	return nil
}

// do sends a request; hdr are name, value pairs (they override the defaults).
func (c *reader) do(method, path, contentType, body string, hdr ...string) response {
	c.tb.Helper()
	r, err := c.try(method, path, contentType, body, hdr...)
	if err != nil {
		c.tb.Fatal(err)
	}
	return r
}

func (c *reader) try(method, path, contentType, body string, hdr ...string) (response, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return response{}, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.origin != "" && method != http.MethodGet {
		req.Header.Set("Origin", c.origin)
	}
	if c.token != "" {
		req.AddCookie(&http.Cookie{Name: "likes_token", Value: c.token})
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return response{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, fmt.Errorf("%s %s: reading body: %w", method, path, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b, resp: resp}, nil
}

func jsonBody(url string) string {
	b, _ := json.Marshal(map[string]string{"url": url})
	return string(b)
}

func (c *reader) post(url string, hdr ...string) response {
	c.tb.Helper()
	return c.do(http.MethodPost, "/likes", "application/json", jsonBody(url), hdr...)
}

func (c *reader) del(url string, hdr ...string) response {
	c.tb.Helper()
	return c.do(http.MethodDelete, "/likes", "application/json", jsonBody(url), hdr...)
}

func (c *reader) get(urls ...string) response {
	c.tb.Helper()
	q := make([]string, len(urls))
	for i, u := range urls {
		q[i] = "url=" + url.QueryEscape(u)
	}
	return c.do(http.MethodGet, "/likes?"+strings.Join(q, "&"), "", "")
}

// like POSTs a like and requires 200.
func (c *reader) like(url string) pageLikes {
	c.tb.Helper()
	r := c.post(url)
	if r.status != http.StatusOK {
		c.tb.Fatalf("like %s: %s", url, r)
	}
	return r.likes(c.tb)
}

// state GETs one page and requires 200.
func (c *reader) state(url string) pageLikes {
	c.tb.Helper()
	r := c.get(url)
	if r.status != http.StatusOK {
		c.tb.Fatalf("GET likes %s: %s", url, r)
	}
	return r.likes(c.tb)
}

// wantJSONError requires status and a JSON {"error": ...} body.
func wantJSONError(tb testing.TB, what string, r response, status int) {
	tb.Helper()
	if r.status != status {
		tb.Errorf("%s: got %s, want %d", what, r, status)
		return
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		tb.Errorf("%s: Content-Type %q, want application/json", what, ct)
	}
	var e struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal(r.body, &e); err != nil || e.Error == "" {
		tb.Errorf("%s: body is not a JSON error: %q", what, r.body)
	}
}

// readerID returns a random reader id (the format the component issues).
func readerID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// claims are valid reader-token claims for issuer iss.
func claims(iss, sub string) jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{
		"iss": iss,
		"sub": sub,
		"iat": now.Unix(),
		"nbf": now.Unix(),
		"exp": now.Add(time.Hour).Unix(),
	}
}

// sign signs claims with method and key.
func sign(tb testing.TB, m jwt.SigningMethod, key any, c jwt.MapClaims) string {
	tb.Helper()
	s, err := jwt.NewWithClaims(m, c).SignedString(key)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// validToken is an HS256 token for a new reader id, signed with secret.
func validToken(tb testing.TB, iss, secret string) (token, sub string) {
	sub = readerID()
	return sign(tb, jwt.SigningMethodHS256, []byte(secret), claims(iss, sub)), sub
}
