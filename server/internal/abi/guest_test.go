package abi

import (
	"context"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"wasmsite/server/internal/wasmbin"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"wasmsite/functions/sdk/spin"
)

// Module encoding helpers (shared with the other host packages' tests).
var (
	leb     = wasmbin.ULEB
	name    = wasmbin.EncodeName
	section = wasmbin.EncodeSection
	vec     = wasmbin.EncodeVec
)

// The tests run the ABI layer against a module built by hand from bytes: it defines a
// memory and re-exports functions imported from a Go host module as
// canonical_abi_realloc, canonical_abi_free and handle-http-request, so the test
// controls (and records) every allocation, free and handler call.

type call struct{ a, b, c, d uint32 }

type fakeGuest struct {
	t       testing.TB
	mem     api.Memory
	next    uint32                                       // bump pointer
	allocs  []call                                       // realloc calls (old, oldLen, align, newLen)
	ptrs    []uint32                                     // what each realloc call returned
	frees   []call                                       // (ptr, size, align)
	realloc func(old, oldLen, align, size uint32) uint32 // overrides the bump allocator
	handler func(ctx context.Context, p []uint64) uint32
	g       *Guest
	mod     api.Module
}

func (f *fakeGuest) bump(old, oldLen, align, size uint32) uint32 {
	if size == 0 {
		return align
	}
	p := (f.next + align - 1) &^ (align - 1)
	f.next = p + size
	for uint64(f.next) > uint64(f.mem.Size()) {
		if _, ok := f.mem.Grow(1); !ok {
			panic("out of memory")
		}
	}
	return p
}

// buildModule returns a module importing host.{realloc,free,handle}, defining a memory
// of 1 page (max 4) when withMemory, and exporting the named subset of
// memory/canonical_abi_realloc/canonical_abi_free/handle-http-request.
func buildModule(withMemory bool, exports ...string) []byte {
	i32 := byte(0x7f)
	fn := func(params, results int) []byte {
		b := []byte{0x60}
		b = append(b, leb(uint32(params))...)
		for range params {
			b = append(b, i32)
		}
		b = append(b, leb(uint32(results))...)
		for range results {
			b = append(b, i32)
		}
		return b
	}
	imp := func(field string, typ byte) []byte {
		return append(append(name("host"), name(field)...), 0x00, typ)
	}
	m := []byte("\x00asm\x01\x00\x00\x00")
	m = append(m, section(1, vec(fn(4, 1), fn(3, 0), fn(10, 1)))...)
	m = append(m, section(2, vec(imp("realloc", 0), imp("free", 1), imp("handle", 2)))...)
	if withMemory {
		m = append(m, section(5, vec([]byte{0x01, 0x01, 0x04}))...)
	}
	kinds := map[string][]byte{
		spin.ExportMemory:     {0x02, 0x00},
		spin.ExportRealloc:    {0x00, 0x00},
		spin.ExportFree:       {0x00, 0x01},
		"handle-http-request": {0x00, 0x02},
	}
	var es [][]byte
	for _, e := range exports {
		es = append(es, append(name(e), kinds[e]...))
	}
	m = append(m, section(7, vec(es...))...)
	return m
}

var allExports = []string{spin.ExportMemory, spin.ExportRealloc, spin.ExportFree, "handle-http-request"}

// newFake instantiates a guest module with the given exports against a fresh host.
func newFake(t testing.TB, withMemory bool, exports ...string) (*fakeGuest, api.Module) {
	t.Helper()
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	t.Cleanup(func() { rt.Close(ctx) })
	f := &fakeGuest{t: t, next: 1024}
	i32 := api.ValueTypeI32
	_, err := rt.NewHostModuleBuilder("host").
		NewFunctionBuilder().WithGoFunction(api.GoFunc(func(ctx context.Context, s []uint64) {
		old, oldLen, align, size := uint32(s[0]), uint32(s[1]), uint32(s[2]), uint32(s[3])
		f.allocs = append(f.allocs, call{old, oldLen, align, size})
		var p uint32
		if f.realloc != nil {
			p = f.realloc(old, oldLen, align, size)
		} else {
			p = f.bump(old, oldLen, align, size)
		}
		f.ptrs = append(f.ptrs, p)
		s[0] = uint64(p)
	}), []api.ValueType{i32, i32, i32, i32}, []api.ValueType{i32}).Export("realloc").
		NewFunctionBuilder().WithGoFunction(api.GoFunc(func(ctx context.Context, s []uint64) {
		f.frees = append(f.frees, call{uint32(s[0]), uint32(s[1]), uint32(s[2]), 0})
	}), []api.ValueType{i32, i32, i32}, nil).Export("free").
		NewFunctionBuilder().WithGoFunction(api.GoFunc(func(ctx context.Context, s []uint64) {
		s[0] = uint64(f.handler(ctx, s[:10]))
	}), []api.ValueType{i32, i32, i32, i32, i32, i32, i32, i32, i32, i32}, []api.ValueType{i32}).Export("handle").
		Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mod, err := rt.InstantiateWithConfig(ctx, buildModule(withMemory, exports...), wazero.NewModuleConfig().WithName("guest"))
	if err != nil {
		t.Fatal(err)
	}
	f.mod = mod
	f.mem = mod.Memory()
	return f, mod
}

func newGuest(t testing.TB) *fakeGuest {
	t.Helper()
	f, mod := newFake(t, true, allExports...)
	g, err := NewGuest(mod)
	if err != nil {
		t.Fatal(err)
	}
	f.g = g
	return f
}

func (f *fakeGuest) put(p uint32, b []byte) {
	f.t.Helper()
	if !f.mem.Write(p, b) {
		f.t.Fatalf("write %#x+%d out of bounds", p, len(b))
	}
}

func (f *fakeGuest) putU32s(p uint32, vs ...uint32) {
	f.t.Helper()
	b := make([]byte, 4*len(vs))
	for i, v := range vs {
		binary.LittleEndian.PutUint32(b[4*i:], v)
	}
	f.put(p, b)
}

func wantABIError(t *testing.T, err error, contains string) {
	t.Helper()
	var ae *Error
	if !errors.As(err, &ae) {
		t.Fatalf("error = %v (%T), want *abi.Error containing %q", err, err, contains)
	}
	if !strings.Contains(ae.Error(), contains) {
		t.Fatalf("error = %q, want it to contain %q", ae.Error(), contains)
	}
}

func TestNewGuestMissingExports(t *testing.T) {
	for _, tc := range []struct {
		memory  bool
		exports []string
		want    string
	}{
		{false, []string{spin.ExportRealloc, spin.ExportFree}, "does not export memory"},
		{true, []string{spin.ExportMemory, spin.ExportFree}, "does not export canonical_abi_realloc"},
		{true, []string{spin.ExportMemory, spin.ExportRealloc}, "does not export canonical_abi_free"},
		{true, []string{spin.ExportRealloc, spin.ExportFree}, "does not export memory"}, // memory defined but not exported as "memory"
	} {
		_, mod := newFake(t, tc.memory, tc.exports...)
		g, err := NewGuest(mod)
		if err == nil {
			t.Errorf("NewGuest with exports %q = %v, want error %q", tc.exports, g, tc.want)
			continue
		}
		wantABIError(t, err, tc.want)
	}
}

func TestCheckBounds(t *testing.T) {
	f := newGuest(t)
	g := f.g
	size := g.Mem.Size()
	if size != 65536 {
		t.Fatalf("memory size %d, want 65536", size)
	}
	for _, tc := range []struct {
		p, n, align uint32
		ok          bool
	}{
		{0, 0, 1, true},
		{0, 65536, 1, true},
		{0, 65537, 1, false},
		{65532, 4, 4, true},
		{65533, 4, 1, false},
		{65536, 0, 1, true},
		{65537, 0, 1, false},
		{2, 4, 4, false}, // misaligned
		{2, 4, 2, true},  // aligned to 2
		{8, 16, 8, true}, // aligned to 8
		{12, 16, 8, false},
		{0xFFFFFFFF, 2, 1, false}, // p+n overflows uint32
		{0xFFFFFFF0, 0x20, 1, false},
	} {
		err := g.Check(tc.p, tc.n, tc.align)
		if (err == nil) != tc.ok {
			t.Errorf("Check(%#x, %d, %d) = %v, want ok=%v", tc.p, tc.n, tc.align, err, tc.ok)
		}
		var ae *Error
		if err != nil && !errors.As(err, &ae) {
			t.Errorf("Check error %T is not *abi.Error", err)
		}
	}
	// Memory growth moves the bound.
	if _, ok := g.Mem.Grow(1); !ok {
		t.Fatal("grow failed")
	}
	if err := g.Check(65536, 65536, 4); err != nil {
		t.Errorf("after growing to 2 pages: %v", err)
	}
	if err := g.Check(65536, 65537, 4); err == nil {
		t.Error("after growing to 2 pages: range past the end accepted")
	}
}

func TestBytesAndString(t *testing.T) {
	f := newGuest(t)
	g := f.g
	f.put(100, []byte("héllo\xff"))
	b, err := g.Bytes(100, 7)
	if err != nil || string(b) != "héllo\xff" {
		t.Fatalf("Bytes = %q, %v", b, err)
	}
	// Bytes is a copy.
	f.put(100, []byte("X"))
	if b[0] != 'h' {
		t.Errorf("Bytes aliases guest memory")
	}
	if b, err := g.Bytes(5, 0); err != nil || b == nil || len(b) != 0 {
		t.Errorf("Bytes(5, 0) = %#v, %v; want a non-nil empty slice", b, err)
	}
	s, err := g.String(101, 5)
	if err != nil || s != "éllo" {
		t.Errorf("String = %q, %v; want \"éllo\"", s, err)
	}
	if s, err := g.String(65536, 0); err != nil || s != "" {
		t.Errorf("String at end of memory, length 0 = %q, %v", s, err)
	}
	_, err = g.String(100, 7)
	wantABIError(t, err, "not valid UTF-8")
	_, err = g.String(102, 1) // the middle of "é"
	wantABIError(t, err, "not valid UTF-8")
	_, err = g.String(65530, 7)
	wantABIError(t, err, "outside memory")
	_, err = g.Bytes(65530, 7)
	wantABIError(t, err, "outside memory")
	_, err = g.Bytes(0, MaxList+1)
	wantABIError(t, err, "exceeds limit")
	_, err = g.String(0, MaxList+1)
	wantABIError(t, err, "exceeds limit")
}

func TestScalars(t *testing.T) {
	f := newGuest(t)
	f.put(200, []byte{1, 2, 3, 4, 5, 6, 7, 8})
	g := f.g
	if g.U8(200) != 1 || g.U16(200) != 0x0201 || g.U32(200) != 0x04030201 || g.U64(200) != 0x0807060504030201 {
		t.Errorf("little-endian reads: %#x %#x %#x %#x", g.U8(200), g.U16(200), g.U32(200), g.U64(200))
	}
	if g.U32(65534) != 0 || g.U64(65530) != 0 {
		t.Error("out-of-bounds scalar reads are not 0")
	}
}

func TestStringListAndPairs(t *testing.T) {
	f := newGuest(t)
	g := f.g
	f.put(300, []byte("abcdef"))
	// list<string> at 64: "ab", "", "cdef"
	f.putU32s(64, 300, 2, 9999, 0, 302, 4)
	ss, err := g.StringList(64, 3)
	if err != nil || len(ss) != 3 || ss[0] != "ab" || ss[1] != "" || ss[2] != "cdef" {
		t.Fatalf("StringList = %q, %v", ss, err)
	}
	if ss, err := g.StringList(0xFFFF0000, 0); err != nil || len(ss) != 0 {
		t.Errorf("empty StringList with a dangling pointer = %q, %v", ss, err)
	}
	_, err = g.StringList(66, 1)
	wantABIError(t, err, "not aligned")
	_, err = g.StringList(65532, 1)
	wantABIError(t, err, "outside memory")
	_, err = g.StringList(64, MaxList/8+1)
	wantABIError(t, err, "exceeds limit")
	f.putU32s(72, 65535, 2) // element pointing past the end
	_, err = g.StringList(64, 3)
	wantABIError(t, err, "outside memory")

	// list<tuple<string,string>> at 128: ("ab","cd"), ("ef","")
	f.putU32s(128, 300, 2, 302, 2, 304, 2, 0, 0)
	pairs, err := g.StringPairs(128, 2)
	if err != nil || len(pairs) != 2 || pairs[0] != [2]string{"ab", "cd"} || pairs[1] != [2]string{"ef", ""} {
		t.Fatalf("StringPairs = %q, %v", pairs, err)
	}
	_, err = g.StringPairs(130, 1)
	wantABIError(t, err, "not aligned")
	_, err = g.StringPairs(65528, 1)
	wantABIError(t, err, "outside memory")
	f.put(306, []byte{0xc3})
	f.putU32s(140, 306, 1) // second value: invalid UTF-8
	_, err = g.StringPairs(128, 2)
	wantABIError(t, err, "not valid UTF-8")
}

func TestAlloc(t *testing.T) {
	f := newGuest(t)
	g := f.g
	ctx := context.Background()
	p, err := g.Alloc(ctx, 10, 8)
	if err != nil || p != 1024 {
		t.Fatalf("Alloc = %#x, %v; want 1024", p, err)
	}
	if len(f.allocs) != 1 || f.allocs[0] != (call{0, 0, 8, 10}) {
		t.Fatalf("realloc calls %v, want [(0,0,8,10)]", f.allocs)
	}
	// A zero size returns whatever the guest gives (its dangling pointer) unchecked.
	f.realloc = func(_, _, _, _ uint32) uint32 { return 0xFFFFFFFF }
	if p, err := g.Alloc(ctx, 0, 4); err != nil || p != 0xFFFFFFFF {
		t.Errorf("Alloc(0) = %#x, %v", p, err)
	}
	_, err = g.Alloc(ctx, 1, 1)
	wantABIError(t, err, "outside memory")
	f.realloc = func(_, _, _, _ uint32) uint32 { return 65530 }
	_, err = g.Alloc(ctx, 7, 1)
	wantABIError(t, err, "outside memory")
	f.realloc = func(_, _, _, _ uint32) uint32 { return 1026 }
	_, err = g.Alloc(ctx, 4, 4)
	wantABIError(t, err, "not aligned to 4")
	if p, err := g.Alloc(ctx, 4, 2); err != nil || p != 1026 {
		t.Errorf("Alloc aligned to 2 = %#x, %v", p, err)
	}
	// A trapping allocator is an error, not a panic.
	f.realloc = func(_, _, _, _ uint32) uint32 { panic("guest aborted") }
	if _, err := g.Alloc(ctx, 4, 4); err == nil || !strings.Contains(err.Error(), "guest aborted") {
		t.Errorf("Alloc with trapping realloc: %v", err)
	}
}

func TestFree(t *testing.T) {
	f := newGuest(t)
	ctx := context.Background()
	if err := f.g.Free(ctx, 1234, 0, 1); err != nil || len(f.frees) != 0 {
		t.Fatalf("Free of size 0 called the guest: %v %v", f.frees, err)
	}
	if err := f.g.Free(ctx, 1234, 16, 4); err != nil || len(f.frees) != 1 || f.frees[0] != (call{1234, 16, 4, 0}) {
		t.Fatalf("Free = %v, frees %v", err, f.frees)
	}
}

func TestArea(t *testing.T) {
	f := newGuest(t)
	g := f.g
	f.put(512, []byte(strings.Repeat("\xee", 16)))
	a, err := g.Area(512, 16, 8)
	if err != nil {
		t.Fatal(err)
	}
	a.U8(0, 1)
	a.U16(2, 0x0302)
	a.U32(4, 0x07060504)
	a.U64(8, 0x0f0e0d0c0b0a0908)
	if b, _ := g.Bytes(512, 16); string(b) != strings.Repeat("\xee", 16) {
		t.Fatalf("area written before Flush: %x", b)
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	b, _ := g.Bytes(512, 16)
	want := []byte{1, 0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
	if string(b) != string(want) {
		t.Errorf("area = %x, want %x (unwritten bytes zeroed)", b, want)
	}
	_, err = g.Area(516, 16, 8)
	wantABIError(t, err, "not aligned to 8")
	_, err = g.Area(65528, 16, 4)
	wantABIError(t, err, "outside memory")
}

func TestPutBytesAndStrings(t *testing.T) {
	f := newGuest(t)
	g := f.g
	ctx := context.Background()
	p, err := g.PutBytes(ctx, []byte{9, 8, 7})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := g.Bytes(p, 3); string(b) != "\x09\x08\x07" {
		t.Errorf("PutBytes wrote %x", b)
	}
	p, err = g.PutString(ctx, "héllo")
	if s, _ := g.String(p, 6); err != nil || s != "héllo" {
		t.Errorf("PutString wrote %q, %v", s, err)
	}
	// Empty values still call realloc with size 0 (align 1) and return the dangling pointer.
	f.allocs = nil
	if p, err := g.PutBytes(ctx, nil); err != nil || p != 1 {
		t.Errorf("PutBytes(nil) = %d, %v; want dangling 1", p, err)
	}
	if p, err := g.PutString(ctx, ""); err != nil || p != 1 {
		t.Errorf("PutString(\"\") = %d, %v; want dangling 1", p, err)
	}
	if len(f.allocs) != 2 || f.allocs[0] != (call{0, 0, 1, 0}) || f.allocs[1] != (call{0, 0, 1, 0}) {
		t.Errorf("realloc calls %v, want two (0,0,1,0)", f.allocs)
	}

	f.allocs, f.ptrs = nil, nil
	arr, err := g.PutStringList(ctx, []string{"ab", "", "cde"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []call{{0, 0, 4, 24}, {0, 0, 1, 2}, {0, 0, 1, 0}, {0, 0, 1, 3}}; len(f.allocs) != 4 || f.allocs[0] != want[0] || f.allocs[1] != want[1] || f.allocs[2] != want[2] || f.allocs[3] != want[3] {
		t.Errorf("PutStringList realloc calls %v, want %v", f.allocs, want)
	}
	if arr%4 != 0 || arr != f.ptrs[0] {
		t.Errorf("array at %#x, want the 4-aligned first allocation %#x", arr, f.ptrs[0])
	}
	for i, want := range []uint32{f.ptrs[1], 2, 1, 0, f.ptrs[3], 3} {
		if got := g.U32(arr + uint32(4*i)); got != want {
			t.Errorf("list word %d = %d, want %d", i, got, want)
		}
	}
	if ss, err := g.StringList(arr, 3); err != nil || strings.Join(ss, "|") != "ab||cde" {
		t.Errorf("read back %q, %v", ss, err)
	}

	f.allocs, f.ptrs = nil, nil
	arr, err = g.PutStringPairs(ctx, [][2]string{{"k1", "v1"}, {"key2", ""}})
	if err != nil {
		t.Fatal(err)
	}
	if f.allocs[0] != (call{0, 0, 4, 32}) || len(f.allocs) != 5 {
		t.Errorf("PutStringPairs realloc calls %v, want array (0,0,4,32) then 4 strings", f.allocs)
	}
	for i, want := range []uint32{f.ptrs[1], 2, f.ptrs[2], 2, f.ptrs[3], 4, f.ptrs[4], 0} {
		if got := g.U32(arr + uint32(4*i)); got != want {
			t.Errorf("pairs word %d = %d, want %d", i, got, want)
		}
	}
	if ps, err := g.StringPairs(arr, 2); err != nil || ps[0] != [2]string{"k1", "v1"} || ps[1] != [2]string{"key2", ""} {
		t.Errorf("read back %q, %v", ps, err)
	}
	// Empty lists: one zero-size allocation with the element alignment.
	f.allocs = nil
	if p, err := g.PutStringPairs(ctx, nil); err != nil || p != 4 || len(f.allocs) != 1 || f.allocs[0] != (call{0, 0, 4, 0}) {
		t.Errorf("PutStringPairs(nil) = %d, %v, calls %v", p, err, f.allocs)
	}
	f.allocs = nil
	if p, err := g.PutStringList(ctx, []string{}); err != nil || p != 4 || len(f.allocs) != 1 || f.allocs[0] != (call{0, 0, 4, 0}) {
		t.Errorf("PutStringList(empty) = %d, %v, calls %v", p, err, f.allocs)
	}
	// An allocator failure mid-list is reported.
	n := 0
	f.realloc = func(old, oldLen, align, size uint32) uint32 {
		if n++; n == 3 {
			return 0xFFFF0000
		}
		return f.bump(old, oldLen, align, size)
	}
	_, err = g.PutStringPairs(ctx, [][2]string{{"a", "b"}})
	wantABIError(t, err, "outside memory")
}

// Writes to guest memory are visible after the allocator grows memory mid-lowering.
func TestPutAcrossGrowth(t *testing.T) {
	f := newGuest(t)
	f.next = 65536 - 8
	big := strings.Repeat("x", 70000)
	arr, err := f.g.PutStringList(context.Background(), []string{big, "tail"})
	if err != nil {
		t.Fatal(err)
	}
	if f.mem.Size() <= 65536 {
		t.Fatalf("memory did not grow: %d", f.mem.Size())
	}
	ss, err := f.g.StringList(arr, 2)
	if err != nil || len(ss) != 2 || ss[0] != big || ss[1] != "tail" {
		t.Fatalf("read back %d strings, %v", len(ss), err)
	}
}
