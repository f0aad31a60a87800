//go:build wasip1

package main

import "wasmsite/functions/sdk/spinhttp/wire"

// The buffers a response is built in. An instance serves one request at a time, and
// the host copies a response out before it calls the instance again, so one set of
// buffers serves every request: a request then allocates none of them. What a
// request allocates costs more than the allocation: a host that resets the instance
// after each request, as wasmsite's does, copies back every page it wrote, and a
// fresh allocation writes the allocator's state besides the object.
var (
	headerBuf [16]wire.Pair
	// bodyBuf is on the heap: as a package-level array its 64 KiB moved the start of
	// the Go heap up and grew the memory image by 512 KiB.
	bodyBuf = make([]byte, 64<<10)
)

// responseHeaders returns an empty header list to build a response in.
func responseHeaders() []wire.Pair { return headerBuf[:0] }

// bodyBuffer returns size bytes to read a response's body into.
func bodyBuffer(size int64) []byte {
	if size <= int64(len(bodyBuf)) {
		return bodyBuf[:size:size]
	}
	return make([]byte, size)
}
