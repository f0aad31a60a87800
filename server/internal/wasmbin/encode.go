package wasmbin

import "encoding/binary"

// Encoders of the binary format's parts, for the rewriter and for tests that need
// modules no compiler on this machine produces: exact import sets, deliberately broken
// ABI use, stateful reactors.

// Header is the module preamble: magic and version 1.
const Header = "\x00asm\x01\x00\x00\x00"

// ULEB encodes an unsigned LEB128.
func ULEB(v uint32) []byte { return binary.AppendUvarint(nil, uint64(v)) }

// SLEB encodes a signed LEB128 (the immediate of i32.const and i64.const).
func SLEB(v int64) []byte {
	var out []byte
	for {
		b := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && b&0x40 == 0) || (v == -1 && b&0x40 != 0) {
			return append(out, b)
		}
		out = append(out, b|0x80)
	}
}

// EncodeName encodes a name (length-prefixed UTF-8).
func EncodeName(s string) []byte { return append(ULEB(uint32(len(s))), s...) }

// EncodeSection encodes a section with its id and size.
func EncodeSection(id byte, payload []byte) []byte {
	return append(append([]byte{id}, ULEB(uint32(len(payload)))...), payload...)
}

// EncodeVec encodes a vector: the count, then the items.
func EncodeVec(items ...[]byte) []byte {
	out := ULEB(uint32(len(items)))
	for _, it := range items {
		out = append(out, it...)
	}
	return out
}

// EncodeFuncType encodes a function type.
func EncodeFuncType(params, results []byte) []byte {
	b := append([]byte{0x60}, ULEB(uint32(len(params)))...)
	b = append(b, params...)
	b = append(b, ULEB(uint32(len(results)))...)
	return append(b, results...)
}

// I32FuncType encodes (i32 × params) -> (i32 when result, else nothing).
func I32FuncType(params int, result bool) []byte {
	ps := make([]byte, params)
	for i := range ps {
		ps[i] = I32
	}
	if result {
		return EncodeFuncType(ps, []byte{I32})
	}
	return EncodeFuncType(ps, nil)
}

// EncodeFuncImport encodes an import of a function of type index typ.
func EncodeFuncImport(module, field string, typ uint32) []byte {
	return append(append(append(EncodeName(module), EncodeName(field)...), KindFunc), ULEB(typ)...)
}

// EncodeExport encodes an export of kind (KindFunc, KindTable, KindMemory, KindGlobal)
// and index.
func EncodeExport(name string, kind byte, idx uint32) []byte {
	return append(append(EncodeName(name), kind), ULEB(idx)...)
}

// EncodeBody encodes a function body without locals; code must end with 0x0b (end).
func EncodeBody(code ...byte) []byte {
	b := append([]byte{0x00}, code...)
	return append(ULEB(uint32(len(b))), b...)
}

// Cat concatenates byte slices.
func Cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// BumpRealloc is the size-prefixed code of a canonical_abi_realloc
// (old ptr, old len, align, new len: i32) -> i32 that bumps global 0: it
// returns align for a zero new length, else global 0 rounded up to align,
// and advances global 0 past the new length. It never frees or copies.
var BumpRealloc = func() []byte {
	code := []byte{
		0x01, 0x01, 0x7f, // one i32 local (#4)
		0x20, 3, 0x45, 0x04, 0x7f, // if newLen == 0 (result i32)
		0x20, 2, // align
		0x05,                                  // else
		0x23, 0, 0x20, 2, 0x6a, 0x41, 1, 0x6b, // next + align - 1
		0x41, 0, 0x20, 2, 0x6b, 0x71, // & -align
		0x22, 4, 0x20, 3, 0x6a, 0x24, 0, // next = p + newLen
		0x20, 4, // p
		0x0b, 0x0b,
	}
	return append(ULEB(uint32(len(code))), code...)
}()
