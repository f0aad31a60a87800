package embedded

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"wasmsite/server/store"
)

func TestEmbeddedKVIsolation(t *testing.T) {
	ctx := context.Background()
	e, err := Open(filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	a, b := e.KV("a"), e.KV("b")
	if err := a.Set(ctx, "k", []byte("in a")); err != nil {
		t.Fatal(err)
	}
	if err := e.Set(ctx, "k", []byte("in redis")); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Get(ctx, "k"); !errors.Is(err, store.ErrNoSuchKey) {
		t.Fatalf("label b sees label a's key: %v", err)
	}
	if v, _ := a.Get(ctx, "k"); string(v) != "in a" {
		t.Fatalf("label a = %q", v)
	}
	if v, _ := e.Get(ctx, "k"); string(v) != "in redis" {
		t.Fatalf("redis emulation = %q", v)
	}
	if n, _ := e.Del(ctx, []string{"k"}); n != 1 {
		t.Fatalf("Del = %d", n)
	}
	if v, _ := a.Get(ctx, "k"); string(v) != "in a" {
		t.Fatalf("KV lost its key after a store.Redis DEL: %q", v)
	}
	if keys, _ := b.Keys(ctx); len(keys) != 0 {
		t.Fatalf("label b keys = %v", keys)
	}
	if err := a.Set(ctx, "", []byte("empty key")); err != nil {
		t.Fatal(err)
	}
	if v, err := a.Get(ctx, ""); err != nil || string(v) != "empty key" {
		t.Fatalf("empty key = %q, %v", v, err)
	}
}
