package store

import (
	"errors"
	"fmt"
	"strings"
)

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

// Unavailable wraps err in ErrUnavailable, unless err is nil or already wraps it: what
// a back end returns for a failure of the back end itself.
func Unavailable(err error) error {
	if err == nil || errors.Is(err, ErrUnavailable) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}
