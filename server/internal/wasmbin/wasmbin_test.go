package wasmbin

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// sampleModule has a start function, two mutable globals, an immutable one, one page
// of memory with an active and a passive data segment, and exports:
//
//	start:  $a = $a + 1; mem[8] = 7
//	a() i32: $a    mem8() i32: mem[8]    hello() i32: mem[16] (first byte of "hello")
func sampleModule(withStart bool) []byte {
	types := EncodeSection(SectionType, EncodeVec(EncodeFuncType(nil, nil), EncodeFuncType(nil, []byte{I32})))
	funcs := EncodeSection(SectionFunction, EncodeVec([]byte{0}, []byte{1}, []byte{1}, []byte{1}))
	mem := EncodeSection(SectionMemory, EncodeVec([]byte{0x01, 0x01, 0x02}))
	globals := EncodeSection(SectionGlobal, EncodeVec(
		[]byte{I32, 1, 0x41, 40, 0x0b},
		[]byte{I64, 1, 0x42, 1, 0x0b},
		[]byte{I32, 0, 0x41, 3, 0x0b},
	))
	exports := EncodeSection(SectionExport, EncodeVec(
		EncodeExport("memory", KindMemory, 0),
		EncodeExport("a", KindFunc, 1),
		EncodeExport("mem8", KindFunc, 2),
		EncodeExport("hello", KindFunc, 3),
	))
	var start []byte
	if withStart {
		start = EncodeSection(SectionStart, ULEB(0))
	}
	code := EncodeSection(SectionCode, EncodeVec(
		EncodeBody(0x23, 0, 0x41, 1, 0x6a, 0x24, 0, 0x41, 8, 0x41, 7, 0x3a, 0, 0, 0x0b),
		EncodeBody(0x23, 0, 0x0b),
		EncodeBody(0x41, 8, 0x2d, 0, 0, 0x0b),
		EncodeBody(0x41, 16, 0x2d, 0, 0, 0x0b),
	))
	data := EncodeSection(SectionData, EncodeVec(
		Cat([]byte{0x00, 0x41, 16, 0x0b}, EncodeName("hello")),
		Cat([]byte{0x01}, EncodeName("passive")),
		Cat([]byte{0x02, 0x00, 0x41, 0x80, 0x01, 0x0b}, EncodeName("two")),
	))
	return Cat([]byte(Header), types, funcs, mem, globals, exports, start, code, data)
}

func TestParse(t *testing.T) {
	m, err := Parse(sampleModule(true))
	if err != nil {
		t.Fatal(err)
	}
	if m.Memory == nil || m.Memory.Min != 1 || !m.Memory.HasMax || m.Memory.Max != 2 {
		t.Errorf("memory %+v", m.Memory)
	}
	if want := []Global{{I32, true}, {I64, true}, {I32, false}}; !reflect.DeepEqual(m.Globals, want) {
		t.Errorf("globals %+v", m.Globals)
	}
	if got := m.MutableGlobals(); !reflect.DeepEqual(got, []uint32{0, 1}) {
		t.Errorf("mutable globals %v", got)
	}
	if m.Start == nil || *m.Start != 0 {
		t.Errorf("start %v", m.Start)
	}
	if e, ok := m.ExportNamed("hello"); !ok || e.Kind != KindFunc || e.Index != 3 {
		t.Errorf("export hello %+v %v", e, ok)
	}
	if len(m.Data) != 3 || !m.Data[0].Active || m.Data[1].Active || string(m.Data[1].Init) != "passive" || m.Data[2].Offset.I32 != 128 {
		t.Errorf("data %+v", m.Data)
	}
	placed, constant, err := m.ActiveData()
	if err != nil || !constant {
		t.Fatal(constant, err)
	}
	want := []Placement{{16, []byte("hello")}, {128, []byte("two")}}
	if !reflect.DeepEqual(placed, want) {
		t.Errorf("ActiveData %v, want %v", placed, want)
	}
}

func TestParseImports(t *testing.T) {
	wasm := Cat([]byte(Header), EncodeSection(SectionImport, EncodeVec(
		EncodeFuncImport("env", "f", 0),
		Cat(EncodeName("env"), EncodeName("tab"), []byte{KindTable, FuncRef, 0x01, 1, 2}),
		Cat(EncodeName("env"), EncodeName("mem"), []byte{KindMemory, 0x00, 1}),
		Cat(EncodeName("env"), EncodeName("g"), []byte{KindGlobal, I32, 1}),
		Cat(EncodeName("env"), EncodeName("tag"), []byte{KindTag, 0, 0}),
	)), EncodeSection(SectionGlobal, EncodeVec([]byte{I32, 1, 0x41, 0, 0x0b})))
	m, err := Parse(wasm)
	if err != nil {
		t.Fatal(err)
	}
	if m.ImportedFuncs != 1 || m.ImportedGlobals != 1 || len(m.Imports) != 5 || !m.Imports[3].Mutable {
		t.Errorf("%+v", m)
	}
	if got := m.MutableGlobals(); !reflect.DeepEqual(got, []uint32{1}) {
		t.Errorf("mutable globals %v: defined ones are numbered after imported ones", got)
	}
}

// The rewritten module keeps the original's behaviour apart from what was asked: the
// start function no longer runs at instantiation but is exported, active segments are
// empty, and mutable globals are exported.
func TestRewrite(t *testing.T) {
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)
	m, err := Parse(sampleModule(true))
	if err != nil {
		t.Fatal(err)
	}
	out, err := m.Rewrite(Rewrite{ExportGlobals: true, ExportStart: true, EmptyActiveData: true})
	if err != nil {
		t.Fatal(err)
	}
	mod, err := rt.Instantiate(ctx, out)
	if err != nil {
		t.Fatalf("rewritten module does not instantiate: %v", err)
	}
	call := func(name string) uint64 {
		res, err := mod.ExportedFunction(name).Call(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(res) == 0 {
			return 0
		}
		return res[0]
	}
	if call("a") != 40 || call("mem8") != 0 || call("hello") != 0 {
		t.Fatalf("after instantiation a=%d mem8=%d hello=%d, want 40 0 0 (start not run, data empty)", call("a"), call("mem8"), call("hello"))
	}
	call(StartExport)
	if call("a") != 41 || call("mem8") != 7 {
		t.Fatalf("after the exported start a=%d mem8=%d, want 41 7", call("a"), call("mem8"))
	}
	g0, ok0 := mod.ExportedGlobal(GlobalExportPrefix + "0").(api.MutableGlobal)
	g1, ok1 := mod.ExportedGlobal(GlobalExportPrefix + "1").(api.MutableGlobal)
	if !ok0 || !ok1 || mod.ExportedGlobal(GlobalExportPrefix+"2") != nil {
		t.Fatal("mutable globals not exported as mutable, or the immutable one exported")
	}
	g0.Set(99)
	if call("a") != 99 || g1.Type() != api.ValueTypeI64 {
		t.Error("setting an exported global does not change what the code sees")
	}
	// Without changes asked, the bytes are the original's.
	same, err := m.Rewrite(Rewrite{})
	if err != nil || !bytes.Equal(same, m.Bytes) {
		t.Errorf("empty rewrite changed the module (%v)", err)
	}
}

// A module without an export section gets one, in its place in the section order.
func TestRewriteAddsExportSection(t *testing.T) {
	wasm := Cat([]byte(Header),
		EncodeSection(SectionType, EncodeVec(EncodeFuncType(nil, nil))),
		EncodeSection(SectionFunction, EncodeVec([]byte{0})),
		EncodeSection(SectionGlobal, EncodeVec([]byte{I32, 1, 0x41, 5, 0x0b})),
		EncodeSection(SectionStart, ULEB(0)),
		EncodeSection(SectionCode, EncodeVec(EncodeBody(0x0b))))
	m, err := Parse(wasm)
	if err != nil {
		t.Fatal(err)
	}
	out, err := m.Rewrite(Rewrite{ExportGlobals: true, ExportStart: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)
	mod, err := rt.Instantiate(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	if mod.ExportedFunction(StartExport) == nil || mod.ExportedGlobal(GlobalExportPrefix+"0").Get() != 5 {
		t.Error("exports missing")
	}
}

func TestRewriteRejects(t *testing.T) {
	ref := Cat([]byte(Header), EncodeSection(SectionGlobal, EncodeVec([]byte{FuncRef, 1, 0xd0, FuncRef, 0x0b})))
	m, err := Parse(ref)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Rewrite(Rewrite{ExportGlobals: true}); err == nil || !strings.Contains(err.Error(), "cannot be restored") {
		t.Errorf("reference global: %v", err)
	}
	taken := Cat([]byte(Header), EncodeSection(SectionType, EncodeVec(EncodeFuncType(nil, nil))),
		EncodeSection(SectionFunction, EncodeVec([]byte{0})),
		EncodeSection(SectionExport, EncodeVec(EncodeExport(StartExport, KindFunc, 0))),
		EncodeSection(SectionStart, ULEB(0)),
		EncodeSection(SectionCode, EncodeVec(EncodeBody(0x0b))))
	if m, err = Parse(taken); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Rewrite(Rewrite{ExportStart: true}); err == nil || !strings.Contains(err.Error(), "already exports") {
		t.Errorf("taken name: %v", err)
	}
}

func TestActiveDataNotConstant(t *testing.T) {
	wasm := Cat([]byte(Header),
		EncodeSection(SectionMemory, EncodeVec([]byte{0x00, 0x01})),
		EncodeSection(SectionGlobal, EncodeVec([]byte{I32, 0, 0x41, 4, 0x0b})),
		EncodeSection(SectionData, EncodeVec(Cat([]byte{0x00, 0x23, 0, 0x0b}, EncodeName("x")))))
	m, err := Parse(wasm)
	if err != nil {
		t.Fatal(err)
	}
	if _, constant, err := m.ActiveData(); constant || err != nil {
		t.Errorf("global.get offset: constant %v, %v", constant, err)
	}
	outside := Cat([]byte(Header),
		EncodeSection(SectionMemory, EncodeVec([]byte{0x00, 0x01})),
		EncodeSection(SectionData, EncodeVec(Cat([]byte{0x00, 0x41, 0xff, 0xff, 0x03, 0x0b}, EncodeName("xy")))))
	if m, err = Parse(outside); err != nil {
		t.Fatal(err)
	}
	if _, _, err := m.ActiveData(); !errors.Is(err, ErrMalformed) {
		t.Errorf("segment past the memory: %v", err)
	}
}

// codeModule wraps one function body (locals included) in a module.
func codeModule(body []byte) []byte {
	return Cat([]byte(Header),
		EncodeSection(SectionType, EncodeVec(EncodeFuncType(nil, nil))),
		EncodeSection(SectionFunction, EncodeVec([]byte{0})),
		EncodeSection(SectionCode, EncodeVec(Cat(ULEB(uint32(len(body))), body))))
}

func TestCodeEffects(t *testing.T) {
	for _, tc := range []struct {
		name string
		body []byte
		want Effects
	}{
		{"plain", []byte{0x01, 0x02, I32, 0x41, 0x80, 0x01, 0x21, 0x00, 0x0b}, Effects{}},
		{"control", []byte{0x00, 0x02, 0x40, 0x03, 0x7f, 0x41, 0x01, 0x0e, 0x02, 0, 1, 0, 0x0b, 0x1a, 0x0b, 0x0b}, Effects{}},
		{"loads stores memarg with memory index", []byte{0x00, 0x41, 0, 0x28, 0x42, 0x00, 0x10, 0x1a, 0x0b}, Effects{}},
		{"select t", []byte{0x00, 0x41, 1, 0x41, 2, 0x41, 0, 0x1c, 0x01, I32, 0x1a, 0x0b}, Effects{}},
		{"constants", []byte{0x00, 0x42, 0x80, 0x80, 0x04, 0x1a, 0x43, 0, 0, 0, 0, 0x1a, 0x44, 0, 0, 0, 0, 0, 0, 0, 0, 0x1a, 0x0b}, Effects{}},
		{"simd", Cat([]byte{0x00, 0xfd, 0x0c}, make([]byte, 16), []byte{0xfd, 0x15, 0x00, 0x1a, 0x0b}), Effects{}},
		{"memory.init reads a segment", []byte{0x00, 0x41, 0, 0x41, 0, 0x41, 0, 0xfc, 0x08, 0x00, 0x00, 0x0b}, Effects{}},
		{"memory.copy and fill", []byte{0x00, 0x41, 0, 0x41, 0, 0x41, 0, 0xfc, 0x0a, 0, 0, 0x41, 0, 0x41, 0, 0x41, 0, 0xfc, 0x0b, 0, 0x0b}, Effects{}},
		{"table.get and size", []byte{0x00, 0x41, 0, 0x25, 0x00, 0x1a, 0xfc, 0x10, 0x00, 0x1a, 0x0b}, Effects{}},
		{"table.set", []byte{0x00, 0x41, 0, 0xd0, FuncRef, 0x26, 0x00, 0x0b}, Effects{WritesTables: true}},
		{"table.grow", []byte{0x00, 0xd0, FuncRef, 0x41, 1, 0xfc, 0x0f, 0x00, 0x1a, 0x0b}, Effects{WritesTables: true}},
		{"table.fill", []byte{0x00, 0x41, 0, 0xd0, FuncRef, 0x41, 1, 0xfc, 0x11, 0x00, 0x0b}, Effects{WritesTables: true}},
		{"table.copy", []byte{0x00, 0x41, 0, 0x41, 0, 0x41, 0, 0xfc, 0x0e, 0, 0, 0x0b}, Effects{WritesTables: true}},
		{"table.init", []byte{0x00, 0x41, 0, 0x41, 0, 0x41, 0, 0xfc, 0x0c, 0, 0, 0x0b}, Effects{WritesTables: true}},
		{"data.drop", []byte{0x00, 0xfc, 0x09, 0x00, 0x0b}, Effects{DropsSegments: true}},
		{"elem.drop", []byte{0x00, 0xfc, 0x0d, 0x00, 0x0b}, Effects{DropsSegments: true}},
		{"gc proposal", []byte{0x00, 0xfb, 0x00, 0x00, 0x0b}, Effects{Unknown: "opcode 0xfb"}},
		{"unknown misc", []byte{0x00, 0xfc, 0x30, 0x0b}, Effects{Unknown: "opcode 0xfc 48"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Parse(codeModule(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			got, err := m.CodeEffects()
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("effects %+v, want %+v", got, tc.want)
			}
			if got.Confined() != (tc.want == Effects{}) {
				t.Errorf("Confined() = %v", got.Confined())
			}
		})
	}
}

// Truncated and corrupted modules never make the reader panic or hang.
func TestMalformed(t *testing.T) {
	inputs := [][]byte{sampleModule(true), codeModule([]byte{0x00, 0xfd, 0x0c, 1, 2, 3, 0x0b})}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, wasm := range inputs {
		for n := range len(wasm) {
			readAll(wasm[:n])
		}
		for range 3000 {
			b := bytes.Clone(wasm)
			for range 1 + rng.IntN(4) {
				b[8+rng.IntN(len(b)-8)] = byte(rng.Uint32())
			}
			readAll(b)
		}
	}
	for _, tc := range []struct{ name, wasm, want string }{
		{"empty", "", "not a WebAssembly binary"},
		{"version 2", "\x00asm\x02\x00\x00\x00", "unsupported binary version"},
		{"section past end", Header + "\x07\x05\x00", "past the end"},
		{"overlong LEB", Header + "\x07\x80\x80\x80\x80\x80\x80\x00", "wider than 32 bits"},
	} {
		if _, err := Parse([]byte(tc.wasm)); err == nil || !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

// readAll runs every reader on wasm, as the host does.
func readAll(wasm []byte) {
	m, err := Parse(wasm)
	if err != nil {
		return
	}
	m.ActiveData()
	m.CodeEffects()
	m.Rewrite(Rewrite{ExportGlobals: true, ExportStart: true, EmptyActiveData: true})
}

func FuzzParse(f *testing.F) {
	f.Add(sampleModule(true))
	f.Add(codeModule([]byte{0x00, 0x41, 0, 0xd0, FuncRef, 0x26, 0x00, 0x0b}))
	f.Fuzz(func(t *testing.T, wasm []byte) { readAll(wasm) })
}

// interruptModule exports forever() (an endless loop) and sum(n) (a loop adding 1..n).
func interruptModule() []byte {
	return Cat([]byte(Header),
		EncodeSection(SectionType, EncodeVec(EncodeFuncType(nil, nil), EncodeFuncType([]byte{I32}, []byte{I32}))),
		EncodeSection(SectionFunction, EncodeVec([]byte{0}, []byte{1})),
		EncodeSection(SectionGlobal, EncodeVec([]byte{I32, 1, 0x41, 0, 0x0b})),
		EncodeSection(SectionExport, EncodeVec(EncodeExport("forever", KindFunc, 0), EncodeExport("sum", KindFunc, 1))),
		EncodeSection(SectionCode, EncodeVec(
			EncodeBody(0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b), // loop br 0 end
			// local $acc; loop: acc += n; n -= 1; br_if n; end; acc
			withSize([]byte{0x01, 0x01, I32,
				0x03, 0x40,
				0x20, 1, 0x20, 0, 0x6a, 0x21, 1,
				0x20, 0, 0x41, 1, 0x6b, 0x22, 0,
				0x0d, 0x00,
				0x0b, 0x20, 1, 0x0b}),
		)))
}

func TestRewriteInterrupt(t *testing.T) {
	m, err := Parse(interruptModule())
	if err != nil {
		t.Fatal(err)
	}
	out, err := m.Rewrite(Rewrite{Interrupt: true})
	if err != nil {
		t.Fatal(err)
	}
	// The host's listener on the yield function lets the Go scheduler in.
	ctx := experimental.WithFunctionListenerFactory(context.Background(), yieldListeners{})
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)
	mod, err := rt.Instantiate(ctx, out)
	if err != nil {
		t.Fatalf("instrumented module does not instantiate: %v", err)
	}
	if res, err := mod.ExportedFunction("sum").Call(ctx, 10); err != nil || res[0] != 55 {
		t.Fatalf("sum(10) = %v, %v; want 55", res, err)
	}
	flag, ok := mod.ExportedGlobal(InterruptExport).(api.MutableGlobal)
	fuel, ok2 := mod.ExportedGlobal(FuelExport).(api.MutableGlobal)
	if !ok || !ok2 || flag.Get() != 0 {
		t.Fatal("interrupt flag and fuel not exported as mutable globals, the flag at 0")
	}
	// A looping guest yields, so a garbage collection (which stops the world) completes
	// while it runs; the flag stops it.
	for round := range 20 {
		flag.Set(0)
		done := make(chan error, 1)
		go func() {
			_, err := mod.ExportedFunction("forever").Call(ctx)
			done <- err
		}()
		time.Sleep(time.Duration(round%4) * time.Millisecond)
		collected := make(chan struct{})
		go func() { runtime.GC(); close(collected) }()
		select {
		case <-collected:
		case <-time.After(5 * time.Second):
			t.Fatal("a garbage collection did not complete while the guest looped")
		}
		flag.Set(1)
		fuel.Set(1)
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "unreachable") {
				t.Fatalf("interrupted loop returned %v, want an unreachable trap", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("setting the flag did not stop the loop")
		}
	}
}

// With tail calls the check is also at every function's entry; branch depths stay valid.
func TestInstrumentBodies(t *testing.T) {
	check := interruptCheck(6, 7, 8)
	body := []byte{0x00, 0x03, 0x40, 0x03, 0x7f, 0x41, 1, 0x0c, 0x00, 0x0b, 0x1a, 0x0b, 0x12, 0x00, 0x0b}
	var eff Effects
	scan, err := scanBody(body, &eff)
	if err != nil || !eff.TailCalls || len(scan.loops) != 2 {
		t.Fatalf("scan %+v %+v %v", scan, eff, err)
	}
	got := instrumentBody(body, scan, check, true)
	want := Cat([]byte{0x00}, check, []byte{0x03, 0x40}, check, []byte{0x03, 0x7f}, check, []byte{0x41, 1, 0x0c, 0x00, 0x0b, 0x1a, 0x0b, 0x12, 0x00, 0x0b})
	if !bytes.Equal(got, want) {
		t.Errorf("instrumented\n% x\nwant\n% x", got, want)
	}
}

func withSize(body []byte) []byte { return Cat(ULEB(uint32(len(body))), body) }

// yieldListeners is what a host does on the yield function (see YieldExport).
type yieldListeners struct{}

func (yieldListeners) NewFunctionListener(def api.FunctionDefinition) experimental.FunctionListener {
	if slices.Contains(def.ExportNames(), YieldExport) {
		return yieldListeners{}
	}
	return nil
}

func (yieldListeners) Before(context.Context, api.Module, api.FunctionDefinition, []uint64, experimental.StackIterator) {
	runtime.Gosched()
}
func (yieldListeners) After(context.Context, api.Module, api.FunctionDefinition, []uint64) {}
func (yieldListeners) Abort(context.Context, api.Module, api.FunctionDefinition, error)    {}
