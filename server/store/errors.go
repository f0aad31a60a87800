package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"
)

// ErrLocked is wrapped by OpenEmbedded's error when another process holds the store file.
var ErrLocked = errors.New("state store is locked by another process")

// ServerError is an error reply of the Redis protocol ("WRONGTYPE ...", "ERR ...").
// Both backends return it for command-level failures, with Redis's own wording, so
// callers can tell a failed command from an unreachable backend.
type ServerError struct {
	Msg string
}

func (e *ServerError) Error() string { return e.Msg }

// IsWrongType reports whether err is Redis's WRONGTYPE error.
func IsWrongType(err error) bool {
	var se *ServerError
	return errors.As(err, &se) && strings.HasPrefix(se.Msg, "WRONGTYPE")
}

func unavailable(err error) error {
	if err == nil || errors.Is(err, ErrUnavailable) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}

// mapRedisErr turns a go-redis error into this package's errors: error replies become
// *ServerError (except the transient LOADING/BUSY/MASTERDOWN/TRYAGAIN/CLUSTERDOWN
// replies, which mean unavailable), cancellation by the caller stays as is, everything
// else (dial/read/write errors, timeouts, pool exhaustion, closed client) wraps
// ErrUnavailable.
func mapRedisErr(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	var rerr redis.Error
	if errors.As(err, &rerr) && err != redis.Nil {
		msg := rerr.Error()
		for _, p := range []string{"LOADING", "BUSY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN", "READONLY"} {
			if strings.HasPrefix(msg, p) {
				return unavailable(err)
			}
		}
		return &ServerError{Msg: msg}
	}
	if ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return err
	}
	return unavailable(err)
}
