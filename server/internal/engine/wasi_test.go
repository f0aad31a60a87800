package engine

import (
	"bytes"
	"strings"
	"testing"
)

// A request's output beyond the limit is dropped with one note; the guest is told all
// was written; the next request has the whole limit again.
func TestLogWriterLimit(t *testing.T) {
	var log bytes.Buffer
	w := &logWriter{w: &log, limit: 10}
	for _, chunk := range []string{"1234", "5678", "90ab", "cdef"} {
		if n, err := w.Write([]byte(chunk)); n != len(chunk) || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	if got := log.String(); !strings.HasPrefix(got, "1234567890\n[wasmsite: output over 10 bytes") || strings.Count(got, "dropped") != 1 {
		t.Fatalf("log %q", got)
	}
	log.Reset()
	w.written = 0 // Release does this between requests
	w.Write([]byte("next"))
	if log.String() != "next" {
		t.Fatalf("after reset: %q", log.String())
	}
	discard := &logWriter{limit: 10}
	if n, _ := discard.Write(make([]byte, 100)); n != 100 {
		t.Fatal("a nil log must accept everything")
	}
}
