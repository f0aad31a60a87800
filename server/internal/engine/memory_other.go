//go:build !linux

package engine

import (
	"fmt"
)

// writeTracker exists on Linux only.
type writeTracker struct{}

func (*writeTracker) close() {}

// resolveMemoryMode: only MemoryHeap is available off Linux.
func resolveMemoryMode(m MemoryMode) (MemoryMode, *writeTracker, string, error) {
	switch m {
	case MemoryAuto:
		return MemoryHeap, nil, "copy-on-write memory needs Linux", nil
	case MemoryHeap:
		return m, nil, "", nil
	}
	return "", nil, "", fmt.Errorf("memory mode %q needs Linux", m)
}

func newFileImage(size int, parts []placement) (*image, error) {
	return newHeapImage(size, parts)
}

type mmapBacking struct{ heapBacking }

func newMmapBacking(img *image, maxBytes int, _ *writeTracker) (*mmapBacking, error) {
	return &mmapBacking{*newHeapBacking(img, maxBytes)}, nil
}
