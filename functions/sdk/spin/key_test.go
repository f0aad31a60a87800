package spin

import (
	"strings"
	"testing"
)

// Spin's key rules (crates/config Key::validate): non-empty; only lower-case ASCII
// letters, digits and '_'; starts with a letter; ends with a letter or digit; no "__".
func TestValidateKey(t *testing.T) {
	for _, k := range []string{"a", "z", "a1", "abc", "a_b", "a_b_c", "a1_2b", "api_key", "x9", "a_1", "abcdefghijklmnopqrstuvwxyz_0123456789"} {
		if err := ValidateKey(k); err != nil {
			t.Errorf("ValidateKey(%q) = %v, want valid", k, err)
		}
	}
	for k, why := range map[string]string{
		"":        "empty",
		"_":       "start",
		"_a":      "start",
		"1a":      "start",
		"9":       "start",
		"A":       "",
		"aB":      "character",
		"Api":     "",
		"a_":      "end",
		"ab_":     "end",
		"a__b":    "consecutive",
		"a___b":   "consecutive",
		"a-b":     "character",
		"a.b":     "character",
		"a b":     "character",
		"a/b":     "character",
		"a\x00":   "character",
		"ä":       "",
		"aä":      "character",
		"a\u212a": "character", // Kelvin sign, lower-cases to k
		" a":      "",
		"a ":      "",
	} {
		err := ValidateKey(k)
		if err == nil {
			t.Errorf("ValidateKey(%q) = nil, want an error", k)
			continue
		}
		if why != "" && !strings.Contains(err.Error(), why) {
			t.Errorf("ValidateKey(%q) = %q, want a message about %q", k, err, why)
		}
	}
}
