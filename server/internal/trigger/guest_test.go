package trigger

import (
	"context"
	"encoding/binary"
	"testing"
	"wasmsite/server/internal/wasmbin"

	"github.com/tetratelabs/wazero/api"

	"wasmsite/server/internal/abi"
	"wasmsite/server/internal/engine"
)

// Module encoding helpers (shared with the other host packages' tests).
var (
	uleb    = wasmbin.ULEB
	wname   = wasmbin.EncodeName
	section = wasmbin.EncodeSection
	vec     = wasmbin.EncodeVec
	i32Func = wasmbin.I32FuncType
)

// A Spin guest built by hand from bytes (no wat compiler is available):
// memory, a bump allocator as canonical_abi_realloc, a no-op canonical_abi_free, and a
// handle-http-request export that calls the Go function test.handle with its ten
// arguments and a handle-redis-message export calling test.redis, so tests implement
// the handlers in Go against real guest memory.

func spinGuestModule() []byte {
	handle := []byte{0}
	for p := range 10 {
		handle = append(handle, 0x20, byte(p))
	}
	handle = append(handle, 0x10, 0, 0x0b)              // call import 0
	redis := []byte{0, 0x20, 0, 0x20, 1, 0x10, 1, 0x0b} // call import 1
	m := []byte("\x00asm\x01\x00\x00\x00")
	m = append(m, section(1, vec(i32Func(10, true), i32Func(4, true), i32Func(3, false), i32Func(2, true)))...)
	m = append(m, section(2, vec(
		append(append(wname("test"), wname("handle")...), 0x00, 0),
		append(append(wname("test"), wname("redis")...), 0x00, 3),
	))...)
	m = append(m, section(3, vec([]byte{1}, []byte{2}, []byte{0}, []byte{3}))...)
	m = append(m, section(5, vec([]byte{0x00, 0x04}))...)                      // 4 pages
	m = append(m, section(6, vec([]byte{0x7f, 1, 0x41, 0x80, 0x20, 0x0b}))...) // next = 4096
	m = append(m, section(7, vec(
		append(wname("memory"), 0x02, 0),
		append(wname("canonical_abi_realloc"), 0x00, 2),
		append(wname("canonical_abi_free"), 0x00, 3),
		append(wname("handle-http-request"), 0x00, 4),
		append(wname("handle-redis-message"), 0x00, 5),
	))...)
	m = append(m, section(10, vec(
		wasmbin.BumpRealloc,
		[]byte{2, 0, 0x0b},
		append(uleb(uint32(len(handle))), handle...),
		append(uleb(uint32(len(redis))), redis...),
	))...)
	return m
}

// handlerFunc sees the lifted request and returns the response to lower (nil: trap).
type handlerFunc func(req *abi.HTTPRequest) *abi.HTTPResponse

// redisHandler sees a handle-redis-message payload and returns the pointer the export
// returns; it may write guest memory through g. A negative value traps.
var redisHandler func(g *abi.Guest, payload []byte) int64

// spinComponent compiles the guest with handler as its implementation.
func spinComponent(t *testing.T, id string, handler *handlerFunc) *Component {
	t.Helper()
	ctx := context.Background()
	e, err := engine.New(ctx, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close(ctx) })
	_, err = e.Runtime().NewHostModuleBuilder("test").NewFunctionBuilder().
		WithGoModuleFunction(api.GoModuleFunc(func(ctx context.Context, mod api.Module, s []uint64) {
			g, err := abi.NewGuest(mod)
			if err != nil {
				panic(err)
			}
			req, err := g.LiftOutboundRequest(s[:10])
			if err != nil {
				panic(err)
			}
			resp := (*handler)(req)
			if resp == nil {
				panic("guest trap")
			}
			s[0] = uint64(lowerResponse(ctx, g, resp))
		}), []api.ValueType{api.ValueTypeI32, api.ValueTypeI32, api.ValueTypeI32, api.ValueTypeI32, api.ValueTypeI32,
			api.ValueTypeI32, api.ValueTypeI32, api.ValueTypeI32, api.ValueTypeI32, api.ValueTypeI32},
			[]api.ValueType{api.ValueTypeI32}).Export("handle").
		NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(func(ctx context.Context, mod api.Module, s []uint64) {
		g, err := abi.NewGuest(mod)
		if err != nil {
			panic(err)
		}
		payload, err := g.Bytes(uint32(s[0]), uint32(s[1]))
		if err != nil {
			panic(err)
		}
		r := redisHandler(g, payload)
		if r < 0 {
			panic("guest trap")
		}
		s[0] = uint64(r)
	}), []api.ValueType{api.ValueTypeI32, api.ValueTypeI32}, []api.ValueType{api.ValueTypeI32}).Export("redis").
		Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e.Register("test")
	m, err := e.Compile(ctx, id, spinGuestModule(), engine.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close(ctx) })
	return &Component{ID: id, Module: m, Executor: SpinExecutor{}}
}

// lowerResponse writes resp as the guest would: a 28-byte record at 256 (its RET_AREA),
// headers and body allocated in guest memory.
func lowerResponse(ctx context.Context, g *abi.Guest, resp *abi.HTTPResponse) uint32 {
	const area = 256
	rec := make([]byte, 28)
	binary.LittleEndian.PutUint16(rec, resp.Status)
	if resp.Headers != nil {
		p, err := g.PutStringPairs(ctx, resp.Headers)
		if err != nil {
			panic(err)
		}
		rec[4] = 1
		binary.LittleEndian.PutUint32(rec[8:], p)
		binary.LittleEndian.PutUint32(rec[12:], uint32(len(resp.Headers)))
	}
	if resp.Body != nil {
		p, err := g.PutBytes(ctx, resp.Body)
		if err != nil {
			panic(err)
		}
		rec[16] = 1
		binary.LittleEndian.PutUint32(rec[20:], p)
		binary.LittleEndian.PutUint32(rec[24:], uint32(len(resp.Body)))
	}
	g.Mem.Write(area, rec)
	return area
}
