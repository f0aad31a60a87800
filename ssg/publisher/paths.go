package publisher

import (
	"fmt"
	"path/filepath"
	"strings"

	"wasmsite/ssg/output"
)

// checkPaths returns an error naming the first of files whose path could
// land outside the output directory or name a file two ways: every path must
// be relative, clean (no "..", "." or empty element, no trailing slash) and
// local (filepath.IsLocal). Plan builds paths from slugs, tags and aliases
// it has validated; this is the last check before anything is written.
func checkPaths(files []output.File) error {
	for _, f := range files {
		if !clean(f.Path) || !filepath.IsLocal(filepath.FromSlash(f.Path)) {
			return fmt.Errorf("%s: output path %q is not a clean path inside the output directory", f.Origin, f.Path)
		}
	}
	return nil
}

// clean reports whether the slash path p is relative and path.Clean leaves
// it as it is: not empty, no empty, "." or ".." element, no leading or
// trailing slash. One pass over p, where path.Clean cost 2 ms for 14,000
// paths.
func clean(p string) bool {
	if p == "" {
		return false
	}
	for p != "" {
		elem, rest, more := strings.Cut(p, "/")
		if elem == "" || elem == "." || elem == ".." || (more && rest == "") {
			return false
		}
		p = rest
	}
	return true
}
