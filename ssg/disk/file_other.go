//go:build !unix

package disk

import "os"

// WriteFile creates or truncates path (mode 0644 before umask), writes data
// and returns the file's stamp as written.
func WriteFile(path string, data []byte) (Stamp, error) {
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return Stamp{}, err
	}
	st, _, err := Stat(path)
	return st, err
}

// Stat returns the stamp of the file at path; the inode number is not
// known here (0).
func Stat(path string) (Stamp, uint64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return Stamp{}, 0, err
	}
	return Stamp{Size: fi.Size(), Mtime: fi.ModTime().UnixNano()}, 0, nil
}

// ReadFile reads the whole file at path; size is its expected length.
func ReadFile(path string, size int64) ([]byte, error) { return os.ReadFile(path) }

// MkdirAll creates dir and any missing parents; an existing directory is fine.
func MkdirAll(dir string) error { return os.MkdirAll(dir, 0o755) }
