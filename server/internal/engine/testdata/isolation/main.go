// Command isolation is a Go reactor for engine tests: every call changes global and heap
// state, so a call that sees anything but the state right after _initialize reveals a
// leak between requests.
package main

import (
	"os"
	"syscall"
)

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

// leak opens /data.txt and returns its descriptor without closing it.
//
//go:wasmexport leak
func leak() int32 {
	f, err := os.Open("/data.txt")
	if err != nil {
		return -1
	}
	leaked = append(leaked, f)
	return int32(f.Fd())
}

var leaked []*os.File

// probe reads from descriptor fd directly, returning the byte count or -1.
//
//go:wasmexport probe
func probe(fd int32) int32 {
	var b [64]byte
	n, err := syscall.Read(int(fd), b[:])
	if err != nil {
		return -1
	}
	return int32(n)
}

// readfile returns the size of /data.txt read with os.ReadFile (which closes it), or -1.
//
//go:wasmexport readfile
func readfile() int32 {
	b, err := os.ReadFile("/data.txt")
	if err != nil {
		return -1
	}
	return int32(len(b))
}

// listdir returns the number of entries of "/" (closing the directory), or -1.
//
//go:wasmexport listdir
func listdir() int32 {
	des, err := os.ReadDir("/")
	if err != nil {
		return -1
	}
	return int32(len(des))
}

// spin loops n times and returns a sum, so that the rewrite's yields run (every
// wasmbin.FuelPerYield iterations).
//
//go:wasmexport spin
func spin(n uint32) uint32 {
	var sum uint32
	for i := range n {
		sum += i ^ counter
	}
	return sum
}
