package likes

import (
	"strconv"
	"time"
)

// Window is the rate limiter's fixed window.
const Window = time.Minute

// RateLimiter counts state-changing requests per key in fixed one-minute windows
// (INCR rl:<key>:<window> + EXPIRE).
type RateLimiter struct {
	Store Store
	Now   func() time.Time
}

// Allow counts one request for key against limit and returns whether it is allowed and,
// if not, the seconds until the window ends.
func (l *RateLimiter) Allow(key string, limit int64) (ok bool, retryAfter int64, err error) {
	if limit <= 0 {
		return true, 0, nil
	}
	now := time.Now()
	if l.Now != nil {
		now = l.Now()
	}
	w := now.Unix() / int64(Window/time.Second)
	k := "rl:" + key + ":" + strconv.FormatInt(w, 10)
	n, err := intResult(l.Store, "INCR", k)
	if err != nil {
		return false, 0, err
	}
	if n == 1 {
		if _, err := one(l.Store, "EXPIRE", k, int64(2*Window/time.Second)); err != nil {
			return false, 0, err
		}
	}
	if n > limit {
		return false, (w+1)*int64(Window/time.Second) - now.Unix(), nil
	}
	return true, 0, nil
}
