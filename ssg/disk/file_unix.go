//go:build unix

package disk

import (
	"errors"
	"io/fs"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// A build reads and writes tens of thousands of small files. os.ReadFile and
// os.WriteFile register each file with the runtime's poller (an epoll_ctl that
// fails for regular files, four fcntl calls) and stat it: seven system calls
// around the three that do the work. These functions make only open, read or
// write, and close.

// WriteFile creates or truncates path (mode 0644 before umask), writes data
// and returns the file's stamp as written. Errors are *fs.PathError.
func WriteFile(path string, data []byte) (Stamp, error) {
	fd, err := retryEINTR(func() (int, error) {
		return unix.Open(path, unix.O_WRONLY|unix.O_CREAT|unix.O_TRUNC|unix.O_CLOEXEC, 0o644)
	})
	if err != nil {
		return Stamp{}, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	for len(data) > 0 {
		n, err := unix.Write(fd, data)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			unix.Close(fd)
			return Stamp{}, &fs.PathError{Op: "write", Path: path, Err: err}
		}
		data = data[n:]
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return Stamp{}, &fs.PathError{Op: "fstat", Path: path, Err: err}
	}
	if err := unix.Close(fd); err != nil {
		return Stamp{}, &fs.PathError{Op: "close", Path: path, Err: err}
	}
	return stampOf(&st), nil
}

// Stat returns the stamp and inode number of the file at path. Errors are
// *fs.PathError.
func Stat(path string) (Stamp, uint64, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return Stamp{}, 0, &fs.PathError{Op: "stat", Path: path, Err: err}
	}
	return stampOf(&st), uint64(st.Ino), nil
}

// stampOf returns the stamp of a stat(2) result.
func stampOf(st *unix.Stat_t) Stamp {
	return Stamp{Size: st.Size, Mtime: st.Mtim.Nano()}
}

// ReadFile reads the whole file at path; size is its expected length (from a
// directory scan), used to size the buffer. Errors are *fs.PathError.
func ReadFile(path string, size int64) ([]byte, error) {
	fd, err := retryEINTR(func() (int, error) { return unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0) })
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer unix.Close(fd)
	buf := make([]byte, 0, max(size, 0)+1) // +1: EOF is seen without growing
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := unix.Read(fd, buf[len(buf):cap(buf)])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: path, Err: err}
		}
		if n == 0 {
			return buf, nil
		}
		buf = buf[:len(buf)+n]
	}
}

// MkdirAll creates dir and any missing parents (mode 0755 before umask); an
// existing directory is not an error. Unlike os.MkdirAll it does not stat
// first: the common case, a new directory whose parent exists, is one call.
func MkdirAll(dir string) error {
	err := unix.Mkdir(dir, 0o755)
	switch {
	case err == nil || err == unix.EEXIST:
		return nil
	case err == unix.ENOENT:
		if parent := filepath.Dir(dir); parent != dir {
			if err := MkdirAll(parent); err != nil {
				return err
			}
			if err := unix.Mkdir(dir, 0o755); err != nil && err != unix.EEXIST {
				return &fs.PathError{Op: "mkdir", Path: dir, Err: err}
			}
			return nil
		}
	}
	return &fs.PathError{Op: "mkdir", Path: dir, Err: err}
}

// retryEINTR calls f until it fails with another error than EINTR.
func retryEINTR(f func() (int, error)) (int, error) {
	for {
		fd, err := f()
		if !errors.Is(err, unix.EINTR) {
			return fd, err
		}
	}
}
