//go:build wasip1

package config

import (
	"runtime"

	"wasmsite/functions/sdk/internal/abi"
)

//go:wasmimport spin-config get-config
func importGetConfig(keyPtr, keyLen, ret uint32)

// get: 16-byte area: +0 is_err; ok +4/+8 string; err +4 tag, +8/+12 string.
func get(key string) (string, error) {
	ret := abi.Buf(16)
	importGetConfig(abi.StrAddr(key), uint32(len(key)), abi.Addr(ret))
	runtime.KeepAlive(key)
	if abi.U8(ret, 0) != 0 {
		msg, err := abi.TakeString(abi.U32(ret, 8), abi.U32(ret, 12))
		if err != nil {
			return "", err
		}
		return "", variantError(abi.U8(ret, 4), msg)
	}
	return abi.TakeString(abi.U32(ret, 4), abi.U32(ret, 8))
}
