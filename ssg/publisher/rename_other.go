//go:build !linux

package publisher

import (
	"errors"
	"os"
)

// exchange is unavailable: swap falls back to two renames.
func exchange(a, b string) error { return errors.New("rename exchange unsupported") }

// renameOverEmpty renames directory a onto the empty directory b.
func renameOverEmpty(a, b string) error {
	if err := os.Remove(b); err != nil {
		return err
	}
	return os.Rename(a, b)
}
