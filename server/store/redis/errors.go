package redis

import (
	"context"
	"errors"
	"strings"

	"wasmsite/server/store"

	goredis "github.com/redis/go-redis/v9"
)

// mapRedisErr turns a go-redis error into this package's errors: error replies become
// *ServerError (except the transient LOADING/BUSY/MASTERDOWN/TRYAGAIN/CLUSTERDOWN
// replies, which mean unavailable), cancellation by the caller stays as is, everything
// else (dial/read/write errors, timeouts, pool exhaustion, closed client) wraps
// ErrUnavailable.
func mapRedisErr(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	var rerr goredis.Error
	if errors.As(err, &rerr) && err != goredis.Nil {
		msg := rerr.Error()
		for _, p := range []string{"LOADING", "BUSY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN", "READONLY"} {
			if strings.HasPrefix(msg, p) {
				return store.Unavailable(err)
			}
		}
		return &store.ServerError{Msg: msg}
	}
	if ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return err
	}
	return store.Unavailable(err)
}
