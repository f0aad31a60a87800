package mountfs

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"wasmsite/server/manifest"
)

// Changes under a mounted directory, a new subdirectory's files, a swap of the mounted
// directory (rename over it, as the generator publishes) and a mounted file's rewrite
// are all reported; changes beside the mounts are not.
func TestWatch(t *testing.T) {
	base := t.TempDir()
	pub := filepath.Join(base, "public")
	single := filepath.Join(base, "robots.txt")
	for _, p := range []string{filepath.Join(pub, "blog", "x"), filepath.Join(base, "other")} {
		os.MkdirAll(p, 0o755)
	}
	os.WriteFile(single, []byte("a"), 0o644)
	var changes atomic.Int64
	w, err := Watch([]manifest.FileMount{{Source: pub, Destination: "/", Dir: true}, {Source: single, Destination: "/robots.txt"}},
		20*time.Millisecond, slog.New(slog.NewTextHandler(io.Discard, nil)), func() { changes.Add(1) })
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	expect := func(what string, change func(), want bool) {
		t.Helper()
		time.Sleep(100 * time.Millisecond) // the previous step's burst has settled
		before := changes.Load()
		change()
		deadline := time.Now().Add(2 * time.Second)
		for time.Now().Before(deadline) && changes.Load() == before {
			time.Sleep(10 * time.Millisecond)
		}
		if !want {
			time.Sleep(200 * time.Millisecond)
		}
		if got := changes.Load() != before; got != want {
			t.Errorf("%s: reported %v, want %v", what, got, want)
		}
	}
	expect("file deep inside", func() { os.WriteFile(filepath.Join(pub, "blog", "x", "index.html"), []byte("v1"), 0o644) }, true)
	expect("new directory's file", func() {
		os.MkdirAll(filepath.Join(pub, "new"), 0o755)
		time.Sleep(50 * time.Millisecond)
		os.WriteFile(filepath.Join(pub, "new", "index.html"), []byte("n"), 0o644)
	}, true)
	expect("beside the mounts", func() { os.WriteFile(filepath.Join(base, "other", "f"), []byte("x"), 0o644) }, false)
	expect("swap of the mounted directory", func() {
		next := filepath.Join(base, "public.next")
		os.MkdirAll(filepath.Join(next, "blog"), 0o755)
		os.Rename(pub, filepath.Join(base, "public.old"))
		os.Rename(next, pub)
	}, true)
	expect("file in the swapped-in tree", func() { os.WriteFile(filepath.Join(pub, "blog", "y.html"), []byte("y"), 0o644) }, true)
	expect("mounted file", func() { os.WriteFile(single, []byte("b"), 0o644) }, true)
}
