package likes

import (
	"fmt"
	"strconv"
	"time"
)

// Window is the rate limiter's fixed window.
const Window = time.Minute

// windowSeconds is Window in seconds; a counter lives for two windows.
const windowSeconds = int64(Window / time.Second)

// A Limit allows at most Max requests per Window under Key; Max 0 means no limit.
type Limit struct {
	Key string
	Max int64
}

// RateLimiter counts state-changing requests per key in fixed one-minute windows
// (INCR rl:<key>:<window>, and EXPIRE when the counter is new).
type RateLimiter struct {
	Store Store
	Now   func() time.Time
	// Scripts makes all the counts of a request one round trip (rateScript); Store must
	// run Lua (a real Redis).
	Scripts bool
}

// Allow counts one request against each limit in order, stopping at the first one it
// exceeds: ok is then false, and retryAfter the seconds until the window ends. Errors
// wrap errStore.
func (l *RateLimiter) Allow(limits ...Limit) (ok bool, retryAfter int64, err error) {
	now := time.Now()
	if l.Now != nil {
		now = l.Now()
	}
	window := now.Unix() / windowSeconds
	var keys []string
	var maxes []int64
	for _, lim := range limits {
		if lim.Max > 0 {
			keys = append(keys, "rl:"+lim.Key+":"+strconv.FormatInt(window, 10))
			maxes = append(maxes, lim.Max)
		}
	}
	if len(keys) == 0 {
		return true, 0, nil
	}
	var counts []int64
	if l.Scripts {
		args := []any{2 * windowSeconds}
		for _, m := range maxes {
			args = append(args, m)
		}
		counts, err = rateScript.run(l.Store, keys, args...)
	} else {
		counts, err = l.count(keys, maxes)
	}
	if err != nil {
		return false, 0, err
	}
	last := len(counts) - 1
	if last >= 0 && last < len(keys) && counts[last] > maxes[last] {
		return false, (window+1)*windowSeconds - now.Unix(), nil
	}
	if len(counts) != len(keys) {
		return false, 0, storeErr("EVAL "+rateScript.name, fmt.Errorf("%d counts for %d limits", len(counts), len(keys)))
	}
	return true, 0, nil
}

// count is rateScript as commands: INCR each key (EXPIRE a new one) until one is over
// its max, and return the counts.
func (l *RateLimiter) count(keys []string, maxes []int64) ([]int64, error) {
	counts := make([]int64, 0, len(keys))
	for i, k := range keys {
		n, err := intResult(l.Store, "INCR", k)
		if err != nil {
			return nil, err
		}
		if n == 1 {
			if _, err := one(l.Store, "EXPIRE", k, 2*windowSeconds); err != nil {
				return nil, err
			}
		}
		if counts = append(counts, n); n > maxes[i] {
			break
		}
	}
	return counts, nil
}
