//go:build wasip1

package config

import (
	"runtime"

	"wasmsite/functions/sdk/internal/abi"
	"wasmsite/functions/sdk/spin"
)

//go:wasmimport spin-config get-config
func importGetConfig(keyPtr, keyLen, ret uint32)

// get calls get-config and reads its result area (spin.Config*).
func get(key string) (string, error) {
	ret := abi.Buf(spin.ConfigResultSize)
	importGetConfig(abi.StrAddr(key), uint32(len(key)), abi.Addr(ret))
	runtime.KeepAlive(key)
	if abi.U8(ret, spin.ResultIsErr) != 0 {
		msg, err := abi.TakeString(abi.U32(ret, spin.ConfigErrorMsgPtr), abi.U32(ret, spin.ConfigErrorMsgLen))
		if err != nil {
			return "", err
		}
		return "", variantError(spin.ConfigError(abi.U8(ret, spin.ConfigErrorTag)), msg)
	}
	return abi.TakeString(abi.U32(ret, spin.ConfigValuePtr), abi.U32(ret, spin.ConfigValueLen))
}
