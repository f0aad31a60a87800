package spin

import "testing"

func TestIsHostHeader(t *testing.T) {
	for _, name := range []string{"spin-path-info", "Spin-Client-Addr", "SPIN-FULL-URL", "spin-base-path"} {
		if !IsHostHeader(name) {
			t.Errorf("%s is a host header", name)
		}
	}
	for _, name := range []string{"spin-custom", "x-spin-path-info", "spin-", "path-info", ""} {
		if IsHostHeader(name) {
			t.Errorf("%s is not a host header", name)
		}
	}
}
