package host

import (
	"context"
	"errors"
	"fmt"

	"github.com/tetratelabs/wazero/api"

	"wasmsite/server/internal/abi"
	"wasmsite/server/store"
)

// spin-config error variant (wit/ephemeral/spin-config.wit).
const (
	configProvider = iota
	configInvalidKey
	configInvalidSchema
	configOther
)

// ValidConfigKey applies Spin's key rules (crates/config Key::validate): non-empty,
// only [a-z0-9_], starting with a letter, ending with a letter or digit, no "__".
func ValidConfigKey(k string) error {
	switch {
	case k == "":
		return errors.New("must not be empty")
	case k[0] < 'a' || k[0] > 'z':
		return errors.New("must start with a lowercase ASCII letter")
	case k[len(k)-1] == '_':
		return errors.New("must end with a lowercase ASCII letter or digit")
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return fmt.Errorf("invalid character %q; may contain only lowercase letters, digits and '_'", c)
		}
		if c == '_' && i > 0 && k[i-1] == '_' {
			return errors.New("must not contain multiple consecutive underscores")
		}
	}
	return nil
}

// spin-config.get-config(key p/l, retptr). Area 16 bytes align 4: +0 is_err;
// ok string @4/@8; err variant tag @4, message string @8/@12.
func (h *Host) configFuncs() []hostFunc {
	return []hostFunc{{name: "get-config", params: 3, fn: func(ctx context.Context, mod api.Module, s []uint64) {
		c := callFrom(ctx)
		g := c.guestOf(mod)
		key := str(g, s[0], s[1])
		area, err := g.Area(uint32(s[2]), 16, 4)
		must(err)
		var val string
		tag := -1
		if err := ValidConfigKey(key); err != nil {
			tag, val = configInvalidKey, fmt.Sprintf("invalid key %q: %v", key, err)
		} else if v, ok := c.Caps.Config[key]; ok {
			val = v
		} else {
			tag, val = configOther, fmt.Sprintf("no config for %q in component %q", key, c.Caps.ComponentID)
		}
		p, err := g.PutString(ctx, val)
		must(err)
		if tag < 0 {
			area.U32(4, p)
			area.U32(8, uint32(len(val)))
		} else {
			area.U8(0, 1)
			area.U8(4, uint8(tag))
			area.U32(8, p)
			area.U32(12, uint32(len(val)))
		}
		must(area.Flush())
	}}}
}

// key-value error variant (wit/ephemeral/key-value.wit), in discriminant order.
const (
	kvStoreTableFull = iota
	kvNoSuchStore
	kvAccessDenied
	kvInvalidStore
	kvNoSuchKey
	kvIO
)

// MaxStoreHandles bounds the open key-value handles of one instance.
const MaxStoreHandles = 256

type kvErr struct {
	tag int
	msg string
}

// key-value: open, get, set, delete, exists, get-keys, close. Result areas are 16
// bytes align 4: +0 is_err; ok payload @4 (u32 handle, list ptr/len, or bool);
// err tag @4 with the io message string @8/@12.
func (h *Host) kvFuncs() []hostFunc {
	op := func(name string, params int, do func(ctx context.Context, c *Call, g *abi.Guest, s []uint64, area *abi.Area) *kvErr) hostFunc {
		return hostFunc{name: name, params: params, fn: func(ctx context.Context, mod api.Module, s []uint64) {
			c := callFrom(ctx)
			g := c.guestOf(mod)
			area, err := g.Area(uint32(s[params-1]), 16, 4)
			must(err)
			if e := do(ctx, c, g, s, area); e != nil {
				area = must2(g.Area(uint32(s[params-1]), 16, 4))
				area.U8(0, 1)
				area.U8(4, uint8(e.tag))
				if e.tag == kvIO {
					p, err := g.PutString(ctx, e.msg)
					must(err)
					area.U32(8, p)
					area.U32(12, uint32(len(e.msg)))
				}
			}
			must(area.Flush())
		}}
	}
	storeOf := func(c *Call, s uint64) (store.KV, *kvErr) {
		i := uint32(s)
		if int(i) >= len(c.stores) || c.stores[i] == nil {
			return nil, &kvErr{tag: kvInvalidStore}
		}
		return c.stores[i], nil
	}
	ioErr := func(c *Call, op string, err error) *kvErr {
		h.Log.Warn("key-value failed", "component", c.Caps.ComponentID, "op", op, "err", err)
		return &kvErr{tag: kvIO, msg: err.Error()}
	}
	return []hostFunc{
		op("open", 3, func(ctx context.Context, c *Call, g *abi.Guest, s []uint64, a *abi.Area) *kvErr {
			label := str(g, s[0], s[1])
			if !c.Caps.KeyValueStores[label] {
				return &kvErr{tag: kvAccessDenied}
			}
			kv, err := h.KV(label)
			if errors.Is(err, ErrNoSuchStore) {
				return &kvErr{tag: kvNoSuchStore}
			} else if err != nil {
				return ioErr(c, "open", err)
			}
			idx := -1
			for i, st := range c.stores {
				if st == nil {
					idx = i
					break
				}
			}
			if idx < 0 {
				if len(c.stores) >= MaxStoreHandles {
					return &kvErr{tag: kvStoreTableFull}
				}
				idx = len(c.stores)
				c.stores = append(c.stores, nil)
			}
			c.stores[idx] = kv
			a.U32(4, uint32(idx))
			return nil
		}),
		op("get", 4, func(ctx context.Context, c *Call, g *abi.Guest, s []uint64, a *abi.Area) *kvErr {
			kv, e := storeOf(c, s[0])
			if e != nil {
				return e
			}
			v, err := kv.Get(ctx, str(g, s[1], s[2]))
			if errors.Is(err, store.ErrNoSuchKey) {
				return &kvErr{tag: kvNoSuchKey}
			} else if err != nil {
				return ioErr(c, "get", err)
			}
			p, err := g.PutBytes(ctx, v)
			must(err)
			a.U32(4, p)
			a.U32(8, uint32(len(v)))
			return nil
		}),
		op("set", 6, func(ctx context.Context, c *Call, g *abi.Guest, s []uint64, a *abi.Area) *kvErr {
			kv, e := storeOf(c, s[0])
			if e != nil {
				return e
			}
			v, err := g.Bytes(uint32(s[3]), uint32(s[4]))
			must(err)
			if err := kv.Set(ctx, str(g, s[1], s[2]), v); err != nil {
				return ioErr(c, "set", err)
			}
			return nil
		}),
		op("delete", 4, func(ctx context.Context, c *Call, g *abi.Guest, s []uint64, a *abi.Area) *kvErr {
			kv, e := storeOf(c, s[0])
			if e != nil {
				return e
			}
			if err := kv.Delete(ctx, str(g, s[1], s[2])); err != nil {
				return ioErr(c, "delete", err)
			}
			return nil
		}),
		op("exists", 4, func(ctx context.Context, c *Call, g *abi.Guest, s []uint64, a *abi.Area) *kvErr {
			kv, e := storeOf(c, s[0])
			if e != nil {
				return e
			}
			ok, err := kv.Exists(ctx, str(g, s[1], s[2]))
			if err != nil {
				return ioErr(c, "exists", err)
			}
			if ok {
				a.U8(4, 1)
			}
			return nil
		}),
		op("get-keys", 2, func(ctx context.Context, c *Call, g *abi.Guest, s []uint64, a *abi.Area) *kvErr {
			kv, e := storeOf(c, s[0])
			if e != nil {
				return e
			}
			keys, err := kv.Keys(ctx)
			if err != nil {
				return ioErr(c, "get-keys", err)
			}
			p, err := g.PutStringList(ctx, keys)
			must(err)
			a.U32(4, p)
			a.U32(8, uint32(len(keys)))
			return nil
		}),
		{name: "close", params: 1, fn: func(ctx context.Context, mod api.Module, s []uint64) {
			c := callFrom(ctx)
			if i := uint32(s[0]); int(i) < len(c.stores) {
				c.stores[i] = nil
			}
		}},
	}
}

func must2[T any](v T, err error) T {
	must(err)
	return v
}
