package store

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"slices"
	"testing"

	"wasmsite/server/internal/redistest"
)

func kvBackends(t *testing.T) map[string]KV {
	e, err := OpenEmbedded(filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	out := map[string]KV{"embedded": e.KV("default")}
	srv := redistest.Start(t)
	kv, err := NewRedisKV(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { kv.(io.Closer).Close() })
	out["redis"] = kv
	return out
}

func TestKVSuite(t *testing.T) {
	for name, kv := range kvBackends(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			if _, err := kv.Get(ctx, "missing"); !errors.Is(err, ErrNoSuchKey) {
				t.Fatalf("Get missing = %v; want ErrNoSuchKey", err)
			}
			if ok, err := kv.Exists(ctx, "missing"); err != nil || ok {
				t.Fatalf("Exists missing = %v, %v", ok, err)
			}
			if keys, err := kv.Keys(ctx); err != nil || len(keys) != 0 {
				t.Fatalf("Keys of empty store = %v, %v", keys, err)
			}
			for _, k := range []string{"b", "a", "c"} {
				if err := kv.Set(ctx, k, []byte("val-"+k)); err != nil {
					t.Fatal(err)
				}
			}
			if err := kv.Set(ctx, "a", []byte("\x00new")); err != nil {
				t.Fatal(err)
			}
			if v, err := kv.Get(ctx, "a"); err != nil || string(v) != "\x00new" {
				t.Fatalf("Get = %q, %v", v, err)
			}
			if ok, err := kv.Exists(ctx, "b"); err != nil || !ok {
				t.Fatalf("Exists = %v, %v", ok, err)
			}
			keys, err := kv.Keys(ctx)
			slices.Sort(keys)
			if err != nil || !slices.Equal(keys, []string{"a", "b", "c"}) {
				t.Fatalf("Keys = %v, %v", keys, err)
			}
			if err := kv.Delete(ctx, "b"); err != nil {
				t.Fatal(err)
			}
			if err := kv.Delete(ctx, "b"); err != nil {
				t.Fatalf("Delete of a missing key: %v", err)
			}
			if _, err := kv.Get(ctx, "b"); !errors.Is(err, ErrNoSuchKey) {
				t.Fatalf("Get deleted = %v", err)
			}
			if ok, _ := kv.Exists(ctx, "b"); ok {
				t.Fatal("deleted key exists")
			}
		})
	}
}

func TestEmbeddedKVIsolation(t *testing.T) {
	ctx := context.Background()
	e, err := OpenEmbedded(filepath.Join(t.TempDir(), "store.db"))
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
	if _, err := b.Get(ctx, "k"); !errors.Is(err, ErrNoSuchKey) {
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
		t.Fatalf("KV lost its key after a Redis DEL: %q", v)
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
