package main

import "testing"

// TestWarm: warming reads the home page and the 404 page through the server's file
// system and leaves no file open (an open file would discard the snapshot's instance).
func TestWarm(t *testing.T) {
	c := &countingFS{MapFS: files, opens: map[string]int{}, reads: map[string]int{}}
	NewServer(c, func(string) string { return "" }).Warm()
	for _, name := range []string{"index.html", "404.html"} {
		if c.reads[name] == 0 {
			t.Errorf("warming never read %s (opened %v)", name, c.opens)
		}
	}
	if c.open != 0 {
		t.Errorf("warming left %d files open", c.open)
	}
}
