package spin

import "testing"

func TestMethodCode(t *testing.T) {
	for i, m := range []string{"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"} {
		if got, ok := MethodCode(m); !ok || got != uint32(i) {
			t.Errorf("MethodCode(%s) = %d, %v; want %d", m, got, ok, i)
		}
		if got, ok := MethodName(uint32(i)); !ok || got != m {
			t.Errorf("MethodName(%d) = %q, %v; want %s", i, got, ok, m)
		}
	}
	for _, m := range []string{"get", "TRACE", "CONNECT", ""} {
		if _, ok := MethodCode(m); ok {
			t.Errorf("MethodCode(%q) ok", m)
		}
	}
	if _, ok := MethodName(7); ok {
		t.Error("MethodName(7) ok")
	}
}
