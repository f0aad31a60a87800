// Package output plans the files of a generated site: Plan lists every file
// with its incremental-build key and the function that generates it, from
// the site model and the theme. It also generates the files that are not
// rendered from templates: feeds, sitemap and robots.txt.
package output

import (
	"bytes"
	"os"
	"strings"
)

// File is one file of the generated site.
type File struct {
	Path   string // slash-separated, relative to the output root
	Origin string // what it is made from, for messages: a source path, "RSS feed", …
	// Key changes whenever the content may: equal keys, equal bytes, within
	// one process (see Keys). Never UnknownKey.
	Key uint64
	// Generate appends the file's content to w.
	Generate func(w *bytes.Buffer) error
}

// URLFile returns the output path of the site path u: index.html for a
// directory.
func URLFile(u string) string {
	u = strings.TrimPrefix(u, "/")
	if u == "" || strings.HasSuffix(u, "/") {
		return u + "index.html"
	}
	return u
}

// copyFile generates an output by copying the file at path.
func copyFile(path string) func(*bytes.Buffer) error {
	return func(w *bytes.Buffer) error {
		fh, err := os.Open(path)
		if err != nil {
			return err
		}
		defer fh.Close()
		_, err = w.ReadFrom(fh)
		return err
	}
}

// staticBytes generates an output holding b.
func staticBytes(b []byte) func(*bytes.Buffer) error {
	return func(w *bytes.Buffer) error { w.Write(b); return nil }
}
