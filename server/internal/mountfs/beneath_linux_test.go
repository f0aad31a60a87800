package mountfs

import (
	"testing"

	"wasmsite/server/manifest"
)

// On this kernel (Linux 5.6+) a mapped directory's files open with openat2.
func TestOpenat2InUse(t *testing.T) {
	dir := t.TempDir()
	tree(t, dir, map[string]string{"a/b.txt": "b"})
	fsys := newFS(t, manifest.FileMount{Source: dir, Destination: "/", Dir: true}).(*FS)
	if fsys.roots[0].cur.beneath == nil {
		t.Fatal("openat2 not in use for a mapped directory")
	}
	if got := read(t, fsys, "a/b.txt"); got != "b" {
		t.Errorf("a/b.txt = %q", got)
	}
}
