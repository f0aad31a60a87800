// Package spin is the Spin 1.x core-module contract between a host and its guests
// (wit-bindgen 0.2 as pinned by Spin 1.x, wit/ephemeral/*.wit): the names of the
// interfaces and exports, the HTTP method and error enums, the spin-* request headers,
// the rule for config keys and variable names, and the byte layout of every record,
// list element and result area that crosses a guest's linear memory.
//
// The host (wasmsite/server: its ABI layer, host interfaces, triggers and manifest
// loader) and the guest SDK (wasmsite/functions/sdk) both take the contract from here.
// The package uses the standard library only and builds for every GOOS, wasip1 included.
//
// Layouts are little-endian; offsets and sizes are in bytes, from the start of the
// record or area. A result area holds a wit `expected<T, E>`: the byte at ResultIsErr
// is 0 for ok and 1 for err, and the payload lies at the offsets given per interface.
package spin
