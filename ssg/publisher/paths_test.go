package publisher

import (
	"bytes"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"wasmsite/ssg/output"
)

// TestPublishRefusesPathsOutside: a plan holding a path that would land
// outside the output directory, or name a file two ways, publishes nothing.
func TestPublishRefusesPathsOutside(t *testing.T) {
	for _, bad := range []string{"../escape.txt", "a/../../escape.txt", "/abs.txt", "a//b.txt", "./a.txt", "a/", "", ".."} {
		dir := t.TempDir()
		out := filepath.Join(dir, "site", "public")
		gen := func(w *bytes.Buffer) error { w.WriteString("x"); return nil }
		files := []output.File{
			{Path: "index.html", Origin: "home", Key: 3, Generate: gen},
			{Path: bad, Origin: "content/blog/evil.md", Key: 5, Generate: gen},
		}
		st := New(out, false, 1).Stage()
		_, err := st.Publish(files)
		st.Release()
		if err == nil || !strings.Contains(err.Error(), "content/blog/evil.md") {
			t.Errorf("path %q: got %v, want an error naming the origin", bad, err)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("path %q: the output was published (%v)", bad, err)
		}
		if _, err := os.Stat(filepath.Join(dir, "site", "escape.txt")); !os.IsNotExist(err) {
			t.Errorf("path %q: a file was written outside the output", bad)
		}
	}
}

// TestClean: clean accepts the paths path.Clean leaves as they are, but
// those that are empty, absolute or start at "." or "..".
func TestClean(t *testing.T) {
	for _, p := range []string{"a", "a/b.html", "a/b/", "/a", "a//b", "./a", "a/.", "a/..", "..", ".", "", "a/./b", "..a/b..", ".a/b.", "a/...", "/", "../a"} {
		want := p != "" && path.Clean(p) == p && !path.IsAbs(p) && p != "." && p != ".." && !strings.HasPrefix(p, "../")
		if got := clean(p); got != want {
			t.Errorf("clean(%q) = %v, want %v", p, got, want)
		}
	}
}
