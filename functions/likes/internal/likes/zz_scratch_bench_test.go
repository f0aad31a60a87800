package likes

import (
	"testing"

	"wasmsite/functions/sdk/spinhttp"
)

func benchEnv(b *testing.B) (*env, string) {
	t := &testing.T{}
	e := newEnv(t, nil)
	e.fetch.body = sitemapXML(siteURL, "/", "/blog/x/")
	tok, _ := e.h.tokens().Issue("803daec1b527a793dc317d481f4a9b0d")
	r := e.do("GET", "/likes?url=/blog/x/", "", "cookie", CookieName+"="+tok)
	if r.status != 200 {
		b.Fatalf("warm get %d %s", r.status, r.body)
	}
	return e, tok
}

func hdrs(tok string) []spinhttp.Pair {
	return []spinhttp.Pair{
		{Name: "host", Value: "127.0.0.1:3000"}, {Name: "user-agent", Value: "bench"}, {Name: "accept", Value: "*/*"},
		{Name: "cookie", Value: CookieName + "=" + tok}, {Name: "origin", Value: siteURL}, {Name: "content-type", Value: "application/json"},
		{Name: spinhttp.HeaderFullURL, Value: siteURL + "/likes?url=/blog/x/"},
		{Name: spinhttp.HeaderPathInfo, Value: ""}, {Name: spinhttp.HeaderMatchedRoute, Value: "/likes"},
		{Name: spinhttp.HeaderClientAddr, Value: "127.0.0.1:4000"},
	}
}

func BenchmarkGET(b *testing.B) {
	e, tok := benchEnv(b)
	h := hdrs(tok)
	for b.Loop() {
		spinhttp.ServeRequest(e.h.Serve, "GET", "/likes?url=/blog/x/", h, nil)
	}
}

func BenchmarkPOST(b *testing.B) {
	e, tok := benchEnv(b)
	e.h.Config.RateLimit, e.h.Config.IPRateLimit = 0, 0
	h := hdrs(tok)
	body := []byte(`{"url":"/blog/x/","action":"toggle"}`)
	for b.Loop() {
		spinhttp.ServeRequest(e.h.Serve, "POST", "/likes", h, body)
	}
}

func BenchmarkVerify(b *testing.B) {
	e, tok := benchEnv(b)
	for b.Loop() {
		e.h.tokens().Verify(tok)
	}
}

func BenchmarkStoreCalls(b *testing.B) {
	e, _ := benchEnv(b)
	for b.Loop() {
		e.h.sitemap().Contains(nil, "/blog/x/")
		e.h.state("/blog/x/", "803daec1b527a793dc317d481f4a9b0d")
	}
}
