//go:build !linux

package site

// prefetch does nothing here: POSIX_FADV_WILLNEED is a Linux (and BSD) call
// that golang.org/x/sys/unix does not offer on every system.
func prefetch(paths []string) {}
