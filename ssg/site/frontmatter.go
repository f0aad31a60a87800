package site

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	toml "github.com/pelletier/go-toml/v2"
)

// Error is a build error located in a source file.
type Error struct {
	File      string
	Line, Col int
	Msg       string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

func errAt(file string, line, col int, format string, args ...any) *Error {
	if line < 1 {
		line = 1
	}
	if col < 1 {
		col = 1
	}
	return &Error{File: file, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

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

var (
	tomlLine   = regexp.MustCompile(`^\s*(\[|[A-Za-z0-9_\-]+\s*=|"[^"]*"\s*=|'[^']*'\s*=)`)
	dateLayout = []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-1-2"}
)

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
	return "", nil, nil, 0, errAt(file, 1, 1, "front matter opened with %q is never closed", d)
}

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
				return nil, nil, errAt(file, p.Line+f.startLine-1, p.Column, "invalid YAML front matter: %s", ye.GetMessage())
			}
			return nil, nil, errAt(file, f.startLine, 1, "invalid YAML front matter: %v", err)
		}
	} else {
		if err := toml.Unmarshal(text, &raw); err != nil {
			var de *toml.DecodeError
			if errors.As(err, &de) {
				row, col := de.Position()
				return nil, nil, errAt(file, row+f.startLine-1, col, "invalid TOML front matter: %s", strings.TrimPrefix(de.Error(), "toml: "))
			}
			return nil, nil, errAt(file, f.startLine, 1, "invalid TOML front matter: %v", err)
		}
	}
	if err := f.fill(file, raw); err != nil {
		return nil, nil, err
	}
	return f, body, nil
}

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

// locate finds the file position of a top-level key's value.
func (f *FrontMatter) locate(key string) (int, int) {
	re := regexp.MustCompile(`^\s*["']?` + regexp.QuoteMeta(key) + `["']?\s*[=:]\s*`)
	for i, l := range strings.Split(string(f.text), "\n") {
		if m := re.FindStringIndex(l); m != nil {
			return f.startLine + i, m[1] + 1
		}
	}
	return f.startLine, 1
}

func (f *FrontMatter) fill(file string, raw map[string]any) error {
	bad := func(key, format string, args ...any) error {
		line, col := f.locate(key)
		return errAt(file, line, col, "%s: %s", key, fmt.Sprintf(format, args...))
	}
	str := func(key string, dst *string) error {
		v, ok := raw[key]
		if !ok {
			return nil
		}
		delete(raw, key)
		s, ok := v.(string)
		if !ok {
			return bad(key, "expected a string, got %T", v)
		}
		*dst = s
		return nil
	}
	boolean := func(key string, dst *bool) error {
		v, ok := raw[key]
		if !ok {
			return nil
		}
		delete(raw, key)
		b, ok := v.(bool)
		if !ok {
			return bad(key, "expected true or false, got %v", v)
		}
		*dst = b
		return nil
	}
	list := func(key string, v any) ([]string, error) {
		switch x := v.(type) {
		case string:
			return []string{x}, nil
		case []any:
			out := make([]string, 0, len(x))
			for _, e := range x {
				s, ok := e.(string)
				if !ok {
					return nil, bad(key, "expected a list of strings, found %v", e)
				}
				out = append(out, s)
			}
			return out, nil
		}
		return nil, bad(key, "expected a list of strings, got %T", v)
	}
	date := func(keys []string, dst *time.Time) error {
		for _, key := range keys {
			v, ok := raw[key]
			if !ok {
				continue
			}
			delete(raw, key)
			if !dst.IsZero() {
				continue // an earlier alias won
			}
			t, err := toTime(v)
			if err != nil {
				return bad(key, "%v", err)
			}
			*dst = t
		}
		return nil
	}
	if err := str("title", &f.Title); err != nil {
		return err
	}
	if err := str("slug", &f.Slug); err != nil {
		return err
	}
	if err := str("description", &f.Description); err != nil {
		return err
	}
	if f.Description == "" {
		if err := str("summary", &f.Description); err != nil {
			return err
		}
	} else {
		delete(raw, "summary")
	}
	if err := date([]string{"created_date", "date"}, &f.Date); err != nil {
		return err
	}
	if err := date([]string{"last_modified_date", "lastmod", "updated"}, &f.Lastmod); err != nil {
		return err
	}
	if err := boolean("draft", &f.Draft); err != nil {
		return err
	}
	if err := boolean("toc", &f.TOC); err != nil {
		return err
	}
	if v, ok := raw["tags"]; ok {
		delete(raw, "tags")
		tags, err := list("tags", v)
		if err != nil {
			return err
		}
		f.Tags = tags
	}
	if tx, ok := raw["taxonomies"].(map[string]any); ok { // Zola
		if v, ok := tx["tags"]; ok {
			tags, err := list("tags", v)
			if err != nil {
				return err
			}
			f.Tags = append(f.Tags, tags...)
		}
		delete(raw, "taxonomies")
	}
	if v, ok := raw["aliases"]; ok {
		delete(raw, "aliases")
		al, err := list("aliases", v)
		if err != nil {
			return err
		}
		f.Aliases = al
	}
	if v, ok := raw["extra"]; ok {
		m, ok := v.(map[string]any)
		if !ok {
			return bad("extra", "expected a table, got %T", v)
		}
		delete(raw, "extra")
		for k, v := range m {
			f.Extra[k] = v
		}
	}
	// Remaining unknown top-level keys are free-form values too
	// (Hugo's "params" style); [extra] wins on conflicts.
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	type warning struct {
		line, col int
		msg       string
	}
	var warns []warning
	for _, k := range keys {
		if _, ok := f.Extra[k]; !ok {
			f.Extra[k] = raw[k]
		}
		if field := closeField(k); field != "" {
			line, col := f.locateKey(k)
			warns = append(warns, warning{line, col, fmt.Sprintf("unknown front-matter key %q (did you mean %q?)", k, field)})
		}
	}
	sort.SliceStable(warns, func(i, j int) bool {
		if warns[i].line != warns[j].line {
			return warns[i].line < warns[j].line
		}
		return warns[i].col < warns[j].col
	})
	for _, w := range warns {
		f.Warnings = append(f.Warnings, fmt.Sprintf("%s:%d:%d: warning: %s", file, w.line, w.col, w.msg))
	}
	f.Tags = cleanTags(f.Tags)
	return nil
}

// fieldNames are the top-level front-matter keys fill understands, in the
// order closeField prefers them on a tie.
var fieldNames = []string{
	"title", "slug", "description", "summary", "date", "created_date", "lastmod",
	"last_modified_date", "updated", "draft", "toc", "tags", "taxonomies", "aliases", "extra",
}

// closeField returns the field name an unknown key is probably a misspelling
// of, or "". Case is ignored (Hugo's keys are case-insensitive, ours are
// not); up to two edits (insertions, deletions, substitutions, swaps of
// neighbours) are allowed against names of five letters or more, one against
// shorter ones: two edits turn "date" into common custom keys such as math,
// path, name or katex.
func closeField(key string) string {
	k := strings.ToLower(key)
	best, bestD := "", 3
	for _, name := range fieldNames {
		if key == name {
			return "" // a known key of the wrong type, kept as is
		}
		limit := 2
		if len(name) <= 4 {
			limit = 1
		}
		if d := editDistance(k, name, limit); d <= limit && d < bestD {
			best, bestD = name, d
		}
	}
	return best
}

// editDistance is the optimal string alignment distance between a and b
// (Levenshtein plus transpositions of adjacent runes), or limit+1 when it is
// certainly above limit.
func editDistance(a, b string, limit int) int {
	x, y := []rune(a), []rune(b)
	if d := len(x) - len(y); d > limit || -d > limit {
		return limit + 1
	}
	// Three rows: the one before the previous is needed for transpositions.
	prev2, prev, cur := make([]int, len(y)+1), make([]int, len(y)+1), make([]int, len(y)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(x); i++ {
		cur[0] = i
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(y)]
}

func cleanTags(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range in {
		t = strings.TrimSpace(t)
		if t == "" || seen[strings.ToLower(t)] {
			continue
		}
		seen[strings.ToLower(t)] = true
		out = append(out, t)
	}
	return out
}

func toTime(v any) (time.Time, error) {
	switch x := v.(type) {
	case time.Time:
		return x.UTC(), nil
	case toml.LocalDate:
		return time.Date(x.Year, time.Month(x.Month), x.Day, 0, 0, 0, 0, time.UTC), nil
	case toml.LocalDateTime:
		return x.AsTime(time.UTC), nil
	case string:
		return ParseDate(x)
	}
	return time.Time{}, fmt.Errorf("expected a date, got %v", v)
}

// ParseDate accepts RFC 3339, YYYY-MM-DD and the non-padded YYYY-M-D.
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range dateLayout {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("invalid date %q (want YYYY-MM-DD, YYYY-M-D or RFC 3339)", s)
}
