//go:build wasip1

package kv

import (
	"runtime"

	"wasmsite/functions/sdk/internal/abi"
)

//go:wasmimport key-value open
func importOpen(namePtr, nameLen, ret uint32)

//go:wasmimport key-value get
func importGet(store, keyPtr, keyLen, ret uint32)

//go:wasmimport key-value set
func importSet(store, keyPtr, keyLen, valPtr, valLen, ret uint32)

//go:wasmimport key-value delete
func importDelete(store, keyPtr, keyLen, ret uint32)

//go:wasmimport key-value exists
func importExists(store, keyPtr, keyLen, ret uint32)

//go:wasmimport key-value get-keys
func importGetKeys(store, ret uint32)

//go:wasmimport key-value close
func importClose(store uint32)

// All results use a 16-byte area: +0 is_err; ok payload at +4 (u32, u8 or list
// ptr/len at +4/+8); err: +4 u8 tag, io string at +8/+12.
func failed(ret []byte) error {
	if abi.U8(ret, 0) == 0 {
		return nil
	}
	var msg string
	if abi.U8(ret, 4) == 5 {
		m, err := abi.TakeString(abi.U32(ret, 8), abi.U32(ret, 12))
		if err != nil {
			return err
		}
		msg = m
	}
	return variantError(abi.U8(ret, 4), msg)
}

func open(name string) (uint32, error) {
	ret := abi.Buf(16)
	importOpen(abi.StrAddr(name), uint32(len(name)), abi.Addr(ret))
	runtime.KeepAlive(name)
	if err := failed(ret); err != nil {
		return 0, err
	}
	return abi.U32(ret, 4), nil
}

func get(store uint32, key string) ([]byte, error) {
	ret := abi.Buf(16)
	importGet(store, abi.StrAddr(key), uint32(len(key)), abi.Addr(ret))
	runtime.KeepAlive(key)
	if err := failed(ret); err != nil {
		return nil, err
	}
	return abi.Take(abi.U32(ret, 4), abi.U32(ret, 8))
}

func set(store uint32, key string, value []byte) error {
	ret := abi.Buf(16)
	importSet(store, abi.StrAddr(key), uint32(len(key)), abi.Addr(value), uint32(len(value)), abi.Addr(ret))
	runtime.KeepAlive(key)
	runtime.KeepAlive(value)
	return failed(ret)
}

func del(store uint32, key string) error {
	ret := abi.Buf(16)
	importDelete(store, abi.StrAddr(key), uint32(len(key)), abi.Addr(ret))
	runtime.KeepAlive(key)
	return failed(ret)
}

func exists(store uint32, key string) (bool, error) {
	ret := abi.Buf(16)
	importExists(store, abi.StrAddr(key), uint32(len(key)), abi.Addr(ret))
	runtime.KeepAlive(key)
	if err := failed(ret); err != nil {
		return false, err
	}
	return abi.U8(ret, 4) != 0, nil
}

func getKeys(store uint32) ([]string, error) {
	ret := abi.Buf(16)
	importGetKeys(store, abi.Addr(ret))
	if err := failed(ret); err != nil {
		return nil, err
	}
	return abi.TakeStrings(abi.U32(ret, 4), abi.U32(ret, 8))
}

func closeStore(store uint32) { importClose(store) }
