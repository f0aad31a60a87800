package kv

import (
	"errors"
	"testing"

	"wasmsite/functions/sdk"
	"wasmsite/functions/sdk/spin"
)

func TestErrors(t *testing.T) {
	for tag, want := range []error{ErrStoreTableFull, ErrNoSuchStore, ErrAccessDenied, ErrInvalidStore, ErrNoSuchKey, ErrIO} {
		if err := variantError(spin.KVError(tag), "boom"); !errors.Is(err, want) {
			t.Errorf("tag %d: %v", tag, err)
		}
	}
	var ioe *IOError
	if err := variantError(5, "boom"); !errors.As(err, &ioe) || ioe.Message != "boom" {
		t.Errorf("io: %v", err)
	}
	if _, err := Open("default"); !errors.Is(err, sdk.ErrNotWasm) {
		t.Errorf("native Open: %v", err)
	}
}
