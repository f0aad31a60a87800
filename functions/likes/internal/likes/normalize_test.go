package likes

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	site, _ := url.Parse("http://127.0.0.1:3000")
	for _, tc := range []struct {
		in, want string
		err      error
	}{
		{"/blog/x/", "/blog/x/", nil},
		{"/blog/x", "/blog/x/", nil},
		{"/blog/x/index.html", "/blog/x/", nil},
		{"/blog/x/?utm=1#top", "/blog/x/", nil},
		{"/blog//x/./", "/blog/x/", nil},
		{"/blog/y/../x", "/blog/x/", nil},
		{"/", "/", nil},
		{"/index.html", "/", nil},
		{"/feed.xml", "/feed.xml", nil},
		{"/about.html", "/about.html", nil},
		{"http://127.0.0.1:3000/blog/x", "/blog/x/", nil},
		{"HTTP://127.0.0.1:3000/blog/x/index.html?q", "/blog/x/", nil},
		{"http://127.0.0.1:3000", "/", nil},
		{"/blog/caf%C3%A9/", "/blog/café/", nil},
		{"https://127.0.0.1:3000/blog/x", "", ErrForeignURL},
		{"http://evil.example/blog/x", "", ErrForeignURL},
		{"//evil.example/blog/x", "", ErrForeignURL},
		{"http://127.0.0.1:3001/blog/x", "", ErrForeignURL},
		{"http://user@127.0.0.1:3000/blog/x", "", ErrForeignURL},
		{"javascript:alert(1)", "", ErrForeignURL},
		{"blog/x", "", ErrBadURL},
		{"", "", ErrBadURL},
		{"/a\x00b", "", ErrBadURL},
		{"/a%00b", "", ErrBadURL},
		{"/a\\b", "", ErrBadURL},
		{"/" + strings.Repeat("a", MaxURLLength), "", ErrURLTooLong},
	} {
		got, err := Normalize(site, tc.in)
		if !errors.Is(err, tc.err) || got != tc.want {
			t.Errorf("Normalize(%q) = %q, %v; want %q, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
	https, _ := url.Parse("https://example.com")
	if got, err := Normalize(https, "https://EXAMPLE.com:443/x"); err != nil || got != "/x/" {
		t.Errorf("default port: %q %v", got, err)
	}
	if _, err := Normalize(https, "/"+strings.Repeat("a", MaxURLLength-1)); err != nil {
		t.Errorf("2048 bytes rejected: %v", err)
	}
}

func TestOrigin(t *testing.T) {
	for in, want := range map[string]string{
		"http://Example.com:80/x": "http://example.com", "https://a.b:443": "https://a.b",
		"http://127.0.0.1:3000/": "http://127.0.0.1:3000", "http://[::1]:8080/": "http://[::1]:8080",
	} {
		u, _ := url.Parse(in)
		if got := Origin(u); got != want {
			t.Errorf("Origin(%s) = %s", in, got)
		}
	}
}
