// Package wasmbin reads, rewrites and encodes WebAssembly binary modules (WebAssembly
// core specification 3.0, chapter 5 "Binary Format"), one file per section as wazero's
// internal/wasm/binary does.
//
// The host reads modules to learn what wazero's public API does not say (imported
// tables and globals, mutable globals, active data segments and their offsets, the start
// function, whether any code writes tables or drops segments) and rewrites them so that
// an instance's state can be captured once and restored per request (see
// server/internal/engine). The encoders build small modules by hand for tests.
//
// Every reader is bounds-checked: a malformed module yields an error, never a panic.
package wasmbin
