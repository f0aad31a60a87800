//go:build !wasip1

package kv

import (
	"fmt"

	"wasmsite/functions/sdk"
)

func notWasm(op string) error { return fmt.Errorf("key-value %s: %w", op, sdk.ErrNotWasm) }

func open(string) (uint32, error)         { return 0, notWasm("open") }
func get(uint32, string) ([]byte, error)  { return nil, notWasm("get") }
func set(uint32, string, []byte) error    { return notWasm("set") }
func del(uint32, string) error            { return notWasm("delete") }
func exists(uint32, string) (bool, error) { return false, notWasm("exists") }
func getKeys(uint32) ([]string, error)    { return nil, notWasm("get-keys") }
func closeStore(uint32)                   {}
