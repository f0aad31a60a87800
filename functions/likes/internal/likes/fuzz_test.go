package likes

import (
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
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

// FuzzVerifyIssued: for a token with the header Issue writes, the fast check
// (verifyIssued) agrees with jwt's parser (parse) on whether it is valid and on its
// subject, whatever claims it carries signed under the secret and whatever follows
// them.
func FuzzVerifyIssued(f *testing.F) {
	now := t0
	tk := testTokens(&now, "s3cret")
	v := tk.verifier()
	iat := strconv.FormatInt(now.Unix(), 10)
	valid := `{"iss":"` + tk.Issuer + `","sub":"` + reader + `","iat":` + iat + `,"nbf":` + iat + `,"exp":` + iat + `0}`
	f.Add(valid, "")
	f.Add(valid, "AA")
	f.Add(valid, ".")
	f.Add(strings.Replace(valid, `"iss"`, `"ISS"`, 1), "")
	f.Add(strings.Replace(valid, `"sub"`, `"sub":"x","sub"`, 1), "")
	f.Add(`{"iss":"`+tk.Issuer+`","exp":1e400}`, "")
	f.Add(`null`, "")
	f.Add(`[]`, "")
	f.Fuzz(func(t *testing.T, claims, suffix string) {
		enc := base64.RawURLEncoding
		text := issuedHeader + "." + enc.EncodeToString([]byte(claims))
		sig, err := jwt.SigningMethodHS256.Sign(text, []byte("s3cret"))
		if err != nil {
			t.Fatal(err)
		}
		token := text + "." + enc.EncodeToString(sig) + suffix
		var fast, slow readerClaims
		fastErr, slowErr := v.verifyIssued(token, &fast), v.parse(token, &slow)
		if (fastErr == nil) != (slowErr == nil) || fastErr == nil && fast.Subject != slow.Subject {
			t.Fatalf("%q: verifyIssued: %v %q; jwt's parser: %v %q", token, fastErr, fast.Subject, slowErr, slow.Subject)
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
