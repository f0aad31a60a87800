package spin

import (
	"errors"
	"fmt"
)

// ValidateKey applies Spin 1.x's rule for spin-config keys, which is also its rule for
// variable names (crates/config Key::validate): non-empty, only lower-case ASCII
// letters, digits and '_', starting with a letter, ending with a letter or digit, no
// "__". The error says which part of the rule k breaks, without quoting k.
func ValidateKey(k string) error {
	switch {
	case k == "":
		return errors.New("must not be empty")
	case k[0] < 'a' || k[0] > 'z':
		return errors.New("must start with a lowercase ASCII letter")
	case k[len(k)-1] == '_':
		return errors.New("must end with a lowercase ASCII letter or digit")
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return fmt.Errorf("invalid character %q; may contain only lowercase letters, digits and '_'", c)
		}
		if c == '_' && i > 0 && k[i-1] == '_' {
			return errors.New("must not contain multiple consecutive underscores")
		}
	}
	return nil
}
