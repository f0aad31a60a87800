package host

import (
	"context"
	"encoding/binary"
	"net/url"
	"strings"

	"github.com/tetratelabs/wazero/api"

	"wasmsite/functions/sdk/spin"
	"wasmsite/server/internal/abi"
	"wasmsite/server/store"
)

// redisFuncs is outbound-redis (wit/ephemeral/outbound-redis.wit), on the backends of
// Host.Redis; result areas spin.Redis*. Every failure is reported to the guest as
// spin.RedisError, as Spin's host does, and logged.
func (h *Host) redisFuncs() []hostFunc {
	return []hostFunc{
		h.unitOp("publish", func(ctx context.Context, r store.Redis, _, ch string, p []byte) error { return r.Publish(ctx, ch, p) }),
		h.unitOp("set", func(ctx context.Context, r store.Redis, _, k string, v []byte) error { return r.Set(ctx, k, v) }),
		h.listOp("get", 5, func(ctx context.Context, r store.Redis, g *abi.Guest, s []uint64) (uint32, uint32, error) {
			v, err := r.Get(ctx, str(g, s[2], s[3]))
			if err != nil {
				return 0, 0, err
			}
			p, err := g.PutBytes(ctx, v)
			must(err)
			return p, uint32(len(v)), nil
		}),
		h.s64Op("incr", 5, func(ctx context.Context, r store.Redis, g *abi.Guest, s []uint64) (int64, error) {
			return r.Incr(ctx, str(g, s[2], s[3]))
		}),
		h.s64Op("del", 5, func(ctx context.Context, r store.Redis, g *abi.Guest, s []uint64) (int64, error) {
			keys, err := g.StringList(uint32(s[2]), uint32(s[3]))
			must(err)
			return r.Del(ctx, keys)
		}),
		h.s64Op("sadd", 7, func(ctx context.Context, r store.Redis, g *abi.Guest, s []uint64) (int64, error) {
			vals, err := g.StringList(uint32(s[4]), uint32(s[5]))
			must(err)
			return r.SAdd(ctx, str(g, s[2], s[3]), vals)
		}),
		h.s64Op("srem", 7, func(ctx context.Context, r store.Redis, g *abi.Guest, s []uint64) (int64, error) {
			vals, err := g.StringList(uint32(s[4]), uint32(s[5]))
			must(err)
			return r.SRem(ctx, str(g, s[2], s[3]), vals)
		}),
		h.listOp("smembers", 5, func(ctx context.Context, r store.Redis, g *abi.Guest, s []uint64) (uint32, uint32, error) {
			m, err := r.SMembers(ctx, str(g, s[2], s[3]))
			if err != nil {
				return 0, 0, err
			}
			p, err := g.PutStringList(ctx, m)
			must(err)
			return p, uint32(len(m)), nil
		}),
		h.listOp("execute", 7, func(ctx context.Context, r store.Redis, g *abi.Guest, s []uint64) (uint32, uint32, error) {
			cmd := str(g, s[2], s[3])
			args := redisParams(g, uint32(s[4]), uint32(s[5]))
			res, err := r.Execute(ctx, cmd, args)
			if err != nil {
				return 0, 0, err
			}
			return lowerResults(ctx, g, res), uint32(len(res)), nil
		}),
	}
}

// redisDo runs one outbound-redis function on the backend r, writing its ok payload
// to a.
type redisDo func(ctx context.Context, r store.Redis, g *abi.Guest, s []uint64, a *abi.Area) error

// unitOp is publish or set (address, key or channel, payload; expected<unit, error>).
func (h *Host) unitOp(name string, do func(ctx context.Context, r store.Redis, a, b string, payload []byte) error) hostFunc {
	return hostFunc{name: name, params: 7, fn: func(ctx context.Context, mod api.Module, s []uint64) {
		sc, g := enter(ctx, mod)
		addr, a := str(g, s[0], s[1]), str(g, s[2], s[3])
		payload := must2(g.Bytes(uint32(s[4]), uint32(s[5])))
		area := must2(g.Area(uint32(s[6]), spin.RedisUnitSize, spin.RedisUnitAlign))
		if r := h.redisFor(ctx, sc, addr); r == nil || h.redisErr(sc, name, do(ctx, r, addr, a, payload)) {
			area.U8(spin.ResultIsErr, 1)
			area.U8(spin.RedisUnitError, spin.RedisError)
		}
		must(area.Flush())
	}}
}

// s64Op is incr, del, sadd or srem (expected<s64, error>).
func (h *Host) s64Op(name string, params int, do func(ctx context.Context, r store.Redis, g *abi.Guest, s []uint64) (int64, error)) hostFunc {
	return h.redisOp(name, params, spin.RedisS64Size, spin.RedisS64Align, spin.RedisS64Value,
		func(ctx context.Context, r store.Redis, g *abi.Guest, s []uint64, a *abi.Area) error {
			n, err := do(ctx, r, g, s)
			if err == nil {
				a.U64(spin.RedisS64Value, uint64(n))
			}
			return err
		})
}

// listOp is get, smembers or execute (expected<list, error>).
func (h *Host) listOp(name string, params int, do func(ctx context.Context, r store.Redis, g *abi.Guest, s []uint64) (ptr, n uint32, err error)) hostFunc {
	return h.redisOp(name, params, spin.RedisListSize, spin.RedisListAlign, spin.RedisListError,
		func(ctx context.Context, r store.Redis, g *abi.Guest, s []uint64, a *abi.Area) error {
			p, n, err := do(ctx, r, g, s)
			if err == nil {
				a.U32(spin.RedisListPtr, p)
				a.U32(spin.RedisListLen, n)
			}
			return err
		})
}

// redisOp wraps do as a host function whose first two parameters are the address and
// whose last is a result area of size bytes (align): do's payload, or the error
// (spin.RedisError) at errAt.
func (h *Host) redisOp(name string, params int, size, align, errAt uint32, do redisDo) hostFunc {
	return hostFunc{name: name, params: params, fn: func(ctx context.Context, mod api.Module, s []uint64) {
		sc, g := enter(ctx, mod)
		addr := str(g, s[0], s[1])
		area := must2(g.Area(uint32(s[params-1]), size, align))
		var err error
		r := h.redisFor(ctx, sc, addr)
		if r != nil {
			err = do(ctx, r, g, s, area)
		}
		if r == nil || h.redisErr(sc, name, err) {
			area.U8(spin.ResultIsErr, 1)
			area.U8(errAt, spin.RedisError)
		}
		must(area.Flush())
	}}
}

// redisFor returns the backend for addr, or nil (logged) when the address is refused
// or unreachable. v2 manifests must list redis://host:port in allowed_outbound_hosts,
// and only redis:// and rediss:// addresses are taken: go-redis would also open
// unix://host:port/path, checked against the list by its host and port but connected
// to the socket file its path names. Spin 1.x had no allow-list for Redis, so v1
// manifests may reach any address. The embedded store ("") is always reachable.
func (h *Host) redisFor(ctx context.Context, sc *Scope, addr string) store.Redis {
	if addr != "" && sc.Caps.ManifestVersion >= 2 {
		u, err := url.Parse(addr)
		reason := ""
		switch {
		case err != nil || (u.Scheme != "redis" && u.Scheme != "rediss"):
			reason = "only redis:// and rediss:// addresses are allowed"
		case sc.Caps.Allow == nil || !sc.Caps.Allow.Allows(u, sc.Origin):
			reason = "address not in allowed_outbound_hosts"
		}
		h.Metrics.Outbound(sc.Caps.ComponentID, "redis", reason == "")
		if reason != "" {
			h.Log.Warn("outbound redis refused", "component", sc.Caps.ComponentID, "address", redactURL(addr), "reason", reason)
			return nil
		}
	}
	r, err := h.Redis(ctx, addr)
	if err != nil {
		h.Log.Warn("outbound redis failed", "component", sc.Caps.ComponentID, "address", redactURL(addr), "err", err)
		return nil
	}
	return r
}

func (h *Host) redisErr(sc *Scope, op string, err error) bool {
	h.Metrics.StoreOp(sc.Caps.ComponentID, "redis", err != nil)
	if err != nil {
		h.Log.Warn("outbound redis failed", "component", sc.Caps.ComponentID, "op", op, "err", err)
	}
	return err != nil
}

// resultTags are the redis-result tags of the store's result kinds.
var resultTags = [...]byte{
	store.ResultNil:    spin.RedisResultNil,
	store.ResultStatus: spin.RedisResultStatus,
	store.ResultInt64:  spin.RedisResultInt64,
	store.ResultBinary: spin.RedisResultBinary,
}

func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	return strings.Repeat("*", len(s))
}

// redisParams lifts list<redis-parameter> (elements spin.RedisValue*).
func redisParams(g *abi.Guest, p, n uint32) []store.Param {
	must(g.CheckList(p, n, spin.RedisValueSize, spin.RedisValueAlign))
	out := make([]store.Param, n)
	for i := range out {
		e := p + uint32(i)*spin.RedisValueSize
		switch tag := g.U8(e + spin.RedisValueTag); tag {
		case spin.RedisParamInt64:
			out[i] = store.Param{IsInt: true, Int64: int64(g.U64(e + spin.RedisValueInt64))}
		case spin.RedisParamBinary:
			out[i] = store.Param{Binary: must2(g.Bytes(g.U32(e+spin.RedisValuePtr), g.U32(e+spin.RedisValueLen)))}
		default:
			panic(abi.Errorf("invalid redis-parameter discriminant %d", tag))
		}
	}
	return out
}

// lowerResults writes list<redis-result> (elements spin.RedisValue*) into guest-owned
// memory.
func lowerResults(ctx context.Context, g *abi.Guest, res []store.Result) uint32 {
	arr := must2(g.Alloc(ctx, uint32(len(res))*spin.RedisValueSize, spin.RedisValueAlign))
	buf := make([]byte, spin.RedisValueSize*len(res))
	for i, r := range res {
		e := buf[i*spin.RedisValueSize:]
		e[spin.RedisValueTag] = resultTags[r.Kind]
		switch r.Kind {
		case store.ResultStatus, store.ResultBinary:
			b := r.Binary
			if r.Kind == store.ResultStatus {
				b = []byte(r.Status)
			}
			binary.LittleEndian.PutUint32(e[spin.RedisValuePtr:], must2(g.PutBytes(ctx, b)))
			binary.LittleEndian.PutUint32(e[spin.RedisValueLen:], uint32(len(b)))
		case store.ResultInt64:
			binary.LittleEndian.PutUint64(e[spin.RedisValueInt64:], uint64(r.Int64))
		}
	}
	if len(buf) > 0 {
		g.Mem.Write(arr, buf)
	}
	return arr
}
