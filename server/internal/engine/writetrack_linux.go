package engine

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// writeTracker finds the pages of an image-backed slot written since it was last
// write-protected, without reading them: the kernel marks pages in the slot's mapping
// write-protected (userfaultfd's asynchronous write-protect mode, Linux 6.7), clears
// the mark itself on a page's first write (a minor fault; the guest never stops), and
// PAGEMAP_SCAN on /proc/self/pagemap lists the unmarked pages. Reset cost is thus
// proportional to the pages a request wrote, not to memory size.
//
// Unprivileged processes may use it: the userfaultfd is created with
// UFFD_USER_MODE_ONLY, which vm.unprivileged_userfaultfd does not restrict.
type writeTracker struct {
	uffd    int // userfaultfd, write-protect mode registered per slot
	pagemap int // /proc/self/pagemap, for PAGEMAP_SCAN
	regions sync.Pool
}

// Constants and layouts of linux/userfaultfd.h and linux/fs.h (kernel 6.7 uapi; Debian
// 12's headers predate them).
const (
	uffdUserModeOnly       = 1
	uffdAPI                = 0xaa
	uffdFeatureWPAsync     = 1 << 15
	uffdFeatureWPUnpopul   = 1 << 13
	uffdioAPI              = 0xc018aa3f // _IOWR(0xaa, 0x3f, struct uffdio_api)
	uffdioRegister         = 0xc020aa00 // _IOWR(0xaa, 0x00, struct uffdio_register)
	uffdioWriteProtect     = 0xc018aa06 // _IOWR(0xaa, 0x06, struct uffdio_writeprotect)
	uffdioRegisterModeWP   = 1 << 1
	uffdioWriteProtectMode = 1 << 0
	pagemapScan            = 0xc0606610 // _IOWR('f', 16, struct pm_scan_arg)
	pmScanWPMatching       = 1 << 0
	pmScanCheckWPAsync     = 1 << 1
	pageIsWritten          = 1 << 1
)

type uffdioAPIArg struct{ api, features, ioctls uint64 }

type uffdioRange struct{ start, len uint64 }

type uffdioRegisterArg struct {
	rng          uffdioRange
	mode, ioctls uint64
}

type uffdioWriteProtectArg struct {
	rng  uffdioRange
	mode uint64
}

type pageRegion struct{ start, end, categories uint64 }

type pmScanArg struct {
	size, flags, start, end, walkEnd, vec, vecLen, maxPages    uint64
	categoryInverted, categoryMask, categoryAnyofMask, retMask uint64
}

// newWriteTracker opens the userfaultfd and pagemap and checks, on a scratch mapping,
// that writes are tracked as this file relies on; the error says what is missing.
func newWriteTracker() (*writeTracker, error) {
	uffd, _, errno := unix.Syscall(unix.SYS_USERFAULTFD, unix.O_CLOEXEC|unix.O_NONBLOCK|uffdUserModeOnly, 0, 0)
	if errno != 0 {
		return nil, fmt.Errorf("userfaultfd: %w", errno)
	}
	t := &writeTracker{uffd: int(uffd), pagemap: -1}
	t.regions.New = func() any { s := make([]pageRegion, 64); return &s }
	api := uffdioAPIArg{api: uffdAPI, features: uffdFeatureWPAsync | uffdFeatureWPUnpopul}
	if err := t.ioctl(t.uffd, uffdioAPI, unsafe.Pointer(&api)); err != nil {
		t.close()
		return nil, fmt.Errorf("userfaultfd asynchronous write-protect (Linux 6.7+): %w", err)
	}
	pm, err := unix.Open("/proc/self/pagemap", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.close()
		return nil, fmt.Errorf("/proc/self/pagemap: %w", err)
	}
	t.pagemap = pm
	if err := t.selfTest(); err != nil {
		t.close()
		return nil, err
	}
	return t, nil
}

func (t *writeTracker) close() {
	unix.Close(t.uffd)
	if t.pagemap >= 0 {
		unix.Close(t.pagemap)
	}
}

func (t *writeTracker) ioctl(fd int, req uintptr, arg unsafe.Pointer) error {
	if _, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), req, uintptr(arg)); errno != 0 {
		return errno
	}
	return nil
}

// track registers mem (page-aligned) and write-protects all of it.
func (t *writeTracker) track(mem []byte) error {
	if len(mem) == 0 {
		return nil
	}
	rng := uffdioRange{start: uint64(uintptr(unsafe.Pointer(&mem[0]))), len: uint64(len(mem))}
	reg := uffdioRegisterArg{rng: rng, mode: uffdioRegisterModeWP}
	if err := t.ioctl(t.uffd, uffdioRegister, unsafe.Pointer(&reg)); err != nil {
		return fmt.Errorf("userfaultfd register: %w", err)
	}
	wp := uffdioWriteProtectArg{rng: rng, mode: uffdioWriteProtectMode}
	if err := t.ioctl(t.uffd, uffdioWriteProtect, unsafe.Pointer(&wp)); err != nil {
		return fmt.Errorf("userfaultfd write-protect: %w", err)
	}
	return nil
}

// written calls fn with each run of pages of mem written since they were last
// protected, as offsets into mem. With protect, the runs are write-protected again in
// the same walk, atomically with reading them.
func (t *writeTracker) written(mem []byte, protect bool, fn func(from, to int)) error {
	if len(mem) == 0 {
		return nil
	}
	base := uint64(uintptr(unsafe.Pointer(&mem[0])))
	vecp := t.regions.Get().(*[]pageRegion)
	defer t.regions.Put(vecp)
	vec := *vecp
	arg := pmScanArg{
		size: uint64(unsafe.Sizeof(pmScanArg{})), start: base, end: base + uint64(len(mem)),
		vec: uint64(uintptr(unsafe.Pointer(&vec[0]))), vecLen: uint64(len(vec)),
		categoryMask: pageIsWritten, retMask: pageIsWritten,
	}
	if protect {
		arg.flags = pmScanWPMatching | pmScanCheckWPAsync
	}
	for arg.start < arg.end {
		// A raw system call: the scan takes microseconds, too short to hand the P over.
		n, _, errno := unix.RawSyscall(unix.SYS_IOCTL, uintptr(t.pagemap), pagemapScan, uintptr(unsafe.Pointer(&arg)))
		if errno != 0 {
			return fmt.Errorf("PAGEMAP_SCAN: %w", errno)
		}
		for _, r := range vec[:n] {
			fn(int(r.start-base), int(r.end-base))
		}
		arg.start = arg.walkEnd
	}
	return nil
}

// selfTest checks on a scratch private file mapping, like a slot's, that a write by
// user code and one by the kernel (a read(2) into the page) are both reported, and
// that protecting clears the report.
func (t *writeTracker) selfTest() error {
	page := os.Getpagesize()
	fd, err := unix.MemfdCreate("wasmsite-probe", unix.MFD_CLOEXEC)
	if err != nil {
		return fmt.Errorf("memfd_create: %w", err)
	}
	defer unix.Close(fd)
	if err := unix.Ftruncate(fd, int64(4*page)); err != nil {
		return err
	}
	mem, err := unix.Mmap(fd, 0, 4*page, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE)
	if err != nil {
		return fmt.Errorf("mmap: %w", err)
	}
	defer unix.Munmap(mem)
	if err := t.track(mem); err != nil {
		return err
	}
	_ = mem[0] // a read maps the page without writing it
	mem[page+1] = 1
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return err
	}
	defer unix.Close(p[0])
	defer unix.Close(p[1])
	unix.Write(p[1], []byte{7})
	if n, err := unix.Read(p[0], mem[3*page:3*page+1]); n != 1 || err != nil {
		return fmt.Errorf("probe read: %d, %v", n, err)
	}
	var got []int
	if err := t.written(mem, true, func(from, to int) {
		for off := from; off < to; off += page {
			got = append(got, off/page)
		}
	}); err != nil {
		return err
	}
	if len(got) != 2 || got[0] != 1 || got[1] != 3 {
		return fmt.Errorf("write tracking reported pages %v, want [1 3]", got)
	}
	again := 0
	if err := t.written(mem, false, func(from, to int) { again++ }); err != nil {
		return err
	}
	if again != 0 {
		return errors.New("write tracking still reports pages after protecting them")
	}
	return nil
}
