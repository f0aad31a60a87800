package source

import (
	"io/fs"
	"path/filepath"
	"strings"
)

// Files are the inputs of a content directory, each list in path order.
type Files struct {
	Markdown []File // *.md outside static/: posts and pages
	Static   []File // under static/: copied to the site root
	// Other are the remaining files below the top directory: they belong
	// to a page bundle when an index.md is above them.
	Other []File
}

// Scan lists the files of the content directory dir. Files and directories
// whose name starts with '.' or '_' are skipped, and so are the settings
// file configFile and the files at the top of dir that are not markdown.
// Errors are those of walking dir.
func Scan(dir, configFile string) (Files, error) {
	var files Files
	cfgAbs, _ := filepath.Abs(configFile)
	dirAbs, _ := filepath.Abs(dir) // once: Abs of a relative path stats the working directory
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if p != dir && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		isStatic := strings.HasPrefix(rel, "static/")
		isMD := !isStatic && strings.HasSuffix(name, ".md")
		if !isStatic && !isMD && !strings.Contains(rel, "/") {
			return nil // beside site.toml: never part of a bundle
		}
		if filepath.Join(dirAbs, filepath.FromSlash(rel)) == cfgAbs {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		f := File{Path: p, Rel: rel, Mtime: info.ModTime().UnixNano(), Size: info.Size()}
		switch {
		case isStatic:
			files.Static = append(files.Static, f)
		case isMD:
			files.Markdown = append(files.Markdown, f)
		default:
			files.Other = append(files.Other, f)
		}
		return nil
	})
	return files, err
}
