package source

import (
	"fmt"
	"os"
	"path/filepath"
)

// ResolveLink returns the absolute path the symbolic link at p resolves to,
// and whether that is a directory. root is the absolute directory, its own
// symbolic links resolved, that p's target must lie in: a link resolving
// outside it, or not resolving, is an error naming p, so that a site never
// publishes a file from elsewhere on the machine (a page bundle's
// passwd.txt → /etc/passwd).
func ResolveLink(root, p string) (target string, isDir bool, err error) {
	target, err = filepath.EvalSymlinks(p)
	if err == nil {
		target, err = filepath.Abs(target)
	}
	if err != nil {
		return "", false, fmt.Errorf("%s: symbolic link does not resolve: %w", p, err)
	}
	if rel, err := filepath.Rel(root, target); err != nil || !filepath.IsLocal(rel) {
		return "", false, fmt.Errorf("%s: symbolic link to %s, outside %s: not published", p, target, root)
	}
	st, err := os.Stat(target)
	if err != nil {
		return "", false, fmt.Errorf("%s: %w", p, err)
	}
	return target, st.IsDir(), nil
}
