package store_test

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"slices"
	"testing"

	"wasmsite/server/store"
	"wasmsite/server/store/embedded"
	"wasmsite/server/store/redis"
	"wasmsite/server/store/redistest"
)

func kvBackends(t *testing.T) map[string]store.KV {
	e, err := embedded.Open(filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	out := map[string]store.KV{"embedded": e.KV("default")}
	srv := redistest.Start(t)
	kv, err := redis.NewKV(srv.URL())
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
			if _, err := kv.Get(ctx, "missing"); !errors.Is(err, store.ErrNoSuchKey) {
				t.Fatalf("Get missing = %v; want store.ErrNoSuchKey", err)
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
			if _, err := kv.Get(ctx, "b"); !errors.Is(err, store.ErrNoSuchKey) {
				t.Fatalf("Get deleted = %v", err)
			}
			if ok, _ := kv.Exists(ctx, "b"); ok {
				t.Fatal("deleted key exists")
			}
		})
	}
}
