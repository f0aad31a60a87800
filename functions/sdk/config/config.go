// Package config reads component configuration through Spin 1.x spin-config
// (get-config). Keys are the component's `config` keys (lower snake case).
package config

import (
	"errors"
	"fmt"

	"wasmsite/functions/sdk/spin"
)

// Error cases of spin-config's `error` variant. Returned errors wrap one of them and
// carry the host's message.
var (
	ErrProvider      = errors.New("config provider error")
	ErrInvalidKey    = errors.New("invalid config key")
	ErrInvalidSchema = errors.New("invalid config schema")
	ErrOther         = errors.New("config error") // e.g. no such key
)

// Error is a spin-config error: Kind is one of the Err* values, Message the host's text.
type Error struct {
	Kind    error
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("spin-config: %v: %s", e.Kind, e.Message) }
func (e *Error) Unwrap() error { return e.Kind }

func variantError(tag spin.ConfigError, msg string) error {
	kinds := [...]error{spin.ConfigProvider: ErrProvider, spin.ConfigInvalidKey: ErrInvalidKey,
		spin.ConfigInvalidSchema: ErrInvalidSchema, spin.ConfigOther: ErrOther}
	if int(tag) < len(kinds) {
		return &Error{Kind: kinds[tag], Message: msg}
	}
	return &Error{Kind: ErrOther, Message: fmt.Sprintf("unknown error tag %d: %s", tag, msg)}
}

// Get returns the value of the component config key.
func Get(key string) (string, error) { return get(key) }

// GetDefault returns the value of key, or def when the host reports any error (for
// example an undefined key).
func GetDefault(key, def string) string {
	v, err := Get(key)
	if err != nil {
		return def
	}
	return v
}
