package host

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
)

func quietHost() *Host { return &Host{Log: slog.New(slog.NewTextHandler(io.Discard, nil))} }

const ret = 256 // the guest's result area

func TestGetConfig(t *testing.T) {
	caps := &Capabilities{ComponentID: "comp", Config: map[string]string{"greeting": "héllo", "empty": ""}}
	g := newTestGuest(t, quietHost(), caps, hostImport{"spin-config", "get-config", 3})
	get := func(key string) {
		t.Helper()
		g.fill(ret, 16)
		kp, kl := g.str(64, key)
		if err := g.invoke("spin-config", "get-config", kp, kl, ret); err != nil {
			t.Fatalf("get-config(%q): %v", key, err)
		}
	}
	get("greeting")
	if g.u8(ret) != 0 || g.read(ret+1, 3) != "\x00\x00\x00" || g.u32(ret+8) != 6 || g.read(g.u32(ret+4), 6) != "héllo" {
		t.Errorf("ok area % x", g.read(ret, 16))
	}
	if p := g.u32(ret + 4); p < heapStart {
		t.Errorf("value at %#x, not allocated through canonical_abi_realloc", p)
	}
	get("empty")
	if g.u8(ret) != 0 || g.u32(ret+8) != 0 {
		t.Errorf("empty value area % x", g.read(ret, 16))
	}
	for _, tc := range []struct {
		key string
		tag uint8
		msg string
	}{
		{"absent", 3, `no config for "absent" in component "comp"`},
		{"Bad", 1, `invalid key "Bad": `},
		{"a__b", 1, `invalid key "a__b": must not contain multiple consecutive underscores`},
	} {
		get(tc.key)
		if g.u8(ret) != 1 || g.u8(ret+4) != tc.tag {
			t.Errorf("%q: is_err %d tag %d, want 1, %d", tc.key, g.u8(ret), g.u8(ret+4), tc.tag)
			continue
		}
		if msg := g.read(g.u32(ret+8), g.u32(ret+12)); !strings.HasPrefix(msg, tc.msg) {
			t.Errorf("%q: message %q, want prefix %q", tc.key, msg, tc.msg)
		}
	}
	// ABI violations trap the call.
	kp, kl := g.str(64, "greeting")
	for name, args := range map[string][]uint64{
		"misaligned retptr":    {kp, kl, ret + 2},
		"retptr out of bounds": {kp, kl, 2*65536 - 8},
		"key out of bounds":    {2*65536 - 2, 8, ret},
	} {
		if err := g.invoke("spin-config", "get-config", args...); err == nil {
			t.Errorf("%s: no trap", name)
		}
	}
	g.mem.Write(64, []byte{0xff})
	if err := g.invoke("spin-config", "get-config", kp, kl, ret); err == nil || !strings.Contains(err.Error(), "UTF-8") {
		t.Errorf("non-UTF-8 key: %v", err)
	}
}

// Outside a request (no Scope in the context) a guest gets no capabilities.
func TestGetConfigWithoutScope(t *testing.T) {
	g := newTestGuest(t, quietHost(), &Capabilities{Config: map[string]string{"k": "v"}}, hostImport{"spin-config", "get-config", 3})
	g.ctx = context.Background()
	kp, kl := g.str(64, "k")
	if err := g.invoke("spin-config", "get-config", kp, kl, ret); err != nil {
		t.Fatal(err)
	}
	if g.u8(ret) != 1 || g.u8(ret+4) != 3 {
		t.Errorf("area % x, want error other", g.read(ret, 16))
	}
}
