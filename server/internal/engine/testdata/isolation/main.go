// Command isolation is a Go reactor for engine tests: every call changes global and heap
// state, so a call that sees anything but the state right after _initialize reveals a
// leak between requests.
package main

var (
	counter uint32
	heap    = map[uint32][]byte{}
	big     []byte
)

func init() {
	// State computed during _initialize, which every call must see unchanged.
	counter = 100
	heap[0] = []byte("initialised")
}

func state() uint64 { return uint64(counter)<<32 | uint64(len(heap)) }

// call increments the counter and adds a heap entry, returning counter<<32 | len(heap):
// from the initial state always 101<<32 | 2.
//
//go:wasmexport call
func call() uint64 {
	counter++
	heap[counter] = make([]byte, 64)
	if string(heap[0]) != "initialised" {
		return 0
	}
	return state()
}

// peek returns the state without changing it.
//
//go:wasmexport peek
func peek() uint64 { return state() }

// grow changes the state and allocates mb MiB, growing linear memory.
//
//go:wasmexport grow
func grow(mb uint32) uint64 {
	counter++
	big = make([]byte, mb<<20)
	big[len(big)-1] = 1
	heap[counter] = big
	return state()
}

// trap changes the state, then panics (the Go runtime aborts: an unreachable trap).
//
//go:wasmexport trap
func trap() {
	counter++
	heap[counter] = nil
	panic("trap after changing state")
}

func main() {}
