package embedded

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"wasmsite/server/store"
	"wasmsite/server/store/storetest"

	bolt "go.etcd.io/bbolt"
)

// Shorthands of package storetest.
var (
	p  = storetest.Params
	I  = storetest.Int
	rs = storetest.Results
)

func TestEmbeddedPersistence(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "store.db")
	e, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Set(ctx, "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.SAdd(ctx, "set", []string{"a", "b", "c"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Incr(ctx, "n"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Execute(ctx, "SET", p("ttl", "x", "EX", 1000)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Execute(ctx, "SET", p("short", "x", "PX", 50)); err != nil {
		t.Fatal(err)
	}
	if err := e.KV("default").Set(ctx, "kk", []byte("kv")); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := e.Set(ctx, "k", []byte("after close")); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Set after Close = %v; want store.ErrUnavailable", err)
	}
	time.Sleep(100 * time.Millisecond)

	e, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if v, err := e.Get(ctx, "k"); err != nil || string(v) != "v" {
		t.Fatalf("Get after reopen = %q, %v", v, err)
	}
	if m, err := e.SMembers(ctx, "set"); err != nil || !slices.Equal(m, []string{"a", "b", "c"}) {
		t.Fatalf("SMembers after reopen = %v, %v", m, err)
	}
	if got, _ := e.Execute(ctx, "SCARD", p("set")); !reflect.DeepEqual(got, rs(I(3))) {
		t.Fatalf("SCARD after reopen = %v", got)
	}
	if n, err := e.Incr(ctx, "n"); err != nil || n != 2 {
		t.Fatalf("Incr after reopen = %d, %v", n, err)
	}
	got, _ := e.Execute(ctx, "TTL", p("ttl"))
	if len(got) != 1 || got[0].Int64 < 998 || got[0].Int64 > 1000 {
		t.Fatalf("TTL after reopen = %v", got)
	}
	if got, _ := e.Execute(ctx, "EXISTS", p("short")); !reflect.DeepEqual(got, rs(I(0))) {
		t.Fatalf("expired key alive after reopen: %v", got)
	}
	if v, err := e.KV("default").Get(ctx, "kk"); err != nil || string(v) != "kv" {
		t.Fatalf("store.KV after reopen = %q, %v", v, err)
	}
}

func TestEmbeddedSweep(t *testing.T) {
	ctx := context.Background()
	e, err := openStore(filepath.Join(t.TempDir(), "store.db"), 20*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for _, k := range []string{"a", "b", "c"} {
		if _, err := e.Execute(ctx, "SET", p(k, "v", "PX", 30)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.Execute(ctx, "SADD", p("s", "x", "y")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Execute(ctx, "PEXPIRE", p("s", 30)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Execute(ctx, "SET", p("live", "v", "EX", 100)); err != nil {
		t.Fatal(err)
	}
	// Re-expiring moves the index entry: the old one must not delete the key.
	if _, err := e.Execute(ctx, "SET", p("moved", "v", "PX", 30)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Execute(ctx, "PEXPIRE", p("moved", 100000)); err != nil {
		t.Fatal(err)
	}
	count := func() (keys, exp, sets int) {
		_ = e.db.View(func(tx *bolt.Tx) error {
			keys = tx.Bucket(bktRedis).Stats().KeyN
			exp = tx.Bucket(bktExp).Stats().KeyN
			_ = tx.Bucket(bktSets).ForEach(func(k, v []byte) error { sets++; return nil })
			return nil
		})
		return
	}
	deadline := time.Now().Add(3 * time.Second)
	for {
		k, x, s := count()
		if k == 2 && x == 2 && s == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after sweep: %d keys, %d expiry entries, %d set buckets; want 2, 2, 0", k, x, s)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if v, _ := e.Get(ctx, "moved"); string(v) != "v" {
		t.Fatalf("re-expired key was swept: %q", v)
	}
}

func TestEmbeddedLocked(t *testing.T) {
	dir := filepath.Join(t.TempDir(), ".spin")
	if err := mkdir(dir); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "store.db")
	e, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	start := time.Now()
	_, err = Open(path)
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second open = %v; want ErrLocked", err)
	}
	if !strings.Contains(err.Error(), "state dir "+dir+" is in use by another host process") {
		t.Fatalf("unclear error: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("second open took %v", d)
	}
}

func TestEmbeddedUnsupported(t *testing.T) {
	e, err := Open(filepath.Join(t.TempDir(), "new", "state", "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	_, err = e.Execute(context.Background(), "hgetall", p("h"))
	if !errors.Is(err, store.ErrUnsupported) || !strings.Contains(err.Error(), "HGETALL") {
		t.Fatalf("unknown command: %v; want store.ErrUnsupported naming HGETALL", err)
	}
}

func TestEmbeddedCloseEndsSubscribe(t *testing.T) {
	e, err := Open(filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- e.Subscribe(context.Background(), []string{"c"}, func(string, []byte) {})
	}()
	time.Sleep(20 * time.Millisecond)
	e.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("Subscribe did not return after Close")
	}
}

func mkdir(dir string) error { return os.MkdirAll(dir, 0o755) }

// TestEmbeddedLockedAcrossProcesses opens the store from a child process (this test
// binary re-executed) while this process holds it.
func TestEmbeddedLockedAcrossProcesses(t *testing.T) {
	if path := os.Getenv("STORE_TEST_OPEN"); path != "" {
		e, err := Open(path)
		if err != nil {
			fmt.Println("OPEN-ERROR:", err)
			return
		}
		e.Close()
		fmt.Println("OPEN-OK")
		return
	}
	dir := filepath.Join(t.TempDir(), ".spin")
	path := filepath.Join(dir, "store.db")
	e, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	child := func() string {
		cmd := exec.Command(os.Args[0], "-test.run=^TestEmbeddedLockedAcrossProcesses$", "-test.count=1")
		cmd.Env = append(os.Environ(), "STORE_TEST_OPEN="+path)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("child: %v\n%s", err, out)
		}
		return string(out)
	}
	out := child()
	if !strings.Contains(out, "OPEN-ERROR: state dir "+dir+" is in use by another host process") {
		t.Fatalf("child opened a locked store:\n%s", out)
	}
	e.Close()
	if out := child(); !strings.Contains(out, "OPEN-OK") {
		t.Fatalf("child could not open the released store:\n%s", out)
	}
}
