//go:build wasip1

package redis

import (
	"runtime"

	"wasmsite/functions/sdk/internal/abi"
	"wasmsite/functions/sdk/spin"
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

// Return areas are spin.RedisUnit*, spin.RedisS64* and spin.RedisList* (abi.Buf is
// 8-aligned).

// unitResult reads expected<unit, error>.
func unitResult(ret []byte, op string) error {
	if abi.U8(ret, spin.ResultIsErr) != 0 {
		return redisErr(op)
	}
	return nil
}

// s64Result reads expected<s64, error>.
func s64Result(ret []byte, op string) (int64, error) {
	if abi.U8(ret, spin.ResultIsErr) != 0 {
		return 0, redisErr(op)
	}
	return abi.I64(ret, spin.RedisS64Value), nil
}

// listResult reads expected<list, error>: the list's pointer and length.
// listResult lifts a list result; an error names op, and the command when there is one.
func listResult(ret []byte, op, command string) (ptr, n uint32, err error) {
	if abi.U8(ret, spin.ResultIsErr) != 0 {
		if command != "" {
			op += " " + command
		}
		return 0, 0, redisErr(op)
	}
	return abi.U32(ret, spin.RedisListPtr), abi.U32(ret, spin.RedisListLen), nil
}

func publish(address, channel string, payload []byte) error {
	ret := abi.Buf(spin.RedisUnitSize)
	ap, al := sp(address)
	cp, cl := sp(channel)
	importPublish(ap, al, cp, cl, abi.Addr(payload), uint32(len(payload)), abi.Addr(ret))
	runtime.KeepAlive(address)
	runtime.KeepAlive(channel)
	runtime.KeepAlive(payload)
	return unitResult(ret, "publish")
}

func get(address, key string) ([]byte, error) {
	ret := abi.Buf(spin.RedisListSize)
	ap, al := sp(address)
	kp, kl := sp(key)
	importGet(ap, al, kp, kl, abi.Addr(ret))
	runtime.KeepAlive(address)
	runtime.KeepAlive(key)
	p, n, err := listResult(ret, "get", "")
	if err != nil {
		return nil, err
	}
	return abi.Take(p, n)
}

func set(address, key string, value []byte) error {
	ret := abi.Buf(spin.RedisUnitSize)
	ap, al := sp(address)
	kp, kl := sp(key)
	importSet(ap, al, kp, kl, abi.Addr(value), uint32(len(value)), abi.Addr(ret))
	runtime.KeepAlive(address)
	runtime.KeepAlive(key)
	runtime.KeepAlive(value)
	return unitResult(ret, "set")
}

func incr(address, key string) (int64, error) {
	ret := abi.Buf(spin.RedisS64Size)
	ap, al := sp(address)
	kp, kl := sp(key)
	importIncr(ap, al, kp, kl, abi.Addr(ret))
	runtime.KeepAlive(address)
	runtime.KeepAlive(key)
	return s64Result(ret, "incr")
}

func del(address string, keys []string) (int64, error) {
	ret := abi.Buf(spin.RedisS64Size)
	ap, al := sp(address)
	arr, keep := abi.StringList(keys)
	importDel(ap, al, abi.Addr(arr), uint32(len(keys)), abi.Addr(ret))
	runtime.KeepAlive(address)
	runtime.KeepAlive(arr)
	runtime.KeepAlive(keep)
	return s64Result(ret, "del")
}

func setop(op int, address, key string, members []string) (int64, error) {
	ret := abi.Buf(spin.RedisS64Size)
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
	ret := abi.Buf(spin.RedisListSize)
	ap, al := sp(address)
	kp, kl := sp(key)
	importSMembers(ap, al, kp, kl, abi.Addr(ret))
	runtime.KeepAlive(address)
	runtime.KeepAlive(key)
	p, n, err := listResult(ret, "smembers", "")
	if err != nil {
		return nil, err
	}
	return abi.TakeStrings(p, n)
}

// execute lowers params as list<redis-parameter> and lifts list<redis-result>
// (elements spin.RedisValue*).
func execute(address, command string, params []Param) ([]Result, error) {
	arr := abi.Buf(uint32(len(params)) * spin.RedisValueSize)
	for i, p := range params {
		o := i * spin.RedisValueSize
		if p.IsInt {
			abi.PutU8(arr, o+spin.RedisValueTag, spin.RedisParamInt64)
			abi.PutI64(arr, o+spin.RedisValueInt64, p.Int64)
		} else {
			abi.PutU8(arr, o+spin.RedisValueTag, spin.RedisParamBinary)
			abi.PutU32(arr, o+spin.RedisValuePtr, abi.Addr(p.Binary))
			abi.PutU32(arr, o+spin.RedisValueLen, uint32(len(p.Binary)))
		}
	}
	ret := abi.Buf(spin.RedisListSize)
	ap, al := sp(address)
	cp, cl := sp(command)
	importExecute(ap, al, cp, cl, abi.Addr(arr), uint32(len(params)), abi.Addr(ret))
	runtime.KeepAlive(address)
	runtime.KeepAlive(command)
	runtime.KeepAlive(arr)
	runtime.KeepAlive(params)
	p, n, err := listResult(ret, "execute", command)
	if err != nil {
		return nil, err
	}
	list, err := abi.TakeList(p, n, spin.RedisValueSize)
	if err != nil {
		return nil, err
	}
	out := make([]Result, n)
	for i := range out {
		if out[i], err = liftResult(list[i*spin.RedisValueSize:]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// liftResult claims one redis-result element.
func liftResult(e []byte) (Result, error) {
	r := Result{Kind: Kind(abi.U8(e, spin.RedisValueTag))}
	var err error
	switch r.Kind {
	case KindNil:
	case KindStatus:
		r.Status, err = abi.TakeString(abi.U32(e, spin.RedisValuePtr), abi.U32(e, spin.RedisValueLen))
	case KindInt64:
		r.Int64 = abi.I64(e, spin.RedisValueInt64)
	case KindBinary:
		r.Binary, err = abi.Take(abi.U32(e, spin.RedisValuePtr), abi.U32(e, spin.RedisValueLen))
	default:
		err = redisErr("execute: invalid result tag")
	}
	return r, err
}
