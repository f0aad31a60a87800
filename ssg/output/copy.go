package output

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"wasmsite/ssg/source"
)

// assets plans the theme's static files.
func (pl *planner) assets() {
	for name, content := range pl.Theme.Assets() {
		k := pl.Keys.New().Number(pl.SiteKey).Text(name).Key()
		pl.add(name, "theme", k, staticBytes(content))
	}
}

// statics plans a copy of every file of the content's static/ directory at
// the site root.
func (pl *planner) statics() {
	for _, f := range pl.Statics {
		pl.add(strings.TrimPrefix(f.Rel, "static/"), f.Path, pl.copyKey("static", f), copyFile(f.ReadPath()))
	}
}

// bundles plans a copy of every page bundle file in its page's directory.
// Drafts that are not rendered are not in the site, so their files are left
// out too. A bundle file cannot take the page's own index.html.
func (pl *planner) bundles() error {
	for _, p := range pl.Site.Rendered() {
		for _, f := range p.Bundle {
			if f.Dest == "index.html" {
				return fmt.Errorf("%s: bundle file conflicts with the page generated from %s (/%s)", f.Path, p.File, URLFile(p.URL))
			}
			pl.add(strings.TrimPrefix(p.URL, "/")+f.Dest, f.Path, pl.copyKey("bundle", f.File), copyFile(f.ReadPath()))
		}
	}
	return nil
}

// copyKey is the key of a copy of f: the file's path and stamp, whatever
// the site and theme.
func (pl *planner) copyKey(family string, f source.File) uint64 {
	return pl.Keys.New().Text(family).Text(f.Path).Number(uint64(f.Mtime)).Number(uint64(f.Size)).Key()
}

// gitkeep keeps the empty .gitkeep of the output directory, if it has one,
// which keeps the directory in git.
func (pl *planner) gitkeep() {
	if _, err := os.Stat(filepath.Join(pl.OutDir, ".gitkeep")); err == nil {
		pl.add(".gitkeep", "kept", 1, func(*bytes.Buffer) error { return nil })
	}
}
