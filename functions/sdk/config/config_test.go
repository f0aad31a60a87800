package config

import (
	"errors"
	"testing"

	"wasmsite/functions/sdk"
	"wasmsite/functions/sdk/spin"
)

func TestErrors(t *testing.T) {
	for tag, want := range []error{ErrProvider, ErrInvalidKey, ErrInvalidSchema, ErrOther} {
		err := variantError(spin.ConfigError(tag), "msg")
		if !errors.Is(err, want) || err.Error() == "" {
			t.Errorf("tag %d: %v", tag, err)
		}
	}
	if !errors.Is(variantError(9, "x"), ErrOther) {
		t.Error("unknown tag")
	}
	if _, err := Get("k"); !errors.Is(err, sdk.ErrNotWasm) {
		t.Errorf("native Get: %v", err)
	}
	if GetDefault("k", "d") != "d" {
		t.Error("GetDefault")
	}
}
