//go:build !linux

package site

import "errors"

// exchange is unavailable: publish falls back to two renames.
func exchange(a, b string) error { return errors.New("rename exchange unsupported") }
