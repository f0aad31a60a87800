package likes

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
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
// reader id. Secrets[0] signs; every secret verifies (rotation).
type Tokens struct {
	Secrets [][]byte
	Issuer  string
	Now     func() time.Time
	Rand    io.Reader
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

// Verify checks a token (HS256 only, no "crit" header parameter, signature under any
// secret, issuer, exp/nbf/iat with leeway, well-formed subject, canonical base64url)
// and returns the reader id. A token naming critical extensions is rejected, as RFC 7515 §4.1.11 requires of a
// recipient that understands none.
func (t *Tokens) Verify(token string) (string, error) {
	if len(token) > 4096 {
		return "", fmt.Errorf("%w: too long", ErrBadToken)
	}
	keys := jwt.VerificationKeySet{}
	for _, s := range t.Secrets {
		if len(s) > 0 {
			keys.Keys = append(keys.Keys, s)
		}
	}
	if len(keys.Keys) == 0 {
		return "", fmt.Errorf("%w: no verification secret", ErrBadToken)
	}
	var claims readerClaims
	keyFor := func(tok *jwt.Token) (any, error) {
		if _, ok := tok.Header["crit"]; ok {
			return nil, errors.New(`the "crit" header parameter names extensions this verifier does not support`)
		}
		return keys, nil
	}
	_, err := jwt.ParseWithClaims(token, &claims, keyFor,
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(t.Issuer),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(TokenLeeway),
		jwt.WithTimeFunc(t.now),
		jwt.WithStrictDecoding(), // one encoding per token: no spare bits in the last character
	)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrBadToken, err)
	}
	if !isReaderID(claims.Subject) {
		return "", fmt.Errorf("%w: bad subject", ErrBadToken)
	}
	return claims.Subject, nil
}
