//go:build wasip1

package abi

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unsafe"
)

// pins keeps allocations that the host may still access reachable, by address.
var pins = map[uint32][]byte{}

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
// removed from the pin table and garbage collected like any slice once unreferenced.
// n == 0 yields an empty slice whatever ptr is.
func Take(ptr, n uint32) ([]byte, error) {
	if n == 0 {
		if b, ok := pins[ptr]; ok && len(b) == 0 {
			delete(pins, ptr)
		}
		return []byte{}, nil
	}
	b, ok := pins[ptr]
	if !ok || uint32(len(b)) < n {
		return nil, fmt.Errorf("%w (ptr=%#x len=%d)", ErrBadPointer, ptr, n)
	}
	delete(pins, ptr)
	return b[:n:n], nil
}

// TakeString is Take for UTF-8 string data.
func TakeString(ptr, n uint32) (string, error) {
	b, err := Take(ptr, n)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// Pinned reports how many allocations are currently held for the host (for tests).
func Pinned() int { return len(pins) }

//go:wasmexport canonical_abi_realloc
func canonicalABIRealloc(oldPtr, oldLen, align, newLen uint32) uint32 {
	if align == 0 || align&(align-1) != 0 {
		align = 8
	}
	var old []byte
	if oldLen != 0 {
		old = pins[oldPtr]
		delete(pins, oldPtr)
	}
	if newLen == 0 {
		return align
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

// TakeList claims a host-allocated list of n elements of elemSize bytes.
func TakeList(ptr, n, elemSize uint32) ([]byte, error) {
	total := uint64(n) * uint64(elemSize)
	if total > 1<<31 {
		return nil, fmt.Errorf("%w (list of %d elements)", ErrBadPointer, n)
	}
	return Take(ptr, uint32(total))
}

// TakeStrings claims a host-allocated list<string> (8-byte elements: ptr, len).
func TakeStrings(ptr, n uint32) ([]string, error) {
	arr, err := TakeList(ptr, n, 8)
	if err != nil {
		return nil, err
	}
	out := make([]string, n)
	for i := range out {
		s, err := TakeString(U32(arr, i*8), U32(arr, i*8+4))
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

// StringList lowers strs into a borrowed list<string> array (8-byte elements). The
// returned keep value must be kept alive across the import call.
func StringList(strs []string) (arr []byte, keep []string) {
	if len(strs) == 0 {
		return nil, nil
	}
	arr = Buf(uint32(len(strs)) * 8)
	for i, s := range strs {
		PutU32(arr, i*8, StrAddr(s))
		PutU32(arr, i*8+4, uint32(len(s)))
	}
	return arr, strs
}
