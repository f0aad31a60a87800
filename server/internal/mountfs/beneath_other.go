//go:build !linux

package mountfs

import (
	"errors"
	"os"
)

// beneathDir is Linux's openat2 path (beneath_linux.go); elsewhere os.Root opens
// every file.
type beneathDir struct{}

var errRetry = errors.ErrUnsupported

func newBeneathDir(*os.Root) *beneathDir { return nil }

func (*beneathDir) open(string, string) (*os.File, error) { return nil, errRetry }

func (*beneathDir) close() error { return nil }
