//go:build !wasip1

package config

import (
	"fmt"

	"wasmsite/functions/sdk"
)

func get(key string) (string, error) {
	return "", fmt.Errorf("spin-config get-config %q: %w", key, sdk.ErrNotWasm)
}
