// Package redis wraps Spin 1.x outbound-redis. address is passed to the host verbatim
// (for example "redis://127.0.0.1:6379"; the wasmsite host also accepts "" for its
// embedded store). Every host failure is reported as an error wrapping ErrRedis
// (outbound-redis has a single error case).
package redis

import (
	"errors"
	"fmt"
	"unsafe"

	"wasmsite/functions/sdk/spin"
)

// ErrRedis is the outbound-redis `error` case.
var ErrRedis = errors.New("redis error")

// Kind is the discriminant of a redis-result.
type Kind uint8

// redis-result cases (redis-types.wit).
const (
	KindNil    Kind = spin.RedisResultNil
	KindStatus Kind = spin.RedisResultStatus
	KindInt64  Kind = spin.RedisResultInt64
	KindBinary Kind = spin.RedisResultBinary
)

// Result is one redis-result of Execute.
type Result struct {
	Kind   Kind
	Status string // KindStatus
	Int64  int64  // KindInt64
	Binary []byte // KindBinary
}

// String renders the result for logs and tests.
func (r Result) String() string {
	switch r.Kind {
	case KindNil:
		return "nil"
	case KindStatus:
		return "status:" + r.Status
	case KindInt64:
		return fmt.Sprintf("int64:%d", r.Int64)
	case KindBinary:
		return fmt.Sprintf("binary:%q", r.Binary)
	}
	return fmt.Sprintf("kind%d", r.Kind)
}

// Param is one lowered redis-parameter.
type Param struct {
	IsInt  bool
	Int64  int64
	Binary []byte
}

// Params converts Execute arguments: int, int32, int64, uint32 → int64 parameter;
// string and []byte → binary parameter. Anything else is an error. The Binary of a
// string argument shares the string's bytes (no copy): it must not be modified.
func Params(args []any) ([]Param, error) {
	out := make([]Param, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case int64:
			out[i] = Param{IsInt: true, Int64: v}
		case int:
			out[i] = Param{IsInt: true, Int64: int64(v)}
		case int32:
			out[i] = Param{IsInt: true, Int64: int64(v)}
		case uint32:
			out[i] = Param{IsInt: true, Int64: int64(v)}
		case string:
			out[i] = Param{Binary: unsafe.Slice(unsafe.StringData(v), len(v))}
		case []byte:
			out[i] = Param{Binary: v}
		default:
			return nil, fmt.Errorf("redis: unsupported argument type %T (want int64 or string/[]byte)", a)
		}
	}
	return out, nil
}

// Execute runs an arbitrary command with typed args (see Params). Replies are the
// host's flattened list of results.
func Execute(address, command string, args ...any) ([]Result, error) {
	ps, err := Params(args)
	if err != nil {
		return nil, err
	}
	return execute(address, command, ps)
}

// Publish publishes payload on channel.
func Publish(address, channel string, payload []byte) error {
	return publish(address, channel, payload)
}

// Get returns the value of key (empty for a missing key, as Spin's host does).
func Get(address, key string) ([]byte, error) { return get(address, key) }

// Set stores value at key.
func Set(address, key string, value []byte) error { return set(address, key, value) }

// Incr increments the integer at key and returns the new value.
func Incr(address, key string) (int64, error) { return incr(address, key) }

// Del deletes keys and returns how many existed.
func Del(address string, keys ...string) (int64, error) { return del(address, keys) }

// SAdd adds members to the set at key and returns how many were new.
func SAdd(address, key string, members ...string) (int64, error) {
	return setop(opSAdd, address, key, members)
}

// SRem removes members from the set at key and returns how many were present.
func SRem(address, key string, members ...string) (int64, error) {
	return setop(opSRem, address, key, members)
}

// SMembers returns the members of the set at key.
func SMembers(address, key string) ([]string, error) { return smembers(address, key) }

const (
	opSAdd = iota
	opSRem
)

func redisErr(op string) error { return fmt.Errorf("outbound-redis %s: %w", op, ErrRedis) }
