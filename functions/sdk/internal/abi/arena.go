package abi

// arenaAlloc is one allocation of the guest's arena (see abi_wasip1.go): offset and size
// in bytes.
type arenaAlloc struct {
	off, size uint32
	gone      bool // taken by the guest or freed by the host
}

// arenaIndex returns the index in allocs (in offset order) of the allocation at offset
// off, and whether there is one. The host mostly hands back what it allocated last, so
// that one is tried first. (A plain loop: slices.BinarySearchFunc's generic comparison
// calls cost a Go guest several times more per lookup.)
func arenaIndex(allocs []arenaAlloc, off uint32) (int, bool) {
	n := len(allocs)
	if n > 0 && allocs[n-1].off == off {
		return n - 1, true
	}
	lo, hi := 0, n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if allocs[m].off < off {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < n && allocs[lo].off == off
}
