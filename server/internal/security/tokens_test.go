package security

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// likedPage is a page of the project's content, listed in its sitemap.
const likedPage = "/blog/what-is-wasmsite/"

// TestForgedTokens sends forged, tampered and expired reader tokens to the likes API of
// the real site: a POST with each (for a new reader id) and a DELETE with each (naming
// a reader who likes the page) must answer 401 and leave the count and that reader's
// like as they were. Tokens in places other than the likes_token cookie are ignored.
func TestForgedTokens(t *testing.T) {
	dir, addr := siteApp(t)
	s := startSite(t, dir, addr, []string{"SPIN_VARIABLE_IP_RATE_LIMIT=100000"})
	api := &likesAPI{t: t, url: s.URL}
	victim := api.likeAsNewReader()
	k := newForgeKeys(t, s.URL)
	control := k.sign(jwt.SigningMethodHS256, []byte(jwtSecret), k.claims(newReaderID()))
	before := api.count()
	if st := api.change("POST", "likes_token="+control); st != 200 || api.count() != before+1 {
		t.Fatalf("a token signed with the site's secret is refused (%d): the forgeries would prove nothing", st)
	}
	api.change("DELETE", "likes_token="+control)
	before = api.count()
	rw := newRow(t, "tokens", 20, "accepted")
	for _, f := range forgeries(k) {
		post := api.change("POST", f.cookie(newReaderID()))
		del := api.change("DELETE", f.cookie(victim.id))
		n := api.count()
		rw.check(post == 401 && del == 401 && n == before, "%s: POST %d, DELETE %d, count %d (want 401, 401, %d)", f.name, post, del, n, before)
	}
	for _, m := range misplaced(k, victim) {
		st := api.change("DELETE", m.cookie, m.header...)
		n := api.count()
		rw.check(st != http.StatusUnauthorized && n == before && api.likes(victim.cookie), "%s: DELETE %d, count %d (want %d), reader's like kept: %v",
			m.name, st, n, before, api.likes(victim.cookie))
	}
	if !api.likes(victim.cookie) {
		t.Error("the reader's like was removed by a forged token")
	}
}

// likesAPI talks to /likes as a same-origin browser would, cookies set by hand.
type likesAPI struct {
	t   *testing.T
	url string
}

// reader is a reader the site issued a token to.
type reader struct{ id, cookie string }

func (a *likesAPI) do(method, target, body, cookie string, header ...string) (*http.Response, []byte) {
	a.t.Helper()
	req, err := http.NewRequest(method, a.url+target, strings.NewReader(body))
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", a.url)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := probeClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// change POSTs or DELETEs the like of likedPage with the Cookie header given.
func (a *likesAPI) change(method, cookie string, header ...string) int {
	a.t.Helper()
	resp, _ := a.do(method, "/likes", `{"url":"`+likedPage+`"}`, cookie, header...)
	return resp.StatusCode
}

type pageState struct {
	Count int
	Liked bool
}

func (a *likesAPI) state(cookie string) pageState {
	a.t.Helper()
	resp, b := a.do("GET", "/likes?url="+likedPage, "", cookie)
	var st pageState
	if err := json.Unmarshal(b, &st); resp.StatusCode != 200 || err != nil {
		a.t.Fatalf("GET likes: %d %q", resp.StatusCode, b)
	}
	return st
}

func (a *likesAPI) count() int               { a.t.Helper(); return a.state("").Count }
func (a *likesAPI) likes(cookie string) bool { a.t.Helper(); return a.state(cookie).Liked }

// likeAsNewReader likes the page without a token and returns the reader the site
// issued one to.
func (a *likesAPI) likeAsNewReader() reader {
	a.t.Helper()
	resp, b := a.do("POST", "/likes", `{"url":"`+likedPage+`"}`, "")
	for _, c := range resp.Cookies() {
		if c.Name == "likes_token" && resp.StatusCode == 200 {
			return a.issued(c.Value)
		}
	}
	a.t.Fatalf("a first like got no token: %d %q", resp.StatusCode, b)
	return reader{}
}

// issued reads the reader id out of a token the site issued.
func (a *likesAPI) issued(token string) reader {
	a.t.Helper()
	parts := strings.Split(token, ".")
	var c struct{ Sub string }
	if b, err := base64.RawURLEncoding.DecodeString(parts[1]); err != nil || json.Unmarshal(b, &c) != nil || c.Sub == "" {
		a.t.Fatalf("issued token %q has no subject", token)
	}
	return reader{id: c.Sub, cookie: "likes_token=" + token}
}

func newReaderID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// forgeKeys are an attacker's keys and the site's issuer.
type forgeKeys struct {
	t      *testing.T
	issuer string
	rsa    *rsa.PrivateKey
	ec     *ecdsa.PrivateKey
	ed     ed25519.PrivateKey
	rsaPEM []byte // the RSA public key, PEM: the key-confusion secret
}

func newForgeKeys(t *testing.T, issuer string) *forgeKeys {
	k := &forgeKeys{t: t, issuer: issuer}
	var err error
	if k.rsa, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	if k.ec, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	if _, k.ed, err = ed25519.GenerateKey(rand.Reader); err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&k.rsa.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	k.rsaPEM = pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	return k
}

// claims are the claims the site issues, for reader sub.
func (k *forgeKeys) claims(sub string) jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{"iss": k.issuer, "sub": sub, "iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix()}
}

func (k *forgeKeys) with(sub string, edit func(jwt.MapClaims)) jwt.MapClaims {
	c := k.claims(sub)
	edit(c)
	return c
}

// sign signs claims with a method and key, with extra header parameters (name, value).
func (k *forgeKeys) sign(m jwt.SigningMethod, key any, c jwt.MapClaims, header ...any) string {
	tok := jwt.NewWithClaims(m, c)
	for i := 0; i+1 < len(header); i += 2 {
		tok.Header[header[i].(string)] = header[i+1]
	}
	s, err := tok.SignedString(key)
	if err != nil {
		k.t.Fatal(err)
	}
	return s
}

// raw builds a token from any header and claims, its signature HMAC-SHA256 under key
// (none when key is nil), for what the library refuses to sign.
func raw(header map[string]any, c jwt.MapClaims, key []byte) string {
	h, _ := json.Marshal(header)
	p, _ := json.Marshal(c)
	input := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(p)
	if key == nil {
		return input + "."
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// forgery is a Cookie header carrying a forged token for a reader id.
type forgery struct {
	name   string
	cookie func(sub string) string
}

func tokenCookie(name string, token func(sub string) string) forgery {
	return forgery{name, func(sub string) string { return "likes_token=" + token(sub) }}
}

// forgeries are tokens the site must refuse: other algorithms and keys, tampering,
// claims it checks, malformed encodings and header parameters it must not follow.
func forgeries(k *forgeKeys) []forgery {
	secret := []byte(jwtSecret)
	hs := func(c jwt.MapClaims, header ...any) string {
		return k.sign(jwt.SigningMethodHS256, secret, c, header...)
	}
	edit := func(name string, f func(jwt.MapClaims)) forgery {
		return tokenCookie(name, func(sub string) string { return hs(k.with(sub, f)) })
	}
	now := time.Now()
	out := []forgery{
		tokenCookie("alg none", func(sub string) string { return raw(map[string]any{"alg": "none", "typ": "JWT"}, k.claims(sub), nil) }),
		tokenCookie("alg None", func(sub string) string { return raw(map[string]any{"alg": "None"}, k.claims(sub), nil) }),
		tokenCookie("alg NONE, HS256 signature", func(sub string) string { return raw(map[string]any{"alg": "NONE"}, k.claims(sub), secret) }),
		tokenCookie("alg none, a valid token's signature kept", func(sub string) string {
			valid := strings.Split(hs(k.claims(sub)), ".")
			return strings.TrimSuffix(raw(map[string]any{"alg": "none"}, k.claims(sub), nil), ".") + "." + valid[2]
		}),
		tokenCookie("alg HS256 with a NUL", func(sub string) string { return raw(map[string]any{"alg": "HS256\x00"}, k.claims(sub), secret) }),
		tokenCookie("HS384 with the secret", func(sub string) string { return k.sign(jwt.SigningMethodHS384, secret, k.claims(sub)) }),
		tokenCookie("HS512 with the secret", func(sub string) string { return k.sign(jwt.SigningMethodHS512, secret, k.claims(sub)) }),
		tokenCookie("RS256, another key", func(sub string) string { return k.sign(jwt.SigningMethodRS256, k.rsa, k.claims(sub)) }),
		tokenCookie("PS256, another key", func(sub string) string { return k.sign(jwt.SigningMethodPS256, k.rsa, k.claims(sub)) }),
		tokenCookie("ES256, another key", func(sub string) string { return k.sign(jwt.SigningMethodES256, k.ec, k.claims(sub)) }),
		tokenCookie("EdDSA, another key", func(sub string) string { return k.sign(jwt.SigningMethodEdDSA, k.ed, k.claims(sub)) }),
		tokenCookie("HS256 keyed with an RSA public key (key confusion)", func(sub string) string {
			return k.sign(jwt.SigningMethodHS256, k.rsaPEM, k.claims(sub))
		}),
		tokenCookie("alg RS256, HMAC under an RSA public key", func(sub string) string {
			return raw(map[string]any{"alg": "RS256"}, k.claims(sub), k.rsaPEM)
		}),
		tokenCookie("HS256, another secret", func(sub string) string {
			return k.sign(jwt.SigningMethodHS256, []byte("not-the-secret"), k.claims(sub))
		}),
		tokenCookie("HS256, empty secret", func(sub string) string { return raw(map[string]any{"alg": "HS256"}, k.claims(sub), []byte{}) }),
		tokenCookie("HS256, half the secret", func(sub string) string { return k.sign(jwt.SigningMethodHS256, secret[:len(secret)/2], k.claims(sub)) }),
		tokenCookie("HS256, secret and a newline", func(sub string) string {
			return k.sign(jwt.SigningMethodHS256, append([]byte(jwtSecret), '\n'), k.claims(sub))
		}),
		edit("expired an hour ago", func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Hour).Unix() }),
		edit("expired beyond the leeway", func(c jwt.MapClaims) { c["exp"] = now.Add(-2 * time.Minute).Unix() }),
		edit("nbf in an hour", func(c jwt.MapClaims) { c["nbf"] = now.Add(time.Hour).Unix() }),
		edit("iat in an hour", func(c jwt.MapClaims) { c["iat"] = now.Add(time.Hour).Unix() }),
		edit("no exp", func(c jwt.MapClaims) { delete(c, "exp") }),
		edit("another issuer", func(c jwt.MapClaims) { c["iss"] = "https://evil.example" }),
		edit("issuer with a trailing slash", func(c jwt.MapClaims) { c["iss"] = k.issuer + "/" }),
		edit("no issuer", func(c jwt.MapClaims) { delete(c, "iss") }),
		edit("no subject", func(c jwt.MapClaims) { delete(c, "sub") }),
		edit("subject not a reader id", func(c jwt.MapClaims) { c["sub"] = "../../admin" }),
		edit("subject upper-case", func(c jwt.MapClaims) { c["sub"] = strings.ToUpper(c["sub"].(string)) }),
		edit("subject a list", func(c jwt.MapClaims) { c["sub"] = []string{c["sub"].(string)} }),
		edit("claims too long (over 4 KiB)", func(c jwt.MapClaims) { c["pad"] = strings.Repeat("x", 5000) }),
		tokenCookie("crit header", func(sub string) string { return hs(k.claims(sub), "crit", []string{"exp"}, "exp", 1) }),
		tokenCookie("empty crit header", func(sub string) string { return hs(k.claims(sub), "crit", []string{}) }),
		tokenCookie("kid pointing at /dev/null, empty key", func(sub string) string {
			return raw(map[string]any{"alg": "HS256", "kid": "../../../../../../dev/null"}, k.claims(sub), []byte{})
		}),
		tokenCookie("kid SQL injection", func(sub string) string {
			return raw(map[string]any{"alg": "HS256", "kid": "x' UNION SELECT 'k"}, k.claims(sub), []byte("k"))
		}),
		tokenCookie("jku to the attacker's keys", func(sub string) string {
			return k.sign(jwt.SigningMethodRS256, k.rsa, k.claims(sub), "jku", "http://127.0.0.1:1/jwks.json", "kid", "a")
		}),
		tokenCookie("x5u to the attacker's certificate", func(sub string) string {
			return k.sign(jwt.SigningMethodRS256, k.rsa, k.claims(sub), "x5u", "http://127.0.0.1:1/cert.pem")
		}),
		tokenCookie("embedded jwk", func(sub string) string {
			n := base64.RawURLEncoding.EncodeToString(k.rsa.N.Bytes())
			return k.sign(jwt.SigningMethodRS256, k.rsa, k.claims(sub), "jwk", map[string]string{"kty": "RSA", "e": "AQAB", "n": n})
		}),
	}
	return append(out, tampered(k, hs)...)
}

// tampered are valid tokens (signed with the secret) changed afterwards.
func tampered(k *forgeKeys, hs func(jwt.MapClaims, ...any) string) []forgery {
	parts := func(sub string) []string { return strings.Split(hs(k.claims(sub)), ".") }
	return []forgery{
		tokenCookie("empty signature", func(sub string) string { p := parts(sub); return p[0] + "." + p[1] + "." }),
		tokenCookie("no signature segment", func(sub string) string { p := parts(sub); return p[0] + "." + p[1] }),
		tokenCookie("another token's signature", func(sub string) string {
			p := parts(sub)
			return p[0] + "." + p[1] + "." + parts(newReaderID())[2]
		}),
		tokenCookie("signature flipped", func(sub string) string {
			p := parts(sub)
			sig := []byte(p[2])
			sig[5] ^= 1
			return p[0] + "." + p[1] + "." + string(sig)
		}),
		tokenCookie("truncated", func(sub string) string { t := hs(k.claims(sub)); return t[:len(t)-6] }),
		tokenCookie("bad base64", func(sub string) string { p := parts(sub); return p[0] + ".!!" + p[1][2:] + "." + p[2] }),
		tokenCookie("extra segment", func(sub string) string { return hs(k.claims(sub)) + ".e30" }),
		tokenCookie("five segments (JWE shape)", func(sub string) string { p := parts(sub); return p[0] + ".." + p[1] + ".." + p[2] }),
		tokenCookie("quoted cookie value, another secret", func(sub string) string {
			return `"` + k.sign(jwt.SigningMethodHS256, []byte("x"), k.claims(sub)) + `"`
		}),
		{"forged cookie before a valid one", func(sub string) string {
			return "likes_token=" + k.sign(jwt.SigningMethodHS256, []byte("x"), k.claims(sub)) + "; likes_token=" + hs(k.claims(newReaderID()))
		}},
	}
}

// misplacedToken is a forged token for a reader sent somewhere other than the
// likes_token cookie.
type misplacedToken struct {
	name, cookie string
	header       []string
}

// misplaced puts forged tokens for the reader where the site does not look: they
// must change nothing (the request is a reader without a token).
func misplaced(k *forgeKeys, victim reader) []misplacedToken {
	forged := k.sign(jwt.SigningMethodHS256, []byte("x"), k.claims(victim.id))
	none := raw(map[string]any{"alg": "none"}, k.claims(victim.id), nil)
	return []misplacedToken{
		{name: "cookie Likes_Token", cookie: "Likes_Token=" + forged},
		{name: "cookie likes_token2", cookie: "likes_token2=" + none},
		{name: "cookie __Host-likes_token", cookie: "__Host-likes_token=" + none},
		{name: "Authorization: Bearer", header: []string{"Authorization", "Bearer " + none}},
		{name: "X-Likes-Token header", header: []string{"X-Likes-Token", forged}},
	}
}
