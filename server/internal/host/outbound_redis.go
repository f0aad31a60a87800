package host

import (
	"context"
	"encoding/binary"
	"net/url"
	"strings"

	"github.com/tetratelabs/wazero/api"

	"wasmsite/server/internal/abi"
	"wasmsite/server/store"
)

// outbound-redis (wit/ephemeral/outbound-redis.wit). Every failure is reported to the
// guest as error::error (discriminant 1), as Spin's host does, and logged.
func (h *Host) redisFuncs() []hostFunc {
	// unitOp: publish and set. Area: +0 is_err, +1 error (2 bytes, align 1).
	unitOp := func(name string, do func(ctx context.Context, r store.Redis, a, b string, payload []byte) error) hostFunc {
		return hostFunc{name: name, params: 7, fn: func(ctx context.Context, mod api.Module, s []uint64) {
			c, g := h.redisCall(ctx, mod)
			addr, a := str(g, s[0], s[1]), str(g, s[2], s[3])
			payload, err := g.Bytes(uint32(s[4]), uint32(s[5]))
			must(err)
			area, err := g.Area(uint32(s[6]), 2, 1)
			must(err)
			if r := h.redisFor(ctx, c, addr); r == nil || h.redisErr(c, name, do(ctx, r, addr, a, payload)) {
				area.U8(0, 1)
				area.U8(1, 1)
			}
			must(area.Flush())
		}}
	}
	// s64Op: incr, del, sadd, srem. Area: 16 bytes align 8: +0 tag, +8 s64 or error.
	s64Op := func(name string, params int, do func(ctx context.Context, r store.Redis, g *abi.Guest, s []uint64) (int64, error)) hostFunc {
		return hostFunc{name: name, params: params, fn: func(ctx context.Context, mod api.Module, s []uint64) {
			c, g := h.redisCall(ctx, mod)
			addr := str(g, s[0], s[1])
			area, err := g.Area(uint32(s[params-1]), 16, 8)
			must(err)
			var n int64
			r := h.redisFor(ctx, c, addr)
			if r != nil {
				n, err = do(ctx, r, g, s)
			}
			if r == nil || h.redisErr(c, name, err) {
				area.U8(0, 1)
				area.U8(8, 1)
			} else {
				area.U64(8, uint64(n))
			}
			must(area.Flush())
		}}
	}
	// listOp: get, smembers, execute. Area: 12 bytes align 4: +0 tag, ok ptr/len @4/@8, err @4.
	listOp := func(name string, params int, do func(ctx context.Context, r store.Redis, g *abi.Guest, s []uint64) (ptr, n uint32, err error)) hostFunc {
		return hostFunc{name: name, params: params, fn: func(ctx context.Context, mod api.Module, s []uint64) {
			c, g := h.redisCall(ctx, mod)
			addr := str(g, s[0], s[1])
			area, err := g.Area(uint32(s[params-1]), 12, 4)
			must(err)
			var p, n uint32
			r := h.redisFor(ctx, c, addr)
			if r != nil {
				p, n, err = do(ctx, r, g, s)
			}
			if r == nil || h.redisErr(c, name, err) {
				area.U8(0, 1)
				area.U8(4, 1)
			} else {
				area.U32(4, p)
				area.U32(8, n)
			}
			must(area.Flush())
		}}
	}
	return []hostFunc{
		unitOp("publish", func(ctx context.Context, r store.Redis, _, ch string, p []byte) error { return r.Publish(ctx, ch, p) }),
		unitOp("set", func(ctx context.Context, r store.Redis, _, k string, v []byte) error { return r.Set(ctx, k, v) }),
		listOp("get", 5, func(ctx context.Context, r store.Redis, g *abi.Guest, s []uint64) (uint32, uint32, error) {
			v, err := r.Get(ctx, str(g, s[2], s[3]))
			if err != nil {
				return 0, 0, err
			}
			p, err := g.PutBytes(ctx, v)
			must(err)
			return p, uint32(len(v)), nil
		}),
		s64Op("incr", 5, func(ctx context.Context, r store.Redis, g *abi.Guest, s []uint64) (int64, error) {
			return r.Incr(ctx, str(g, s[2], s[3]))
		}),
		s64Op("del", 5, func(ctx context.Context, r store.Redis, g *abi.Guest, s []uint64) (int64, error) {
			keys, err := g.StringList(uint32(s[2]), uint32(s[3]))
			must(err)
			return r.Del(ctx, keys)
		}),
		s64Op("sadd", 7, func(ctx context.Context, r store.Redis, g *abi.Guest, s []uint64) (int64, error) {
			vals, err := g.StringList(uint32(s[4]), uint32(s[5]))
			must(err)
			return r.SAdd(ctx, str(g, s[2], s[3]), vals)
		}),
		s64Op("srem", 7, func(ctx context.Context, r store.Redis, g *abi.Guest, s []uint64) (int64, error) {
			vals, err := g.StringList(uint32(s[4]), uint32(s[5]))
			must(err)
			return r.SRem(ctx, str(g, s[2], s[3]), vals)
		}),
		listOp("smembers", 5, func(ctx context.Context, r store.Redis, g *abi.Guest, s []uint64) (uint32, uint32, error) {
			m, err := r.SMembers(ctx, str(g, s[2], s[3]))
			if err != nil {
				return 0, 0, err
			}
			p, err := g.PutStringList(ctx, m)
			must(err)
			return p, uint32(len(m)), nil
		}),
		listOp("execute", 7, func(ctx context.Context, r store.Redis, g *abi.Guest, s []uint64) (uint32, uint32, error) {
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

func str(g *abi.Guest, p, n uint64) string {
	s, err := g.String(uint32(p), uint32(n))
	must(err)
	return s
}

func (h *Host) redisCall(ctx context.Context, mod api.Module) (*Call, *abi.Guest) {
	c := callFrom(ctx)
	return c, c.guestOf(mod)
}

// redisFor returns the backend for addr, or nil (logged) when the address is refused
// or unreachable. v2 manifests must list redis://host:port in allowed_outbound_hosts;
// Spin 1.x had no allow-list for Redis, so v1 manifests may reach any address. The
// embedded store ("") is always reachable.
func (h *Host) redisFor(ctx context.Context, c *Call, addr string) store.Redis {
	if addr != "" && c.Caps.ManifestVersion >= 2 {
		u, err := url.Parse(addr)
		if err != nil || c.Caps.Allow == nil || !c.Caps.Allow.Allows(u, c.Origin) {
			h.Log.Warn("outbound redis refused", "component", c.Caps.ComponentID, "address", redactURL(addr), "reason", "address not in allowed_outbound_hosts")
			return nil
		}
	}
	r, err := h.Redis(ctx, addr)
	if err != nil {
		h.Log.Warn("outbound redis failed", "component", c.Caps.ComponentID, "address", redactURL(addr), "err", err)
		return nil
	}
	return r
}

func (h *Host) redisErr(c *Call, op string, err error) bool {
	if err != nil {
		h.Log.Warn("outbound redis failed", "component", c.Caps.ComponentID, "op", op, "err", err)
	}
	return err != nil
}

func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	return strings.Repeat("*", len(s))
}

// redisParams lifts list<redis-parameter>: 16-byte elements, align 8, +0 tag
// (0 int64, 1 binary), payload at +8 (s64, or ptr@8 len@12).
func redisParams(g *abi.Guest, p, n uint32) []store.Param {
	must(g.CheckList(p, n, 16, 8))
	out := make([]store.Param, n)
	for i := range out {
		e := p + uint32(i)*16
		switch g.U8(e) {
		case 0:
			out[i] = store.Param{IsInt: true, Int64: int64(g.U64(e + 8))}
		case 1:
			b, err := g.Bytes(g.U32(e+8), g.U32(e+12))
			must(err)
			out[i] = store.Param{Binary: b}
		default:
			panic(abi.Errorf("invalid redis-parameter discriminant %d", g.U8(e)))
		}
	}
	return out
}

// lowerResults writes list<redis-result> (16-byte elements, align 8; tag nil=0,
// status=1 (string), int64=2, binary=3) into guest-owned memory.
func lowerResults(ctx context.Context, g *abi.Guest, res []store.Result) uint32 {
	arr, err := g.Alloc(ctx, uint32(len(res))*16, 8)
	must(err)
	buf := make([]byte, 16*len(res))
	for i, r := range res {
		e := buf[i*16:]
		e[0] = byte(r.Kind)
		switch r.Kind {
		case store.ResultStatus, store.ResultBinary:
			b := r.Binary
			if r.Kind == store.ResultStatus {
				b = []byte(r.Status)
			}
			p, err := g.PutBytes(ctx, b)
			must(err)
			binary.LittleEndian.PutUint32(e[8:], p)
			binary.LittleEndian.PutUint32(e[12:], uint32(len(b)))
		case store.ResultInt64:
			binary.LittleEndian.PutUint64(e[8:], uint64(r.Int64))
		}
	}
	if len(buf) > 0 {
		g.Mem.Write(arr, buf)
	}
	return arr
}
