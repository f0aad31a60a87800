package mountfs

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"wasmsite/server/manifest"
)

// tree writes files (path -> content; a path ending in "/" is an empty directory) under dir.
func tree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for p, content := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if strings.HasSuffix(p, "/") {
			if err := os.MkdirAll(full, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func newFS(t *testing.T, mounts ...manifest.FileMount) fs.FS {
	t.Helper()
	fsys, err := New(mounts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fsys.(io.Closer).Close() })
	return fsys
}

// forEachOpener runs test with files opened as on this platform (openat2 on Linux)
// and with os.Root alone, the path taken where openat2 is missing.
func forEachOpener(t *testing.T, test func(t *testing.T)) {
	t.Run("platform", test)
	t.Run("os.Root", func(t *testing.T) {
		newBeneath = func(*os.Root) *beneathDir { return nil }
		defer func() { newBeneath = newBeneathDir }()
		test(t)
	})
}

func read(t *testing.T, fsys fs.FS, name string) string {
	t.Helper()
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		t.Fatalf("ReadFile(%s): %v", name, err)
	}
	return string(b)
}

func names(t *testing.T, fsys fs.FS, dir string) []string {
	t.Helper()
	des, err := fs.ReadDir(fsys, dir)
	if err != nil {
		t.Fatalf("ReadDir(%s): %v", dir, err)
	}
	var out []string
	for _, de := range des {
		n := de.Name()
		if de.IsDir() {
			n += "/"
		}
		out = append(out, n)
	}
	return out
}

// A root directory mount, a nested directory mount from elsewhere, single files (one
// shadowing a file of the root mount, one under synthetic parents).
func combined(t *testing.T) (fs.FS, string) {
	base := t.TempDir()
	site, img, conf := filepath.Join(base, "site"), filepath.Join(base, "img"), filepath.Join(base, "conf")
	tree(t, site, map[string]string{
		"index.html":         "site index",
		"about/index.html":   "about",
		"assets/style.css":   "css",
		"assets/img/old.png": "shadowed by the img mount",
		"empty/":             "",
	})
	tree(t, img, map[string]string{"logo.png": "logo", "icons/a.svg": "svg"})
	tree(t, conf, map[string]string{"app.toml": "x = 1", "index.html": "file-mount index"})
	return newFS(t,
		manifest.FileMount{Source: site, Destination: "/", Dir: true},
		manifest.FileMount{Source: img, Destination: "/assets/img", Dir: true},
		manifest.FileMount{Source: filepath.Join(conf, "app.toml"), Destination: "/config/app.toml"},
		manifest.FileMount{Source: filepath.Join(conf, "index.html"), Destination: "/index.html"},
	), base
}

func TestCombined(t *testing.T) { forEachOpener(t, testCombined) }

func testCombined(t *testing.T) {
	fsys, _ := combined(t)
	if err := fstest.TestFS(fsys,
		"index.html", "about/index.html", "assets/style.css", "assets/img/logo.png",
		"assets/img/icons/a.svg", "config/app.toml", "empty"); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"index.html":             "file-mount index",
		"about/index.html":       "about",
		"assets/style.css":       "css",
		"assets/img/logo.png":    "logo",
		"assets/img/icons/a.svg": "svg",
		"config/app.toml":        "x = 1",
	} {
		if got := read(t, fsys, name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if _, err := fsys.Open("assets/img/old.png"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("file under a nested mount point visible from the outer mount: %v", err)
	}
	for dir, want := range map[string][]string{
		".":          {"about/", "assets/", "config/", "empty/", "index.html"},
		"assets":     {"img/", "style.css"},
		"assets/img": {"icons/", "logo.png"},
		"config":     {"app.toml"},
		"empty":      nil,
	} {
		if got := names(t, fsys, dir); !reflect.DeepEqual(got, want) {
			t.Errorf("ReadDir(%s) = %q, want %q", dir, got, want)
		}
	}
	// The listing describes what Open returns: the file mount's index.html.
	des, _ := fs.ReadDir(fsys, ".")
	for _, de := range des {
		if de.Name() == "index.html" {
			info, err := de.Info()
			if err != nil || info.Size() != int64(len("file-mount index")) {
				t.Errorf("index.html entry: size %d, %v; want the file mount's %d", info.Size(), err, len("file-mount index"))
			}
		}
	}
}

func TestSyntheticParents(t *testing.T) {
	dir := t.TempDir()
	tree(t, dir, map[string]string{"c.txt": "C", "d.txt": "D"})
	fsys := newFS(t,
		manifest.FileMount{Source: filepath.Join(dir, "c.txt"), Destination: "/a/b/c.txt"},
		manifest.FileMount{Source: filepath.Join(dir, "d.txt"), Destination: "a/d.txt"},
	)
	if err := fstest.TestFS(fsys, "a/b/c.txt", "a/d.txt", "a", "a/b"); err != nil {
		t.Fatal(err)
	}
	if got := names(t, fsys, "."); !reflect.DeepEqual(got, []string{"a/"}) {
		t.Errorf("root = %q", got)
	}
	if got := names(t, fsys, "a"); !reflect.DeepEqual(got, []string{"b/", "d.txt"}) {
		t.Errorf("a = %q", got)
	}
	for _, name := range []string{"a/x", "b", "a/b/c.txt/x", "c.txt"} {
		if _, err := fsys.Open(name); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Open(%s) = %v, want ErrNotExist", name, err)
		}
	}
	info, err := fs.Stat(fsys, "a/b")
	if err != nil || !info.IsDir() || info.Name() != "b" || info.Mode().Perm()&0o222 != 0 {
		t.Errorf("Stat(a/b) = %v, %v; want a read-only directory named b", info, err)
	}
	f, _ := fsys.Open("a")
	defer f.Close()
	if _, err := f.Read(make([]byte, 1)); err == nil {
		t.Error("Read of a directory succeeded")
	}
	// ReadDir(n) pages, then io.EOF.
	d := f.(fs.ReadDirFile)
	first, err := d.ReadDir(1)
	if err != nil || len(first) != 1 || first[0].Name() != "b" {
		t.Fatalf("ReadDir(1) = %v, %v", first, err)
	}
	second, err := d.ReadDir(5)
	if err != nil || len(second) != 1 || second[0].Name() != "d.txt" {
		t.Fatalf("ReadDir(5) = %v, %v", second, err)
	}
	if rest, err := d.ReadDir(1); err != io.EOF || len(rest) != 0 {
		t.Fatalf("ReadDir at end = %v, %v; want io.EOF", rest, err)
	}
}

func TestEmpty(t *testing.T) {
	fsys := newFS(t)
	if err := fstest.TestFS(fsys); err != nil {
		t.Fatal(err)
	}
	if got := names(t, fsys, "."); len(got) != 0 {
		t.Errorf("empty FS lists %q", got)
	}
	if _, err := fsys.Open("x"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open(x) = %v", err)
	}
}

func TestMissingSource(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	_, err := New([]manifest.FileMount{{Source: missing, Destination: "/", Dir: true}})
	if err == nil || !strings.Contains(err.Error(), "mapped directory "+missing) {
		t.Fatalf("New = %v, want an error naming %s", err, missing)
	}
}

// Nothing outside the mapped roots is reachable: not through "..", absolute or
// otherwise invalid names, nor symlinks pointing out of a root.
func TestConfinement(t *testing.T) { forEachOpener(t, testConfinement) }

func testConfinement(t *testing.T) {
	base := t.TempDir()
	site := filepath.Join(base, "site")
	tree(t, site, map[string]string{"ok.txt": "ok", "sub/in.txt": "in"})
	tree(t, base, map[string]string{"outside/secret.txt": "SECRET", "secret.txt": "SECRET"})
	links := map[string]string{
		"up":        "../secret.txt",
		"updir":     "../outside",
		"abs":       filepath.Join(base, "secret.txt"),
		"absdir":    filepath.Join(base, "outside"),
		"sub/deep":  "../../outside/secret.txt",
		"inside":    "sub/in.txt",
		"insidedir": "sub",
		"sub/back":  "../ok.txt",
		"loop":      "loop",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(site, filepath.FromSlash(name))); err != nil {
			t.Fatal(err)
		}
	}
	fsys := newFS(t,
		manifest.FileMount{Source: site, Destination: "/", Dir: true},
		manifest.FileMount{Source: site, Destination: "/static", Dir: true},
	)
	for _, prefix := range []string{"", "static/"} {
		for _, name := range []string{"up", "updir/secret.txt", "abs", "absdir/secret.txt", "sub/deep", "loop"} {
			f, err := fsys.Open(prefix + name)
			if err == nil {
				b, _ := io.ReadAll(f)
				f.Close()
				t.Errorf("Open(%s%s) escaped the root: %q", prefix, name, b)
			}
		}
		for name, want := range map[string]string{"inside": "in", "insidedir/in.txt": "in", "sub/back": "ok", "ok.txt": "ok"} {
			if got := read(t, fsys, prefix+name); got != want {
				t.Errorf("%s%s = %q, want %q", prefix, name, got, want)
			}
		}
	}
	for _, name := range []string{"../secret.txt", "../outside/secret.txt", "static/../../secret.txt", "/secret.txt",
		"sub/../../secret.txt", "./ok.txt", "sub/", "", "sub//in.txt", `sub\..\..\secret.txt`, "static/.."} {
		f, err := fsys.Open(name)
		if err == nil {
			b, _ := io.ReadAll(f)
			f.Close()
			if strings.Contains(string(b), "SECRET") {
				t.Errorf("Open(%q) read a file outside the roots", name)
			}
			if fs.ValidPath(name) {
				continue
			}
			t.Errorf("Open(%q) succeeded for an invalid path", name)
		}
	}
}

// swap replaces dir with a new tree the way generators publish: write dir.new, move
// dir aside, rename dir.new into place.
func swap(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	next, old := dir+".new", dir+".old"
	os.RemoveAll(next)
	os.RemoveAll(old)
	tree(t, next, files)
	if err := os.Rename(dir, old); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(next, dir); err != nil {
		t.Fatal(err)
	}
}

func TestFollowsRenameSwap(t *testing.T) { forEachOpener(t, testFollowsRenameSwap) }

func testFollowsRenameSwap(t *testing.T) {
	base := t.TempDir()
	public := filepath.Join(base, "public")
	tree(t, public, map[string]string{"index.html": "v1", "gone.html": "only in v1"})
	fsys := newFS(t,
		manifest.FileMount{Source: public, Destination: "/", Dir: true},
		manifest.FileMount{Source: public, Destination: "/mirror", Dir: true},
	)
	if got := read(t, fsys, "index.html"); got != "v1" {
		t.Fatalf("index.html = %q", got)
	}
	held, err := fsys.Open("index.html") // opened before the swap
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	swap(t, public, map[string]string{"index.html": "v2", "new.html": "only in v2"})
	for _, prefix := range []string{"", "mirror/"} {
		if got := read(t, fsys, prefix+"index.html"); got != "v2" {
			t.Errorf("%sindex.html after the swap = %q, want v2", prefix, got)
		}
		if got := read(t, fsys, prefix+"new.html"); got != "only in v2" {
			t.Errorf("%snew.html = %q", prefix, got)
		}
		if _, err := fsys.Open(prefix + "gone.html"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%sgone.html still visible: %v", prefix, err)
		}
	}
	if got := names(t, fsys, "."); !reflect.DeepEqual(got, []string{"index.html", "mirror/", "new.html"}) {
		t.Errorf("root after the swap = %q", got)
	}
	if b, err := io.ReadAll(held); err != nil || string(b) != "v1" {
		t.Errorf("file opened before the swap reads %q, %v; want v1", b, err)
	}
	// While the directory is missing (between the two renames) the open tree is served.
	if err := os.Rename(public, public+".aside"); err != nil {
		t.Fatal(err)
	}
	if got := read(t, fsys, "index.html"); got != "v2" {
		t.Errorf("index.html while the mapped directory is missing = %q, want v2", got)
	}
	tree(t, public, map[string]string{"index.html": "v3"})
	if got := read(t, fsys, "index.html"); got != "v3" {
		t.Errorf("index.html after a new directory appeared = %q, want v3", got)
	}
	// Content changes inside the same directory are visible too (read live).
	tree(t, public, map[string]string{"index.html": "v3b"})
	if got := read(t, fsys, "index.html"); got != "v3b" {
		t.Errorf("index.html after an in-place write = %q", got)
	}
}

// Opens racing with repeated swaps always succeed and see one whole generation.
func TestSwapUnderLoad(t *testing.T) {
	base := t.TempDir()
	public := filepath.Join(base, "public")
	tree(t, public, map[string]string{"a.txt": "gen0", "b/c.txt": "gen0"})
	fsys := newFS(t, manifest.FileMount{Source: public, Destination: "/", Dir: true})
	var stop atomic.Bool
	var failures atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for !stop.Load() {
				for _, name := range []string{"a.txt", "b/c.txt"} {
					b, err := fs.ReadFile(fsys, name)
					if err != nil || !strings.HasPrefix(string(b), "gen") {
						failures.Add(1)
						firstErr.CompareAndSwap(nil, name+": "+errString(err)+" "+string(b))
					}
				}
			}
		})
	}
	// Generations are kept on disk (moved aside, not deleted) so that a file opened
	// from an older generation can still be read; only lookups are under test.
	deadline := time.Now().Add(1500 * time.Millisecond)
	for gen := 1; time.Now().Before(deadline); gen++ {
		next := filepath.Join(base, "next")
		tree(t, next, map[string]string{"a.txt": "gen" + itoa(gen), "b/c.txt": "gen" + itoa(gen)})
		if err := os.Rename(public, filepath.Join(base, "old"+itoa(gen))); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(next, public); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Microsecond)
	}
	stop.Store(true)
	wg.Wait()
	if n := failures.Load(); n > 0 {
		t.Fatalf("%d failed reads during swaps; first: %v", n, firstErr.Load())
	}
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

// Publishing by repointing a symlink (public -> gen2) is followed too.
func TestFollowsSymlinkSwap(t *testing.T) {
	base := t.TempDir()
	tree(t, filepath.Join(base, "gen1"), map[string]string{"index.html": "gen1"})
	tree(t, filepath.Join(base, "gen2"), map[string]string{"index.html": "gen2"})
	public := filepath.Join(base, "public")
	if err := os.Symlink("gen1", public); err != nil {
		t.Fatal(err)
	}
	fsys := newFS(t, manifest.FileMount{Source: public, Destination: "/", Dir: true})
	if got := read(t, fsys, "index.html"); got != "gen1" {
		t.Fatalf("index.html = %q", got)
	}
	tmp := filepath.Join(base, "public.tmp")
	if err := os.Symlink("gen2", tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, public); err != nil {
		t.Fatal(err)
	}
	if got := read(t, fsys, "index.html"); got != "gen2" {
		t.Errorf("index.html after repointing the symlink = %q, want gen2", got)
	}
}

// A file mounted into a directory mount's tree joins its listing; a directory mounted
// below a synthetic parent only.
func TestFileIntoDirMount(t *testing.T) {
	base := t.TempDir()
	static, extra := filepath.Join(base, "static"), filepath.Join(base, "extra")
	tree(t, static, map[string]string{"a.css": "a", "sub/b.js": "b", "same.txt": "from dir"})
	tree(t, extra, map[string]string{"x.txt": "x", "same.txt": "from file"})
	fsys := newFS(t,
		manifest.FileMount{Source: static, Destination: "/web/static", Dir: true},
		manifest.FileMount{Source: filepath.Join(extra, "x.txt"), Destination: "/web/static/sub/x.txt"},
		manifest.FileMount{Source: filepath.Join(extra, "same.txt"), Destination: "/web/static/same.txt"},
	)
	if err := fstest.TestFS(fsys, "web/static/a.css", "web/static/sub/b.js", "web/static/sub/x.txt", "web/static/same.txt"); err != nil {
		t.Fatal(err)
	}
	if got := names(t, fsys, "web/static/sub"); !reflect.DeepEqual(got, []string{"b.js", "x.txt"}) {
		t.Errorf("web/static/sub = %q", got)
	}
	if got := names(t, fsys, "."); !reflect.DeepEqual(got, []string{"web/"}) {
		t.Errorf("root = %q", got)
	}
	if got := read(t, fsys, "web/static/same.txt"); got != "from file" {
		t.Errorf("same.txt = %q, want the file mount", got)
	}
}
