package engine

import "wasmsite/server/internal/wasmbin"

// Module encoding helpers (shared with the other host packages' tests).
var (
	uleb32     = wasmbin.ULEB
	sleb       = wasmbin.SLEB
	wname      = wasmbin.EncodeName
	wsection   = wasmbin.EncodeSection
	wvec       = wasmbin.EncodeVec
	functype   = wasmbin.EncodeFuncType
	funcImport = wasmbin.EncodeFuncImport
	export     = wasmbin.EncodeExport
	body       = wasmbin.EncodeBody
	cat        = wasmbin.Cat
)

const (
	tI32       = wasmbin.I32
	tI64       = wasmbin.I64
	wasmHeader = wasmbin.Header
)

// statefulModule is a reactor with two mutable globals (i32 $a, i64 $b), an immutable
// one, and one page of memory (max 8):
//
//	_initialize: $a = 5; $b = 1<<40; mem[0] = 9
//	inc() i32:   $a++; mem[0]++; return $a*1000 + mem[0]   (6010 from the initial state)
//	big() i64:   $b++; return $b                          (1<<40 + 1)
//	grow():      memory.grow(1)
//	trap():      $a++; mem[0]++; unreachable
//	forever():   $a++; mem[0]++; loop forever
//	size() i32:  memory.size, in pages
func statefulModule() []byte {
	types := wsection(1, wvec(
		functype(nil, nil),          // 0: () -> ()
		functype(nil, []byte{tI32}), // 1: () -> i32
		functype(nil, []byte{tI64}), // 2: () -> i64
	))
	funcs := wsection(3, wvec([]byte{0}, []byte{1}, []byte{2}, []byte{0}, []byte{0}, []byte{0}, []byte{1}))
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
		export("size", 0, 6),
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
		body(0x3f, 0, 0x0b),
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
