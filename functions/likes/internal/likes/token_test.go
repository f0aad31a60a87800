package likes

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var t0 = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

func testTokens(now *time.Time, secrets ...string) *Tokens {
	t := &Tokens{Issuer: "http://127.0.0.1:3000", Now: func() time.Time { return *now }}
	for _, s := range secrets {
		t.Secrets = append(t.Secrets, []byte(s))
	}
	return t
}

const reader = "0123456789abcdef0123456789abcdef"

func claimsAt(now time.Time, iss string) jwt.RegisteredClaims {
	return jwt.RegisteredClaims{
		Subject: reader, Issuer: iss,
		IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)),
	}
}

func TestTokenRoundTrip(t *testing.T) {
	now := t0
	tk := testTokens(&now, "s3cret")
	id, err := tk.NewReaderID()
	if err != nil || !isReaderID(id) {
		t.Fatalf("reader id %q %v", id, err)
	}
	tok, err := tk.Issue(id)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := tk.Verify(tok); err != nil || got != id {
		t.Fatalf("verify: %q %v", got, err)
	}
	// header pins HS256, and is the one Verify checks without jwt's parser
	hdr, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
	if !strings.Contains(string(hdr), `"HS256"`) {
		t.Errorf("header %s", hdr)
	}
	if !strings.HasPrefix(tok, issuedHeader+".") {
		t.Errorf("issued token %q does not start with issuedHeader %q", tok, issuedHeader)
	}
	// expiry: fine just before TTL (+leeway), rejected after
	now = t0.Add(TokenTTL + TokenLeeway - time.Second)
	if _, err := tk.Verify(tok); err != nil {
		t.Errorf("within leeway: %v", err)
	}
	now = t0.Add(TokenTTL + TokenLeeway + time.Second)
	if _, err := tk.Verify(tok); !errors.Is(err, ErrBadToken) {
		t.Errorf("expired accepted: %v", err)
	}
	// not yet valid (nbf/iat in the future beyond leeway)
	now = t0.Add(-time.Minute)
	if _, err := tk.Verify(tok); !errors.Is(err, ErrBadToken) {
		t.Errorf("future token accepted: %v", err)
	}
}

func TestTokenRejections(t *testing.T) {
	now := t0
	tk := testTokens(&now, "s3cret")
	good, _ := tk.Issue(reader)
	parts := strings.Split(good, ".")

	none, err := jwt.NewWithClaims(jwt.SigningMethodNone, claimsAt(now, tk.Issuer)).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	hs384, _ := jwt.NewWithClaims(jwt.SigningMethodHS384, claimsAt(now, tk.Issuer)).SignedString([]byte("s3cret"))
	hs512, _ := jwt.NewWithClaims(jwt.SigningMethodHS512, claimsAt(now, tk.Issuer)).SignedString([]byte("s3cret"))
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rs256, _ := jwt.NewWithClaims(jwt.SigningMethodRS256, claimsAt(now, tk.Issuer)).SignedString(key)
	wrongIss, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, claimsAt(now, "https://evil.example")).SignedString([]byte("s3cret"))
	noIss, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, claimsAt(now, "")).SignedString([]byte("s3cret"))
	noExp := claimsAt(now, tk.Issuer)
	noExp.ExpiresAt = nil
	noExpTok, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, noExp).SignedString([]byte("s3cret"))
	badSub := claimsAt(now, tk.Issuer)
	badSub.Subject = "../../etc"
	badSubTok, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, badSub).SignedString([]byte("s3cret"))
	otherSecret, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, claimsAt(now, tk.Issuer)).SignedString([]byte("other"))
	// tampered payload: another subject with the original signature
	forged := claimsAt(now, tk.Issuer)
	forged.Subject = "ffffffffffffffffffffffffffffffff"
	forgedTok, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, forged).SignedString([]byte("x"))
	tampered := parts[0] + "." + strings.Split(forgedTok, ".")[1] + "." + parts[2]
	// alg none header with a valid HS256 signature stripped
	noneHdr := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	noneMixed := noneHdr + "." + parts[1] + "."
	// correctly signed under the secret, but naming critical extensions (RFC 7515 §4.1.11)
	critical := jwt.NewWithClaims(jwt.SigningMethodHS256, claimsAt(now, tk.Issuer))
	critical.Header["crit"] = []string{"exp"}
	critTok, _ := critical.SignedString([]byte("s3cret"))
	emptyCrit := jwt.NewWithClaims(jwt.SigningMethodHS256, claimsAt(now, tk.Issuer))
	emptyCrit.Header["crit"] = []string{}
	emptyCritTok, _ := emptyCrit.SignedString([]byte("s3cret"))
	// an algorithm no library knows, correctly "signed" with HS256 bytes
	unknownHdr := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS999","typ":"JWT"}`))
	unknownAlg := unknownHdr + "." + parts[1] + "." + parts[2]
	// the same signature spelt another way: the last character of a 32-byte signature
	// carries 2 bits that decoding ignores unless strict (found by FuzzVerify)
	sig := parts[2]
	last := strings.IndexByte(base64url, sig[len(sig)-1])
	respelt := parts[0] + "." + parts[1] + "." + sig[:len(sig)-1] + string(base64url[last^1])

	for name, tok := range map[string]string{
		"alg none": none, "none header": noneMixed, "HS384": hs384, "HS512": hs512, "RS256": rs256,
		"wrong issuer": wrongIss, "no issuer": noIss, "no exp": noExpTok, "bad subject": badSubTok,
		"other secret": otherSecret, "tampered": tampered, "sig flipped": good[:len(good)-2] + "AA",
		"malformed": "not.a.jwt", "empty": "", "two parts": parts[0] + "." + parts[1], "long": strings.Repeat("a", 5000),
		"crit": critTok, "empty crit": emptyCritTok, "unknown alg": unknownAlg, "respelt signature": respelt,
	} {
		if _, err := tk.Verify(tok); !errors.Is(err, ErrBadToken) {
			t.Errorf("%s: accepted (%v)", name, err)
		}
	}
}

// base64url is the alphabet of RFC 4648 §5, in value order.
const base64url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

func TestTokenRotation(t *testing.T) {
	now := t0
	old := testTokens(&now, "old-secret")
	oldTok, _ := old.Issue(reader)
	rotated := testTokens(&now, "new-secret", "old-secret")
	if id, err := rotated.Verify(oldTok); err != nil || id != reader {
		t.Fatalf("old token after rotation: %v", err)
	}
	newTok, _ := rotated.Issue(reader)
	if _, err := old.Verify(newTok); err == nil {
		t.Error("new token verified with old secret only: first secret must sign")
	}
	if _, err := testTokens(&now, "new-secret").Verify(newTok); err != nil {
		t.Errorf("new token: %v", err)
	}
	if _, err := testTokens(&now, "new-secret").Verify(oldTok); err == nil {
		t.Error("retired secret still verifies")
	}
}

// signPayload signs a claims set given as JSON text with HS256 under secret.
func signPayload(t *testing.T, payload, secret string) string {
	t.Helper()
	enc := base64.RawURLEncoding
	text := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString([]byte(payload))
	sig, err := jwt.SigningMethodHS256.Sign(text, []byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return text + "." + enc.EncodeToString(sig)
}

// TestTokenDates: dates are read as jwt.NumericDate reads them (seconds, fractions
// allowed, checked with TokenLeeway), except that a date in a string is refused.
func TestTokenDates(t *testing.T) {
	now := t0
	tk := testTokens(&now, "s3cret")
	at := func(d time.Duration) string {
		return strconv.FormatFloat(float64(now.Add(d).UnixMilli())/1000, 'f', 3, 64)
	}
	claims := func(iat, nbf, exp, extra string) string {
		return `{"iss":"` + tk.Issuer + `","sub":"` + reader + `","iat":` + iat + `,"nbf":` + nbf + `,"exp":` + exp + extra + `}`
	}
	for _, c := range []struct {
		name, payload string
		ok            bool
	}{
		{"fractional dates", claims(at(-1500*time.Millisecond), at(-time.Second), at(time.Hour), ""), true},
		{"audience string", claims(at(0), at(0), at(time.Hour), `,"aud":"x"`), true},
		{"audience list", claims(at(0), at(0), at(time.Hour), `,"aud":["x","y"]`), true},
		{"expired beyond leeway", claims(at(-time.Hour), at(-time.Hour), at(-TokenLeeway-500*time.Millisecond), ""), false},
		{"expired within leeway", claims(at(-time.Hour), at(-time.Hour), at(-TokenLeeway+1500*time.Millisecond), ""), true},
		{"not yet valid", claims(at(0), at(TokenLeeway+time.Second), at(time.Hour), ""), false},
		{"issued in the future", claims(at(TokenLeeway+time.Second), at(0), at(time.Hour), ""), false},
		{"date in a string", claims(at(0), at(0), `"`+at(time.Hour)+`"`, ""), false},
		{"date not a number", claims(at(0), at(0), `true`, ""), false},
		{"null exp", claims(at(0), at(0), `null`, ""), false},
	} {
		_, err := tk.Verify(signPayload(t, c.payload, "s3cret"))
		if ok := err == nil; ok != c.ok {
			t.Errorf("%s: verified = %v, want %v (%v)", c.name, ok, c.ok, err)
		}
	}
}

func TestIsReaderID(t *testing.T) {
	for s, want := range map[string]bool{
		reader: true, strings.Repeat("f", 32): true,
		strings.Repeat("F", 32): false, strings.Repeat("g", 32): false, reader[:31]: false, reader + "0": false,
		"": false, "../../etc/passwd/0123456789abcdef": false, reader[:31] + "\n": false,
	} {
		if got := isReaderID(s); got != want {
			t.Errorf("isReaderID(%q) = %v", s, got)
		}
	}
}
