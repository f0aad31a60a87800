package mountfs

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// beneathDir opens files beneath one opened generation of a mapped directory with a
// single openat2(2) call resolving RESOLVE_BENEATH|RESOLVE_NO_MAGICLINKS: the kernel
// refuses any path that leads out of the directory ("..", absolute symlinks, relative
// ones climbing out), the confinement os.Root gives by opening each component in turn
// (for a blog post's index.html three openat and two close calls: 8% of the host's CPU
// serving pages through the static component).
type beneathDir struct {
	dir *os.File
	fd  int // dir's descriptor
}

// errRetry reports an openat2 the kernel asks to retry (EAGAIN: a rename it raced
// with); Open then falls back to os.Root.
var errRetry = errors.New("openat2: retry")

// newBeneathDir returns root's directory as a beneathDir, or nil where openat2 does
// not work (Linux before 5.6, or a seccomp filter refusing it).
func newBeneathDir(root *os.Root) *beneathDir {
	dir, err := root.Open(".")
	if err != nil {
		return nil
	}
	b := &beneathDir{dir: dir, fd: int(dir.Fd())}
	probe, err := b.open(".", ".")
	if err != nil {
		dir.Close()
		return nil
	}
	probe.Close()
	return b
}

// open opens name (an fs.ValidPath) read-only; the file is called hostName.
func (b *beneathDir) open(name, hostName string) (*os.File, error) {
	how := unix.OpenHow{Flags: unix.O_RDONLY | unix.O_CLOEXEC, Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_MAGICLINKS}
	for range 3 {
		fd, err := unix.Openat2(b.fd, name, &how)
		switch err {
		case nil:
			return os.NewFile(uintptr(fd), hostName), nil
		case unix.EINTR, unix.EAGAIN:
			continue
		}
		return nil, err
	}
	return nil, errRetry
}

func (b *beneathDir) close() error { return b.dir.Close() }
