package output

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"wasmsite/ssg/images"
	"wasmsite/ssg/source"
)

// assets plans the theme's static files, by name.
func (pl *planner) assets() {
	assets := pl.Theme.Assets()
	for _, name := range slices.Sorted(maps.Keys(assets)) {
		k := pl.Keys.New().Number(pl.SiteKey).Text(name).Key()
		pl.add(file(name, "theme", k, staticBytes(assets[name])))
	}
}

// statics plans a copy of every file of the content's static/ directory at
// the site root, and the smaller copies of its raster images.
func (pl *planner) statics() {
	for _, f := range pl.Statics {
		dest := strings.TrimPrefix(f.Rel, "static/")
		pl.add(file(dest, f.Path, pl.copyKey("static", f), copyFile(f.ReadPath())))
		pl.variants(dest, "static", f)
	}
}

// variants plans the smaller copies (see images.Info.Widths) of the image
// f published at dest, if it is a raster image Images can read.
func (pl *planner) variants(dest, family string, f source.File) {
	if pl.Images == nil || !images.IsImage(f.Rel) {
		return
	}
	info, err := pl.Images.Info(f.ReadPath(), f.Mtime, f.Size)
	if err != nil {
		return
	}
	for _, w := range info.Widths() {
		k := pl.Keys.New().Number(pl.copyKey(family, f)).Text("width").Number(uint64(w)).Key()
		pl.add(file(images.VariantName(dest, w), fmt.Sprintf("%s (%d px wide)", f.Path, w), k, pl.Images.Variant(f.ReadPath(), info, w)))
	}
}

// bundles plans a copy of every page bundle file in its page's directory,
// and the smaller copies of its raster images.
// Drafts that are not rendered are not in the site, so their files are left
// out too. A bundle file cannot take the page's own index.html.
func (pl *planner) bundles() error {
	for _, p := range pl.rendered {
		for _, f := range p.Bundle {
			if f.Dest == "index.html" {
				return fmt.Errorf("%s: bundle file conflicts with the page generated from %s (/%s)", f.Path, p.File, URLFile(p.URL))
			}
			dest := strings.TrimPrefix(p.URL, "/") + f.Dest
			pl.add(file(dest, f.Path, pl.copyKey("bundle", f.File), copyFile(f.ReadPath())))
			pl.variants(dest, "bundle", f.File)
		}
	}
	return nil
}

// copyKey is the key of a copy of f: the file's path and stamp, whatever
// the site and theme.
func (pl *planner) copyKey(family string, f source.File) uint64 {
	return pl.Keys.New().Text(family).Text(f.Path).Number(uint64(f.Mtime)).Number(uint64(f.Size)).Key()
}

// planGitkeep keeps the empty .gitkeep of the output directory, if it has
// one, which keeps the directory in git.
func (pl *planner) planGitkeep() {
	if pl.gitkeep = hasGitkeep(pl.OutDir); pl.gitkeep {
		pl.add(file(".gitkeep", "kept", 1, func(*bytes.Buffer) error { return nil }))
	}
}

// hasGitkeep reports whether the output directory out has a .gitkeep.
func hasGitkeep(out string) bool {
	_, err := os.Stat(filepath.Join(out, ".gitkeep"))
	return err == nil
}
