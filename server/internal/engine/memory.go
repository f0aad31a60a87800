package engine

import (
	"github.com/tetratelabs/wazero/experimental"

	"wasmsite/server/internal/wasmbin"
)

// MemoryMode selects how instances' linear memories are backed and reset.
type MemoryMode string

const (
	// MemoryAuto picks the fastest mode the platform supports: MemoryTracked, else
	// MemoryCompare on Linux; MemoryHeap elsewhere.
	MemoryAuto MemoryMode = ""
	// MemoryTracked (Linux 6.7+) maps each slot copy-on-write from the image (a sealed
	// memfd) and has the kernel track which pages are written (see writeTracker): a
	// reset copies back only those.
	MemoryTracked MemoryMode = "tracked"
	// MemoryCompare (Linux) maps slots copy-on-write from the image like MemoryTracked
	// but finds written pages by comparing every page with the image.
	MemoryCompare MemoryMode = "compare"
	// MemoryHeap (portable) keeps images and slots on the Go heap and resets by
	// comparing pages.
	MemoryHeap MemoryMode = "heap"
)

// A tracked slot leaves the pages a request wrote unprotected, so that writing them
// again costs no fault, and copies them back at every reset (about 0.26 µs for 4 KiB,
// against about 1.5 µs for the fault). Every so often it write-protects them again,
// relearning which pages requests write, so that pages they stopped writing return to
// costing nothing. A relearn costs tens of µs (a protecting walk of the image, a TLB
// flush, then a fault per page the next request writes): the interval between two
// starts at relearnFirst resets and doubles, up to relearnMax, while each relearn finds
// as many pages written as the one before, and starts again from relearnFirst when the
// number changes. (Every 16 resets cost static's reset 3–6 µs on average, measured.)
const (
	relearnFirst = 16
	relearnMax   = 1024
)

// nextRelearn returns the resets to the next relearn after one that found pages
// written since the one before, which found lastPages, interval resets earlier.
func nextRelearn(interval, pages, lastPages int) int {
	if pages != lastPages {
		return relearnFirst
	}
	return min(2*interval, relearnMax)
}

// backing holds a slot's bytes.
type backing interface {
	// view returns the first n bytes (n <= the slot's maximum), growing the backing
	// when needed; the bytes past the previous length are zero. nil: out of memory.
	view(n int) []byte
	// restore makes the first image-size bytes equal to the image and returns how many
	// pages (imagePage) it wrote.
	restore() (int, error)
	// release makes [from, to) zero again and gives its memory back where it can.
	release(from, to int)
	free()
}

// slot is one instance's linear memory, handed to wazero as an
// experimental.LinearMemory. It starts as the image and is reset to it; it never
// moves on the Linux back ends (a reservation of the maximum size).
//
// Shrinking: linear memory cannot shrink in Wasm, and wazero has no API for it, but an
// instance reused for a new request must see the image's size, as a fresh instance
// would. wazero's MemoryInstance.Grow takes whatever slice Reallocate returns as the
// new memory and tells the compiled code its new length; so the engine sets
// shrinkNext and calls Grow(1), and Reallocate answers with the image-sized slice
// (see Instance.shrinkMemory; a test checks memory.size after reuse).
type slot struct {
	img  *image
	max  int // bytes
	b    backing
	used bool // Reallocate has been called
	// high is the largest length handed out since the last reset.
	high       int
	shrinkNext bool
}

var _ experimental.LinearMemory = (*slot)(nil)

// Reallocate implements experimental.LinearMemory. The first call (at instantiation,
// for the module's minimum) is answered with the whole image, which is at least that.
func (s *slot) Reallocate(size uint64) []byte {
	n := int(min(size, uint64(s.max)+1))
	switch {
	case s.shrinkNext:
		s.shrinkNext = false
		n = s.img.size
	case !s.used:
		s.used = true
		n = max(n, s.img.size)
	}
	if n > s.max || s.b == nil {
		return nil
	}
	buf := s.b.view(n)
	if buf != nil {
		s.high = max(s.high, n)
	}
	return buf
}

// Free implements experimental.LinearMemory; wazero calls it when the instance is
// closed. It may be called again.
func (s *slot) Free() {
	if s.b != nil {
		s.b.free()
		s.b = nil
	}
}

// reset returns memory to the image and gives back what the instance grew; it returns
// the pages it copied back. The instance must not be running.
func (s *slot) reset() (int, error) {
	pages, err := s.b.restore()
	if err != nil {
		return pages, err
	}
	if s.high > s.img.size {
		s.b.release(s.img.size, s.high)
		s.high = s.img.size
	}
	return pages, nil
}

// heapBacking keeps a slot on the Go heap (MemoryHeap).
type heapBacking struct {
	img *image
	buf []byte // len(buf) is the allocation; bytes past the memory's length are zero
	max int
}

func newHeapBacking(img *image, maxBytes int) *heapBacking {
	return &heapBacking{img: img, buf: append([]byte(nil), img.data...), max: maxBytes}
}

func (h *heapBacking) view(n int) []byte {
	if n > len(h.buf) {
		grown := make([]byte, min(h.max, max(n, 2*len(h.buf))))
		copy(grown, h.buf)
		h.buf = grown
	}
	return h.buf[:n:n]
}

func (h *heapBacking) restore() (int, error) {
	return restorePages(h.buf[:h.img.size], h.img.data), nil
}

// heapSlack is how much allocation past the image a heap slot keeps after a reset;
// more is given back to the garbage collector.
const heapSlack = 16 << 20

func (h *heapBacking) release(from, to int) {
	if len(h.buf)-h.img.size > heapSlack {
		h.buf = append([]byte(nil), h.buf[:h.img.size]...)
		return
	}
	clear(h.buf[from:to])
}

func (h *heapBacking) free() { h.buf = nil }

// pagesToBytes converts a count of Wasm pages to bytes.
func pagesToBytes(pages uint64) int { return int(pages * wasmbin.PageSize) }

func (h *heapBacking) image() *image { return h.img }
