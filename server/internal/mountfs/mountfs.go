// Package mountfs builds the read-only filesystem a component sees at guest "/" from its
// manifest `files`: whole host directories (read live, confined so that neither ".." nor
// symlinks escape the mapped root: by the kernel's openat2 RESOLVE_BENEATH on Linux,
// else by os.Root) and single host files at chosen guest paths.
package mountfs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"wasmsite/server/manifest"
)

// New returns an fs.FS (paths relative, "/"-separated, as io/fs requires) combining the
// mounts. It returns an error naming a directory mount whose source cannot be opened.
// With no mounts the FS is empty. The caller should Close it (via io.Closer) at shutdown.
func New(mounts []manifest.FileMount) (fs.FS, error) {
	f := &FS{files: map[string]string{}, dirs: map[string]bool{".": true}}
	for _, m := range mounts {
		dst := rel(m.Destination)
		if m.Dir {
			d := &dirMount{at: dst, source: m.Source}
			if err := d.reopen(); err != nil {
				f.Close()
				return nil, fmt.Errorf("mapped directory %s: %w", m.Source, err)
			}
			f.roots = append(f.roots, d)
		} else {
			f.files[dst] = m.Source
		}
		for d := path.Dir(dst); ; d = path.Dir(d) {
			f.dirs[d] = true
			if d == "." {
				break
			}
		}
		if m.Dir {
			f.dirs[dst] = true
		}
	}
	// Longest mount point first, so nested mounts win.
	sort.SliceStable(f.roots, func(i, j int) bool { return len(f.roots[i].at) > len(f.roots[j].at) })
	return f, nil
}

// rel turns an absolute guest path into an io/fs path ("/" → ".").
func rel(p string) string {
	p = strings.TrimPrefix(path.Clean("/"+p), "/")
	if p == "" {
		return "."
	}
	return p
}

// newBeneath is newBeneathDir, or a function returning nil in tests of the os.Root path.
var newBeneath = newBeneathDir

// dirMount is a host directory mapped at a guest path. Generators publish a new tree
// by renaming a fresh directory over the old one (as ssg does), so the mount follows
// the path: when the directory at source is no longer the one open, it is reopened.
// A replaced root stays open until the lookups that acquired it have finished, so a
// swap never fails an Open in flight.
type dirMount struct {
	at     string
	source string

	mu  sync.Mutex
	cur *rootRef
}

// rootRef is one opened generation of a mapped directory.
type rootRef struct {
	d       *dirMount
	root    *os.Root
	beneath *beneathDir // the same directory, opened to open files with openat2; nil: none
	info    fs.FileInfo // of the opened directory itself
	refs    int         // lookups in flight (guarded by d.mu)
	retired bool        // replaced or closed: close when refs drops to 0
}

// reopen opens source; the caller holds d.mu (or has d to itself).
func (d *dirMount) reopen() error {
	root, err := os.OpenRoot(d.source)
	if err != nil {
		return err
	}
	info, err := root.Stat(".") // the directory actually opened, even if swapped meanwhile
	if err != nil {
		root.Close()
		return err
	}
	if old := d.cur; old != nil {
		old.retired = true
		if old.refs == 0 {
			old.close()
		}
	}
	d.cur = &rootRef{d: d, root: root, beneath: newBeneath(root), info: info}
	return nil
}

// acquire returns the mount's current root, reopened if the directory was replaced
// (on failure the tree already open keeps being served). Release it after use.
func (d *dirMount) acquire() *rootRef {
	d.mu.Lock()
	defer d.mu.Unlock()
	if info, err := os.Stat(d.source); err == nil && !os.SameFile(info, d.cur.info) {
		d.reopen()
	}
	d.cur.refs++
	return d.cur
}

func (r *rootRef) release() {
	r.d.mu.Lock()
	defer r.d.mu.Unlock()
	r.refs--
	if r.retired && r.refs == 0 {
		r.close()
	}
}

// open opens sub, a path in the directory, named as os.Root names its files (the
// host path: the entries os.File.ReadDir returns look themselves up by it).
func (r *rootRef) open(sub string) (*os.File, error) {
	if r.beneath != nil {
		if f, err := r.beneath.open(sub, r.root.Name()+"/"+sub); err != errRetry {
			return f, err
		}
	}
	return r.root.Open(sub)
}

func (r *rootRef) close() error {
	err := r.root.Close()
	if r.beneath != nil {
		err = errors.Join(err, r.beneath.close())
	}
	return err
}

// FS is the combined filesystem.
type FS struct {
	roots []*dirMount
	files map[string]string // guest path -> host file
	dirs  map[string]bool   // synthetic directories (parents of mount points)
}

// Close releases the directory handles.
func (f *FS) Close() error {
	var err error
	for _, r := range f.roots {
		r.mu.Lock()
		if c := r.cur; c != nil && !c.retired {
			c.retired = true
			if c.refs == 0 {
				err = errors.Join(err, c.close())
			}
		}
		r.mu.Unlock()
	}
	return err
}

// mountFor returns the directory mount covering name (the innermost) and name relative
// to it; the caller must release the root.
func (f *FS) mountFor(name string) (*rootRef, string, bool) {
	for _, r := range f.roots {
		switch {
		case r.at == ".":
			return r.acquire(), name, true
		case name == r.at:
			return r.acquire(), ".", true
		case strings.HasPrefix(name, r.at+"/"):
			return r.acquire(), name[len(r.at)+1:], true
		}
	}
	return nil, "", false
}

// Open implements fs.FS.
func (f *FS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if src, ok := f.files[name]; ok {
		return os.Open(src)
	}
	if f.dirs[name] {
		return &synthDir{f: f, name: name}, nil
	}
	if ref, sub, ok := f.mountFor(name); ok {
		defer ref.release()
		file, err := ref.open(sub)
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: unwrapPath(err)}
		}
		return file, nil
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

// unwrapPath strips an *fs.PathError so the caller can report the guest's name.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// entries lists a synthetic directory: the entries of a directory mount covering the
// same path, overridden, as Open does, by synthetic directories and single files.
func (f *FS) entries(name string) ([]fs.DirEntry, error) {
	seen := map[string]fs.DirEntry{}
	if ref, sub, ok := f.mountFor(name); ok {
		des, err := fs.ReadDir(ref.root.FS(), sub)
		ref.release()
		if err == nil {
			for _, de := range des {
				seen[de.Name()] = de
			}
		}
	}
	child := func(p string) (string, bool) {
		if name == "." {
			if p == "." {
				return "", false
			}
			return strings.SplitN(p, "/", 2)[0], true
		}
		if !strings.HasPrefix(p, name+"/") {
			return "", false
		}
		return strings.SplitN(p[len(name)+1:], "/", 2)[0], true
	}
	// Mount points and parents of mounts are synthetic directories (f.dirs), which
	// Open serves before directory mounts; single files come first of all.
	for p := range f.dirs {
		if c, ok := child(p); ok {
			seen[c] = fs.FileInfoToDirEntry(dirInfo(c))
		}
	}
	for p := range f.files {
		if c, ok := child(p); ok {
			full := path.Join(name, c)
			if _, isFile := f.files[full]; !isFile && f.dirs[full] {
				continue // c is a directory holding this file
			}
			if fi, err := f.stat(full); err == nil {
				seen[c] = fs.FileInfoToDirEntry(fi)
			} else {
				delete(seen, c) // Open fails too
			}
		}
	}
	out := make([]fs.DirEntry, 0, len(seen))
	for _, de := range seen {
		out = append(out, de)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
}

func (f *FS) stat(name string) (fs.FileInfo, error) {
	file, err := f.Open(name)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	return file.Stat()
}

type dirInfo string

func (d dirInfo) Name() string       { return path.Base(string(d)) }
func (d dirInfo) Size() int64        { return 0 }
func (d dirInfo) Mode() fs.FileMode  { return fs.ModeDir | 0o555 }
func (d dirInfo) ModTime() time.Time { return time.Time{} }
func (d dirInfo) IsDir() bool        { return true }
func (d dirInfo) Sys() any           { return nil }

type synthDir struct {
	f    *FS
	name string
	list []fs.DirEntry
	read bool
}

func (d *synthDir) Stat() (fs.FileInfo, error) { return dirInfo(d.name), nil }
func (d *synthDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.name, Err: errors.New("is a directory")}
}
func (d *synthDir) Close() error { return nil }

// ReadDir implements fs.ReadDirFile.
func (d *synthDir) ReadDir(n int) ([]fs.DirEntry, error) {
	if !d.read {
		l, err := d.f.entries(d.name)
		if err != nil {
			return nil, err
		}
		d.list, d.read = l, true
	}
	if n <= 0 {
		out := d.list
		d.list = nil
		return out, nil
	}
	if len(d.list) == 0 {
		return nil, io.EOF
	}
	if n > len(d.list) {
		n = len(d.list)
	}
	out := d.list[:n]
	d.list = d.list[n:]
	return out, nil
}
