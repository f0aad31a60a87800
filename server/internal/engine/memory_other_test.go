//go:build !linux

package engine

import "testing"

// addMappedBackings adds nothing: the mapped back ends need Linux.
func addMappedBackings(*testing.T, func(MemoryMode) *image, int, map[string]func() backing) {}
