package site

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"wasmsite/ssg/output"
)

// decorate publishes the site in the output directory again as it is, but
// with development mode's snippet in every HTML page that lacks it and its
// files added, and without .gz siblings (development builds have none):
// after a failed first build, the last good site then shows the errors over
// its pages too, even when it was built for production. It does nothing
// outside development mode, without a site, or when the site has them.
func (b *Builder) decorate() error {
	dev := b.opts.Dev
	home, err := os.ReadFile(filepath.Join(b.opts.OutDir, "index.html"))
	if dev == nil || err != nil || bytes.Contains(home, []byte(dev.Snippet)) {
		return nil
	}
	var files []output.File
	err = filepath.WalkDir(b.opts.OutDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(b.opts.OutDir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if _, ok := dev.Files[rel]; ok || strings.HasSuffix(rel, ".gz") {
			return nil
		}
		files = append(files, output.File{Path: rel, Origin: p, Key: output.UnknownKey, Generate: readFile(p)})
		return nil
	})
	if err != nil {
		return err
	}
	for name, content := range dev.Files {
		files = append(files, output.File{Path: name, Origin: "development mode", Key: output.UnknownKey,
			Generate: func(w *bytes.Buffer) error { w.Write(content); return nil }})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	output.Inject(files, dev.Snippet)
	stage := b.publisher.Stage()
	defer stage.Release()
	_, err = stage.Publish(files)
	return err
}

// readFile generates an output holding the file at p as it is now.
func readFile(p string) func(*bytes.Buffer) error {
	return func(w *bytes.Buffer) error {
		data, err := os.ReadFile(p)
		w.Write(data)
		return err
	}
}
