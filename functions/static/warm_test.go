package main

import (
	"maps"
	"testing"
	"testing/fstest"
)

// TestWarm: warming reads the home page and the 404 page through the server's file
// system and leaves no file open (an open file would discard the snapshot's instance);
// it asks for the gzip sibling only when the home page has one.
func TestWarm(t *testing.T) {
	withSibling := maps.Clone(files)
	withSibling["index.html.gz"] = &fstest.MapFile{Data: gzipped(t, files["index.html"].Data)}
	for name, fsys := range map[string]fstest.MapFS{"plain": files, "gzip siblings": withSibling} {
		c := &countingFS{MapFS: fsys, opens: map[string]int{}, reads: map[string]int{}}
		NewServer(c, func(string) string { return "" }).Warm()
		for _, name := range []string{"index.html", "404.html"} {
			if c.reads[name] == 0 {
				t.Errorf("%s: warming never read %s (opened %v)", name, name, c.opens)
			}
		}
		if c.open != 0 {
			t.Errorf("%s: warming left %d files open", name, c.open)
		}
		// Without a sibling, a gzip request would still try to open one.
		_, hasSibling := fsys["index.html.gz"]
		if asked := c.opens["index.html.gz"] > 0; asked != hasSibling {
			t.Errorf("%s: index.html.gz asked for = %v", name, asked)
		}
	}
}
