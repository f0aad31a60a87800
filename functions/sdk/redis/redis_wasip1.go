//go:build wasip1

package redis

import (
	"runtime"

	"wasmsite/functions/sdk/internal/abi"
)

//go:wasmimport outbound-redis publish
func importPublish(addrPtr, addrLen, chPtr, chLen, payloadPtr, payloadLen, ret uint32)

//go:wasmimport outbound-redis get
func importGet(addrPtr, addrLen, keyPtr, keyLen, ret uint32)

//go:wasmimport outbound-redis set
func importSet(addrPtr, addrLen, keyPtr, keyLen, valPtr, valLen, ret uint32)

//go:wasmimport outbound-redis incr
func importIncr(addrPtr, addrLen, keyPtr, keyLen, ret uint32)

//go:wasmimport outbound-redis del
func importDel(addrPtr, addrLen, keysPtr, keysLen, ret uint32)

//go:wasmimport outbound-redis sadd
func importSAdd(addrPtr, addrLen, keyPtr, keyLen, valuesPtr, valuesLen, ret uint32)

//go:wasmimport outbound-redis srem
func importSRem(addrPtr, addrLen, keyPtr, keyLen, valuesPtr, valuesLen, ret uint32)

//go:wasmimport outbound-redis smembers
func importSMembers(addrPtr, addrLen, keyPtr, keyLen, ret uint32)

//go:wasmimport outbound-redis execute
func importExecute(addrPtr, addrLen, cmdPtr, cmdLen, argsPtr, argsLen, ret uint32)

func sp(s string) (uint32, uint32) { return abi.StrAddr(s), uint32(len(s)) }

// Return areas: 16 bytes, align 8 (abi.Buf is 8-aligned).

// unitResult reads expected<unit, error> (+0 is_err, +1 error).
func unitResult(ret []byte, op string) error {
	if abi.U8(ret, 0) != 0 {
		return redisErr(op)
	}
	return nil
}

// s64Result reads expected<s64, error> (+0 tag, +8 s64 or error).
func s64Result(ret []byte, op string) (int64, error) {
	if abi.U8(ret, 0) != 0 {
		return 0, redisErr(op)
	}
	return abi.I64(ret, 8), nil
}

func publish(address, channel string, payload []byte) error {
	ret := abi.Buf(16)
	ap, al := sp(address)
	cp, cl := sp(channel)
	importPublish(ap, al, cp, cl, abi.Addr(payload), uint32(len(payload)), abi.Addr(ret))
	runtime.KeepAlive(address)
	runtime.KeepAlive(channel)
	runtime.KeepAlive(payload)
	return unitResult(ret, "publish")
}

func get(address, key string) ([]byte, error) {
	ret := abi.Buf(16)
	ap, al := sp(address)
	kp, kl := sp(key)
	importGet(ap, al, kp, kl, abi.Addr(ret))
	runtime.KeepAlive(address)
	runtime.KeepAlive(key)
	if abi.U8(ret, 0) != 0 {
		return nil, redisErr("get")
	}
	return abi.Take(abi.U32(ret, 4), abi.U32(ret, 8))
}

func set(address, key string, value []byte) error {
	ret := abi.Buf(16)
	ap, al := sp(address)
	kp, kl := sp(key)
	importSet(ap, al, kp, kl, abi.Addr(value), uint32(len(value)), abi.Addr(ret))
	runtime.KeepAlive(address)
	runtime.KeepAlive(key)
	runtime.KeepAlive(value)
	return unitResult(ret, "set")
}

func incr(address, key string) (int64, error) {
	ret := abi.Buf(16)
	ap, al := sp(address)
	kp, kl := sp(key)
	importIncr(ap, al, kp, kl, abi.Addr(ret))
	runtime.KeepAlive(address)
	runtime.KeepAlive(key)
	return s64Result(ret, "incr")
}

func del(address string, keys []string) (int64, error) {
	ret := abi.Buf(16)
	ap, al := sp(address)
	arr, keep := abi.StringList(keys)
	importDel(ap, al, abi.Addr(arr), uint32(len(keys)), abi.Addr(ret))
	runtime.KeepAlive(address)
	runtime.KeepAlive(arr)
	runtime.KeepAlive(keep)
	return s64Result(ret, "del")
}

func setop(op int, address, key string, members []string) (int64, error) {
	ret := abi.Buf(16)
	ap, al := sp(address)
	kp, kl := sp(key)
	arr, keep := abi.StringList(members)
	name := "sadd"
	if op == opSAdd {
		importSAdd(ap, al, kp, kl, abi.Addr(arr), uint32(len(members)), abi.Addr(ret))
	} else {
		name = "srem"
		importSRem(ap, al, kp, kl, abi.Addr(arr), uint32(len(members)), abi.Addr(ret))
	}
	runtime.KeepAlive(address)
	runtime.KeepAlive(key)
	runtime.KeepAlive(arr)
	runtime.KeepAlive(keep)
	return s64Result(ret, name)
}

func smembers(address, key string) ([]string, error) {
	ret := abi.Buf(16)
	ap, al := sp(address)
	kp, kl := sp(key)
	importSMembers(ap, al, kp, kl, abi.Addr(ret))
	runtime.KeepAlive(address)
	runtime.KeepAlive(key)
	if abi.U8(ret, 0) != 0 {
		return nil, redisErr("smembers")
	}
	return abi.TakeStrings(abi.U32(ret, 4), abi.U32(ret, 8))
}

// execute lowers params as list<redis-parameter> (16-byte elements, align 8: +0 tag,
// +8 s64 or +8/+12 binary ptr/len) and lifts list<redis-result> (same element shape).
func execute(address, command string, params []Param) ([]Result, error) {
	arr := abi.Buf(uint32(len(params)) * 16)
	for i, p := range params {
		o := i * 16
		if p.IsInt {
			abi.PutU8(arr, o, 0)
			abi.PutI64(arr, o+8, p.Int64)
		} else {
			abi.PutU8(arr, o, 1)
			abi.PutU32(arr, o+8, abi.Addr(p.Binary))
			abi.PutU32(arr, o+12, uint32(len(p.Binary)))
		}
	}
	ret := abi.Buf(16)
	ap, al := sp(address)
	cp, cl := sp(command)
	importExecute(ap, al, cp, cl, abi.Addr(arr), uint32(len(params)), abi.Addr(ret))
	runtime.KeepAlive(address)
	runtime.KeepAlive(command)
	runtime.KeepAlive(arr)
	runtime.KeepAlive(params)
	if abi.U8(ret, 0) != 0 {
		return nil, redisErr("execute " + command)
	}
	n := abi.U32(ret, 8)
	list, err := abi.TakeList(abi.U32(ret, 4), n, 16)
	if err != nil {
		return nil, err
	}
	out := make([]Result, n)
	for i := range out {
		o := i * 16
		k := Kind(abi.U8(list, o))
		out[i].Kind = k
		switch k {
		case KindNil:
		case KindStatus:
			if out[i].Status, err = abi.TakeString(abi.U32(list, o+8), abi.U32(list, o+12)); err != nil {
				return nil, err
			}
		case KindInt64:
			out[i].Int64 = abi.I64(list, o+8)
		case KindBinary:
			if out[i].Binary, err = abi.Take(abi.U32(list, o+8), abi.U32(list, o+12)); err != nil {
				return nil, err
			}
		default:
			return nil, redisErr("execute: invalid result tag")
		}
	}
	return out, nil
}
