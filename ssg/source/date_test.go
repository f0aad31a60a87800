package source

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	for in, want := range map[string]string{
		"2022-06-5":                 "2022-06-05T00:00:00Z",
		"2022-6-05":                 "2022-06-05T00:00:00Z",
		"2022-06-05":                "2022-06-05T00:00:00Z",
		"2022-06-05T10:11:12Z":      "2022-06-05T10:11:12Z",
		"2022-06-05T10:00:00+02:00": "2022-06-05T08:00:00Z",
	} {
		got, err := ParseDate(in)
		if err != nil || got.Format(time.RFC3339) != want {
			t.Errorf("ParseDate(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"2022-13-01", "yesterday", "2022/06/05", ""} {
		if _, err := ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) succeeded", bad)
		}
	}
}
