package engine

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// resolveMemoryMode returns the mode to use for m and, for MemoryTracked, the tracker;
// reason says why an automatic choice fell back.
func resolveMemoryMode(m MemoryMode) (mode MemoryMode, t *writeTracker, reason string, err error) {
	switch m {
	case MemoryHeap, MemoryCompare:
		return m, nil, "", nil
	case MemoryTracked, MemoryAuto:
		t, err := newWriteTracker()
		if err == nil {
			return MemoryTracked, t, "", nil
		}
		if m == MemoryTracked {
			return "", nil, "", err
		}
		return MemoryCompare, nil, err.Error(), nil
	}
	return "", nil, "", fmt.Errorf("unknown memory mode %q", m)
}

// newFileImage stores an image in a sealed memfd, so that slots map it copy-on-write
// and all of them share its pages.
func newFileImage(size int, parts []placement) (*image, error) {
	fd, err := unix.MemfdCreate("wasmsite-image", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, fmt.Errorf("memfd_create: %w", err)
	}
	fail := func(err error) (*image, error) {
		unix.Close(fd)
		return nil, err
	}
	if err := unix.Ftruncate(fd, int64(size)); err != nil {
		return fail(err)
	}
	for _, p := range parts {
		if _, err := unix.Pwrite(fd, p.Data, int64(p.Offset)); err != nil {
			return fail(fmt.Errorf("writing image: %w", err))
		}
	}
	seals := unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_WRITE | unix.F_SEAL_SEAL
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, seals); err != nil {
		return fail(fmt.Errorf("sealing image: %w", err))
	}
	img := &image{size: size, fd: fd}
	if size > 0 {
		if img.data, err = unix.Mmap(fd, 0, size, unix.PROT_READ, unix.MAP_SHARED); err != nil {
			return fail(fmt.Errorf("mapping image: %w", err))
		}
	}
	img.release = func() error {
		if img.data != nil {
			unix.Munmap(img.data)
		}
		return unix.Close(fd)
	}
	return img, nil
}

// mmapBacking reserves a slot's maximum size at once (address space only) and maps
// the image over its start, copy-on-write: the slot never moves, untouched image pages
// are shared by every slot, and growth is anonymous zero pages.
type mmapBacking struct {
	mem     []byte // the whole reservation
	img     *image
	tracker *writeTracker // nil: find written pages by comparing
	// Relearning (see relearnFirst): resets since the last one, resets from it to the
	// next, and the pages the last one found written (-1: none yet).
	sinceRelearn, relearnInterval, relearnPages int
}

// newMmapBacking maps img into a new reservation of maxBytes; with t, the writes to
// it are tracked. Tracking pays for any image (a whole number of 64 KiB Wasm pages):
// the scan costs about 2 µs plus 5 ns per 4 KiB page, comparing 0.14 µs per page, so
// even the C hello module's 32 pages reset in 3.3 µs tracked against 5.7 compared.
func newMmapBacking(img *image, maxBytes int, t *writeTracker) (*mmapBacking, error) {
	mem, err := unix.Mmap(-1, 0, max(maxBytes, 1), unix.PROT_READ|unix.PROT_WRITE,
		unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_NORESERVE)
	if err != nil {
		return nil, fmt.Errorf("reserving linear memory: %w", err)
	}
	b := &mmapBacking{mem: mem, img: img, tracker: t, relearnInterval: relearnFirst, relearnPages: -1}
	if img.size > 0 {
		_, err := unix.MmapPtr(img.fd, 0, ptrOf(mem), uintptr(img.size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_FIXED)
		if err == nil && t != nil {
			// Every image page mapped (read-only, shared) before it is write-protected:
			// the scan then walks present entries instead of pte markers, which costs
			// less (1,024 pages: 5.8 against 7.1 µs here; static's reset 2.3 µs less,
			// A/B over 7 pairs), and no first read faults. Best effort: without it
			// tracking works the same, only slower.
			unix.Madvise(mem[:img.size], unix.MADV_POPULATE_READ)
			err = t.track(mem[:img.size])
		}
		if err != nil {
			unix.Munmap(mem)
			return nil, fmt.Errorf("mapping the image: %w", err)
		}
	}
	return b, nil
}

func (b *mmapBacking) view(n int) []byte { return b.mem[:n:n] }

func (b *mmapBacking) restore() (int, error) {
	region := b.mem[:b.img.size]
	if b.tracker == nil {
		return restorePages(region, b.img.data), nil
	}
	pages := 0
	copyBack := func(from, to int) {
		copy(region[from:to], b.img.data[from:to])
		pages += (to - from) / imagePage
	}
	if err := b.tracker.written(region, false, copyBack); err != nil {
		return pages, err
	}
	if b.sinceRelearn++; b.sinceRelearn < b.relearnInterval {
		return pages, nil
	}
	b.relearnInterval = nextRelearn(b.relearnInterval, pages, b.relearnPages)
	b.sinceRelearn, b.relearnPages = 0, pages
	return pages, b.tracker.written(region, true, func(int, int) {})
}

func (b *mmapBacking) release(from, to int) {
	unix.Madvise(b.mem[from:to], unix.MADV_DONTNEED)
}

func (b *mmapBacking) free() { unix.Munmap(b.mem) }

func ptrOf(b []byte) unsafe.Pointer { return unsafe.Pointer(unsafe.SliceData(b)) }

func (b *mmapBacking) image() *image { return b.img }
