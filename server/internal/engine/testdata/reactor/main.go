package main

import (
	"unsafe"
)

var pins = map[uintptr][]byte{}

//go:wasmexport canonical_abi_realloc
func realloc(old, oldLen, align, newLen uint32) uint32 {
	if newLen == 0 {
		return align
	}
	b := make([]byte, newLen+align)
	p := uintptr(unsafe.Pointer(&b[0]))
	p = (p + uintptr(align) - 1) &^ (uintptr(align) - 1)
	if oldLen > 0 {
		copy(unsafe.Slice((*byte)(unsafe.Pointer(p)), newLen), unsafe.Slice((*byte)(unsafe.Pointer(uintptr(old))), oldLen))
		delete(pins, uintptr(old))
	}
	pins[p] = b
	return uint32(p)
}

//go:wasmexport canonical_abi_free
func free(ptr, size, align uint32) {
	if size > 0 {
		delete(pins, uintptr(ptr))
	}
}

var ret [28]byte
var counter int
var cret [16]byte

//go:wasmimport spin-config get-config
func getConfig(p, l, ret uint32)

//go:wasmexport handle-http-request
func handle(method, uriP, uriL, hP, hL, pP, pL, bSome, bP, bL uint32) uint32 {
	counter++
	uri := unsafe.String((*byte)(unsafe.Pointer(uintptr(uriP))), uriL)
	key := "greeting"
	getConfig(uint32(uintptr(unsafe.Pointer(unsafe.StringData(key)))), uint32(len(key)), uint32(uintptr(unsafe.Pointer(&cret[0]))))
	val := "ERR"
	if cret[0] == 0 {
		val = unsafe.String((*byte)(unsafe.Pointer(uintptr(*(*uint32)(unsafe.Pointer(&cret[4]))))), *(*uint32)(unsafe.Pointer(&cret[8])))
	}
	body := []byte("hello " + uri + " " + val)
	bp := realloc(0, 0, 1, uint32(len(body)))
	copy(unsafe.Slice((*byte)(unsafe.Pointer(uintptr(bp))), len(body)), body)
	*(*uint16)(unsafe.Pointer(&ret[0])) = 200
	ret[4] = 0
	ret[16] = 1
	*(*uint32)(unsafe.Pointer(&ret[20])) = bp
	*(*uint32)(unsafe.Pointer(&ret[24])) = uint32(len(body))
	return uint32(uintptr(unsafe.Pointer(&ret[0])))
}

func main() {}
