package main

import (
	"io/fs"
	"net/url"
	"strings"
	"testing"
)

// FuzzCleanPath: whatever the request path, an accepted name is a valid fs.FS name
// without "..", backslashes or NUL, and decoding the raw path once gives a path that
// cleans to it; nothing escapes the root.
func FuzzCleanPath(f *testing.F) {
	for _, s := range []string{"", "/", "/index.html", "/blog/x/", "/../etc/passwd", "/%2e%2e/x", "/a%2fb",
		"/a\\b", "/%00", "..", "/blog//x/./", "/%252e%252e/", "/%zz", "//x", "/a/../b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		name, dirSlash, err := CleanPath(raw)
		if err != nil {
			if name != "" || dirSlash {
				t.Fatalf("rejected %q but returned %q %v", raw, name, dirSlash)
			}
			return
		}
		if name != "" && !fs.ValidPath(name) {
			t.Fatalf("%q → invalid name %q", raw, name)
		}
		if hasDotDot(name) || strings.ContainsAny(name, "\\\x00") {
			t.Fatalf("%q → unsafe name %q", raw, name)
		}
		dec, derr := url.PathUnescape(raw)
		if derr != nil {
			t.Fatalf("%q accepted though it does not decode", raw)
		}
		if dirSlash != (dec == "" || strings.HasSuffix(dec, "/")) {
			t.Fatalf("%q: dirSlash %v", raw, dirSlash)
		}
	})
}
