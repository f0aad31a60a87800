package engine

import (
	"bytes"
	"testing"
)

// addMappedBackings adds to out the Linux back ends: mapped, comparing pages, and where
// the kernel has write tracking, tracked.
func addMappedBackings(t *testing.T, img func(MemoryMode) *image, maxBytes int, out map[string]func() backing) {
	t.Helper()
	mapped := func(tr *writeTracker) func() backing {
		return func() backing {
			b, err := newMmapBacking(img(MemoryCompare), maxBytes, tr)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	out["compare"] = mapped(nil)
	if _, tr, _, err := resolveMemoryMode(MemoryTracked); err == nil {
		t.Cleanup(tr.close)
		out["tracked"] = mapped(tr)
	} else {
		t.Logf("tracked back end not tested: %v", err)
	}
}

// A tracked slot whose requests write the same pages relearns less and less often, and
// still copies back every page written; when requests stop writing a page, the next
// relearn stops copying it.
func TestTrackedRelearn(t *testing.T) {
	_, tr, _, err := resolveMemoryMode(MemoryTracked)
	if err != nil {
		t.Skipf("no write tracking: %v", err)
	}
	defer tr.close()
	const pages = 64
	contents := bytes.Repeat([]byte{7}, pages*imagePage)
	img, err := newFileImage(len(contents), nonZeroRuns(contents))
	if err != nil {
		t.Fatal(err)
	}
	defer img.close()
	b, err := newMmapBacking(img, len(contents), tr)
	if err != nil {
		t.Fatal(err)
	}
	defer b.free()
	reset := func(write ...int) int {
		mem := b.view(len(contents))
		for _, p := range write {
			mem[p*imagePage] = 1
		}
		n, err := b.restore()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b.view(len(contents)), contents) {
			t.Fatal("memory differs from the image after a reset")
		}
		return n
	}
	for i := 0; b.relearnInterval < relearnMax; i++ {
		if i > 20*relearnMax {
			t.Fatalf("interval %d after %d steady resets", b.relearnInterval, i)
		}
		if n := reset(3, 9, 40); n != 3 {
			t.Fatalf("reset %d copied %d pages, want 3", i, n)
		}
	}
	// Page 40 is written once more, then no longer: it is copied until the next
	// relearn, then not; the relearn after that, finding fewer pages, starts the
	// interval again.
	reset(3, 9, 40)
	if n := reset(3, 9); n != 3 {
		t.Errorf("an unprotected page not written this time: %d pages copied, want 3", n)
	}
	copied := 0
	for range relearnMax {
		copied = reset(3, 9)
	}
	if copied != 2 {
		t.Errorf("after a relearn: %d pages copied, want 2", copied)
	}
	for range relearnMax {
		reset(3, 9)
	}
	if b.relearnInterval != relearnFirst {
		t.Errorf("after the set shrank: interval %d, want %d", b.relearnInterval, relearnFirst)
	}
}
