package source

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// fields decodes the front-matter fields fill knows from raw, the decoded
// table, into f. Each decoded key is deleted from raw: what is left is
// free-form. Errors are *Error at the key's value in file.
type fields struct {
	f    *FrontMatter
	file string
	raw  map[string]any
}

// fill sets f's fields from raw, the decoded front matter of file: the
// known keys in a fixed order (the first error wins), then the others into
// Extra, with a warning for each that looks like a misspelt known key.
func (f *FrontMatter) fill(file string, raw map[string]any) error {
	d := &fields{f: f, file: file, raw: raw}
	if err := d.str("title", &f.Title); err != nil {
		return err
	}
	if err := d.str("slug", &f.Slug); err != nil {
		return err
	}
	if err := d.str("description", &f.Description); err != nil {
		return err
	}
	if f.Description == "" {
		if err := d.str("summary", &f.Description); err != nil {
			return err
		}
	} else {
		delete(raw, "summary")
	}
	if err := d.date([]string{"created_date", "date"}, &f.Date); err != nil {
		return err
	}
	if err := d.date([]string{"last_modified_date", "lastmod", "updated"}, &f.Lastmod); err != nil {
		return err
	}
	if err := d.boolean("draft", &f.Draft); err != nil {
		return err
	}
	if err := d.boolean("toc", &f.TOC); err != nil {
		return err
	}
	if err := d.tags(); err != nil {
		return err
	}
	if err := d.aliases(); err != nil {
		return err
	}
	if err := d.extra(); err != nil {
		return err
	}
	d.rest()
	f.Tags = cleanTags(f.Tags)
	return nil
}

// bad returns the error about key's value: "key: message".
func (d *fields) bad(key, format string, args ...any) error {
	line, col := d.f.Locate(key)
	return ErrorAt(d.file, line, col, "%s: %s", key, fmt.Sprintf(format, args...))
}

// str decodes the string at key, if any, into dst.
func (d *fields) str(key string, dst *string) error {
	v, ok := d.raw[key]
	if !ok {
		return nil
	}
	delete(d.raw, key)
	s, ok := v.(string)
	if !ok {
		return d.bad(key, "expected a string, got %T", v)
	}
	*dst = s
	return nil
}

// boolean decodes the boolean at key, if any, into dst.
func (d *fields) boolean(key string, dst *bool) error {
	v, ok := d.raw[key]
	if !ok {
		return nil
	}
	delete(d.raw, key)
	b, ok := v.(bool)
	if !ok {
		return d.bad(key, "expected true or false, got %v", v)
	}
	*dst = b
	return nil
}

// list converts v, the value at key, to a list of strings: a string is a
// list of one.
func (d *fields) list(key string, v any) ([]string, error) {
	switch x := v.(type) {
	case string:
		return []string{x}, nil
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, d.bad(key, "expected a list of strings, found %v", e)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, d.bad(key, "expected a list of strings, got %T", v)
}

// date decodes the date at the first of keys (aliases of one field) present
// into dst; the others are removed unread.
func (d *fields) date(keys []string, dst *time.Time) error {
	for _, key := range keys {
		v, ok := d.raw[key]
		if !ok {
			continue
		}
		delete(d.raw, key)
		if !dst.IsZero() {
			continue // an earlier alias won
		}
		t, err := toTime(v)
		if err != nil {
			return d.bad(key, "%v", err)
		}
		*dst = t
	}
	return nil
}

// tags decodes tags, then Zola's taxonomies.tags, appended.
func (d *fields) tags() error {
	if v, ok := d.raw["tags"]; ok {
		delete(d.raw, "tags")
		tags, err := d.list("tags", v)
		if err != nil {
			return err
		}
		d.f.Tags = tags
	}
	if tx, ok := d.raw["taxonomies"].(map[string]any); ok {
		if v, ok := tx["tags"]; ok {
			tags, err := d.list("tags", v)
			if err != nil {
				return err
			}
			d.f.Tags = append(d.f.Tags, tags...)
		}
		delete(d.raw, "taxonomies")
	}
	return nil
}

// aliases decodes the list of aliases.
func (d *fields) aliases() error {
	v, ok := d.raw["aliases"]
	if !ok {
		return nil
	}
	delete(d.raw, "aliases")
	al, err := d.list("aliases", v)
	if err != nil {
		return err
	}
	d.f.Aliases = al
	return nil
}

// extra copies the [extra] table into Extra.
func (d *fields) extra() error {
	v, ok := d.raw["extra"]
	if !ok {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return d.bad("extra", "expected a table, got %T", v)
	}
	delete(d.raw, "extra")
	for k, v := range m {
		d.f.Extra[k] = v
	}
	return nil
}

// rest puts the keys left in raw into Extra too (Hugo's "params" style;
// [extra] wins on conflicts) and warns, in file order, about those that look
// like misspelt known keys.
func (d *fields) rest() {
	keys := make([]string, 0, len(d.raw))
	for k := range d.raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	type warning struct {
		line, col int
		msg       string
	}
	var warns []warning
	for _, k := range keys {
		if _, ok := d.f.Extra[k]; !ok {
			d.f.Extra[k] = d.raw[k]
		}
		if field := closeField(k); field != "" {
			line, col := d.f.locateKey(k)
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
		d.f.Warnings = append(d.f.Warnings, fmt.Sprintf("%s:%d:%d: warning: %s", d.file, w.line, w.col, w.msg))
	}
}

// cleanTags trims tags and drops empty ones and repeats (ignoring case),
// keeping the first spelling.
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
