package abi

import "testing"

func TestArenaIndex(t *testing.T) {
	allocs := []arenaAlloc{{off: 0, size: 5}, {off: 8, size: 3}, {off: 16, size: 40}, {off: 56, size: 1}, {off: 64, size: 8}}
	for i, a := range allocs {
		if got, ok := arenaIndex(allocs, a.off); !ok || got != i {
			t.Errorf("arenaIndex(%d) = %d, %v; want %d", a.off, got, ok, i)
		}
	}
	for _, off := range []uint32{1, 7, 9, 17, 55, 63, 65, 1000} { // inside or past an allocation: not its start
		if i, ok := arenaIndex(allocs, off); ok {
			t.Errorf("arenaIndex(%d) found %d", off, i)
		}
	}
	if _, ok := arenaIndex(nil, 0); ok {
		t.Error("found in an empty arena")
	}
}
