package engine

import "encoding/binary"

// A minimal WebAssembly binary builder for tests (no wat compiler is available).

func uleb32(v uint32) []byte { return binary.AppendUvarint(nil, uint64(v)) }

func sleb(v int64) []byte {
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

func wname(s string) []byte { return append(uleb32(uint32(len(s))), s...) }

func wsection(id byte, payload []byte) []byte {
	return append(append([]byte{id}, uleb32(uint32(len(payload)))...), payload...)
}

func wvec(items ...[]byte) []byte {
	out := uleb32(uint32(len(items)))
	for _, it := range items {
		out = append(out, it...)
	}
	return out
}

const (
	tI32 = 0x7f
	tI64 = 0x7e
)

func functype(params, results []byte) []byte {
	b := append([]byte{0x60}, uleb32(uint32(len(params)))...)
	b = append(b, params...)
	b = append(b, uleb32(uint32(len(results)))...)
	return append(b, results...)
}

func funcImport(module, field string, typ uint32) []byte {
	return append(append(append(wname(module), wname(field)...), 0x00), uleb32(typ)...)
}

func export(name string, kind byte, idx uint32) []byte {
	return append(append(wname(name), kind), uleb32(idx)...)
}

func body(code ...byte) []byte {
	b := append([]byte{0x00}, code...) // no locals
	return append(uleb32(uint32(len(b))), b...)
}

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

const wasmHeader = "\x00asm\x01\x00\x00\x00"

// statefulModule is a reactor with two mutable globals (i32 $a, i64 $b), an immutable
// one, and one page of memory (max 8):
//
//	_initialize: $a = 5; $b = 1<<40; mem[0] = 9
//	inc() i32:   $a++; mem[0]++; return $a*1000 + mem[0]   (6010 from the initial state)
//	big() i64:   $b++; return $b                          (1<<40 + 1)
//	grow():      memory.grow(1)
//	trap():      $a++; mem[0]++; unreachable
//	forever():   $a++; mem[0]++; loop forever
func statefulModule() []byte {
	types := wsection(1, wvec(
		functype(nil, nil),          // 0: () -> ()
		functype(nil, []byte{tI32}), // 1: () -> i32
		functype(nil, []byte{tI64}), // 2: () -> i64
	))
	funcs := wsection(3, wvec([]byte{0}, []byte{1}, []byte{2}, []byte{0}, []byte{0}, []byte{0}))
	mem := wsection(5, wvec([]byte{0x01, 0x01, 0x08}))
	globals := wsection(6, wvec(
		[]byte{tI32, 1, 0x41, 0, 0x0b},
		[]byte{tI64, 1, 0x42, 0, 0x0b},
		[]byte{tI32, 0, 0x41, 7, 0x0b},
	))
	exports := wsection(7, wvec(
		export("memory", 2, 0),
		export("_initialize", 0, 0),
		export("inc", 0, 1),
		export("big", 0, 2),
		export("grow", 0, 3),
		export("trap", 0, 4),
		export("forever", 0, 5),
	))
	incMem := []byte{0x41, 0, 0x41, 0, 0x28, 2, 0, 0x41, 1, 0x6a, 0x36, 2, 0} // mem[0]++
	incA := []byte{0x23, 0, 0x41, 1, 0x6a, 0x24, 0}                           // $a++
	code := wsection(10, wvec(
		body(cat([]byte{0x41, 5, 0x24, 0, 0x42}, sleb(1<<40), []byte{0x24, 1, 0x41, 0, 0x41, 9, 0x36, 2, 0, 0x0b})...),
		body(cat(incA, incMem, []byte{0x23, 0}, []byte{0x41}, sleb(1000), []byte{0x6c, 0x41, 0, 0x28, 2, 0, 0x6a, 0x0b})...),
		body(0x23, 1, 0x42, 1, 0x7c, 0x24, 1, 0x23, 1, 0x0b),
		body(0x41, 1, 0x40, 0, 0x1a, 0x0b),
		body(cat(incA, incMem, []byte{0x00, 0x0b})...),
		body(cat(incA, incMem, []byte{0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b})...),
	))
	return cat([]byte(wasmHeader), types, funcs, mem, globals, exports, code)
}

// importingModule imports the given functions (all of type () -> ()) and, with
// memory set, a memory env.memory; it exports nothing but _start-less nothing.
func importingModule(memory bool, imports ...[2]string) []byte {
	var imps [][]byte
	for _, im := range imports {
		imps = append(imps, funcImport(im[0], im[1], 0))
	}
	if memory {
		imps = append(imps, cat(wname("env"), wname("memory"), []byte{0x02, 0x00, 0x01}))
	}
	return cat([]byte(wasmHeader), wsection(1, wvec(functype(nil, nil))), wsection(2, wvec(imps...)), wsection(7, wvec()))
}
