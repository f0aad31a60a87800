// Package wasmtest runs SDK-built components on wazero with fake Spin 1.x host
// interfaces, checking the guest side of the ABI byte for byte. Its tests build
// components with the Go toolchain (GOOS=wasip1); they are skipped with -short.
package wasmtest
