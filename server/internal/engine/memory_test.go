package engine

import (
	"bytes"
	"math/rand/v2"
	"os"
	"testing"
)

// backings returns the slot back ends this machine has, for an image: the heap one
// everywhere; on Linux the mapped one comparing pages and, where the kernel has write
// tracking, the tracked one.
func backings(t *testing.T, img func(MemoryMode) *image, maxBytes int) map[string]func() backing {
	t.Helper()
	out := map[string]func() backing{
		"heap": func() backing { return newHeapBacking(img(MemoryHeap), maxBytes) },
	}
	addMappedBackings(t, img, maxBytes, out)
	return out
}

// Random writes inside the image and past it, by user code and by the kernel, are all
// undone by a reset, over many resets (past several relearning rounds): the image's
// bytes are back, the grown region reads zero, and nothing else changed.
func TestSlotReset(t *testing.T) {
	const pages = 300
	rng := rand.New(rand.NewPCG(7, 9))
	contents := make([]byte, pages*imagePage)
	for i := range contents {
		if i%3 == 0 {
			contents[i] = byte(rng.Uint32())
		}
	}
	images := map[MemoryMode]*image{}
	img := func(mode MemoryMode) *image {
		if images[mode] == nil {
			var err error
			if mode == MemoryHeap {
				images[mode], err = newHeapImage(len(contents), nonZeroRuns(contents))
			} else {
				images[mode], err = newFileImage(len(contents), nonZeroRuns(contents))
			}
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { images[mode].close() })
		}
		return images[mode]
	}
	for name, newBacking := range backings(t, img, 2*len(contents)) {
		t.Run(name, func(t *testing.T) {
			b := newBacking()
			defer b.free()
			s := &slot{img: b.(interface{ image() *image }).image(), max: 2 * len(contents), b: b}
			for round := range 5 * relearnFirst {
				mem := s.Reallocate(uint64(len(contents)))
				if round%4 == 1 { // grow and write there
					mem = s.Reallocate(uint64(len(contents) + 8*imagePage))
					mem[len(contents)+rng.IntN(8*imagePage)] = 0xEE
				}
				for range 1 + rng.IntN(40) {
					mem[rng.IntN(len(contents))] ^= 0xFF
				}
				if round%3 == 0 {
					kernelWrite(t, mem[rng.IntN(len(contents)-16):])
				}
				if _, err := s.reset(); err != nil {
					t.Fatal(err)
				}
				mem = s.b.view(len(contents) + 8*imagePage)
				if !bytes.Equal(mem[:len(contents)], contents) {
					t.Fatalf("round %d: memory differs from the image after reset", round)
				}
				if bytes.ContainsFunc(mem[len(contents):], func(r rune) bool { return r != 0 }) {
					t.Fatalf("round %d: grown memory not zero after reset", round)
				}
			}
		})
	}
}

// kernelWrite has the kernel write into b (a read(2) from a pipe), as a WASI fd_read
// into guest memory does.
func kernelWrite(t *testing.T, b []byte) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	w.Write([]byte("kernel wrote this"))
	w.Close()
	if _, err := r.Read(b[:16]); err != nil {
		t.Fatal(err)
	}
}

// The relearn interval doubles while relearns find as many pages written, up to
// relearnMax, and starts again when the number changes.
func TestNextRelearn(t *testing.T) {
	interval, last := relearnFirst, -1
	for _, step := range []struct{ pages, want int }{
		{38, relearnFirst}, // the first relearn has nothing to compare with
		{38, 2 * relearnFirst}, {38, 4 * relearnFirst},
		{40, relearnFirst}, // a request wrote other pages
		{40, 2 * relearnFirst},
	} {
		interval, last = nextRelearn(interval, step.pages, last), step.pages
		if interval != step.want {
			t.Fatalf("after a relearn finding %d pages: interval %d, want %d", step.pages, interval, step.want)
		}
	}
	for range 20 {
		interval = nextRelearn(interval, last, last)
	}
	if interval != relearnMax {
		t.Errorf("a steady set gave interval %d, want the cap %d", interval, relearnMax)
	}
}
