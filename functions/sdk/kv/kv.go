// Package kv is Spin 1.x key-value: open a store by label (it must be listed in the
// component's key_value_stores), then Get/Set/Delete/Exists/GetKeys, and Close.
package kv

import (
	"errors"
	"fmt"

	"wasmsite/functions/sdk/spin"
)

// Error cases of key-value's `error` variant (in discriminant order). Io errors wrap
// ErrIO and carry the host's message.
var (
	ErrStoreTableFull = errors.New("store table full")
	ErrNoSuchStore    = errors.New("no such store")
	ErrAccessDenied   = errors.New("access denied")
	ErrInvalidStore   = errors.New("invalid store")
	ErrNoSuchKey      = errors.New("no such key")
	ErrIO             = errors.New("io error")
)

// IOError is the `io(string)` case.
type IOError struct{ Message string }

func (e *IOError) Error() string { return "key-value: io error: " + e.Message }
func (e *IOError) Unwrap() error { return ErrIO }

func variantError(tag spin.KVError, msg string) error {
	switch tag {
	case spin.KVStoreTableFull:
		return ErrStoreTableFull
	case spin.KVNoSuchStore:
		return ErrNoSuchStore
	case spin.KVAccessDenied:
		return ErrAccessDenied
	case spin.KVInvalidStore:
		return ErrInvalidStore
	case spin.KVNoSuchKey:
		return ErrNoSuchKey
	case spin.KVIO:
		return &IOError{Message: msg}
	}
	return fmt.Errorf("key-value: unknown error tag %d", tag)
}

// Store is an open key-value store handle.
type Store struct{ handle uint32 }

// Open opens the store with the given label ("default" for the default store).
func Open(name string) (*Store, error) {
	h, err := open(name)
	if err != nil {
		return nil, fmt.Errorf("key-value open %q: %w", name, err)
	}
	return &Store{handle: h}, nil
}

// Get returns the value of key; a missing key is ErrNoSuchKey.
func (s *Store) Get(key string) ([]byte, error) { return get(s.handle, key) }

// Set stores value at key.
func (s *Store) Set(key string, value []byte) error { return set(s.handle, key, value) }

// Delete removes key (a missing key is not an error).
func (s *Store) Delete(key string) error { return del(s.handle, key) }

// Exists reports whether key is present.
func (s *Store) Exists(key string) (bool, error) { return exists(s.handle, key) }

// GetKeys lists all keys.
func (s *Store) GetKeys() ([]string, error) { return getKeys(s.handle) }

// Close releases the handle; further calls answer ErrInvalidStore.
func (s *Store) Close() { closeStore(s.handle) }
