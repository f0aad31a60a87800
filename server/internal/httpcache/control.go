package httpcache

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// directives are the parsed Cache-Control directives of a message (RFC 9111 §5.2):
// names lower-cased, values unquoted ("" for none).
type directives map[string]string

func parseCacheControl(h http.Header) directives {
	d := directives{}
	for _, line := range h.Values("Cache-Control") {
		for item := range strings.SplitSeq(line, ",") {
			name, value, _ := strings.Cut(strings.TrimSpace(item), "=")
			name = strings.ToLower(strings.TrimSpace(name))
			if name == "" {
				continue
			}
			d[name] = strings.Trim(strings.TrimSpace(value), `"`)
		}
	}
	return d
}

func (d directives) has(name string) bool { _, ok := d[name]; return ok }

// seconds returns a delta-seconds directive's value, and whether it is present and valid.
func (d directives) seconds(name string) (time.Duration, bool) {
	v, ok := d[name]
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	return time.Duration(n) * time.Second, true
}

// freshnessLifetime is how long a shared cache may serve a response without asking
// (RFC 9111 §4.2.1): s-maxage, else max-age, else Expires minus Date. ok is false when
// the response gives none (no heuristic freshness here).
func freshnessLifetime(cc directives, h http.Header) (time.Duration, bool) {
	if d, ok := cc.seconds("s-maxage"); ok {
		return d, true
	}
	if d, ok := cc.seconds("max-age"); ok {
		return d, true
	}
	exp, err := http.ParseTime(h.Get("Expires"))
	if err != nil {
		return 0, h.Get("Expires") != "" // an invalid Expires means already expired
	}
	date, err := http.ParseTime(h.Get("Date"))
	if err != nil {
		return 0, false
	}
	return max(0, exp.Sub(date)), true
}
