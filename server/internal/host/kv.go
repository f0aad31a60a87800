package host

import (
	"context"
	"errors"

	"github.com/tetratelabs/wazero/api"

	"wasmsite/functions/sdk/spin"
	"wasmsite/server/internal/abi"
	"wasmsite/server/store"
)

// ErrNoSuchStore is returned by Host.KV for a label with no configured store.
var ErrNoSuchStore = errors.New("no such key-value store")

// MaxStoreHandles bounds the open key-value handles of one instance.
const MaxStoreHandles = 256

// kvErr is a case of key-value's error variant; msg is the payload of spin.KVIO.
type kvErr struct {
	tag spin.KVError
	msg string
}

// kvDo runs one key-value function, with its ok payload written to a.
type kvDo func(ctx context.Context, sc *Scope, g *abi.Guest, s []uint64, a *abi.Area) *kvErr

// kvFuncs is key-value (wit/ephemeral/key-value.wit): open, get, set, delete, exists,
// get-keys and close, on the stores the scope's component lists; result areas
// spin.KV*.
func (h *Host) kvFuncs() []hostFunc {
	return []hostFunc{
		h.kvOp("open", 3, h.kvOpen),
		h.kvOp("get", 4, func(ctx context.Context, sc *Scope, g *abi.Guest, s []uint64, a *abi.Area) *kvErr {
			kv, e := sc.store(s[0])
			if e != nil {
				return e
			}
			v, err := kv.Get(ctx, str(g, s[1], s[2]))
			if errors.Is(err, store.ErrNoSuchKey) {
				return &kvErr{tag: spin.KVNoSuchKey}
			} else if err != nil {
				return h.kvIOErr(sc, "get", err)
			}
			a.U32(spin.KVListPtr, must2(g.PutBytes(ctx, v)))
			a.U32(spin.KVListLen, uint32(len(v)))
			return nil
		}),
		h.kvOp("set", 6, func(ctx context.Context, sc *Scope, g *abi.Guest, s []uint64, a *abi.Area) *kvErr {
			kv, e := sc.store(s[0])
			if e != nil {
				return e
			}
			v := must2(g.Bytes(uint32(s[3]), uint32(s[4])))
			if err := kv.Set(ctx, str(g, s[1], s[2]), v); err != nil {
				return h.kvIOErr(sc, "set", err)
			}
			return nil
		}),
		h.kvOp("delete", 4, func(ctx context.Context, sc *Scope, g *abi.Guest, s []uint64, a *abi.Area) *kvErr {
			kv, e := sc.store(s[0])
			if e != nil {
				return e
			}
			if err := kv.Delete(ctx, str(g, s[1], s[2])); err != nil {
				return h.kvIOErr(sc, "delete", err)
			}
			return nil
		}),
		h.kvOp("exists", 4, func(ctx context.Context, sc *Scope, g *abi.Guest, s []uint64, a *abi.Area) *kvErr {
			kv, e := sc.store(s[0])
			if e != nil {
				return e
			}
			ok, err := kv.Exists(ctx, str(g, s[1], s[2]))
			if err != nil {
				return h.kvIOErr(sc, "exists", err)
			}
			if ok {
				a.U8(spin.KVPayload, 1)
			}
			return nil
		}),
		h.kvOp("get-keys", 2, func(ctx context.Context, sc *Scope, g *abi.Guest, s []uint64, a *abi.Area) *kvErr {
			kv, e := sc.store(s[0])
			if e != nil {
				return e
			}
			keys, err := kv.Keys(ctx)
			if err != nil {
				return h.kvIOErr(sc, "get-keys", err)
			}
			a.U32(spin.KVListPtr, must2(g.PutStringList(ctx, keys)))
			a.U32(spin.KVListLen, uint32(len(keys)))
			return nil
		}),
		{name: "close", params: 1, fn: func(ctx context.Context, mod api.Module, s []uint64) {
			scopeFrom(ctx).closeStore(s[0])
		}},
	}
}

// kvOp wraps do as a host function whose last parameter is its result area: do's ok
// payload, or its error case written afresh.
func (h *Host) kvOp(name string, params int, do kvDo) hostFunc {
	return hostFunc{name: name, params: params, fn: func(ctx context.Context, mod api.Module, s []uint64) {
		sc, g := enter(ctx, mod)
		retptr := uint32(s[params-1])
		area := must2(g.Area(retptr, spin.KVResultSize, spin.KVResultAlign))
		e := do(ctx, sc, g, s, area)
		if e == nil || e.tag == spin.KVIO {
			h.Metrics.StoreOp(sc.Caps.ComponentID, "key-value", e != nil)
		}
		if e != nil {
			area = must2(g.Area(retptr, spin.KVResultSize, spin.KVResultAlign))
			area.U8(spin.ResultIsErr, 1)
			area.U8(spin.KVErrorTag, uint8(e.tag))
			if e.tag == spin.KVIO {
				area.U32(spin.KVErrorMsgPtr, must2(g.PutString(ctx, e.msg)))
				area.U32(spin.KVErrorMsgLen, uint32(len(e.msg)))
			}
		}
		must(area.Flush())
	}}
}

// kvOpen is open(label ptr/len): access is checked before existence, as in Spin.
func (h *Host) kvOpen(ctx context.Context, sc *Scope, g *abi.Guest, s []uint64, a *abi.Area) *kvErr {
	label := str(g, s[0], s[1])
	if !sc.Caps.KeyValueStores[label] {
		return &kvErr{tag: spin.KVAccessDenied}
	}
	kv, err := h.KV(label)
	if errors.Is(err, ErrNoSuchStore) {
		return &kvErr{tag: spin.KVNoSuchStore}
	} else if err != nil {
		return h.kvIOErr(sc, "open", err)
	}
	handle, ok := sc.openStore(kv)
	if !ok {
		return &kvErr{tag: spin.KVStoreTableFull}
	}
	a.U32(spin.KVPayload, handle)
	return nil
}

func (h *Host) kvIOErr(sc *Scope, op string, err error) *kvErr {
	h.Log.Warn("key-value failed", "component", sc.Caps.ComponentID, "op", op, "err", err)
	return &kvErr{tag: spin.KVIO, msg: err.Error()}
}

// openStore gives kv the lowest free handle; ok is false when MaxStoreHandles are open.
func (sc *Scope) openStore(kv store.KV) (handle uint32, ok bool) {
	for i, st := range sc.stores {
		if st == nil {
			sc.stores[i] = kv
			return uint32(i), true
		}
	}
	if len(sc.stores) >= MaxStoreHandles {
		return 0, false
	}
	sc.stores = append(sc.stores, kv)
	return uint32(len(sc.stores) - 1), true
}

// store returns the open store of a handle, or invalid-store.
func (sc *Scope) store(handle uint64) (store.KV, *kvErr) {
	i := uint32(handle)
	if int(i) >= len(sc.stores) || sc.stores[i] == nil {
		return nil, &kvErr{tag: spin.KVInvalidStore}
	}
	return sc.stores[i], nil
}

// closeStore frees a handle; an unknown one is ignored.
func (sc *Scope) closeStore(handle uint64) {
	if i := uint32(handle); int(i) < len(sc.stores) {
		sc.stores[i] = nil
	}
}
