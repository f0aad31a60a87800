package manifest

import (
	"fmt"
	"strings"

	"wasmsite/functions/sdk/spin"
)

// validateVariableName applies Spin 1.x's rule for variable names and component config
// keys (spin.ValidateKey), naming the name in the error.
func validateVariableName(name string) error {
	if err := spin.ValidateKey(name); err != nil {
		return fmt.Errorf("%q: %w", name, err)
	}
	return nil
}

// validateWords checks a sep-separated identifier whose words each start with an ASCII
// letter, contain only ASCII letters and digits, and are all-lowercase or all-uppercase
// (digits allowed in either) — Spin 2's KebabId / SnakeId rules.
func validateWords(id string, sep byte, what string) error {
	if id == "" {
		return fmt.Errorf("%s must not be empty", what)
	}
	for _, w := range strings.Split(id, string(sep)) {
		if w == "" {
			return fmt.Errorf("%s %q: words must be separated by a single '%c' (no leading, trailing or doubled '%c')", what, id, sep, sep)
		}
		if c := w[0]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return fmt.Errorf("%s %q: each '%c'-separated word must start with a letter", what, id, sep)
		}
		lower, upper := false, false
		for i := 0; i < len(w); i++ {
			c := w[i]
			switch {
			case c >= 'a' && c <= 'z':
				lower = true
			case c >= 'A' && c <= 'Z':
				upper = true
			case c >= '0' && c <= '9':
			default:
				return fmt.Errorf("%s %q: only letters, digits and '%c' are allowed", what, id, sep)
			}
		}
		if lower && upper {
			return fmt.Errorf("%s %q: each word must be all lowercase or all uppercase", what, id)
		}
	}
	return nil
}

// validateKebabID validates a v2 component ID (kebab-case).
func validateKebabID(id string) error { return validateWords(id, '-', "component ID") }

// validateV1ComponentID validates a v1 component ID. Spin 1.x only requires a non-empty,
// unique string; we additionally reject characters that cannot appear in file names or
// log file names (anything but ASCII letters, digits, '-', '_' and '.').
func validateV1ComponentID(id string) error {
	if id == "" {
		return fmt.Errorf("component ID must not be empty")
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return fmt.Errorf("component ID %q: only letters, digits, '-', '_' and '.' are allowed", id)
		}
	}
	return nil
}

// validateV2Label validates a v2 key-value store / SQLite label: kebab-case or snake_case.
func validateV2Label(label, what string) error {
	if err := validateWords(label, '-', what); err == nil {
		return nil
	}
	if err := validateWords(label, '_', what); err == nil {
		return nil
	}
	return fmt.Errorf("%s %q: must be kebab-case or snake_case (words starting with a letter, each all lowercase or all uppercase)", what, label)
}

// validateLowerSnake validates a v2 variable name or component variable key (Spin 2
// LowerSnakeId: '_'-separated words, each starting with a letter, lowercase ASCII letters
// and digits only).
func validateLowerSnake(name string) error {
	if err := validateWords(name, '_', "name"); err != nil {
		return err
	}
	if strings.ToLower(name) != name {
		return fmt.Errorf("name %q: must be all lowercase", name)
	}
	return nil
}

// validateName applies the variable-name rules of the manifest version.
func validateName(name string, version int) error {
	if version == 2 {
		return validateLowerSnake(name)
	}
	return validateVariableName(name)
}
