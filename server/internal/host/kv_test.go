package host

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"wasmsite/server/store"
)

// memKV is an in-memory store.KV; fail makes every operation fail.
type memKV struct {
	mu   sync.Mutex
	m    map[string][]byte
	fail error
}

func (s *memKV) Get(ctx context.Context, k string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return nil, s.fail
	}
	v, ok := s.m[k]
	if !ok {
		return nil, store.ErrNoSuchKey
	}
	return v, nil
}

func (s *memKV) Set(ctx context.Context, k string, v []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	s.m[k] = append([]byte(nil), v...)
	return nil
}

func (s *memKV) Delete(ctx context.Context, k string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	delete(s.m, k)
	return nil
}

func (s *memKV) Exists(ctx context.Context, k string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return false, s.fail
	}
	_, ok := s.m[k]
	return ok, nil
}

func (s *memKV) Keys(ctx context.Context) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return nil, s.fail
	}
	var ks []string
	for k := range s.m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks, nil
}

var kvImports = []hostImport{
	{"key-value", "open", 3}, {"key-value", "get", 4}, {"key-value", "set", 6}, {"key-value", "delete", 4},
	{"key-value", "exists", 4}, {"key-value", "get-keys", 2}, {"key-value", "close", 1},
}

type kvGuest struct {
	*testGuest
	t *testing.T
}

// op calls a key-value function and returns (is_err, area).
func (g kvGuest) op(name string, args ...uint64) uint8 {
	g.t.Helper()
	g.fill(ret, 16)
	if err := g.invoke("key-value", name, append(args, ret)...); err != nil {
		g.t.Fatalf("%s: %v", name, err)
	}
	return g.u8(ret)
}

func (g kvGuest) open(label string) (uint32, uint8) {
	g.t.Helper()
	p, n := g.str(64, label)
	if g.op("open", p, n) != 0 {
		return 0, g.u8(ret + 4)
	}
	return g.u32(ret + 4), 255
}

func TestKeyValue(t *testing.T) {
	stores := map[string]*memKV{"default": {m: map[string][]byte{}}, "broken": {m: map[string][]byte{}, fail: errors.New("disk on fire")}}
	h := quietHost()
	h.KV = func(label string) (store.KV, error) {
		if s, ok := stores[label]; ok {
			return s, nil
		}
		return nil, ErrNoSuchStore
	}
	caps := &Capabilities{ComponentID: "c", KeyValueStores: map[string]bool{"default": true, "broken": true, "unconfigured": true}}
	g := kvGuest{newTestGuest(t, h, caps, kvImports...), t}

	// open: access-denied (2) is checked before existence, no-such-store (1).
	if _, tag := g.open("other"); tag != 2 {
		t.Errorf("open(other) tag %d, want access-denied 2", tag)
	}
	if _, tag := g.open("unconfigured"); tag != 1 {
		t.Errorf("open(unconfigured) tag %d, want no-such-store 1", tag)
	}
	h0, tag := g.open("default")
	h1, _ := g.open("default")
	if tag != 255 || h0 != 0 || h1 != 1 {
		t.Fatalf("handles %d, %d (tag %d), want 0 and 1", h0, h1, tag)
	}
	kp, kl := g.str(100, "key")
	vp, vl := g.str(120, "value\x00bytes")
	// get of a missing key: no-such-key (4).
	if g.op("get", uint64(h0), kp, kl) != 1 || g.u8(ret+4) != 4 {
		t.Errorf("get missing: area % x", g.read(ret, 16))
	}
	if g.op("exists", uint64(h0), kp, kl) != 0 || g.u8(ret+4) != 0 {
		t.Errorf("exists missing: area % x", g.read(ret, 16))
	}
	if g.op("set", uint64(h0), kp, kl, vp, vl) != 0 {
		t.Fatalf("set: area % x", g.read(ret, 16))
	}
	if string(stores["default"].m["key"]) != "value\x00bytes" {
		t.Errorf("stored %q", stores["default"].m["key"])
	}
	if g.op("get", uint64(h1), kp, kl) != 0 || g.u32(ret+8) != 11 || g.read(g.u32(ret+4), 11) != "value\x00bytes" {
		t.Errorf("get: area % x", g.read(ret, 16))
	}
	if g.op("exists", uint64(h0), kp, kl) != 0 || g.u8(ret+4) != 1 {
		t.Errorf("exists: area % x", g.read(ret, 16))
	}
	k2p, k2l := g.str(140, "another")
	g.op("set", uint64(h0), k2p, k2l, vp, 0)
	if g.op("get", uint64(h0), k2p, k2l) != 0 || g.u32(ret+8) != 0 {
		t.Errorf("get of an empty value: area % x", g.read(ret, 16))
	}
	if g.op("get-keys", uint64(h0)) != 0 || g.u32(ret+8) != 2 {
		t.Fatalf("get-keys: area % x", g.read(ret, 16))
	}
	arr := g.u32(ret + 4)
	var keys []string
	for i := range uint32(2) {
		keys = append(keys, g.read(g.u32(arr+8*i), g.u32(arr+8*i+4)))
	}
	if arr%4 != 0 || !slices.Equal(keys, []string{"another", "key"}) {
		t.Errorf("get-keys list at %#x = %q", arr, keys)
	}
	if g.op("delete", uint64(h0), kp, kl) != 0 {
		t.Errorf("delete: area % x", g.read(ret, 16))
	}
	if g.op("delete", uint64(h0), kp, kl) != 0 {
		t.Errorf("delete of a missing key is not ok: area % x", g.read(ret, 16))
	}
	// Closed and unknown handles: invalid-store (3); close of an unknown handle is a no-op.
	if err := g.invoke("key-value", "close", uint64(h0)); err != nil {
		t.Fatal(err)
	}
	if err := g.invoke("key-value", "close", 999); err != nil {
		t.Fatal(err)
	}
	for _, h := range []uint64{uint64(h0), 7, 1 << 31} {
		for _, name := range []string{"get", "exists", "delete"} {
			if g.op(name, h, kp, kl) != 1 || g.u8(ret+4) != 3 {
				t.Errorf("%s on handle %d: area % x, want invalid-store", name, h, g.read(ret, 16))
			}
		}
		if g.op("get-keys", h) != 1 || g.u8(ret+4) != 3 {
			t.Errorf("get-keys on handle %d: area % x", h, g.read(ret, 16))
		}
	}
	// A closed slot is reused.
	if h, _ := g.open("default"); h != h0 {
		t.Errorf("reopened handle %d, want the freed %d", h, h0)
	}
	// Backend failures: io (5) with the message.
	hb, _ := g.open("broken")
	if g.op("get", uint64(hb), kp, kl) != 1 || g.u8(ret+4) != 5 || g.read(g.u32(ret+8), g.u32(ret+12)) != "disk on fire" {
		t.Errorf("io error: area % x", g.read(ret, 16))
	}
	if g.op("set", uint64(hb), kp, kl, vp, vl) != 1 || g.u8(ret+4) != 5 {
		t.Errorf("io error on set: area % x", g.read(ret, 16))
	}
}

func TestKeyValueTableFull(t *testing.T) {
	h := quietHost()
	h.KV = func(string) (store.KV, error) { return &memKV{m: map[string][]byte{}}, nil }
	g := kvGuest{newTestGuest(t, h, &Capabilities{KeyValueStores: map[string]bool{"default": true}}, kvImports...), t}
	for i := range MaxStoreHandles {
		if h, tag := g.open("default"); tag != 255 || h != uint32(i) {
			t.Fatalf("open %d: handle %d tag %d", i, h, tag)
		}
	}
	if _, tag := g.open("default"); tag != 0 {
		t.Errorf("open past %d handles: tag %d, want store-table-full 0", MaxStoreHandles, tag)
	}
	if err := g.invoke("key-value", "close", 17); err != nil {
		t.Fatal(err)
	}
	if h, tag := g.open("default"); tag != 255 || h != 17 {
		t.Errorf("open after close: handle %d tag %d, want 17", h, tag)
	}
}
