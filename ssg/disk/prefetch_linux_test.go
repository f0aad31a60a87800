package disk

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// residentPages counts the pages of the file at path in the page cache, and
// its pages in all (mincore(2) on a read-only mapping).
func residentPages(tb testing.TB, path string) (resident, pages int) {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		tb.Fatalf("%s: %v, size %d", path, err, st.Size())
	}
	m, err := unix.Mmap(int(f.Fd()), 0, int(st.Size()), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		tb.Fatal(err)
	}
	defer unix.Munmap(m)
	ps := os.Getpagesize()
	vec := make([]byte, (len(m)+ps-1)/ps)
	if _, _, e := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&m[0])), uintptr(len(m)), uintptr(unsafe.Pointer(&vec[0]))); e != 0 {
		tb.Fatal(e)
	}
	for _, v := range vec {
		resident += int(v & 1)
	}
	return resident, len(vec)
}

// TestPrefetch evicts files from the page cache and checks that prefetch
// brings them back without anything reading them.
func TestPrefetch(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	data := make([]byte, 64<<10)
	for i := range 100 {
		p := filepath.Join(dir, fmt.Sprintf("f%03d.md", i))
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	if err := Evict(paths); err != nil {
		t.Fatal(err)
	}
	if r, _ := residentPages(t, paths[len(paths)-1]); r > 0 {
		t.Skipf("the file system keeps evicted pages (%s): nothing to prefetch", dir)
	}
	Prefetch(paths)
	deadline := time.Now().Add(10 * time.Second)
	for _, p := range paths {
		for {
			r, n := residentPages(t, p)
			if r == n {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: %d of %d pages in the page cache 10 s after prefetch", p, r, n)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}
