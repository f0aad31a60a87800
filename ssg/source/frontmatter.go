package source

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	toml "github.com/pelletier/go-toml/v2"
)

// FrontMatter is the decoded header of a content file.
type FrontMatter struct {
	Format      string // "toml", "toml+++", "yaml" or "" when absent
	Title       string
	Slug        string
	Description string
	Date        time.Time
	Lastmod     time.Time
	Draft       bool
	TOC         bool
	Tags        []string
	Aliases     []string
	Extra       map[string]any
	// Warnings are "file:line:col: warning: …" messages about keys that look
	// like misspelt fields (they still go to Extra).
	Warnings []string

	text      []byte // raw front matter, for locating fields
	startLine int    // file line of the first front-matter line
}

// tomlLine matches a line that only TOML starts so: a table header or a
// key followed by '='.
var tomlLine = regexp.MustCompile(`^\s*(\[|[A-Za-z0-9_\-]+\s*=|"[^"]*"\s*=|'[^']*'\s*=)`)

// splitFrontMatter separates the front matter from the markdown body.
// It returns the delimiter ("---", "+++" or ""), the front matter text and
// the body, plus the file line where the body begins.
func splitFrontMatter(file string, src []byte) (delim string, fm, body []byte, bodyLine int, err error) {
	src = bytes.TrimPrefix(src, []byte("\xef\xbb\xbf"))
	first, rest, _ := bytes.Cut(src, []byte("\n"))
	d := string(bytes.TrimRight(first, " \t\r"))
	if d != "---" && d != "+++" {
		return "", nil, src, 1, nil
	}
	line := 2
	off := 0
	for off <= len(rest) {
		end := bytes.IndexByte(rest[off:], '\n')
		var l []byte
		next := len(rest) + 1
		if end >= 0 {
			l = rest[off : off+end]
			next = off + end + 1
		} else {
			l = rest[off:]
		}
		if string(bytes.TrimRight(l, " \t\r")) == d {
			b := []byte(nil)
			if next <= len(rest) {
				b = rest[next:]
			}
			return d, rest[:off], b, line + 1, nil
		}
		off = next
		line++
	}
	return "", nil, nil, 0, ErrorAt(file, 1, 1, "front matter opened with %q is never closed", d)
}

// detectFormat returns the format of front matter text fm opened by delim:
// TOML between "+++", else TOML when its first line that is neither blank
// nor a comment looks like TOML (or there is none), else YAML.
func detectFormat(delim string, fm []byte) string {
	if delim == "+++" {
		return "toml+++"
	}
	for _, l := range strings.Split(string(fm), "\n") {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if tomlLine.MatchString(l) {
			return "toml"
		}
		return "yaml"
	}
	return "toml"
}

// ParseFrontMatter decodes the front matter of src and returns it with the
// markdown body (a subslice of src). file is used in errors. The FrontMatter
// holds no reference to src: a build keeps every page's FrontMatter, and
// holding the sources too would double its memory.
func ParseFrontMatter(file string, src []byte) (*FrontMatter, []byte, error) {
	delim, text, body, _, err := splitFrontMatter(file, src)
	if err != nil {
		return nil, nil, err
	}
	f := &FrontMatter{Extra: map[string]any{}, text: bytes.Clone(text), startLine: 2}
	if delim == "" {
		return f, body, nil
	}
	f.Format = detectFormat(delim, text)
	raw := map[string]any{}
	if f.Format == "yaml" {
		if err := yaml.Unmarshal(text, &raw); err != nil {
			var ye yaml.Error
			if errors.As(err, &ye) && ye.GetToken() != nil {
				p := ye.GetToken().Position
				return nil, nil, ErrorAt(file, p.Line+f.startLine-1, p.Column, "invalid YAML front matter: %s", ye.GetMessage())
			}
			return nil, nil, ErrorAt(file, f.startLine, 1, "invalid YAML front matter: %v", err)
		}
	} else {
		if err := toml.Unmarshal(text, &raw); err != nil {
			var de *toml.DecodeError
			if errors.As(err, &de) {
				row, col := de.Position()
				return nil, nil, ErrorAt(file, row+f.startLine-1, col, "invalid TOML front matter: %s", strings.TrimPrefix(de.Error(), "toml: "))
			}
			return nil, nil, ErrorAt(file, f.startLine, 1, "invalid TOML front matter: %v", err)
		}
	}
	if err := f.fill(file, raw); err != nil {
		return nil, nil, err
	}
	return f, body, nil
}

// FirstLine returns the file line of the first front-matter line (2 when
// the file has no front matter: where it would start).
func (f *FrontMatter) FirstLine() int { return f.startLine }

// locateKey finds the file position of a top-level key itself: a key line
// before any TOML table, a TOML table header or dotted key starting with it, or
// an unindented YAML key.
func (f *FrontMatter) locateKey(key string) (int, int) {
	// keyAt reports whether s starts with key, bare or quoted, followed by
	// optional blanks and one of the bytes in after.
	keyAt := func(s, after string) bool {
		for _, q := range []string{"", `"`, "'"} {
			if rest, ok := strings.CutPrefix(s, q+key+q); ok {
				rest = strings.TrimLeft(rest, " \t")
				return rest != "" && strings.IndexByte(after, rest[0]) >= 0
			}
		}
		return false
	}
	tables := false
	for i, l := range strings.Split(string(f.text), "\n") {
		t := strings.TrimLeft(l, " \t")
		col := len(l) - len(t) + 1
		switch {
		case f.Format == "yaml":
			if col == 1 && keyAt(t, ":") {
				return f.startLine + i, 1
			}
		case strings.HasPrefix(t, "["):
			tables = true
			h := strings.TrimLeft(t, "[ \t")
			if keyAt(h, "].") {
				return f.startLine + i, col + len(t) - len(h)
			}
		case !tables && keyAt(t, "=."):
			return f.startLine + i, col
		}
	}
	return f.startLine, 1
}

// Locate returns the file line and column of the value of a top-level key,
// or FirstLine(), 1 when the key is not found.
func (f *FrontMatter) Locate(key string) (line, col int) {
	re := regexp.MustCompile(`^\s*["']?` + regexp.QuoteMeta(key) + `["']?\s*[=:]\s*`)
	for i, l := range strings.Split(string(f.text), "\n") {
		if m := re.FindStringIndex(l); m != nil {
			return f.startLine + i, m[1] + 1
		}
	}
	return f.startLine, 1
}
