package manifest

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// decodeTOML decodes data into v in strict mode (unknown fields are errors) and
// converts go-toml errors into messages of the form
// `<file>:<row>:<col>: unknown field "x" (in a.b)` naming the field and its location.
func decodeTOML(file string, data []byte, v any) error {
	d := toml.NewDecoder(strings.NewReader(string(data)))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return tomlErrorCtx(file, err, func(key []string, row int) (string, []string) {
			return componentContext(data, key, row)
		})
	}
	return nil
}

// componentContext turns a key path inside a component into a `component "<id>"` label
// and the remaining path: v2 keys are component.<id>.…; for v1 ([[component]] arrays) the
// component is found from the row of the error.
func componentContext(data []byte, key []string, row int) (string, []string) {
	if len(key) < 2 || key[0] != "component" {
		return "", key
	}
	var probe struct {
		SpinManifestVersion any `toml:"spin_manifest_version"`
		Component           any `toml:"component"`
	}
	if toml.Unmarshal(data, &probe) != nil {
		return "", key
	}
	switch comps := probe.Component.(type) {
	case map[string]any:
		if len(key) >= 3 {
			return fmt.Sprintf("component %q", key[1]), key[2:]
		}
	case []any:
		// Count the [[component]] headers at or before row.
		var p unstable.Parser
		p.Reset(data)
		idx := -1
		for p.NextExpression() {
			e := p.Expression()
			if e.Kind != unstable.ArrayTable {
				continue
			}
			it := e.Key()
			var parts []string
			line := 0
			for it.Next() {
				n := it.Node()
				if line == 0 {
					line = p.Shape(p.Range(n.Data)).Start.Line
				}
				parts = append(parts, string(n.Data))
			}
			if len(parts) == 1 && parts[0] == "component" && line <= row {
				idx++
			}
		}
		if idx >= 0 && idx < len(comps) {
			if t, ok := comps[idx].(map[string]any); ok {
				if id, ok := t["id"].(string); ok {
					return fmt.Sprintf("component %q", id), key[1:]
				}
			}
			return fmt.Sprintf("component #%d", idx+1), key[1:]
		}
	}
	return "", key
}

var typeErrRE = regexp.MustCompile(`cannot decode TOML (\w+(?: \w+)?) into (?:struct field \S+ of type|a Go value of type) (\S+)`)

func tomlError(file string, err error) error { return tomlErrorCtx(file, err, nil) }

func tomlErrorCtx(file string, err error, ctx func(key []string, row int) (string, []string)) error {
	describe := func(key []string, row int) (string, []string) {
		if ctx == nil {
			return "", key
		}
		return ctx(key, row)
	}
	var se *toml.StrictMissingError
	if errors.As(err, &se) && len(se.Errors) > 0 {
		msgs := make([]string, 0, len(se.Errors))
		for _, e := range se.Errors {
			row, col := e.Position()
			label, key := describe(e.Key(), row)
			field := ""
			if len(key) > 0 {
				field = key[len(key)-1]
			}
			msg := fmt.Sprintf("%s:%d:%d: ", file, row, col)
			if label != "" {
				msg += label + ": "
			}
			msg += fmt.Sprintf("unknown field %q", field)
			if len(key) > 1 {
				msg += fmt.Sprintf(" (in %s)", strings.Join(key[:len(key)-1], "."))
			}
			msgs = append(msgs, msg)
		}
		return errors.New(strings.Join(msgs, "; "))
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		row, col := de.Position()
		msg := strings.TrimPrefix(de.Error(), "toml: ")
		if m := typeErrRE.FindStringSubmatch(msg); m != nil {
			msg = fmt.Sprintf("expected %s, found TOML %s", goTypeName(m[2]), m[1])
		}
		if label, key := describe(de.Key(), row); len(key) > 0 {
			if label != "" {
				label += ": "
			}
			return fmt.Errorf("%s:%d:%d: %sfield %q: %s", file, row, col, label, strings.Join(key, "."), msg)
		}
		return fmt.Errorf("%s:%d:%d: %s", file, row, col, msg)
	}
	return fmt.Errorf("%s: %w", file, err)
}

func goTypeName(t string) string {
	switch {
	case t == "string" || t == "*string":
		return "a string"
	case t == "bool" || t == "*bool":
		return "a boolean"
	case strings.HasPrefix(t, "[]"):
		return "an array"
	case strings.HasPrefix(t, "map[") || strings.Contains(t, "manifest."):
		return "a table"
	case strings.HasPrefix(t, "int"):
		return "an integer"
	}
	return t
}
