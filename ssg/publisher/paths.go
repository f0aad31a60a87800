package publisher

import (
	"fmt"
	"path"
	"path/filepath"

	"wasmsite/ssg/output"
)

// checkPaths returns an error naming the first of files whose path could
// land outside the output directory or name a file two ways: every path must
// be relative, clean (no "..", "." or empty element, no trailing slash) and
// local (filepath.IsLocal). Plan builds paths from slugs, tags and aliases
// it has validated; this is the last check before anything is written.
// Paths in published, the live output's, passed it already.
func checkPaths(files []output.File, published map[string]uint64) error {
	for _, f := range files {
		if _, ok := published[f.Path]; ok {
			continue
		}
		if f.Path == "" || path.Clean(f.Path) != f.Path || !filepath.IsLocal(filepath.FromSlash(f.Path)) {
			return fmt.Errorf("%s: output path %q is not a clean path inside the output directory", f.Origin, f.Path)
		}
	}
	return nil
}
