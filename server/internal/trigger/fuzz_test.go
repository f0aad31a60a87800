package trigger

import (
	"testing"
	"unicode/utf8"
)

// FuzzParseCGI: any module output parses to an error or a response whose status is a
// three-digit code and whose header names are valid and values free of line breaks.
func FuzzParseCGI(f *testing.F) {
	for _, s := range []string{"Content-Type: text/plain\n\nhi", "Status: 404 Not Found\r\nContent-Type: text/html\r\n\r\nx",
		"Location: /x\n\n", "no headers at all", "Status: 99\n\n", "X: y\nX: z\nContent-Type: a\n\n", "\n\n", "Bad Header\n\nbody",
		"Content-Type: \xff\n\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, out []byte) {
		resp, err := ParseCGI(out)
		if err != nil {
			return
		}
		if resp.Status < 100 || resp.Status > 999 {
			t.Fatalf("status %d", resp.Status)
		}
		for _, h := range resp.Headers {
			if !validHeaderName(h[0]) || !validHeaderValue(h[1]) || !utf8.ValidString(h[0]+h[1]) {
				t.Fatalf("header %q", h)
			}
		}
	})
}
