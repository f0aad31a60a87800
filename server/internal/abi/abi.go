// Package abi implements the guest-memory side of Spin 1.x's core-module canonical ABI
// (wit-bindgen 0.2, as pinned by Spin 1.x; see ../shared/reference/spin-1x.md C.3/C.4):
// bounds-checked reads and writes of little-endian scalars, strings and lists in a
// guest's linear memory, and allocation through the guest's exported
// canonical_abi_realloc / canonical_abi_free.
//
// Every accessor validates pointers, lengths and UTF-8 and returns *Error on violation;
// host functions turn that into a trap, executors into a 500 for the request.
package abi

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/tetratelabs/wazero/api"

	"wasmsite/functions/sdk/spin"
)

// MaxList bounds a list or string length the host will copy out of a guest, in bytes.
// A guest asking for more is misbehaving.
const MaxList = 64 << 20

// Error is an ABI violation by the guest: an out-of-bounds pointer, a misaligned record,
// invalid UTF-8, an invalid discriminant or an oversized length.
type Error struct{ Msg string }

func (e *Error) Error() string { return "abi: " + e.Msg }

// Errorf builds an *Error.
func Errorf(format string, args ...any) *Error { return &Error{Msg: fmt.Sprintf(format, args...)} }

// Guest is one instance's linear memory plus its allocator exports.
type Guest struct {
	// SkipFrees leaves what the host lifted out of the guest (a response's strings and
	// lists) allocated instead of returning each through canonical_abi_free, as
	// wit-bindgen's host does: for a host that resets or discards the instance right
	// after the call, where freeing is wasted work (one guest call per string).
	SkipFrees bool
	Mem       api.Memory
	realloc   api.Function
	free      api.Function
	stack     [4]uint64
}

// NewGuest binds to an instance. It returns *Error naming the missing export when the
// instance lacks memory, canonical_abi_realloc or canonical_abi_free.
func NewGuest(m api.Module) (*Guest, error) {
	// ExportedMemory, not Memory: Memory returns a non-nil interface holding a nil
	// *MemoryInstance for a module without memory, and a memory must be exported as
	// "memory" (Spin 1.x required exports).
	g := &Guest{Mem: m.ExportedMemory(spin.ExportMemory), realloc: m.ExportedFunction(spin.ExportRealloc),
		free: m.ExportedFunction(spin.ExportFree)}
	switch {
	case g.Mem == nil:
		return nil, Errorf("module does not export %s", spin.ExportMemory)
	case g.realloc == nil:
		return nil, Errorf("module does not export %s", spin.ExportRealloc)
	case g.free == nil:
		return nil, Errorf("module does not export %s", spin.ExportFree)
	}
	return g, nil
}

// Alloc allocates size bytes aligned to align in guest memory via
// canonical_abi_realloc(0, 0, align, size), as wit-bindgen's host does, and checks the
// returned range. A zero size yields the guest's dangling pointer without checks.
func (g *Guest) Alloc(ctx context.Context, size, align uint32) (uint32, error) {
	g.stack[0], g.stack[1], g.stack[2], g.stack[3] = 0, 0, uint64(align), uint64(size)
	if err := g.realloc.CallWithStack(ctx, g.stack[:]); err != nil {
		return 0, err
	}
	p := uint32(g.stack[0])
	if size == 0 {
		return p, nil
	}
	if align > 1 && p%align != 0 {
		return 0, Errorf("canonical_abi_realloc returned %#x, not aligned to %d", p, align)
	}
	if !g.inBounds(p, size) {
		return 0, Errorf("canonical_abi_realloc returned %#x+%d, outside memory", p, size)
	}
	return p, nil
}

// Free returns a guest allocation via canonical_abi_free(ptr, size, align).
// Nothing is called for size 0.
func (g *Guest) Free(ctx context.Context, ptr, size, align uint32) error {
	if size == 0 {
		return nil
	}
	g.stack[0], g.stack[1], g.stack[2] = uint64(ptr), uint64(size), uint64(align)
	return g.free.CallWithStack(ctx, g.stack[:3])
}

func (g *Guest) inBounds(p, n uint32) bool {
	return uint64(p)+uint64(n) <= uint64(g.Mem.Size())
}

// Check returns *Error unless [p, p+n) lies in memory and p is aligned to align.
func (g *Guest) Check(p, n, align uint32) error {
	if align > 1 && p%align != 0 {
		return Errorf("pointer %#x not aligned to %d", p, align)
	}
	if !g.inBounds(p, n) {
		return Errorf("range %#x+%d outside memory of %d bytes", p, n, g.Mem.Size())
	}
	return nil
}

// Bytes returns a copy of n bytes at p, never nil (so a present empty list<u8> stays
// distinguishable from an absent option).
func (g *Guest) Bytes(p, n uint32) ([]byte, error) {
	if n > MaxList {
		return nil, Errorf("length %d exceeds limit %d", n, MaxList)
	}
	b, ok := g.Mem.Read(p, n)
	if !ok {
		return nil, Errorf("range %#x+%d outside memory of %d bytes", p, n, g.Mem.Size())
	}
	return append(make([]byte, 0, n), b...), nil
}

// String returns the UTF-8 string of n bytes at p.
func (g *Guest) String(p, n uint32) (string, error) {
	if n > MaxList {
		return "", Errorf("string length %d exceeds limit %d", n, MaxList)
	}
	b, ok := g.Mem.Read(p, n)
	if !ok {
		return "", Errorf("string %#x+%d outside memory of %d bytes", p, n, g.Mem.Size())
	}
	if !utf8.Valid(b) {
		return "", Errorf("string at %#x is not valid UTF-8", p)
	}
	return string(b), nil
}

// StringList reads a list<string> (elements spin.String*).
func (g *Guest) StringList(p, n uint32) ([]string, error) {
	if err := g.CheckList(p, n, spin.StringSize, spin.StringAlign); err != nil {
		return nil, err
	}
	out := make([]string, n)
	for i := range out {
		e := p + uint32(i)*spin.StringSize
		s, err := g.String(g.U32(e+spin.StringPtr), g.U32(e+spin.StringLen))
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

// StringPairs reads a list<tuple<string,string>> (elements spin.Pair*), the shape of
// Spin's headers and params.
func (g *Guest) StringPairs(p, n uint32) ([][2]string, error) {
	if err := g.CheckList(p, n, spin.PairSize, spin.PairAlign); err != nil {
		return nil, err
	}
	out := make([][2]string, n)
	for i := range out {
		e := p + uint32(i)*spin.PairSize
		k, err := g.String(g.U32(e+spin.PairNamePtr), g.U32(e+spin.PairNameLen))
		if err != nil {
			return nil, err
		}
		v, err := g.String(g.U32(e+spin.PairValuePtr), g.U32(e+spin.PairValueLen))
		if err != nil {
			return nil, err
		}
		out[i] = [2]string{k, v}
	}
	return out, nil
}

// CheckList validates a list of n elements of elemSize bytes at p.
func (g *Guest) CheckList(p, n, elemSize, align uint32) error {
	total := uint64(n) * uint64(elemSize)
	if total > MaxList {
		return Errorf("list of %d elements exceeds limit", n)
	}
	if n == 0 {
		return nil
	}
	return g.Check(p, uint32(total), align)
}

// Scalar reads; callers must have validated the range with Check. They return 0 when
// out of bounds, which Check-first callers never see.

func (g *Guest) U8(p uint32) uint8   { v, _ := g.Mem.ReadByte(p); return v }
func (g *Guest) U16(p uint32) uint16 { v, _ := g.Mem.ReadUint16Le(p); return v }
func (g *Guest) U32(p uint32) uint32 { v, _ := g.Mem.ReadUint32Le(p); return v }
func (g *Guest) U64(p uint32) uint64 { v, _ := g.Mem.ReadUint64Le(p); return v }

// Area is a bounds-checked writer for a result area the guest passed as retptr.
type Area struct {
	g    *Guest
	base uint32
	buf  []byte
}

// Area validates [p, p+size) with alignment align and returns a writer that stages the
// bytes and commits them with Flush.
func (g *Guest) Area(p, size, align uint32) (*Area, error) {
	if err := g.Check(p, size, align); err != nil {
		return nil, err
	}
	return &Area{g: g, base: p, buf: make([]byte, size)}, nil
}

func (a *Area) U8(off uint32, v uint8)   { a.buf[off] = v }
func (a *Area) U16(off uint32, v uint16) { binary.LittleEndian.PutUint16(a.buf[off:], v) }
func (a *Area) U32(off uint32, v uint32) { binary.LittleEndian.PutUint32(a.buf[off:], v) }
func (a *Area) U64(off uint32, v uint64) { binary.LittleEndian.PutUint64(a.buf[off:], v) }

// Flush writes the staged bytes into guest memory.
func (a *Area) Flush() error {
	if !a.g.Mem.Write(a.base, a.buf) {
		return Errorf("result area %#x+%d outside memory", a.base, len(a.buf))
	}
	return nil
}

// PutBytes allocates len(b) bytes (align 1) in the guest and copies b there; it returns
// the pointer. An empty b still calls realloc with size 0, as wit-bindgen's host does,
// and returns the guest's dangling pointer.
func (g *Guest) PutBytes(ctx context.Context, b []byte) (uint32, error) {
	if uint64(len(b)) > math.MaxUint32 {
		return 0, Errorf("value of %d bytes too large for guest", len(b))
	}
	p, err := g.Alloc(ctx, uint32(len(b)), 1)
	if err != nil || len(b) == 0 {
		return p, err
	}
	g.Mem.Write(p, b)
	return p, nil
}

// PutString is PutBytes for a string.
func (g *Guest) PutString(ctx context.Context, s string) (uint32, error) {
	p, err := g.Alloc(ctx, uint32(len(s)), 1)
	if err != nil || len(s) == 0 {
		return p, err
	}
	g.Mem.WriteString(p, s)
	return p, nil
}

// PutStringList lowers a list<string> (elements spin.String*), each string allocated
// separately. It returns the array pointer.
func (g *Guest) PutStringList(ctx context.Context, ss []string) (uint32, error) {
	arr, err := g.Alloc(ctx, uint32(len(ss))*spin.StringSize, spin.StringAlign)
	if err != nil {
		return 0, err
	}
	buf := make([]byte, spin.StringSize*len(ss))
	for i, s := range ss {
		if err := g.putStringAt(ctx, buf[i*spin.StringSize:], s); err != nil {
			return 0, err
		}
	}
	return arr, g.writeList(arr, buf)
}

// PutStringPairs lowers a list<tuple<string,string>> (elements spin.Pair*).
func (g *Guest) PutStringPairs(ctx context.Context, pairs [][2]string) (uint32, error) {
	arr, err := g.Alloc(ctx, uint32(len(pairs))*spin.PairSize, spin.PairAlign)
	if err != nil {
		return 0, err
	}
	buf := make([]byte, spin.PairSize*len(pairs))
	for i, kv := range pairs {
		e := buf[i*spin.PairSize:]
		if err := g.putStringAt(ctx, e[spin.PairNamePtr:], kv[0]); err != nil {
			return 0, err
		}
		if err := g.putStringAt(ctx, e[spin.PairValuePtr:], kv[1]); err != nil {
			return 0, err
		}
	}
	return arr, g.writeList(arr, buf)
}

// putStringAt allocates s in the guest and writes its pointer and length, a string's
// two u32s, at the start of e.
func (g *Guest) putStringAt(ctx context.Context, e []byte, s string) error {
	p, err := g.PutString(ctx, s)
	if err != nil {
		return err
	}
	binary.LittleEndian.PutUint32(e[spin.StringPtr:], p)
	binary.LittleEndian.PutUint32(e[spin.StringLen:], uint32(len(s)))
	return nil
}

// writeList copies a list's staged elements to arr (nothing for an empty list).
func (g *Guest) writeList(arr uint32, buf []byte) error {
	if len(buf) == 0 {
		return nil
	}
	return g.write(arr, buf)
}
