package likes

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"wasmsite/functions/sdk/spinhttp"

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
	issued := `{"iss":"` + tk.Issuer + `","sub":"` + reader + `","exp":` + iat + `0,"nbf":` + iat + `,"iat":` + iat + `}`
	f.Add(issued, "") // the form plainClaims reads
	f.Add(strings.Replace(issued, iat+"}", "0"+iat+"}", 1), "")
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

// FuzzPlainJSON: what plainClaims and plainChange read is what encoding/json reads from
// the same text, and what appendPageLikes writes is what encoding/json writes (here for
// the text as a URL), whenever they do not decline.
func FuzzPlainJSON(f *testing.F) {
	f.Add([]byte(`{"iss":"http://127.0.0.1:3000","sub":"` + reader + `","exp":1827703786,"nbf":1796167786,"iat":1796167786}`))
	f.Add([]byte(`{"iss":"x","sub":"y","exp":0,"nbf":999999999999999,"iat":1}`))
	f.Add([]byte(`{"iss":"x","sub":"y","exp":1.5,"nbf":1e3,"iat":-1}`))
	f.Add([]byte(`{"iss":"a\u0026b","sub":"\"","exp":01,"nbf":1,"iat":1}`))
	f.Add([]byte(`{"url":"/blog/x/"}`))
	f.Add([]byte(`{"url":"/blog/x/","action":"toggle"}`))
	f.Add([]byte(`{"url":"/a<b>&c","action":"x","action":"y"}`))
	f.Add([]byte(`{"url":"/caf\u00e9/" }`))
	f.Add([]byte("/blog/caf\xc3\xa9/\u2028"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var fast, slow readerClaims
		if plainClaims(data, &fast) {
			if err := json.Unmarshal(data, &slow); err != nil || !reflect.DeepEqual(fast, slow) {
				t.Fatalf("claims %q: plainClaims %+v; encoding/json %+v, %v", data, fast, slow, err)
			}
		}
		var fastReq, slowReq changeRequest
		if plainChange(data, &fastReq) {
			if err := json.Unmarshal(data, &slowReq); err != nil || !reflect.DeepEqual(fastReq, slowReq) {
				t.Fatalf("body %q: plainChange %+v; encoding/json %+v, %v", data, fastReq, slowReq, err)
			}
		}
		st := PageLikes{URL: string(data), Count: int64(len(data)) - 3, Liked: len(data)%2 == 0}
		if b, ok := appendPageLikes(nil, st); ok {
			if want, _ := json.Marshal(st); string(b) != string(want) {
				t.Fatalf("%+v: appendPageLikes %s; encoding/json %s", st, b, want)
			}
		}
	})
}

// TestPlainJSONForms: the plain forms are the ones the component meets: the claims of
// every token Issue signs, the like button's bodies, a page's state.
func TestPlainJSONForms(t *testing.T) {
	now := t0
	for _, iss := range []string{"http://127.0.0.1:3000", "https://example.com/blog"} {
		tk := testTokens(&now, "s3cret")
		tk.Issuer = iss
		token, _ := tk.Issue(reader)
		data, err := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[1])
		var c readerClaims
		if err != nil || !plainClaims(data, &c) || c.Issuer != iss || c.Subject != reader || *c.ExpiresAt != float64(now.Add(TokenTTL).Unix()) {
			t.Errorf("claims of an issued token %s: %+v, %v", data, c, err)
		}
	}
	var req changeRequest
	if !plainChange([]byte(`{"url":"/blog/x/"}`), &req) || *req.URL != "/blog/x/" || req.Action != "" {
		t.Errorf("the like button's body: %+v", req)
	}
	if b, ok := appendPageLikes(nil, PageLikes{URL: "/blog/x%20y/", Count: 12, Liked: true}); !ok || string(b) != `{"url":"/blog/x%20y/","count":12,"liked":true}` {
		t.Errorf("a page's state: %s, %v", b, ok)
	}
	// The response holds encoding/json's text whether or not the plain form applies.
	for _, st := range []PageLikes{{URL: "/blog/x/", Count: 1}, {URL: "/blog/ünï<code>/", Count: 2, Liked: true}} {
		w := &writer{}
		w.writeJSON(200, st)
		want, _ := json.Marshal(st)
		length := spinhttp.Pair{Name: "Content-Length", Value: strconv.Itoa(len(want))}
		if string(w.Body) != string(want) || !slices.Contains(w.Headers, length) {
			t.Errorf("response for %+v: %s (headers %v), want %s", st, w.Body, w.Headers, want)
		}
	}
}
