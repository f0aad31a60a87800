package manifest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// hasGlobMeta reports whether p contains glob metacharacters.
func hasGlobMeta(p string) bool { return strings.ContainsAny(p, "*?[") }

// globMatch matches a "/"-separated relative path against a pattern in which "**" as a
// whole segment matches zero or more segments and other segments use path.Match syntax.
func globMatch(pattern, name string) bool {
	return matchSegs(strings.Split(pattern, "/"), strings.Split(name, "/"))
}

func matchSegs(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			rest := pat[1:]
			for i := 0; i <= len(name); i++ {
				if matchSegs(rest, name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		ok, err := path.Match(pat[0], name[0])
		if err != nil || !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}

// excludeRegexp compiles an exclude_files pattern with the semantics Spin 1.x gets from
// the Rust glob crate's Pattern::matches_path with default options: "*" and "?" also match
// "/", "[...]" is a character class ("[!...]" negated), and "**/" matches zero or more
// directories. The pattern is anchored and matched against the manifest-relative path.
func excludeRegexp(pat string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(pat); i++ {
		c := pat[i]
		switch {
		case strings.HasPrefix(pat[i:], "**/") && (i == 0 || pat[i-1] == '/'):
			b.WriteString("(?:.*/)?")
			i += 2
		case c == '*':
			b.WriteString(".*")
		case c == '?':
			b.WriteString(".")
		case c == '[':
			end := strings.IndexByte(pat[i+1:], ']')
			if end < 0 {
				return nil, fmt.Errorf("invalid glob %q: unterminated '['", pat)
			}
			class := pat[i+1 : i+1+end]
			if class == "" || class == "!" {
				// A ']' right after '[' or '[!' is literal in glob syntax.
				end2 := strings.IndexByte(pat[i+2+end:], ']')
				if end2 < 0 {
					return nil, fmt.Errorf("invalid glob %q: unterminated '['", pat)
				}
				class = pat[i+1 : i+2+end+end2]
				end = end + 1 + end2
			}
			neg := strings.HasPrefix(class, "!")
			if neg {
				class = class[1:]
			}
			b.WriteString("[")
			if neg {
				b.WriteString("^")
			}
			for _, r := range class {
				if r == '-' {
					b.WriteRune(r)
				} else {
					b.WriteString(regexp.QuoteMeta(string(r)))
				}
			}
			b.WriteString("]")
			i += 1 + end
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}

// cleanRelPattern validates and normalises a relative pattern or path from the manifest.
func cleanRelPattern(p string) (string, error) {
	if p == "" {
		return "", errors.New("empty path")
	}
	p = filepath.ToSlash(p)
	if path.IsAbs(p) || filepath.IsAbs(p) {
		return "", fmt.Errorf("%q must be relative to the manifest directory", p)
	}
	c := path.Clean(p)
	if c == ".." || strings.HasPrefix(c, "../") {
		return "", fmt.Errorf("%q points outside the manifest directory", p)
	}
	if _, err := path.Match(strings.ReplaceAll(c, "**", "*"), ""); err != nil {
		return "", fmt.Errorf("invalid glob %q: %v", p, err)
	}
	return c, nil
}

// listFiles returns the "/"-separated paths, relative to root, of all regular files under
// root (symlinks to regular files included), sorted.
func listFiles(root string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() {
			fi, err := os.Stat(p)
			if err != nil || !fi.Mode().IsRegular() {
				return nil
			}
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	sort.Strings(out)
	return out, err
}

// fileSpec is one parsed `files` entry: a pattern, or a placement.
type fileSpec struct {
	Pattern     string // string form
	Placement   bool   // { source, destination } form
	Source      string // placement: host path relative to the manifest dir ("" is the dir)
	Destination string // placement: absolute guest path
}

func parseFileSpecs(raw []any) ([]fileSpec, error) {
	specs := make([]fileSpec, 0, len(raw))
	for i, e := range raw {
		switch v := e.(type) {
		case string:
			specs = append(specs, fileSpec{Pattern: v})
		case map[string]any:
			s, err := parsePlacement(v)
			if err != nil {
				return nil, fmt.Errorf("files[%d]: %v", i, err)
			}
			specs = append(specs, s)
		default:
			return nil, fmt.Errorf("files[%d]: expected a string or a { source, destination } table, found %T", i, e)
		}
	}
	return specs, nil
}

// parsePlacement reads { source, destination } as Spin 2.x does (spin@v2.7.0
// crates/loader/src/local.rs copy_file_mounts): source "" is the manifest directory, and
// a destination is taken under the guest's "/" whether or not it starts with "/".
func parsePlacement(t map[string]any) (fileSpec, error) {
	s := fileSpec{Placement: true}
	for _, k := range sortedKeys(t) {
		str, ok := t[k].(string)
		switch k {
		case "source":
			s.Source = str
		case "destination":
			s.Destination = str
		default:
			return s, fmt.Errorf("unknown field %q (expected source, destination)", k)
		}
		if !ok {
			return s, fmt.Errorf("field %q must be a string", k)
		}
	}
	for _, k := range []string{"source", "destination"} {
		if _, ok := t[k]; !ok {
			return s, fmt.Errorf("missing field %q", k)
		}
	}
	return s, nil
}

// expandFiles turns the files / exclude_files of a component into mounts. String patterns
// keep their path relative to dir under guest "/"; a string naming a directory exactly is a
// Dir mount at "/<path>"; placements are Dir mounts at destination. exclude_files take
// precedence: an exclusion is matched (see excludeRegexp) against a file's path relative
// to the manifest directory, as in Spin 1.x. A Dir mount touched by any exclusion is
// expanded into per-file mounts.
func expandFiles(dir string, raw []any, excludes []string) ([]FileMount, error) {
	specs, err := parseFileSpecs(raw)
	if err != nil {
		return nil, err
	}
	m := &mounter{dir: dir, seen: map[FileMount]bool{}}
	for i, e := range excludes {
		c, err := cleanRelPattern(e)
		if err != nil {
			return nil, fmt.Errorf("exclude_files[%d]: %v", i, err)
		}
		re, err := excludeRegexp(c)
		if err != nil {
			return nil, fmt.Errorf("exclude_files[%d]: %v", i, err)
		}
		m.excl = append(m.excl, re)
	}
	for i, s := range specs {
		if s.Placement {
			err = m.placement(s)
		} else {
			err = m.pattern(s.Pattern)
		}
		if err != nil {
			return nil, fmt.Errorf("files[%d]: %v", i, err)
		}
	}
	return m.mounts, nil
}

// mounter collects the mounts of one component's files, without duplicates.
type mounter struct {
	dir    string
	excl   []*regexp.Regexp
	mounts []FileMount
	seen   map[FileMount]bool
}

func (m *mounter) excluded(rel string) bool {
	for _, x := range m.excl {
		if x.MatchString(rel) {
			return true
		}
	}
	return false
}

func (m *mounter) add(fm FileMount) {
	if !m.seen[fm] {
		m.seen[fm] = true
		m.mounts = append(m.mounts, fm)
	}
}

// placement mounts a { source, destination } directory, or (Spin 2.x) a single file at
// destination. As in Spin 2.x, exclude_files do not apply to a file placed by name.
func (m *mounter) placement(s fileSpec) error {
	rel := "."
	if s.Source != "" {
		var err error
		if rel, err = cleanRelPattern(s.Source); err != nil {
			return fmt.Errorf("source: %v", err)
		}
	}
	abs := filepath.Join(m.dir, filepath.FromSlash(rel))
	fi, err := os.Stat(abs)
	if err != nil {
		return fmt.Errorf("source %q: %v", s.Source, errors.Unwrap(err))
	}
	dest := path.Clean("/" + s.Destination)
	if fi.IsDir() {
		return m.dirMount(abs, rel, dest)
	}
	if isDirectoryLike(s.Destination) {
		return fmt.Errorf("source %q is a file: its destination %q must name a file, such as \"/%s\"", s.Source, s.Destination, filepath.Base(abs))
	}
	m.add(FileMount{Source: abs, Destination: dest})
	return nil
}

// isDirectoryLike reports whether a guest path names a directory rather than a file:
// empty, or ending in "/", "." or ".." (Spin 2.x LocalLoader::is_directory_like).
func isDirectoryLike(p string) bool {
	return p == "" || strings.HasSuffix(p, "/") || strings.HasSuffix(p, ".")
}

// pattern mounts the files a string pattern names: a literal file or directory, or the
// files a glob matches.
func (m *mounter) pattern(raw string) error {
	pat, err := cleanRelPattern(raw)
	if err != nil {
		return err
	}
	if hasGlobMeta(pat) {
		return m.glob(pat)
	}
	abs := filepath.Join(m.dir, filepath.FromSlash(pat))
	fi, err := os.Stat(abs)
	if err != nil {
		return fmt.Errorf("%q: %v", raw, errors.Unwrap(err))
	}
	if fi.IsDir() {
		dest := "/"
		if pat != "." {
			dest = "/" + pat
		}
		return m.dirMount(abs, pat, dest)
	}
	if !m.excluded(pat) {
		m.add(FileMount{Source: abs, Destination: "/" + pat})
	}
	return nil
}

// glob mounts the files matching pat, walking from its longest literal prefix.
func (m *mounter) glob(pat string) error {
	segs := strings.Split(pat, "/")
	n := 0
	for n < len(segs)-1 && !hasGlobMeta(segs[n]) {
		n++
	}
	prefix := path.Join(segs[:n]...)
	root := filepath.Join(m.dir, filepath.FromSlash(prefix))
	if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
		return nil // nothing can match
	}
	files, err := listFiles(root)
	if err != nil {
		return err
	}
	for _, f := range files {
		rel := path.Join(prefix, f)
		if globMatch(pat, rel) && !m.excluded(rel) {
			m.add(FileMount{Source: filepath.Join(m.dir, filepath.FromSlash(rel)), Destination: "/" + rel})
		}
	}
	return nil
}

// dirMount adds a directory mount, expanded into its files when exclusions touch it.
func (m *mounter) dirMount(absSrc, relSrc, dest string) error {
	if len(m.excl) == 0 {
		m.add(FileMount{Source: absSrc, Destination: dest, Dir: true})
		return nil
	}
	files, err := listFiles(absSrc)
	if err != nil {
		return err
	}
	touched := m.excluded(relSrc)
	for _, f := range files {
		if m.excluded(path.Join(relSrc, f)) {
			touched = true
			break
		}
	}
	if !touched {
		m.add(FileMount{Source: absSrc, Destination: dest, Dir: true})
		return nil
	}
	if m.excluded(relSrc) {
		return nil
	}
	for _, f := range files {
		if !m.excluded(path.Join(relSrc, f)) {
			m.add(FileMount{Source: filepath.Join(absSrc, filepath.FromSlash(f)), Destination: path.Join(dest, f)})
		}
	}
	return nil
}
