package source

import (
	"fmt"
	"strings"
	"time"

	toml "github.com/pelletier/go-toml/v2"
)

// dateLayouts are the date formats ParseDate accepts, tried in order.
var dateLayouts = []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-1-2"}

// toTime converts a decoded front-matter value to a date in UTC: a TOML or
// YAML date or date-time, or a string ParseDate accepts.
func toTime(v any) (time.Time, error) {
	switch x := v.(type) {
	case time.Time:
		return x.UTC(), nil
	case toml.LocalDate:
		return time.Date(x.Year, time.Month(x.Month), x.Day, 0, 0, 0, 0, time.UTC), nil
	case toml.LocalDateTime:
		return x.AsTime(time.UTC), nil
	case string:
		return ParseDate(x)
	}
	return time.Time{}, fmt.Errorf("expected a date, got %v", v)
}

// ParseDate accepts RFC 3339, YYYY-MM-DD and the non-padded YYYY-M-D.
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("invalid date %q (want YYYY-MM-DD, YYYY-M-D or RFC 3339)", s)
}
