package abi

import "runtime"

// primeBytes and primePtrs hold the allocations Ready makes until the next garbage
// collection.
var (
	primeBytes [][]byte
	primePtrs  [][]*byte
)

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
//   - one allocation of each small size class, pointer-free and not, so the
//     allocator's per-P caches hold a span of each and a request's first allocations
//     do not each fetch one (measured: 130 -> 50 µs for an empty request).
func Ready(warm func()) {
	if warm != nil {
		warm()
	}
	primeBytes, primePtrs = nil, nil
	runtime.GC()
	for size := 8; size <= 32<<10; size += max(8, size/8) {
		primeBytes = append(primeBytes, make([]byte, size))
		primePtrs = append(primePtrs, make([]*byte, size/8)) // pointer spans are a class of their own
	}
}
