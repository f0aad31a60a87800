package likes

import (
	"context"
	"errors"
	"fmt"

	"wasmsite/functions/sdk/redis"
)

// Store runs one Redis command with typed args (int64 or string/[]byte), returning
// outbound-redis' flattened results. Without Handler.Scripts only commands of the
// wasmsite embedded store are used: INCR, EXPIRE, DEL, SADD, SREM, SCARD, SISMEMBER,
// SMISMEMBER; with it, mostly EVAL of the scripts in scripts.go. Either way the store
// must be Redis 6.2 or later (SMISMEMBER) or the embedded store.
type Store interface {
	Execute(command string, args ...any) ([]redis.Result, error)
}

// Fetcher fetches a URL over outbound HTTP and returns the body of a 200 response.
type Fetcher interface {
	Fetch(ctx context.Context, url string) ([]byte, error)
}

// errStore marks store failures (answered 503).
var errStore = errors.New("store unavailable")

func storeErr(cmd string, err error) error { return fmt.Errorf("%w: %s: %v", errStore, cmd, err) }

func one(s Store, cmd string, args ...any) (redis.Result, error) {
	res, err := s.Execute(cmd, args...)
	if err != nil {
		return redis.Result{}, storeErr(cmd, err)
	}
	if len(res) == 0 {
		return redis.Result{Kind: redis.KindNil}, nil
	}
	return res[0], nil
}

func intResult(s Store, cmd string, args ...any) (int64, error) {
	r, err := one(s, cmd, args...)
	if err != nil {
		return 0, err
	}
	switch r.Kind {
	case redis.KindInt64:
		return r.Int64, nil
	case redis.KindNil:
		return 0, nil
	}
	return 0, storeErr(cmd, fmt.Errorf("unexpected reply %v", r))
}
