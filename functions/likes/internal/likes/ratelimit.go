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
}

// Allow counts one request against each limit in order, stopping at the first one it
// exceeds: ok is then false, and retryAfter the seconds until the window ends. Errors
// wrap errStore. (changeScript does the same counting in its round trip.)
func (l *RateLimiter) Allow(limits ...Limit) (ok bool, retryAfter int64, err error) {
	c := l.counting(limits)
	counts, err := c.byCommands(l.Store)
	if err != nil {
		return false, 0, err
	}
	return c.verdict(counts)
}

// counting is one request's count against its limits: the counters of the current
// window, in order, and their limits.
type counting struct {
	keys       []string
	maxes      []int64
	retryAfter int64 // seconds until the window ends
}

// counting returns the counters of limits (those with a Max) in the current window.
func (l *RateLimiter) counting(limits []Limit) counting {
	now := time.Now()
	if l.Now != nil {
		now = l.Now()
	}
	window := now.Unix() / windowSeconds
	c := counting{retryAfter: (window+1)*windowSeconds - now.Unix()}
	for _, lim := range limits {
		if lim.Max > 0 {
			c.keys = append(c.keys, "rl:"+lim.Key+":"+strconv.FormatInt(window, 10))
			c.maxes = append(c.maxes, lim.Max)
		}
	}
	return c
}

// byCommands counts with INCR (and EXPIRE for a new counter) until a counter is over
// its limit, and returns the counts.
func (c counting) byCommands(st Store) ([]int64, error) {
	counts := make([]int64, 0, len(c.keys))
	for i, k := range c.keys {
		n, err := intResult(st, "INCR", k)
		if err != nil {
			return nil, err
		}
		if n == 1 {
			if _, err := one(st, "EXPIRE", k, 2*windowSeconds); err != nil {
				return nil, err
			}
		}
		if counts = append(counts, n); n > c.maxes[i] {
			break
		}
	}
	return counts, nil
}

// scriptArgs are the counting's arguments to changeScript: a new counter's lifetime in
// seconds, then each counter's limit.
func (c counting) scriptArgs() []any {
	args := make([]any, 0, 1+len(c.maxes))
	args = append(args, 2*windowSeconds)
	for _, m := range c.maxes {
		args = append(args, m)
	}
	return args
}

// verdict judges the counts made, which stop at the first counter over its limit.
func (c counting) verdict(counts []int64) (ok bool, retryAfter int64, err error) {
	last := len(counts) - 1
	if last >= 0 && last < len(c.keys) && counts[last] > c.maxes[last] {
		return false, c.retryAfter, nil
	}
	if len(counts) != len(c.keys) {
		return false, 0, storeErr("rate limits", fmt.Errorf("%d counts for %d limits", len(counts), len(c.keys)))
	}
	return true, 0, nil
}
