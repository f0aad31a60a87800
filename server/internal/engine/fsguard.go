package engine

import (
	"io"
	"io/fs"
	"os"
	"sync/atomic"
)

// openFiles wraps a component's filesystem for one pooled instance and counts the files
// open through it. wazero keeps a guest's open descriptors in the instance, which
// restoring the snapshot does not reset, so an instance released with more files open
// than it started with is not reused: a later request could otherwise read through a
// descriptor an earlier one left open, and a guest leaking one per request would leak
// host descriptors without bound.
//
// wazero opens the preopened directory "." lazily, on the guest's first file access,
// and keeps it open for the instance's life; so one open of "." at a time is not
// counted.
type openFiles struct {
	fsys     fs.FS
	n        atomic.Int32
	rootHeld atomic.Bool
}

func (o *openFiles) Open(name string) (fs.File, error) {
	f, err := o.fsys.Open(name)
	if err != nil {
		return nil, err
	}
	c := counted{f: f, o: o, closed: new(atomic.Bool)}
	if name == "." && o.rootHeld.CompareAndSwap(false, true) {
		c.root = true
	} else {
		o.n.Add(1)
	}
	// Keep the optional interfaces wazero looks for (ReaderAt and Seeker for reads,
	// ReadDir/Readdir for directories) of the files the mounted filesystems return.
	if of, ok := f.(*os.File); ok {
		return &countedOS{counted: c, f: of}, nil
	}
	if d, ok := f.(fs.ReadDirFile); ok {
		if _, ra := f.(io.ReaderAt); !ra {
			return &countedDir{counted: c, d: d}, nil
		}
	}
	ra, okRA := f.(io.ReaderAt)
	sk, okS := f.(io.Seeker)
	if okRA && okS {
		return &countedSeeker{counted: c, ra: ra, sk: sk}, nil
	}
	return &c, nil
}

type counted struct {
	f      fs.File
	o      *openFiles
	closed *atomic.Bool
	root   bool // the uncounted open of "."
}

func (c *counted) Stat() (fs.FileInfo, error) { return c.f.Stat() }
func (c *counted) Read(b []byte) (int, error) { return c.f.Read(b) }
func (c *counted) Close() error {
	if c.closed.CompareAndSwap(false, true) {
		if c.root {
			c.o.rootHeld.Store(false)
		} else {
			c.o.n.Add(-1)
		}
	}
	return c.f.Close()
}

type countedDir struct {
	counted
	d fs.ReadDirFile
}

func (c *countedDir) ReadDir(n int) ([]fs.DirEntry, error) { return c.d.ReadDir(n) }

type countedSeeker struct {
	counted
	ra io.ReaderAt
	sk io.Seeker
}

func (c *countedSeeker) ReadAt(b []byte, off int64) (int, error) { return c.ra.ReadAt(b, off) }
func (c *countedSeeker) Seek(off int64, whence int) (int64, error) {
	return c.sk.Seek(off, whence)
}

type countedOS struct {
	counted
	f *os.File
}

func (c *countedOS) ReadAt(b []byte, off int64) (int, error) { return c.f.ReadAt(b, off) }
func (c *countedOS) Seek(off int64, whence int) (int64, error) {
	return c.f.Seek(off, whence)
}
func (c *countedOS) ReadDir(n int) ([]fs.DirEntry, error) { return c.f.ReadDir(n) }
func (c *countedOS) Readdir(n int) ([]fs.FileInfo, error) { return c.f.Readdir(n) }

// atBaseline reports whether no more files are open than at instantiation (true for a
// nil *openFiles: no filesystem).
func (o *openFiles) atBaseline(baseline int32) bool { return o == nil || o.n.Load() == baseline }
