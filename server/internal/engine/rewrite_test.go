package engine

import (
	"context"
	"encoding/binary"
	"maps"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

func TestExportMutableGlobalsStateful(t *testing.T) {
	wasm := statefulModule()
	out, globals, err := exportMutableGlobals(wasm)
	if err != nil {
		t.Fatal(err)
	}
	if want := []globalInfo{{0, tI32}, {1, tI64}}; !reflect.DeepEqual(globals, want) {
		t.Fatalf("globals %v, want %v", globals, want)
	}
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)
	mod, err := rt.Instantiate(ctx, out)
	if err != nil {
		t.Fatalf("rewritten module does not instantiate: %v", err)
	}
	for _, name := range []string{"_initialize", "inc", "big", "grow", "trap"} {
		if mod.ExportedFunction(name) == nil {
			t.Errorf("original export %s lost", name)
		}
	}
	if mod.ExportedMemory("memory") == nil {
		t.Error("memory export lost")
	}
	if mod.ExportedGlobal(snapshotExportPrefix+"2") != nil {
		t.Error("immutable global exported")
	}
	if _, err := mod.ExportedFunction("_initialize").Call(ctx); err != nil {
		t.Fatal(err)
	}
	g0, ok0 := mod.ExportedGlobal(snapshotExportPrefix + "0").(api.MutableGlobal)
	g1, ok1 := mod.ExportedGlobal(snapshotExportPrefix + "1").(api.MutableGlobal)
	if !ok0 || !ok1 {
		t.Fatal("added exports are not mutable globals")
	}
	if g0.Type() != api.ValueTypeI32 || g1.Type() != api.ValueTypeI64 || g0.Get() != 5 || g1.Get() != 1<<40 {
		t.Errorf("globals %v=%d %v=%d, want i32=5 i64=1<<40", g0.Type(), g0.Get(), g1.Type(), g1.Get())
	}
	// Setting through the export changes what the code sees.
	g0.Set(41)
	if res, err := mod.ExportedFunction("inc").Call(ctx); err != nil || res[0] != 42*1000+10 {
		t.Errorf("inc after set = %v, %v", res, err)
	}
}

func TestExportMutableGlobalsGoReactor(t *testing.T) {
	wasm := isolationGuest(t)
	out, globals, err := exportMutableGlobals(wasm)
	if err != nil {
		t.Fatal(err)
	}
	if len(globals) == 0 {
		t.Fatal("a Go module has mutable globals (its stack pointer); none found")
	}
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, rt)
	before, err := rt.CompileModule(ctx, wasm)
	if err != nil {
		t.Fatal(err)
	}
	cm, err := rt.CompileModule(ctx, out)
	if err != nil {
		t.Fatalf("rewritten Go module does not compile: %v", err)
	}
	if !reflect.DeepEqual(keys(before.ExportedFunctions()), keys(cm.ExportedFunctions())) {
		t.Errorf("function exports changed: %v -> %v", keys(before.ExportedFunctions()), keys(cm.ExportedFunctions()))
	}
	mod, err := rt.InstantiateModule(ctx, cm, wazero.NewModuleConfig().WithStartFunctions())
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range globals {
		eg, ok := mod.ExportedGlobal(snapshotExportPrefix + itoa(g.index)).(api.MutableGlobal)
		if !ok {
			t.Errorf("global %d not exported as mutable", g.index)
			continue
		}
		if byte(eg.Type()) != g.valType {
			t.Errorf("global %d type %#x, want %#x", g.index, eg.Type(), g.valType)
		}
	}
}

func keys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

func itoa(v uint32) string { return strconv.FormatUint(uint64(v), 10) }

func globalModule(imports [][]byte, globals [][]byte, exports [][]byte) []byte {
	m := []byte(wasmHeader)
	if imports != nil {
		m = append(m, wsection(2, wvec(imports...))...)
	}
	if globals != nil {
		m = append(m, wsection(6, wvec(globals...))...)
	}
	if exports != nil {
		m = append(m, wsection(7, wvec(exports...))...)
	}
	return m
}

func TestExportMutableGlobalsIndexing(t *testing.T) {
	imports := [][]byte{
		cat(wname("env"), wname("f"), []byte{0x00, 0x00}),               // func (type 0: absent, fine for parsing)
		cat(wname("env"), wname("tab"), []byte{0x01, 0x70, 0x01, 1, 2}), // table funcref min 1 max 2
		cat(wname("env"), wname("mem"), []byte{0x02, 0x00, 0x01}),       // memory min 1
		cat(wname("env"), wname("g"), []byte{0x03, tI32, 0x00}),         // immutable global #0
		cat(wname("env"), wname("h"), []byte{0x03, tI64, 0x00}),         // immutable global #1
	}
	globals := [][]byte{
		{tI32, 0, 0x41, 1, 0x0b},                            // #2 immutable
		{tI32, 1, 0x23, 0, 0x0b},                            // #3 mutable, init global.get 0
		{0x7d, 1, 0x43, 0, 0, 0x80, 0x3f, 0x0b},             // #4 mutable f32 1.0
		{0x7c, 1, 0x44, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x0b}, // #5 mutable f64 1.0
		{tI32, 1, 0x41, 1, 0x41, 2, 0x6a, 0x0b},             // #6 mutable, extended const
		{tI64, 1, 0x42, 0x80, 0x80, 0x80, 0x80, 0x10, 0x0b}, // #7 mutable i64 multi-byte LEB
	}
	wasm := globalModule(imports, globals, [][]byte{export("x", 3, 2)})
	out, gs, err := exportMutableGlobals(wasm)
	if err != nil {
		t.Fatal(err)
	}
	want := []globalInfo{{3, tI32}, {4, 0x7d}, {5, 0x7c}, {6, tI32}, {7, tI64}}
	if !reflect.DeepEqual(gs, want) {
		t.Fatalf("globals %v, want %v", gs, want)
	}
	// The export section now lists x and the five added globals, in that order.
	var names []string
	for _, g := range gs {
		names = append(names, snapshotExportPrefix+itoa(g.index))
	}
	for _, n := range append([]string{"x"}, names...) {
		if !strings.Contains(string(out), n) {
			t.Errorf("export %s missing", n)
		}
	}
	if !strings.HasPrefix(string(out), string(wasm[:len(wasm)-len(wsection(7, wvec(export("x", 3, 2))))])) {
		t.Error("sections before the export section changed")
	}
	wantExports := wsection(7, wvec(
		export("x", 3, 2),
		export(names[0], 3, 3), export(names[1], 3, 4), export(names[2], 3, 5), export(names[3], 3, 6), export(names[4], 3, 7)))
	if got := out[len(out)-len(wantExports):]; string(got) != string(wantExports) {
		t.Errorf("export section\n% x\nwant\n% x", got, wantExports)
	}
}

func TestExportMutableGlobalsRejects(t *testing.T) {
	exp := [][]byte{export("x", 0, 0)}
	for _, tc := range []struct {
		name string
		wasm []byte
		want string
	}{
		{"empty", nil, "not a wasm binary"},
		{"bad magic", []byte("\x00wasm\x01\x00\x00\x00"), "not a wasm binary"},
		{"no export section", globalModule(nil, [][]byte{{tI32, 1, 0x41, 0, 0x0b}}, nil), "no export section"},
		{"imported mutable global", globalModule([][]byte{cat(wname("env"), wname("g"), []byte{0x03, tI32, 0x01})}, nil, exp), "imports a mutable global"},
		{"mutable funcref global", globalModule(nil, [][]byte{{0x70, 1, 0xd0, 0x70, 0x0b}}, exp), "snapshots cannot restore"},
		{"unknown import kind", globalModule([][]byte{cat(wname("env"), wname("t"), []byte{0x04, 0x00, 0x00})}, nil, exp), "unknown import kind"},
		{"unsupported const opcode", globalModule(nil, [][]byte{{tI32, 1, 0xfd, 0x0c, 0x0b}}, exp), "unsupported opcode"},
		{"unterminated const expr", globalModule(nil, [][]byte{{tI32, 1, 0x41, 0}}, exp), ""},
		{"section past end", []byte(wasmHeader + "\x07\x05\x00"), "past end"},
		{"truncated section size", []byte(wasmHeader + "\x07\x80"), "truncated LEB128"},
		{"overlong LEB", []byte(wasmHeader + "\x07\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x00"), "LEB128 too long"},
		{"huge section size", []byte(wasmHeader + "\x07\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01\x00\x00"), "past end"},
		{"huge import name length", cat([]byte(wasmHeader), wsection(2, cat([]byte{1}, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, []byte("env")))), "truncated import"},
		{"import name length wrapping negative", cat([]byte(wasmHeader), wsection(2, cat([]byte{1}, binary.AppendUvarint(nil, math.MaxUint64-99), []byte("env")))), "truncated import"},
		{"import name past end", cat([]byte(wasmHeader), wsection(2, cat([]byte{1, 200}, []byte("env")))), "truncated import"},
		{"section size wrapping to -1", cat([]byte(wasmHeader), []byte{7}, binary.AppendUvarint(nil, math.MaxUint64), []byte{0, 0}), "past end"},
		{"huge global count", cat([]byte(wasmHeader), wsection(6, []byte{0xff, 0xff, 0xff, 0xff, 0x0f, tI32, 1, 0x41, 0, 0x0b})), "truncated global"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, gs, err := rewriteWithTimeout(t, tc.wasm)
			if err == nil {
				t.Fatalf("accepted: %d bytes, globals %v", len(out), gs)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q, want it to contain %q", err, tc.want)
			}
		})
	}
}

// rewriteWithTimeout runs exportMutableGlobals, failing on a panic or a hang.
func rewriteWithTimeout(t *testing.T, wasm []byte) (out []byte, gs []globalInfo, err error) {
	t.Helper()
	type result struct {
		out []byte
		gs  []globalInfo
		err error
		pan any
	}
	done := make(chan result, 1)
	go func() {
		var r result
		defer func() {
			r.pan = recover()
			done <- r
		}()
		importedTablesAndGlobals(wasm) // must not panic either
		r.out, r.gs, r.err = exportMutableGlobals(wasm)
	}()
	select {
	case r := <-done:
		if r.pan != nil {
			t.Fatalf("panic on %d-byte input: %v", len(wasm), r.pan)
		}
		return r.out, r.gs, r.err
	case <-time.After(5 * time.Second):
		t.Fatalf("exportMutableGlobals did not return on a %d-byte input", len(wasm))
		return nil, nil, nil
	}
}

// Truncated and corrupted modules never panic or hang; whatever is accepted is still a
// module wazero can compile whenever the input compiled.
func TestExportMutableGlobalsMalformed(t *testing.T) {
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)
	inputs := [][]byte{statefulModule(), isolationGuest(t)}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, wasm := range inputs {
		step, corruptions := 1, 3000
		if len(wasm) > 4096 {
			step, corruptions = len(wasm)/1000, 300
		}
		for n := 0; n < len(wasm); n += step {
			rewriteWithTimeout(t, wasm[:n])
		}
		// Corrupt a copy of the first 64 KiB (where the sections this parser reads
		// start) followed by the untouched rest.
		head := wasm[:min(len(wasm), 64<<10)]
		for range corruptions {
			b := append(append(make([]byte, 0, len(wasm)), head...), wasm[len(head):]...)
			for range 1 + rng.IntN(4) {
				i := 8 + rng.IntN(min(len(b)-8, 1+rng.IntN(4096)))
				b[i] = byte(rng.Uint32())
			}
			rewriteWithTimeout(t, b)
		}
	}
	// Inputs that compile keep compiling after the rewrite.
	for _, wasm := range inputs {
		out, _, err := exportMutableGlobals(wasm)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rt.CompileModule(ctx, out); err != nil {
			t.Fatal(err)
		}
	}
}
