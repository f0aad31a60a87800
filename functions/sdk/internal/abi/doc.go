// Package abi holds every piece of unsafe code of the guest SDK: the guest allocator
// exported to the host (canonical_abi_realloc / canonical_abi_free), the table that keeps
// host-visible Go allocations alive, and the helpers that turn Go memory into the
// 32-bit linear-memory addresses the Spin 1.x core-module ABI passes around.
//
// Memory model: standard Go on wasip1 keeps its heap in linear memory and never moves
// objects, so the address of a Go allocation is a valid ABI pointer for as long as the
// allocation is reachable. Allocations handed to the host (through canonical_abi_realloc,
// or as response data the host frees later) are kept reachable in a pin table until the
// host frees them or the guest takes ownership of them (Take).
//
// Guest code never dereferences a raw address received from the host: a host-provided
// (pointer, length) pair is only accepted when it names the start of a pinned allocation
// that is at least that long (Take); everything else is rejected with an error.
//
// On other platforms the package only provides the pure helpers used by tests.
package abi
