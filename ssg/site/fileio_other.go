//go:build !unix

package site

import "os"

// writeFile creates or truncates path (mode 0644 before umask) and writes data.
func writeFile(path string, data []byte) error { return os.WriteFile(path, data, 0o644) }

// readFile reads the whole file at path; size is its expected length.
func readFile(path string, size int64) ([]byte, error) { return os.ReadFile(path) }

// mkdirAll creates dir and any missing parents; an existing directory is fine.
func mkdirAll(dir string) error { return os.MkdirAll(dir, 0o755) }
