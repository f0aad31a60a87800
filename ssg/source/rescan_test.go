package source

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestWalkCompare(t *testing.T) {
	sorted := []string{"a", "a/b", "a/b/c", "a/c", "a-c", "a.md", "b", "b/a", "static/x", "z"}
	for i, a := range sorted {
		for j, b := range sorted {
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := walkCompare(a, b); got != want {
				t.Errorf("walkCompare(%q, %q) = %d, want %d", a, b, got, want)
			}
		}
	}
}

// TestRescanMatchesScan changes a content directory at random, many times,
// and checks that Rescan of the previous result with the changed paths gives
// what a new Scan gives.
func TestRescanMatchesScan(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "content")
	rng := rand.New(rand.NewPCG(1, 2))
	names := []string{"a.md", "a-b.md", "index.md", "x.jpg", "b", "b.md", "_c.md", ".d", "static"}
	randPath := func() string {
		var p []string
		for n := 1 + rng.IntN(3); n > 0; n-- {
			p = append(p, names[rng.IntN(len(names))])
		}
		return filepath.Join(p...)
	}
	write := func(rel string) bool {
		full := filepath.Join(dir, rel)
		if os.MkdirAll(filepath.Dir(full), 0o755) != nil {
			return false // a file stands where a directory would go
		}
		if st, err := os.Stat(full); err == nil && st.IsDir() {
			return false
		}
		return os.WriteFile(full, []byte(fmt.Sprint(rng.Int())), 0o644) == nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	files, err := Scan(dir, filepath.Join(dir, "site.toml"))
	if err != nil {
		t.Fatal(err)
	}
	for step := range 300 {
		var changed []string
		for n := 1 + rng.IntN(4); n > 0; n-- {
			rel := randPath()
			var created []string // directories the change creates: watchers report them
			for d := filepath.Dir(rel); d != "."; d = filepath.Dir(d) {
				if _, err := os.Stat(filepath.Join(dir, d)); err != nil {
					created = append(created, filepath.Join(dir, d))
				}
			}
			switch rng.IntN(4) {
			case 0, 1:
				if !write(rel) {
					continue
				}
			case 2:
				if os.RemoveAll(filepath.Join(dir, rel)) != nil {
					continue
				}
			case 3: // a file with a stamp in the past, as after a copy preserving times
				if !write(rel) {
					continue
				}
				old := time.Unix(int64(rng.IntN(1e9)), 0)
				_ = os.Chtimes(filepath.Join(dir, rel), old, old)
			}
			changed = append(append(changed, filepath.Join(dir, rel)), created...)
		}
		rng.Shuffle(len(changed), func(i, j int) { changed[i], changed[j] = changed[j], changed[i] })
		if err := Rescan(&files, dir, filepath.Join(dir, "site.toml"), changed); err != nil {
			t.Fatal(err)
		}
		want, err := Scan(dir, filepath.Join(dir, "site.toml"))
		if err != nil {
			t.Fatal(err)
		}
		norm := func(f Files) Files {
			for _, l := range []*[]File{&f.Markdown, &f.Static, &f.Other} {
				if len(*l) == 0 {
					*l = nil
				}
			}
			return f
		}
		if !reflect.DeepEqual(norm(slices.Clone([]Files{files})[0]), norm(want)) {
			t.Fatalf("step %d: after %v:\nRescan: %+v\nScan:   %+v", step, changed, files, want)
		}
	}
	if len(files.Markdown)+len(files.Other)+len(files.Static) < 5 {
		t.Fatalf("the random tree ended with too few files to have tested much: %+v", files)
	}
}
