package abi

import "runtime"

// primeBytes and primePtrs hold the allocations Ready makes until the next garbage
// collection.
var (
	primeBytes [][]byte
	primePtrs  [][]*byte
)

// primeMax is the largest size Ready primes. Spans of larger classes hold few objects
// (one, for 8 KiB and 16 KiB), so a request allocating one fetches a span anyway, and
// priming them all grew a Go component's memory image by 1.5 MiB (static: 1,664 ->
// 1,280 pages), which every reset's write scan walks; priming up to 1 KiB also left
// static's requests writing 38 pages instead of 49.
const primeMax = 1024

// Ready prepares the Go runtime for requests, once the component has registered its
// handler (during `_initialize`); warm, if not nil, runs first. A host that captures the
// instance's state after `_initialize` (a snapshot, as wasmsite's does) starts every
// request from exactly this state, so what is done here is not redone per request:
//
//   - warm exercises the SDK's request path without the component's handler, so the
//     standard library's lazy initialisations (net/textproto's table of common header
//     names, itabs, os's copy of the environment) are done;
//   - a garbage collection, so the next one is as far away as it can be (no request
//     that allocates less than the live heap triggers one);
//   - one allocation of each size class up to primeMax, pointer-free and not, so the
//     allocator's per-P caches hold a span of each and a request's first allocations
//     do not each fetch one (measured: 130 -> 50 µs for an empty request).
func Ready(warm func()) {
	if warm != nil {
		warm()
	}
	primeBytes, primePtrs = nil, nil
	runtime.GC()
	for size := 8; size <= primeMax; size += max(8, size/8) {
		primeBytes = append(primeBytes, make([]byte, size))
		primePtrs = append(primePtrs, make([]*byte, size/8)) // pointer spans are a class of their own
	}
}
