package site

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// evict drops the files' pages from the page cache (POSIX_FADV_DONTNEED,
// after an fsync so that they are clean).
func evict(tb testing.TB, paths []string) {
	tb.Helper()
	for _, p := range paths {
		fd, err := unix.Open(p, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			tb.Fatal(err)
		}
		_ = unix.Fsync(fd)
		_ = unix.Fadvise(fd, 0, 0, unix.FADV_DONTNEED)
		_ = unix.Close(fd)
	}
}

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
	evict(t, paths)
	if r, _ := residentPages(t, paths[len(paths)-1]); r > 0 {
		t.Skipf("the file system keeps evicted pages (%s): nothing to prefetch", dir)
	}
	prefetch(paths)
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
