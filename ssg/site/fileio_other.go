//go:build !unix

package site

import "os"

// writeFile creates or truncates path (mode 0644 before umask), writes data
// and returns the file's stamp as written.
func writeFile(path string, data []byte) (stamp, error) {
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return stamp{}, err
	}
	st, _, err := statFile(path)
	return st, err
}

// statFile returns the stamp of the file at path; the inode number is not
// known here (0).
func statFile(path string) (stamp, uint64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return stamp{}, 0, err
	}
	return stamp{size: fi.Size(), mtime: fi.ModTime().UnixNano()}, 0, nil
}

// readFile reads the whole file at path; size is its expected length.
func readFile(path string, size int64) ([]byte, error) { return os.ReadFile(path) }

// mkdirAll creates dir and any missing parents; an existing directory is fine.
func mkdirAll(dir string) error { return os.MkdirAll(dir, 0o755) }
