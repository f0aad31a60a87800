package redis

import (
	"errors"
	"reflect"
	"testing"

	"wasmsite/functions/sdk"
)

func TestParams(t *testing.T) {
	ps, err := Params([]any{int64(5), 7, "k", []byte("v")})
	if err != nil {
		t.Fatal(err)
	}
	want := []Param{{IsInt: true, Int64: 5}, {IsInt: true, Int64: 7}, {Binary: []byte("k")}, {Binary: []byte("v")}}
	if !reflect.DeepEqual(ps, want) {
		t.Errorf("params %+v", ps)
	}
	if _, err := Params([]any{1.5}); err == nil {
		t.Error("float accepted")
	}
	if _, err := Execute("", "GET", "k"); !errors.Is(err, sdk.ErrNotWasm) {
		t.Errorf("native execute: %v", err)
	}
}
