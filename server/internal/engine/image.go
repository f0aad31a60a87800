package engine

import (
	"bytes"
	"fmt"

	"wasmsite/server/internal/wasmbin"
)

// image is linear memory as every request must find it: immutable contents that slots
// start from and are reset to.
type image struct {
	size int    // bytes, a whole number of Wasm pages
	data []byte // the contents, read-only; len(data) == size
	// fd is the sealed memfd holding data on Linux (slots map it copy-on-write), or -1
	// for contents on the Go heap.
	fd      int
	release func() error
}

func (img *image) close() error {
	if img == nil || img.release == nil {
		return nil
	}
	return img.release()
}

// imagePage is the unit images are written and compared in: the host's page size on
// every platform wazero runs on, so one differing byte costs one page.
const imagePage = 4096

// nonZeroRuns lists the runs of mem that hold anything but zeros, in imagePage units, so
// an image stores (and a file-backed one allocates) only those.
func nonZeroRuns(mem []byte) []placement {
	var out []placement
	var zero [imagePage]byte
	for off := 0; off < len(mem); off += imagePage {
		end := min(off+imagePage, len(mem))
		if bytes.Equal(mem[off:end], zero[:end-off]) {
			continue
		}
		if n := len(out); n > 0 && out[n-1].Offset+uint64(len(out[n-1].Data)) == uint64(off) {
			out[n-1].Data = mem[out[n-1].Offset:end]
			continue
		}
		out = append(out, placement{Offset: uint64(off), Data: mem[off:end]})
	}
	return out
}

// newHeapImage builds an image on the Go heap (the portable back end).
func newHeapImage(size int, parts []placement) (*image, error) {
	data := make([]byte, size)
	for _, p := range parts {
		if p.Offset+uint64(len(p.Data)) > uint64(size) {
			return nil, fmt.Errorf("image part at %d (%d bytes) past %d", p.Offset, len(p.Data), size)
		}
		copy(data[p.Offset:], p.Data)
	}
	return &image{size: size, data: data, fd: -1}, nil
}

// restorePages makes dst equal to src (of the same length), comparing imagePage at a
// time and writing only pages that differ: for the parts of memory a call may have
// written when nothing tells which it did. It returns the pages written.
func restorePages(dst, src []byte) int {
	n := 0
	for off := 0; off < len(src); off += imagePage {
		end := min(off+imagePage, len(src))
		if !bytes.Equal(dst[off:end], src[off:end]) {
			copy(dst[off:end], src[off:end])
			n++
		}
	}
	return n
}

// placement is data at an offset of linear memory.
type placement = wasmbin.Placement
