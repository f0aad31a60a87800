package manifest

import (
	"fmt"
	"strings"
)

// TemplatePart is a piece of a template: a literal (Var == "") or a `{{ Var }}` reference.
type TemplatePart struct {
	Lit string
	Var string
}

// ParseTemplate splits s into literals and `{{ name }}` references (whitespace around the
// name is trimmed). An unmatched "{{" or a name breaking Spin's variable-name rule
// (spin.ValidateKey) is an error, as in spin's crates/config/src/template.rs.
func ParseTemplate(s string) ([]TemplatePart, error) {
	var parts []TemplatePart
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			if s != "" {
				parts = append(parts, TemplatePart{Lit: s})
			}
			return parts, nil
		}
		if i > 0 {
			parts = append(parts, TemplatePart{Lit: s[:i]})
		}
		rest := s[i+2:]
		j := strings.Index(rest, "}}")
		if j < 0 {
			return nil, fmt.Errorf("unmatched '{{' in template %q", s)
		}
		name := strings.TrimSpace(rest[:j])
		if err := validateVariableName(name); err != nil {
			return nil, fmt.Errorf("invalid variable reference in template: %v", err)
		}
		parts = append(parts, TemplatePart{Var: name})
		s = rest[j+2:]
	}
}

// checkTemplate verifies that s is a valid template referencing only declared variables.
func checkTemplate(s string, vars map[string]Variable) error {
	parts, err := ParseTemplate(s)
	if err != nil {
		return err
	}
	for _, p := range parts {
		if p.Var != "" {
			if _, ok := vars[p.Var]; !ok {
				return fmt.Errorf("unknown variable %q in template %q", p.Var, s)
			}
		}
	}
	return nil
}

func isTemplate(s string) bool { return strings.Contains(s, "{{") }
