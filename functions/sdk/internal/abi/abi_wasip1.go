//go:build wasip1

package abi

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unsafe"

	"wasmsite/functions/sdk/spin"
)

// pins keeps allocations that the host may still access reachable, by address.
var pins = make(map[uint32][]byte, 64)

// The arena serves the host's small allocations (a request's URI, header names and
// values) without a Go allocation or a pin each: a bump allocator over a static buffer,
// whose space is never reused, so slices and strings may alias it for the instance's
// whole life. arenaAllocs records each allocation (in address order) so that Take
// accepts only the start of one, once, as it does for pinned allocations.
var (
	arena       [32 << 10]byte
	arenaUsed   uint32
	arenaAllocs = make([]arenaAlloc, 0, 256)
)

// arenaAlloc returns n bytes of the arena aligned to align, or nil when it is full.
func allocArena(n, align uint32) []byte {
	off := (arenaUsed + align - 1) &^ (align - 1)
	if uint64(off)+uint64(n) > uint64(len(arena)) {
		return nil
	}
	arenaUsed = off + n
	arenaAllocs = append(arenaAllocs, arenaAlloc{off: off, size: n})
	return arena[off : off+n : off+n]
}

// inArena returns the arena allocation starting at address p, or nil.
func inArena(p uint32) *arenaAlloc {
	base := Addr(arena[:])
	if p < base || p >= base+uint32(len(arena)) {
		return nil
	}
	i, found := arenaIndex(arenaAllocs, p-base)
	if !found || arenaAllocs[i].gone {
		return nil
	}
	return &arenaAllocs[i]
}

// alloc returns a zeroed buffer of n bytes whose address is a multiple of align
// (align must be a power of two; Go's word-sized allocations give 8 for free).
func alloc(n, align uint32) []byte {
	if align <= 8 {
		words := make([]uint64, (uint64(n)+7)/8)
		return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(words))), n)
	}
	raw := make([]byte, uint64(n)+uint64(align))
	off := (align - Addr(raw)%align) % align
	return raw[off : off+n : off+n]
}

// Alloc returns an 8-byte-aligned buffer that stays alive until the host frees it
// with canonical_abi_free or the guest calls Take/Unpin on its address.
func Alloc(n uint32) []byte {
	if n == 0 {
		return nil
	}
	b := alloc(n, 8)
	pins[Addr(b)] = b
	return b
}

// Place returns n bytes the host may read and then free (canonical_abi_free): from the
// arena while it has room, else a pinned allocation.
func Place(n uint32) []byte {
	if b := allocArena(n, 8); b != nil {
		return b
	}
	return Alloc(n)
}

// Pin keeps b (non-empty) alive for the host, which frees it by its address, and
// returns that address: for response data the guest already holds, without copying.
func Pin(b []byte) uint32 {
	if len(b) == 0 {
		return 0
	}
	p := Addr(b)
	pins[p] = b
	return p
}

// Buf returns an 8-byte-aligned, unpinned buffer for borrowed arguments and return
// areas. The caller keeps it alive (runtime.KeepAlive) across the import call.
func Buf(n uint32) []byte { return alloc(n, 8) }

// Addr is the linear-memory address of b's first byte (0 for an empty slice).
func Addr(b []byte) uint32 {
	if len(b) == 0 {
		return 0
	}
	return uint32(uintptr(unsafe.Pointer(unsafe.SliceData(b))))
}

// StrAddr is the address of s's bytes (0 for the empty string).
func StrAddr(s string) uint32 {
	if len(s) == 0 {
		return 0
	}
	return uint32(uintptr(unsafe.Pointer(unsafe.StringData(s))))
}

// ErrBadPointer reports a (pointer, length) pair from the host that does not name a
// live guest allocation of sufficient size.
var ErrBadPointer = errors.New("abi: host returned a pointer outside any guest allocation")

// Take claims the host-allocated buffer at ptr as an ordinary Go slice of n bytes: it is
// removed from the pin table and garbage collected like any slice once unreferenced
// (an arena allocation is never reused, so the slice may alias it). n == 0 yields an
// empty slice whatever ptr is.
func Take(ptr, n uint32) ([]byte, error) {
	if n == 0 {
		if b, ok := pins[ptr]; ok && len(b) == 0 {
			delete(pins, ptr)
		}
		return []byte{}, nil
	}
	if a := inArena(ptr); a != nil && a.size >= n {
		a.gone = true
		return arena[a.off : a.off+n : a.off+n], nil
	}
	b, ok := pins[ptr]
	if !ok || uint32(len(b)) < n {
		return nil, fmt.Errorf("%w (ptr=%#x len=%d)", ErrBadPointer, ptr, n)
	}
	delete(pins, ptr)
	return b[:n:n], nil
}

// TakeString is Take for UTF-8 string data. A string from the arena aliases it.
func TakeString(ptr, n uint32) (string, error) {
	b, err := Take(ptr, n)
	if err != nil {
		return "", err
	}
	if inArenaBytes(b) {
		return unsafe.String(unsafe.SliceData(b), len(b)), nil
	}
	return string(b), nil
}

func inArenaBytes(b []byte) bool {
	base := Addr(arena[:])
	p := Addr(b)
	return p >= base && p < base+uint32(len(arena))
}

// Pinned reports how many allocations are currently held for the host (for tests).
func Pinned() int {
	n := len(pins)
	for _, a := range arenaAllocs {
		if !a.gone {
			n++
		}
	}
	return n
}

//go:wasmexport canonical_abi_realloc
func canonicalABIRealloc(oldPtr, oldLen, align, newLen uint32) uint32 {
	if align == 0 || align&(align-1) != 0 {
		align = 8
	}
	var old []byte
	if oldLen != 0 {
		if a := inArena(oldPtr); a != nil {
			old, a.gone = arena[a.off:a.off+min(a.size, oldLen)], true
		} else {
			old = pins[oldPtr]
			delete(pins, oldPtr)
		}
	}
	if newLen == 0 {
		return align
	}
	if b := allocArena(newLen, align); b != nil {
		copy(b, old)
		return Addr(b)
	}
	b := alloc(newLen, align)
	copy(b, old)
	p := Addr(b)
	pins[p] = b
	return p
}

//go:wasmexport canonical_abi_free
func canonicalABIFree(ptr, size, align uint32) {
	if size == 0 {
		return
	}
	if a := inArena(ptr); a != nil {
		a.gone = true
		return
	}
	delete(pins, ptr)
}

// Little-endian accessors for return areas and flat records.

func U8(b []byte, off int) uint8   { return b[off] }
func U16(b []byte, off int) uint16 { return binary.LittleEndian.Uint16(b[off:]) }
func U32(b []byte, off int) uint32 { return binary.LittleEndian.Uint32(b[off:]) }
func I64(b []byte, off int) int64  { return int64(binary.LittleEndian.Uint64(b[off:])) }

func PutU8(b []byte, off int, v uint8)   { b[off] = v }
func PutU16(b []byte, off int, v uint16) { binary.LittleEndian.PutUint16(b[off:], v) }
func PutU32(b []byte, off int, v uint32) { binary.LittleEndian.PutUint32(b[off:], v) }
func PutI64(b []byte, off int, v int64)  { binary.LittleEndian.PutUint64(b[off:], uint64(v)) }

// TakePairs claims a host-allocated list<tuple<string,string>> of n elements
// (spin.Pair*) and its strings, and returns pair(name, value) of each (nil for none).
func TakePairs[P any](ptr, n uint32, pair func(name, value string) P) ([]P, error) {
	var out []P
	if n > 0 {
		out = make([]P, 0, n)
	}
	return AppendPairs(out, ptr, n, pair)
}

// AppendPairs is TakePairs appending to dst, for a caller that reuses one slice from
// call to call.
func AppendPairs[P any](dst []P, ptr, n uint32, pair func(name, value string) P) ([]P, error) {
	arr, err := TakeList(ptr, n, spin.PairSize)
	if err != nil {
		return nil, err
	}
	for i := range int(n) {
		o := i * spin.PairSize
		name, err := TakeString(U32(arr, o+spin.PairNamePtr), U32(arr, o+spin.PairNameLen))
		if err != nil {
			return nil, err
		}
		value, err := TakeString(U32(arr, o+spin.PairValuePtr), U32(arr, o+spin.PairValueLen))
		if err != nil {
			return nil, err
		}
		dst = append(dst, pair(name, value))
	}
	return dst, nil
}

// PutPair writes element i of a list<tuple<string,string>> in arr (elements
// spin.Pair*): the addresses and lengths of its name and value.
func PutPair(arr []byte, i int, namePtr, nameLen, valuePtr, valueLen uint32) {
	o := i * spin.PairSize
	PutU32(arr, o+spin.PairNamePtr, namePtr)
	PutU32(arr, o+spin.PairNameLen, nameLen)
	PutU32(arr, o+spin.PairValuePtr, valuePtr)
	PutU32(arr, o+spin.PairValueLen, valueLen)
}

// TakeList claims a host-allocated list of n elements of elemSize bytes.
func TakeList(ptr, n, elemSize uint32) ([]byte, error) {
	total := uint64(n) * uint64(elemSize)
	if total > 1<<31 {
		return nil, fmt.Errorf("%w (list of %d elements)", ErrBadPointer, n)
	}
	return Take(ptr, uint32(total))
}

// TakeStrings claims a host-allocated list<string> (elements spin.String*).
func TakeStrings(ptr, n uint32) ([]string, error) {
	arr, err := TakeList(ptr, n, spin.StringSize)
	if err != nil {
		return nil, err
	}
	out := make([]string, n)
	for i := range out {
		o := i * spin.StringSize
		s, err := TakeString(U32(arr, o+spin.StringPtr), U32(arr, o+spin.StringLen))
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

// StringList lowers strs into a borrowed list<string> array (elements spin.String*).
// The returned keep value must be kept alive across the import call.
func StringList(strs []string) (arr []byte, keep []string) {
	if len(strs) == 0 {
		return nil, nil
	}
	arr = Buf(uint32(len(strs)) * spin.StringSize)
	for i, s := range strs {
		o := i * spin.StringSize
		PutU32(arr, o+spin.StringPtr, StrAddr(s))
		PutU32(arr, o+spin.StringLen, uint32(len(s)))
	}
	return arr, strs
}
