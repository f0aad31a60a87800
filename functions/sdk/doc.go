// Package sdk is the guest SDK of wasmsite components: Go packages that let a standard
// Go (GOOS=wasip1 GOARCH=wasm, -buildmode=c-shared) module talk to a Spin 1.x compatible
// host over the wit-bindgen 0.2 core-module ABI.
//
// Packages:
//
//	spinhttp      inbound HTTP (export handle-http-request) + outbound HTTP (import wasi-outbound-http)
//	spinhttp/wire inbound HTTP as Spin's records, without net/http (spinhttp's inbound side)
//	redis         outbound-redis imports (publish, get, set, incr, del, sadd, smembers, srem, execute)
//	config        spin-config get-config
//	kv            key-value store (open, get, set, delete, exists, get-keys, close)
//	redistrigger  inbound Redis messages (export handle-redis-message)
//	spin          the Spin 1.x contract shared with the host: names, enums, headers, layouts
//
// Every SDK package links internal/abi, which exports canonical_abi_realloc and
// canonical_abi_free. A component is a main package that registers its handler from
// func init() (the reactor's _initialize runs package initialisers):
//
//	package main
//
//	import (
//		"net/http"
//		"wasmsite/functions/sdk/spinhttp"
//	)
//
//	func init() {
//		spinhttp.Handle(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
//			w.Write([]byte("hello"))
//		}))
//	}
//
//	func main() {}
//
// Build: GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o hello.wasm ./path/to/hello
//
// The host imports exist only on wasip1. On other platforms every import-backed function
// returns an error wrapping ErrNotWasm, so component logic compiles and unit-tests natively.
package sdk

import "errors"

// ErrNotWasm is wrapped by every host call made outside a wasip1 build.
var ErrNotWasm = errors.New("spin host interfaces are only available in a wasip1 component")
