package likes

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzVerify: no input but a token signed with the secret verifies, and nothing panics.
func FuzzVerify(f *testing.F) {
	now := t0
	tk := testTokens(&now, "s3cret")
	good, _ := tk.Issue(reader)
	f.Add(good)
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Add(strings.Repeat("a.", 3))
	f.Add("")
	f.Fuzz(func(t *testing.T, token string) {
		id, err := tk.Verify(token)
		if err == nil && (token != good || id != reader) {
			t.Fatalf("accepted a token that was not issued: %q → %q", token, id)
		}
	})
}

// FuzzNormalize: an accepted page is an absolute path of the site, clean, and
// normalising it again gives it back.
func FuzzNormalize(f *testing.F) {
	site, _ := url.Parse(siteURL)
	for _, s := range []string{"/", "/blog/x/", "http://127.0.0.1:3000/blog/x/index.html", "//evil.example/", "/a/../b", "/%2e%2e/", "javascript:x", "/blog/x?y#z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		p, err := Normalize(site, raw)
		if err != nil {
			return
		}
		if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.Contains(p, "/../") {
			t.Fatalf("%q → %q", raw, p)
		}
		if again, err := Normalize(site, p); err != nil || again != p {
			t.Fatalf("%q → %q → %q, %v", raw, p, again, err)
		}
	})
}

// FuzzChangeBody: whatever a POST's body and content type, the handler answers with a
// client error or a success, never a 5xx, and never panics.
func FuzzChangeBody(f *testing.F) {
	f.Add("application/json", `{"url":"/blog/x/"}`)
	f.Add("application/json", `{"url":"/blog/x/","action":"toggle"}`)
	f.Add("application/x-www-form-urlencoded", "url=%2Fblog%2Fx%2F&action=unlike")
	f.Add("application/json", `{"url":null}`)
	f.Add("text/plain", "x")
	f.Add("application/json", strings.Repeat("[", 5000))
	f.Fuzz(func(t *testing.T, contentType, body string) {
		e := newEnv(t, nil)
		r := e.do("POST", "/likes", body, "Content-Type", contentType, "Origin", siteURL)
		if r.status >= 500 {
			t.Fatalf("POST %q %q: %d %s", contentType, body, r.status, r.body)
		}
	})
}
