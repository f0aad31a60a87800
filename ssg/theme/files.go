package theme

import (
	"embed"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"wasmsite/ssg/source"
)

//go:embed templates assets
var embedded embed.FS

// readEmbedded returns the embedded templates, by name (base.html), and
// assets, by output path (assets/style.css).
func readEmbedded() (files, assets map[string][]byte, err error) {
	files, assets = map[string][]byte{}, map[string][]byte{}
	err = fs.WalkDir(embedded, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := embedded.ReadFile(p)
		if err != nil {
			return err
		}
		if name, ok := strings.CutPrefix(p, "templates/"); ok {
			files[name] = b
		} else {
			assets[p] = b
		}
		return nil
	})
	return files, assets, err
}

// readOverrides adds the files of dir to files (*.html) and assets
// (assets/*), replacing those of the same name. A missing dir is no error;
// a symbolic link resolving outside dir is (see source.ResolveLink), one to
// a directory is not followed.
func readOverrides(dir string, files, assets map[string][]byte) error {
	if dir == "" {
		return nil
	}
	st, err := os.Stat(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	if !st.IsDir() {
		return nil
	}
	root, err := filepath.Abs(dir)
	if err == nil {
		root, err = filepath.EvalSymlinks(root)
	}
	if err != nil {
		return err
	}
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		read := p
		if d.Type()&fs.ModeSymlink != 0 {
			target, isDir, err := source.ResolveLink(root, p)
			if err != nil || isDir {
				return err // a directory: not followed
			}
			read = target
		}
		b, err := os.ReadFile(read)
		if err != nil {
			return err
		}
		if strings.HasPrefix(rel, "assets/") {
			assets[rel] = b
		} else if strings.HasSuffix(rel, ".html") {
			files[rel] = b
		}
		return nil
	})
}

// hashSources returns the names and contents of files in name order.
func hashSources(files map[string][]byte) []byte {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var h []byte
	for _, n := range names {
		h = append(h, n...)
		h = append(h, files[n]...)
	}
	return h
}
