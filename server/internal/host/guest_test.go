package host

import (
	"context"
	"testing"

	"github.com/tetratelabs/wazero/api"

	"wasmsite/server/internal/engine"
	"wasmsite/server/internal/wasmbin"
)

// Module encoding helpers (shared with the other host packages' tests).
var (
	uleb    = wasmbin.ULEB
	sleb    = wasmbin.SLEB
	wname   = wasmbin.EncodeName
	section = wasmbin.EncodeSection
	i32Func = wasmbin.I32FuncType
)

func vec(items [][]byte) []byte { return wasmbin.EncodeVec(items...) }

// A guest built by hand from bytes (no wat compiler is available): memory (2 pages), a
// bump allocator as canonical_abi_realloc, a no-op canonical_abi_free, and for each
// imported host function an export of the same name (prefixed with the module) that
// calls it with its own arguments, so the host sees a real guest as its caller.

type hostImport struct {
	module, name string
	params       int
}

const heapStart = 4096

func guestModule(imports []hostImport) []byte {
	// Types: 0 realloc (4)->i32, 1 free (3)->(), then one per import.
	types := [][]byte{i32Func(4, true), i32Func(3, false)}
	var imps, funcs, exports, code [][]byte
	for i, im := range imports {
		types = append(types, i32Func(im.params, false))
		imps = append(imps, append(append(wname(im.module), wname(im.name)...), 0x00, byte(2+i)))
	}
	n := uint32(len(imports)) // defined functions start after the imports
	funcs = append(funcs, uleb(0), uleb(1))
	exports = append(exports,
		append(wname("memory"), 0x02, 0x00),
		append(append(wname("canonical_abi_realloc"), 0x00), uleb(n)...),
		append(append(wname("canonical_abi_free"), 0x00), uleb(n+1)...))
	code = append(code, wasmbin.BumpRealloc, []byte{2, 0, 0x0b})
	for i, im := range imports {
		funcs = append(funcs, uleb(uint32(2+i)))
		exports = append(exports, append(append(wname(im.module+"."+im.name), 0x00), uleb(n+2+uint32(i))...))
		b := []byte{0}
		for p := range im.params {
			b = append(b, 0x20, byte(p))
		}
		b = append(b, 0x10, byte(i), 0x0b)
		code = append(code, append(uleb(uint32(len(b))), b...))
	}
	m := []byte("\x00asm\x01\x00\x00\x00")
	m = append(m, section(1, vec(types))...)
	m = append(m, section(2, vec(imps))...)
	m = append(m, section(3, vec(funcs))...)
	m = append(m, section(5, vec([][]byte{{0x00, 0x02}}))...)
	m = append(m, section(6, vec([][]byte{append([]byte{0x7f, 1, 0x41}, append(sleb(heapStart), 0x0b)...)}))...)
	m = append(m, section(7, vec(exports))...)
	m = append(m, section(10, vec(code))...)
	return m
}

// testGuest is one instance of the hand-built guest against a Host.
type testGuest struct {
	t    *testing.T
	inst *engine.Instance
	mem  api.Memory
	ctx  context.Context
	call *Scope
}

func newTestGuest(t *testing.T, h *Host, caps *Capabilities, imports ...hostImport) *testGuest {
	t.Helper()
	ctx := context.Background()
	e, err := engine.New(ctx, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close(ctx) })
	if err := h.Register(ctx, e); err != nil {
		t.Fatal(err)
	}
	m, err := e.Compile(ctx, "c", guestModule(imports), engine.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close(ctx) })
	inst, err := m.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inst.Release(false) })
	c := &Scope{Caps: caps}
	return &testGuest{t: t, inst: inst, mem: inst.Memory(), ctx: WithScope(ctx, c), call: c}
}

// invoke calls the import through the guest's wrapper.
func (g *testGuest) invoke(module, name string, params ...uint64) error {
	g.t.Helper()
	_, err := g.inst.ExportedFunction(module+"."+name).Call(g.ctx, params...)
	return err
}

// str writes s at p and returns (p, len).
func (g *testGuest) str(p uint32, s string) (uint64, uint64) {
	g.t.Helper()
	if !g.mem.WriteString(p, s) {
		g.t.Fatalf("write at %#x", p)
	}
	return uint64(p), uint64(len(s))
}

func (g *testGuest) u8(p uint32) uint8   { v, _ := g.mem.ReadByte(p); return v }
func (g *testGuest) u32(p uint32) uint32 { v, _ := g.mem.ReadUint32Le(p); return v }
func (g *testGuest) u64(p uint32) uint64 { v, _ := g.mem.ReadUint64Le(p); return v }

func (g *testGuest) read(p, n uint32) string {
	g.t.Helper()
	b, ok := g.mem.Read(p, n)
	if !ok {
		g.t.Fatalf("read %#x+%d out of bounds", p, n)
	}
	return string(b)
}

// fill sets n bytes at p to 0xEE, so tests see exactly what the host wrote.
func (g *testGuest) fill(p, n uint32) {
	b := make([]byte, n)
	for i := range b {
		b[i] = 0xEE
	}
	g.mem.Write(p, b)
}
