//go:build !linux

package disk

// Prefetch does nothing here: POSIX_FADV_WILLNEED is a Linux (and BSD) call
// that golang.org/x/sys/unix does not offer on every system.
func Prefetch(paths []string) {}

// Evict does nothing here, for the same reason as Prefetch.
func Evict(paths []string) error { return nil }
