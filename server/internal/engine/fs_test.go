package engine

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
)

// Files a call leaves open live in the instance's descriptor table, which restoring
// the snapshot does not reset: such an instance must not be reused. Files opened and
// closed do not prevent reuse, and reads and listings work through the counting
// wrapper for the file types the mounted filesystems return.
func TestLeftOpenFilesNotReused(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "data.txt"), []byte("secret data"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "other.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, fsys := range map[string]fs.FS{
		"MapFS": fstest.MapFS{"data.txt": {Data: []byte("secret data")}, "other.txt": {}},
		"DirFS": os.DirFS(dir), // *os.File, as mountfs returns
	} {
		t.Run(name, func(t *testing.T) {
			e := newEngine(t, Options{})
			m := compileWith(t, e, isolationGuest(t), Settings{FS: fsys})
			p := newPooling(m)
			for i := range 30 {
				inst := acquire(t, m)
				p.got(t, inst)
				if got := call1(t, inst, "readfile"); got != 11 {
					t.Fatalf("readfile = %d, want 11", int32(got))
				}
				if got := call1(t, inst, "listdir"); got != 2 {
					t.Fatalf("listdir = %d, want 2", int32(got))
				}
				// Descriptors 3.. up to a few above the preopen are all closed.
				for fd := uint64(4); fd < 12; fd++ {
					if got := int32(call1(t, inst, "probe", fd)); got != -1 {
						t.Fatalf("call %d: descriptor %d is open in a fresh or reset instance (read %d bytes)", i, fd, got)
					}
				}
				if i%4 == 1 {
					fd := call1(t, inst, "leak")
					if got := int32(call1(t, inst, "probe", fd)); got != 11 {
						t.Fatalf("probe of the leaked descriptor = %d", got)
					}
					p.release(t, inst, true, true, "instance with a file left open")
					continue
				}
				p.release(t, inst, true, false, "instance that closed its files")
			}
			if p.reused == 0 {
				t.Error("instances that closed their files were never reused")
			}
		})
	}
}
