// Package store holds the interfaces of the host's state back ends, and their errors:
// the Redis operations behind the outbound-redis interface and the key-value stores
// behind the key-value interface. Each has two implementations with identical
// observable behaviour: package redis, a real Redis server through go-redis, and
// package embedded, a persistent store (bbolt) under the host's state dir, used when no
// Redis is configured.
package store

import (
	"context"
	"errors"
)

// ErrUnavailable wraps every error caused by the backend being unreachable or failing
// (connection refused, timeout, I/O error). Callers answer 503 for it.
var ErrUnavailable = errors.New("store unavailable")

// ErrNoSuchKey is returned by KV.Get for a missing key.
var ErrNoSuchKey = errors.New("no such key")

// ErrUnsupported is returned by Redis.Execute on the embedded store for a command it
// does not implement; the message names the command.
var ErrUnsupported = errors.New("command not supported by the embedded store")

// Redis is the operation set of Spin 1.x outbound-redis (wit/ephemeral/outbound-redis.wit).
// Keys and members are strings; values and payloads are bytes. Get of a missing key
// returns an empty, nil-error result, as Spin's host does.
type Redis interface {
	Publish(ctx context.Context, channel string, payload []byte) error
	Get(ctx context.Context, key string) ([]byte, error)
	Set(ctx context.Context, key string, value []byte) error
	Incr(ctx context.Context, key string) (int64, error)
	Del(ctx context.Context, keys []string) (int64, error)
	SAdd(ctx context.Context, key string, members []string) (int64, error)
	SMembers(ctx context.Context, key string) ([]string, error)
	SRem(ctx context.Context, key string, members []string) (int64, error)
	// Execute runs an arbitrary command; args are Int64 or Binary parameters (the command
	// name is separate). Nested replies are flattened into one list, as Spin 1.x does.
	Execute(ctx context.Context, command string, args []Param) ([]Result, error)
	// Subscribe delivers messages published on the channels to fn until ctx ends,
	// reconnecting after outages.
	Subscribe(ctx context.Context, channels []string, fn func(channel string, payload []byte)) error
	Close() error
}

// Param is one outbound-redis `redis-parameter`: Int64 when IsInt, else Binary.
type Param struct {
	IsInt  bool
	Int64  int64
	Binary []byte
}

// ResultKind is the discriminant of `redis-result` (outbound-redis.wit: nil=0, status=1, int64=2, binary=3).
type ResultKind uint8

const (
	ResultNil ResultKind = iota
	ResultStatus
	ResultInt64
	ResultBinary
)

// Result is one outbound-redis `redis-result`.
type Result struct {
	Kind   ResultKind
	Status string
	Int64  int64
	Binary []byte
}

// KV is one key-value store (Spin's key-value interface, wit/ephemeral/key-value.wit).
type KV interface {
	// Get returns ErrNoSuchKey for a missing key.
	Get(ctx context.Context, key string) ([]byte, error)
	Set(ctx context.Context, key string, value []byte) error
	// Delete of a missing key is not an error.
	Delete(ctx context.Context, key string) error
	Exists(ctx context.Context, key string) (bool, error)
	Keys(ctx context.Context) ([]string, error)
}
