package likes

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TokenTTL is the lifetime of a reader token.
const TokenTTL = 365 * 24 * time.Hour

// TokenLeeway is the clock skew tolerated on exp/nbf/iat.
const TokenLeeway = 30 * time.Second

// isReaderID reports whether s is a reader id: 32 lower-case hex digits (what
// NewReaderID makes).
func isReaderID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := range len(s) {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Tokens issues and verifies reader tokens: HS256 JWTs whose subject is a random
// reader id. Secrets[0] signs; every secret verifies (rotation). The fields must not
// change after the first Verify, which keeps what it derives from them; a Tokens is
// safe for concurrent use.
type Tokens struct {
	Secrets [][]byte
	Issuer  string
	Now     func() time.Time
	Rand    io.Reader

	once   sync.Once
	verify *verifier
}

func (t *Tokens) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

// NewReaderID returns 16 random bytes in hex.
func (t *Tokens) NewReaderID() (string, error) {
	r := t.Rand
	if r == nil {
		r = rand.Reader
	}
	var b [16]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", fmt.Errorf("reader id: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// Issue signs a token for reader.
func (t *Tokens) Issue(reader string) (string, error) {
	if len(t.Secrets) == 0 || len(t.Secrets[0]) == 0 {
		return "", errors.New("no signing secret")
	}
	now := t.now()
	claims := jwt.RegisteredClaims{
		Subject:   reader,
		Issuer:    t.Issuer,
		IssuedAt:  jwt.NewNumericDate(now),
		NotBefore: jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(TokenTTL)),
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(t.Secrets[0])
}

// ErrBadToken wraps every verification failure.
var ErrBadToken = errors.New("invalid token")

// issuedHeader is the protected header of every token Issue signs, base64url-encoded as
// jwt writes it: {"alg":"HS256","typ":"JWT"}.
var issuedHeader = func() string {
	text, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{}).SigningString()
	if err != nil {
		panic(err)
	}
	header, _, _ := strings.Cut(text, ".")
	return header
}()

// verifier is what Verify needs beyond the Tokens fields, made once per Tokens.
type verifier struct {
	keys      jwt.VerificationKeySet // the non-empty secrets, for jwt's parser
	macs      []hash.Cloner          // HMAC-SHA256 keyed with each of keys, cloned per token
	parser    *jwt.Parser
	validator *jwt.Validator
}

func (t *Tokens) verifier() *verifier {
	t.once.Do(func() {
		rules := []jwt.ParserOption{
			jwt.WithIssuer(t.Issuer),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithLeeway(TokenLeeway),
			jwt.WithTimeFunc(t.now),
		}
		v := &verifier{
			validator: jwt.NewValidator(rules...),
			parser: jwt.NewParser(append(rules,
				jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
				jwt.WithStrictDecoding(), // one encoding per token: no spare bits in the last character
			)...),
		}
		for _, s := range t.Secrets {
			if len(s) > 0 {
				v.keys.Keys = append(v.keys.Keys, s)
				// Reset keeps the keyed inner and outer states, so clones skip hashing
				// the key. HMAC over SHA-256 is a hash.Cloner from Go 1.25 on.
				mac := hmac.New(sha256.New, s)
				mac.Reset()
				v.macs = append(v.macs, mac.(hash.Cloner))
			}
		}
		t.verify = v
	})
	return t.verify
}

// Verify checks a token (HS256 only, no "crit" header parameter, signature under any
// secret, issuer, exp/nbf/iat with leeway, well-formed subject, canonical base64url)
// and returns the reader id. A token naming critical extensions is rejected, as
// RFC 7515 §4.1.11 requires of a recipient that understands none. Every failure wraps
// ErrBadToken.
//
// A token with the header Issue writes is checked by verifyIssued, as jwt's parser
// would check it but without decoding that header: jwt's JSON decoding was more than
// half of a like's time in a Go guest. Any other token goes through jwt's parser.
// FuzzVerifyIssued holds the two to the same answers.
func (t *Tokens) Verify(token string) (string, error) {
	if len(token) > 4096 {
		return "", fmt.Errorf("%w: too long", ErrBadToken)
	}
	v := t.verifier()
	if len(v.macs) == 0 {
		return "", fmt.Errorf("%w: no verification secret", ErrBadToken)
	}
	var claims readerClaims
	var err error
	if header, _, _ := strings.Cut(token, "."); header == issuedHeader {
		err = v.verifyIssued(token, &claims)
	} else {
		err = v.parse(token, &claims)
	}
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrBadToken, err)
	}
	if !isReaderID(claims.Subject) {
		return "", fmt.Errorf("%w: bad subject", ErrBadToken)
	}
	return claims.Subject, nil
}

// parse checks token with jwt's parser, decoding its claims into claims.
func (v *verifier) parse(token string, claims *readerClaims) error {
	_, err := v.parser.ParseWithClaims(token, claims, v.keyFor)
	return err
}

func (v *verifier) keyFor(tok *jwt.Token) (any, error) {
	if _, ok := tok.Header["crit"]; ok {
		return nil, errors.New(`the "crit" header parameter names extensions this verifier does not support`)
	}
	return v.keys, nil
}

// segment decodes a token's segments as jwt.WithStrictDecoding does.
var segment = base64.RawURLEncoding.Strict()

// verifyIssued checks a token whose header is issuedHeader (HS256, nothing else) as
// parse would: three segments in strict base64url, an HMAC-SHA256 signature under one
// of the secrets, the claims decoded as encoding/json decodes them (plainClaims for the
// form Issue writes) and checked by jwt's validator with the same rules. Unlike jwt's
// parser, it checks the signature before decoding the claims.
func (v *verifier) verifyIssued(token string, claims *readerClaims) error {
	header, rest, _ := strings.Cut(token, ".")
	payload, signature, ok := strings.Cut(rest, ".")
	if !ok || strings.Contains(signature, ".") {
		return errors.New("token contains an invalid number of segments")
	}
	sig, err := segment.DecodeString(signature)
	if err != nil {
		return fmt.Errorf("could not base64 decode signature: %w", err)
	}
	if signed, err := v.signed(token[:len(header)+1+len(payload)], sig); !signed {
		return errors.Join(jwt.ErrTokenSignatureInvalid, err)
	}
	data, err := segment.DecodeString(payload)
	if err != nil {
		return fmt.Errorf("could not base64 decode claims: %w", err)
	}
	if !plainClaims(data, claims) {
		if err := json.Unmarshal(data, claims); err != nil {
			return fmt.Errorf("could not JSON decode claims: %w", err)
		}
	}
	return v.validator.Validate(claims)
}

// signed reports whether sig is text's HMAC-SHA256 under one of the secrets.
func (v *verifier) signed(text string, sig []byte) (bool, error) {
	var sum [sha256.Size]byte
	for _, keyed := range v.macs {
		mac, err := keyed.Clone()
		if err != nil {
			return false, err
		}
		mac.Write([]byte(text))
		if hmac.Equal(sig, mac.Sum(sum[:0])) {
			return true, nil
		}
	}
	return false, nil
}
