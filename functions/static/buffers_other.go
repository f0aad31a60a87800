//go:build !wasip1

package main

import "wasmsite/functions/sdk/spinhttp/wire"

// Natively Serve may run concurrently: each response has buffers of its own.

// responseHeaders returns an empty header list to build a response in.
func responseHeaders() []wire.Pair { return make([]wire.Pair, 0, 8) }

// bodyBuffer returns size bytes to read a response's body into.
func bodyBuffer(size int64) []byte { return make([]byte, size) }
