package manifest

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// decodeTOML decodes data into v in strict mode (unknown fields are errors) and
// converts go-toml errors into messages of the form
// `<file>:<row>:<col>: unknown field "x" (in a.b)` naming the field and its location.
func decodeTOML(file string, data []byte, v any) error {
	d := toml.NewDecoder(strings.NewReader(string(data)))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return tomlError(file, err)
	}
	return nil
}

var typeErrRE = regexp.MustCompile(`cannot decode TOML (\w+(?: \w+)?) into (?:struct field \S+ of type|a Go value of type) (\S+)`)

func tomlError(file string, err error) error {
	var se *toml.StrictMissingError
	if errors.As(err, &se) && len(se.Errors) > 0 {
		msgs := make([]string, 0, len(se.Errors))
		for _, e := range se.Errors {
			row, col := e.Position()
			key := e.Key()
			field := ""
			if len(key) > 0 {
				field = key[len(key)-1]
			}
			msg := fmt.Sprintf("%s:%d:%d: unknown field %q", file, row, col, field)
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
		if key := de.Key(); len(key) > 0 {
			return fmt.Errorf("%s:%d:%d: field %q: %s", file, row, col, strings.Join(key, "."), msg)
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
