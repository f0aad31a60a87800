//go:build wasip1

package main

import (
	"io"
	"io/fs"
	"structs"
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
	fd, err := openRead(name)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return &sysFile{fd: fd, name: name}, nil
}

// sysFile is an open file. Stat fills st and returns the file itself as its
// fs.FileInfo (sysInfo), so an open and a stat allocate once between them.
type sysFile struct {
	fd   int
	name string
	st   syscall.Stat_t
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
	if err := syscall.Fstat(f.fd, &f.st); err != nil {
		return nil, &fs.PathError{Op: "stat", Path: f.name, Err: err}
	}
	return (*sysInfo)(f), nil
}

type sysInfo sysFile

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

// openRead opens name (an fs.ValidPath) for reading.
func openRead(name string) (int, error) {
	if rootFD >= 0 {
		return syscall.Openat(rootFD, name, syscall.O_RDONLY, 0)
	}
	return syscall.Open("/"+name, syscall.O_RDONLY, 0)
}

// rootFD is the preopened directory that is the guest's "/" when it is the only one,
// as static's manifest maps its files (-1 otherwise). Opening relative to it skips
// syscall.Open's path resolution, which allocates twice per open: each allocation
// size a request touches costs pages a resetting host copies back.
var rootFD = onlyRootPreopen()

// onlyRootPreopen returns the descriptor of the only preopened directory if it is
// named "/", else -1.
func onlyRootPreopen() int {
	found := -1
	for fd := int32(3); ; fd++ {
		var st prestat
		switch errno := fdPrestatGet(fd, &st); {
		case errno == uint32(syscall.EBADF):
			return found
		case errno != 0 || st.tag != preopenDir:
			continue
		case found >= 0 || st.nameLen != 1:
			return -1
		}
		var name [1]byte
		if fdPrestatDirName(fd, &name[0], 1) != 0 || name[0] != '/' {
			return -1
		}
		found = int(fd)
	}
}

// prestat is WASI's prestat (wasi_snapshot_preview1): a tagged union whose only
// member, for tag preopenDir, is the length of the directory's name.
type prestat struct {
	_       structs.HostLayout
	tag     uint8
	nameLen uint32
}

const preopenDir = 0

//go:wasmimport wasi_snapshot_preview1 fd_prestat_get
//go:noescape
func fdPrestatGet(fd int32, st *prestat) uint32

//go:wasmimport wasi_snapshot_preview1 fd_prestat_dir_name
//go:noescape
func fdPrestatDirName(fd int32, name *byte, nameLen uint32) uint32
