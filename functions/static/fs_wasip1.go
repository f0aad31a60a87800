//go:build wasip1

package main

import (
	"io"
	"io/fs"
	"syscall"
	"time"
)

// sysFS is the guest's root directory read with WASI calls alone: an open is one
// path_open, a stat one fd_filestat_get, a read one fd_read, a close one fd_close.
// (os.DirFS adds fd_fdstat_get and fd_fdstat_set_flags per open, and a finalizer per
// file.)
type sysFS struct{}

func (sysFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	fd, err := syscall.Open("/"+name, syscall.O_RDONLY, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return &sysFile{fd: fd, name: name}, nil
}

type sysFile struct {
	fd   int
	name string
}

func (f *sysFile) Read(b []byte) (int, error) {
	n, err := syscall.Read(f.fd, b)
	if err != nil {
		return 0, &fs.PathError{Op: "read", Path: f.name, Err: err}
	}
	if n == 0 && len(b) > 0 {
		return 0, io.EOF
	}
	return n, nil
}

func (f *sysFile) Close() error { return syscall.Close(f.fd) }

func (f *sysFile) Stat() (fs.FileInfo, error) {
	var st syscall.Stat_t
	if err := syscall.Fstat(f.fd, &st); err != nil {
		return nil, &fs.PathError{Op: "stat", Path: f.name, Err: err}
	}
	return &sysInfo{name: f.name, st: st}, nil
}

type sysInfo struct {
	name string
	st   syscall.Stat_t
}

func (i *sysInfo) Name() string       { return i.name }
func (i *sysInfo) Size() int64        { return int64(i.st.Size) }
func (i *sysInfo) ModTime() time.Time { return time.Unix(0, int64(i.st.Mtime)) }
func (i *sysInfo) IsDir() bool        { return i.Mode().IsDir() }
func (i *sysInfo) Sys() any           { return &i.st }
func (i *sysInfo) Mode() fs.FileMode {
	switch i.st.Filetype { // WASI's filetype; Mode holds only default permissions
	case syscall.FILETYPE_DIRECTORY:
		return fs.ModeDir | 0o555
	case syscall.FILETYPE_REGULAR_FILE:
		return 0o444
	}
	return fs.ModeIrregular
}

// root is the file system the component serves.
func root() fs.FS { return sysFS{} }
