package highlight

import (
	"strings"
	"testing"
)

func TestCSSLightAndDark(t *testing.T) {
	css := CSS()
	i := strings.Index(css, "@media (prefers-color-scheme: dark)")
	if i < 0 || !strings.Contains(css[:i], ".chroma .kd") || !strings.Contains(css[i:], ".chroma .kd") {
		t.Fatalf("chroma CSS lacks light or dark rules:\n%.400s", css)
	}
}
