//go:build wasip1

package kv

import (
	"runtime"

	"wasmsite/functions/sdk/internal/abi"
	"wasmsite/functions/sdk/spin"
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

// failed reads the error of a result area (spin.KV*), nil for ok.
func failed(ret []byte) error {
	if abi.U8(ret, spin.ResultIsErr) == 0 {
		return nil
	}
	tag := spin.KVError(abi.U8(ret, spin.KVErrorTag))
	var msg string
	if tag == spin.KVIO {
		m, err := abi.TakeString(abi.U32(ret, spin.KVErrorMsgPtr), abi.U32(ret, spin.KVErrorMsgLen))
		if err != nil {
			return err
		}
		msg = m
	}
	return variantError(tag, msg)
}

func open(name string) (uint32, error) {
	ret := abi.Buf(spin.KVResultSize)
	importOpen(abi.StrAddr(name), uint32(len(name)), abi.Addr(ret))
	runtime.KeepAlive(name)
	if err := failed(ret); err != nil {
		return 0, err
	}
	return abi.U32(ret, spin.KVPayload), nil
}

func get(store uint32, key string) ([]byte, error) {
	ret := abi.Buf(spin.KVResultSize)
	importGet(store, abi.StrAddr(key), uint32(len(key)), abi.Addr(ret))
	runtime.KeepAlive(key)
	if err := failed(ret); err != nil {
		return nil, err
	}
	return abi.Take(abi.U32(ret, spin.KVListPtr), abi.U32(ret, spin.KVListLen))
}

func set(store uint32, key string, value []byte) error {
	ret := abi.Buf(spin.KVResultSize)
	importSet(store, abi.StrAddr(key), uint32(len(key)), abi.Addr(value), uint32(len(value)), abi.Addr(ret))
	runtime.KeepAlive(key)
	runtime.KeepAlive(value)
	return failed(ret)
}

func del(store uint32, key string) error {
	ret := abi.Buf(spin.KVResultSize)
	importDelete(store, abi.StrAddr(key), uint32(len(key)), abi.Addr(ret))
	runtime.KeepAlive(key)
	return failed(ret)
}

func exists(store uint32, key string) (bool, error) {
	ret := abi.Buf(spin.KVResultSize)
	importExists(store, abi.StrAddr(key), uint32(len(key)), abi.Addr(ret))
	runtime.KeepAlive(key)
	if err := failed(ret); err != nil {
		return false, err
	}
	return abi.U8(ret, spin.KVPayload) != 0, nil
}

func getKeys(store uint32) ([]string, error) {
	ret := abi.Buf(spin.KVResultSize)
	importGetKeys(store, abi.Addr(ret))
	if err := failed(ret); err != nil {
		return nil, err
	}
	return abi.TakeStrings(abi.U32(ret, spin.KVListPtr), abi.U32(ret, spin.KVListLen))
}

func closeStore(store uint32) { importClose(store) }
