package wasmtest

import (
	"context"
	"encoding/binary"
	"strconv"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// register instantiates the fake host interfaces, each written out here by hand (not
// from package spin), so that the SDK tests cross-check the contract.
func (h *Host) register(ctx context.Context) error {
	for _, r := range []func(context.Context) error{h.registerConfig, h.registerHTTP, h.registerRedis, h.registerKV} {
		if err := r(ctx); err != nil {
			return err
		}
	}
	return nil
}

func mem(m api.Module) api.Memory { return m.Memory() }

func str(m api.Module, p, l uint32) string { return string(read(m, p, l)) }

// registerConfig is spin-config.
func (h *Host) registerConfig(ctx context.Context) error {
	if _, err := h.rt.NewHostModuleBuilder("spin-config").
		NewFunctionBuilder().WithFunc(func(ctx context.Context, m api.Module, kp, kl, ret uint32) {
		key := str(m, kp, kl)
		v, ok := h.Config[key]
		if ok {
			p, l := putBytes(ctx, m, []byte(v))
			mem(m).WriteByte(ret, 0)
			mem(m).WriteUint32Le(ret+4, p)
			mem(m).WriteUint32Le(ret+8, l)
			return
		}
		p, l := putBytes(ctx, m, []byte("no config for "+key))
		mem(m).WriteByte(ret, 1)
		mem(m).WriteByte(ret+4, 3) // other
		mem(m).WriteUint32Le(ret+8, p)
		mem(m).WriteUint32Le(ret+12, l)
	}).Export("get-config").Instantiate(ctx); err != nil {
		return err
	}
	return nil
}

// registerHTTP is wasi-outbound-http, answered by the Host HTTP function.
func (h *Host) registerHTTP(ctx context.Context) error {
	if _, err := h.rt.NewHostModuleBuilder("wasi-outbound-http").
		NewFunctionBuilder().WithFunc(func(ctx context.Context, m api.Module, method, up, ul, hp, hl, pp, pl, bt, bp, bl, ret uint32) {
		var body []byte
		if bt != 0 {
			body = read(m, bp, bl)
		}
		resp, code := h.HTTP(method, str(m, up, ul), readPairs(m, hp, hl), body, bt != 0)
		if code != 0 {
			mem(m).WriteByte(ret, 1)
			mem(m).WriteByte(ret+4, code)
			return
		}
		hp2, hl2 := putPairs(ctx, m, resp.Headers)
		bp2, bl2 := putBytes(ctx, m, resp.Body)
		mem(m).WriteByte(ret, 0)
		mem(m).WriteUint16Le(ret+4, uint16(resp.Status))
		mem(m).WriteByte(ret+8, 1)
		mem(m).WriteUint32Le(ret+12, hp2)
		mem(m).WriteUint32Le(ret+16, hl2)
		mem(m).WriteByte(ret+20, 1)
		mem(m).WriteUint32Le(ret+24, bp2)
		mem(m).WriteUint32Le(ret+28, bl2)
	}).Export("request").Instantiate(ctx); err != nil {
		return err
	}
	return nil
}

// registerRedis is outbound-redis on the Host strings and sets; address "bad-address"
// fails every call.
func (h *Host) registerRedis(ctx context.Context) error {
	rb := h.rt.NewHostModuleBuilder("outbound-redis")
	rb.NewFunctionBuilder().WithFunc(func(ctx context.Context, m api.Module, ap, al, cp, cl, pp, pl, ret uint32) {
		if badAddress(m, ap, al, ret) {
			return
		}
		h.Published = append(h.Published, str(m, cp, cl)+"="+str(m, pp, pl))
		okUnit(m, ret)
	}).Export("publish")
	rb.NewFunctionBuilder().WithFunc(func(ctx context.Context, m api.Module, ap, al, kp, kl, ret uint32) {
		if badAddress(m, ap, al, ret) {
			return
		}
		p, l := putBytes(ctx, m, h.Strings[str(m, kp, kl)])
		mem(m).WriteByte(ret, 0)
		mem(m).WriteUint32Le(ret+4, p)
		mem(m).WriteUint32Le(ret+8, l)
	}).Export("get")
	rb.NewFunctionBuilder().WithFunc(func(ctx context.Context, m api.Module, ap, al, kp, kl, vp, vl, ret uint32) {
		if badAddress(m, ap, al, ret) {
			return
		}
		h.Strings[str(m, kp, kl)] = read(m, vp, vl)
		okUnit(m, ret)
	}).Export("set")
	rb.NewFunctionBuilder().WithFunc(func(ctx context.Context, m api.Module, ap, al, kp, kl, ret uint32) {
		if badAddress(m, ap, al, ret) {
			return
		}
		k := str(m, kp, kl)
		n, _ := strconv.ParseInt(string(h.Strings[k]), 10, 64)
		n++
		h.Strings[k] = []byte(strconv.FormatInt(n, 10))
		okS64(m, ret, n)
	}).Export("incr")
	rb.NewFunctionBuilder().WithFunc(func(ctx context.Context, m api.Module, ap, al, kp, kl, ret uint32) {
		if badAddress(m, ap, al, ret) {
			return
		}
		var n int64
		for _, k := range readStrings(m, kp, kl) {
			if _, ok := h.Strings[k]; ok {
				n++
				delete(h.Strings, k)
			}
		}
		okS64(m, ret, n)
	}).Export("del")
	h.registerSetOps(rb)
	rb.NewFunctionBuilder().WithFunc(func(ctx context.Context, m api.Module, ap, al, kp, kl, ret uint32) {
		if badAddress(m, ap, al, ret) {
			return
		}
		var members []string
		for v := range h.set(str(m, kp, kl)) {
			members = append(members, v)
		}
		p, l := putStrings(ctx, m, members)
		mem(m).WriteByte(ret, 0)
		mem(m).WriteUint32Le(ret+4, p)
		mem(m).WriteUint32Le(ret+8, l)
	}).Export("smembers")
	rb.NewFunctionBuilder().WithFunc(h.redisExecute).Export("execute")
	_, err := rb.Instantiate(ctx)
	return err
}

// registerSetOps adds outbound-redis sadd and srem to rb.
func (h *Host) registerSetOps(rb wazero.HostModuleBuilder) {
	for _, op := range []string{"sadd", "srem"} {
		rb.NewFunctionBuilder().WithFunc(func(ctx context.Context, m api.Module, ap, al, kp, kl, vp, vl, ret uint32) {
			if badAddress(m, ap, al, ret) {
				return
			}
			s := h.set(str(m, kp, kl))
			var n int64
			for _, v := range readStrings(m, vp, vl) {
				if s[v] != (op == "sadd") {
					n++
				}
				if op == "sadd" {
					s[v] = true
				} else {
					delete(s, v)
				}
			}
			okS64(m, ret, n)
		}).Export(op)
	}
}

// badAddress fails the call for the address "bad-address", writing is_err and the
// error at every offset a result area may keep it.
func badAddress(m api.Module, ap, al, ret uint32) bool {
	if str(m, ap, al) == "bad-address" {
		mem(m).WriteByte(ret, 1)
		mem(m).WriteByte(ret+1, 1)
		mem(m).WriteByte(ret+4, 1)
		mem(m).WriteByte(ret+8, 1)
		return true
	}
	return false
}
func okUnit(m api.Module, ret uint32) { mem(m).WriteByte(ret, 0) }
func okS64(m api.Module, ret uint32, v int64) {
	mem(m).WriteByte(ret, 0)
	mem(m).WriteUint64Le(ret+8, uint64(v))
}
func (h *Host) set(k string) map[string]bool {
	if h.Sets[k] == nil {
		h.Sets[k] = map[string]bool{}
	}
	return h.Sets[k]
}

// redisExecute is outbound-redis execute, answered by the Host Redis function.
func (h *Host) redisExecute(ctx context.Context, m api.Module, ap, al, cp, cl, pp, pl, ret uint32) {
	if badAddress(m, ap, al, ret) {
		return
	}
	args := make([]any, pl)
	for i := range args {
		e := pp + uint32(i)*16
		tag, _ := mem(m).ReadByte(e)
		if tag == 0 {
			v, _ := mem(m).ReadUint64Le(e + 8)
			args[i] = int64(v)
		} else {
			args[i] = read(m, u32(m, e+8), u32(m, e+12))
		}
	}
	results := h.Exec(str(m, cp, cl), args)
	if results == nil {
		mem(m).WriteByte(ret, 1)
		mem(m).WriteByte(ret+4, 1)
		return
	}
	arr := make([]byte, 16*len(results))
	for i, r := range results {
		o := arr[i*16:]
		switch v := r.(type) {
		case nil:
			o[0] = 0
		case string:
			o[0] = 1
			p, l := putBytes(ctx, m, []byte(v))
			binary.LittleEndian.PutUint32(o[8:], p)
			binary.LittleEndian.PutUint32(o[12:], l)
		case int64:
			o[0] = 2
			binary.LittleEndian.PutUint64(o[8:], uint64(v))
		case []byte:
			o[0] = 3
			p, l := putBytes(ctx, m, v)
			binary.LittleEndian.PutUint32(o[8:], p)
			binary.LittleEndian.PutUint32(o[12:], l)
		}
	}
	p := alloc(ctx, m, 8, uint32(len(arr)))
	m.Memory().Write(p, arr)
	mem(m).WriteByte(ret, 0)
	mem(m).WriteUint32Le(ret+4, p)
	mem(m).WriteUint32Le(ret+8, uint32(len(results)))
}

// registerKV is key-value: one store "default" (handle 7); "forbidden" is access-denied;
// key "io" is an io error.
func (h *Host) registerKV(ctx context.Context) error {
	kerr := func(ctx context.Context, m api.Module, ret uint32, tag uint8, msg string) {
		mem(m).WriteByte(ret, 1)
		mem(m).WriteByte(ret+4, tag)
		if tag == 5 {
			p, l := putBytes(ctx, m, []byte(msg))
			mem(m).WriteUint32Le(ret+8, p)
			mem(m).WriteUint32Le(ret+12, l)
		}
	}
	kb := h.rt.NewHostModuleBuilder("key-value")
	kb.NewFunctionBuilder().WithFunc(func(ctx context.Context, m api.Module, np, nl, ret uint32) {
		if str(m, np, nl) != "default" {
			kerr(ctx, m, ret, 2, "")
			return
		}
		mem(m).WriteByte(ret, 0)
		mem(m).WriteUint32Le(ret+4, 7)
	}).Export("open")
	kb.NewFunctionBuilder().WithFunc(func(ctx context.Context, m api.Module, st, kp, kl, ret uint32) {
		k := str(m, kp, kl)
		if st != 7 {
			kerr(ctx, m, ret, 3, "")
			return
		}
		if k == "io" {
			kerr(ctx, m, ret, 5, "disk on fire")
			return
		}
		v, ok := h.KV[k]
		if !ok {
			kerr(ctx, m, ret, 4, "")
			return
		}
		p, l := putBytes(ctx, m, v)
		mem(m).WriteByte(ret, 0)
		mem(m).WriteUint32Le(ret+4, p)
		mem(m).WriteUint32Le(ret+8, l)
	}).Export("get")
	kb.NewFunctionBuilder().WithFunc(func(ctx context.Context, m api.Module, st, kp, kl, vp, vl, ret uint32) {
		h.KV[str(m, kp, kl)] = read(m, vp, vl)
		mem(m).WriteByte(ret, 0)
	}).Export("set")
	kb.NewFunctionBuilder().WithFunc(func(ctx context.Context, m api.Module, st, kp, kl, ret uint32) {
		delete(h.KV, str(m, kp, kl))
		mem(m).WriteByte(ret, 0)
	}).Export("delete")
	kb.NewFunctionBuilder().WithFunc(func(ctx context.Context, m api.Module, st, kp, kl, ret uint32) {
		_, ok := h.KV[str(m, kp, kl)]
		mem(m).WriteByte(ret, 0)
		if ok {
			mem(m).WriteByte(ret+4, 1)
		} else {
			mem(m).WriteByte(ret+4, 0)
		}
	}).Export("exists")
	kb.NewFunctionBuilder().WithFunc(func(ctx context.Context, m api.Module, st, ret uint32) {
		var keys []string
		for k := range h.KV {
			keys = append(keys, k)
		}
		p, l := putStrings(ctx, m, keys)
		mem(m).WriteByte(ret, 0)
		mem(m).WriteUint32Le(ret+4, p)
		mem(m).WriteUint32Le(ret+8, l)
	}).Export("get-keys")
	kb.NewFunctionBuilder().WithFunc(func(ctx context.Context, m api.Module, st uint32) {}).Export("close")
	_, err := kb.Instantiate(ctx)
	return err
}
