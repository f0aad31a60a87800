package likes

import (
	"math"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// readerClaims are the claims Verify reads from a token: jwt.RegisteredClaims' names
// and meaning, with the dates decoded as plain JSON numbers. (jwt.NumericDate decodes
// each date with a json.Unmarshal of its own, a sixth of a verification's time; a Go
// guest pays that on every like.) A date that is not a JSON number is an error here;
// NumericDate also accepts a number in a string, which no token Issue signs has.
type readerClaims struct {
	Issuer    string           `json:"iss"`
	Subject   string           `json:"sub"`
	Audience  jwt.ClaimStrings `json:"aud"`
	ExpiresAt *float64         `json:"exp"`
	NotBefore *float64         `json:"nbf"`
	IssuedAt  *float64         `json:"iat"`

	// dates hold what the date getters return, so that jwt's validator asking for them
	// allocates nothing.
	dates [3]jwt.NumericDate
}

// date is seconds (since the Unix epoch, fractions allowed) as jwt reads them, kept in
// c.dates[i]; nil when the claim is absent.
func (c *readerClaims) date(i int, seconds *float64) *jwt.NumericDate {
	if seconds == nil {
		return nil
	}
	whole, frac := math.Modf(*seconds)
	c.dates[i] = jwt.NumericDate{Time: time.Unix(int64(whole), int64(frac*1e9)).Truncate(jwt.TimePrecision)}
	return &c.dates[i]
}

func (c *readerClaims) GetExpirationTime() (*jwt.NumericDate, error) {
	return c.date(0, c.ExpiresAt), nil
}
func (c *readerClaims) GetNotBefore() (*jwt.NumericDate, error) { return c.date(1, c.NotBefore), nil }
func (c *readerClaims) GetIssuedAt() (*jwt.NumericDate, error)  { return c.date(2, c.IssuedAt), nil }
func (c *readerClaims) GetIssuer() (string, error)              { return c.Issuer, nil }
func (c *readerClaims) GetSubject() (string, error)             { return c.Subject, nil }
func (c *readerClaims) GetAudience() (jwt.ClaimStrings, error)  { return c.Audience, nil }
