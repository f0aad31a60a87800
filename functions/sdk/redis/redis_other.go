//go:build !wasip1

package redis

import (
	"fmt"

	"wasmsite/functions/sdk"
)

func notWasm(op string) error { return fmt.Errorf("outbound-redis %s: %w", op, sdk.ErrNotWasm) }

func execute(string, string, []Param) ([]Result, error) { return nil, notWasm("execute") }
func publish(string, string, []byte) error              { return notWasm("publish") }
func get(string, string) ([]byte, error)                { return nil, notWasm("get") }
func set(string, string, []byte) error                  { return notWasm("set") }
func incr(string, string) (int64, error)                { return 0, notWasm("incr") }
func del(string, []string) (int64, error)               { return 0, notWasm("del") }
func setop(int, string, string, []string) (int64, error) {
	return 0, notWasm("sadd/srem")
}
func smembers(string, string) ([]string, error) { return nil, notWasm("smembers") }
