//go:build !linux

package site

import "testing"

// evict is a no-op where POSIX_FADV_DONTNEED is not offered.
func evict(tb testing.TB, paths []string) {}
