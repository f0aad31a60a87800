package engine

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/sys"

	"wasmsite/server/internal/wasmbin"
)

var (
	isolationOnce sync.Once
	isolationWasm []byte
)

// isolationGuest builds testdata/isolation once per test binary.
func isolationGuest(t *testing.T) []byte {
	t.Helper()
	isolationOnce.Do(func() { isolationWasm = buildGuest(t, "isolation") })
	if isolationWasm == nil {
		t.Fatal("building testdata/isolation failed earlier")
	}
	return isolationWasm
}

// memoryModes are the modes this machine runs: the portable one everywhere, the
// copy-on-write ones on Linux (tracked where the kernel supports it, which is logged).
func memoryModes(t *testing.T) []MemoryMode {
	t.Helper()
	modes := []MemoryMode{MemoryHeap}
	if runtime.GOOS != "linux" {
		return modes
	}
	modes = append(modes, MemoryCompare)
	if tr, _, _, err := resolveMemoryMode(MemoryTracked); err == nil {
		if tr == MemoryTracked {
			modes = append(modes, MemoryTracked)
		}
	} else {
		t.Logf("mode %s not tested: %v", MemoryTracked, err)
	}
	return modes
}

// forEachMode runs f with an engine in every memory mode and once with fresh instances.
func forEachMode(t *testing.T, f func(t *testing.T, o Options)) {
	for _, mode := range memoryModes(t) {
		t.Run(string(mode), func(t *testing.T) { f(t, Options{Memory: mode}) })
	}
	t.Run("fresh", func(t *testing.T) { f(t, Options{FreshInstances: true}) })
}

func newEngine(t *testing.T, o Options) *Engine {
	t.Helper()
	ctx := context.Background()
	e, err := New(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close(ctx) })
	return e
}

func compileWith(t *testing.T, e *Engine, wasm []byte, s Settings) *Module {
	t.Helper()
	ctx := context.Background()
	m, err := e.Compile(ctx, "guest", wasm, s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close(ctx) })
	return m
}

func compile(t *testing.T, e *Engine, wasm []byte) *Module {
	t.Helper()
	return compileWith(t, e, wasm, Settings{})
}

func acquire(t *testing.T, m *Module) *Instance {
	t.Helper()
	inst, err := m.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

func call1(t *testing.T, inst *Instance, name string, params ...uint64) uint64 {
	t.Helper()
	res, err := inst.Function(name).Call(context.Background(), params...)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(res) != 1 {
		t.Fatalf("%s returned %d values", name, len(res))
	}
	return res[0]
}

// pooling tracks instance identity across Acquire/Release cycles.
type pooling struct {
	m      *Module
	seen   map[api.Module]int
	closed map[api.Module]bool // released and closed
	reused int
}

func newPooling(m *Module) *pooling {
	return &pooling{m: m, seen: map[api.Module]int{}, closed: map[api.Module]bool{}}
}

// got checks an acquired instance: never a closed one, and its memory has the
// image's size (what a request grew is gone).
func (p *pooling) got(t *testing.T, inst *Instance) {
	t.Helper()
	if p.closed[inst.Module] || inst.IsClosed() {
		t.Fatalf("Acquire returned an instance that was closed")
	}
	if p.seen[inst.Module] > 0 {
		p.reused++
	}
	if img := p.m.img; img != nil && p.m.reuse && inst.Memory().Size() != uint32(img.size) {
		t.Fatalf("memory is %d bytes, want the image's %d", inst.Memory().Size(), img.size)
	}
	p.seen[inst.Module]++
}

// release releases inst; want closed says whether Release must close it (what
// explains why).
func (p *pooling) release(t *testing.T, inst *Instance, ok, wantClosed bool, what string) {
	t.Helper()
	inst.Release(ok)
	if inst.IsClosed() != wantClosed {
		t.Fatalf("%s: closed = %v, want %v", what, inst.IsClosed(), wantClosed)
	}
	if wantClosed {
		p.closed[inst.Module] = true
	}
}

func TestStatefulModuleIsolation(t *testing.T) {
	forEachMode(t, func(t *testing.T, o Options) {
		e := newEngine(t, o)
		m := compile(t, e, statefulModule())
		if reused, why := m.Reused(); reused == o.FreshInstances {
			t.Fatalf("Reused() = %v (%s) with FreshInstances %v", reused, why, o.FreshInstances)
		}
		ctx := context.Background()
		p := newPooling(m)
		for i := range 200 {
			inst := acquire(t, m)
			p.got(t, inst)
			if got := call1(t, inst, "size"); got != 1 {
				t.Fatalf("call %d: memory.size = %d pages, want 1 (a previous call's growth is visible)", i, got)
			}
			if got := call1(t, inst, "inc"); got != 6010 {
				t.Fatalf("call %d: inc = %d, want 6010 (state after _initialize)", i, got)
			}
			if got := call1(t, inst, "big"); got != 1<<40+1 {
				t.Fatalf("call %d: big = %d, want %d", i, got, uint64(1<<40+1))
			}
			if got := call1(t, inst, "inc"); got != 7011 {
				t.Fatalf("call %d: second inc = %d, want 7011", i, got)
			}
			switch i % 10 {
			case 3: // grows memory and writes there: reused, the growth gone
				if _, err := inst.Function("grow").Call(ctx); err != nil {
					t.Fatal(err)
				}
				markGrown(t, inst, 65536)
				p.release(t, inst, true, o.FreshInstances, "instance whose memory grew")
			case 5: // traps after changing state
				_, err := inst.Function("trap").Call(ctx)
				if err == nil || !strings.Contains(err.Error(), "unreachable") {
					t.Fatalf("trap: %v", err)
				}
				p.release(t, inst, false, true, "instance released with ok=false")
			case 7: // the caller reports failure without a trap
				p.release(t, inst, false, true, "instance released with ok=false")
			default:
				p.release(t, inst, true, o.FreshInstances, "instance released with ok")
			}
		}
		if !o.FreshInstances && p.reused == 0 {
			t.Errorf("no instance was ever reused")
		}
		if o.FreshInstances && p.reused != 0 {
			t.Errorf("%d instances reused with FreshInstances", p.reused)
		}
	})
}

// markGrown writes a marker into memory past from, as a guest would leave data there.
func markGrown(t *testing.T, inst *Instance, from uint32) {
	t.Helper()
	size := inst.Memory().Size()
	if size <= from {
		t.Fatalf("memory did not grow past %d bytes", from)
	}
	tail, _ := inst.Memory().Read(from, size-from)
	for i := range tail {
		tail[i] = 0xA5
	}
}

func TestGoReactorIsolation(t *testing.T) {
	wasm := isolationGuest(t)
	const initial = 100<<32 | 1 // counter 100, heap {0: "initialised"}
	const afterCall = 101<<32 | 2
	forEachMode(t, func(t *testing.T, o Options) {
		e := newEngine(t, o)
		m := compile(t, e, wasm)
		ctx := context.Background()
		p := newPooling(m)
		n := 150
		if o.FreshInstances {
			n = 20 // each instantiation runs the Go runtime's start-up
		}
		for i := range n {
			inst := acquire(t, m)
			p.got(t, inst)
			if got := call1(t, inst, "peek"); got != initial {
				t.Fatalf("call %d: peek = %#x, want %#x", i, got, uint64(initial))
			}
			if got := call1(t, inst, "call"); got != afterCall {
				t.Fatalf("call %d: call = %#x, want %#x", i, got, uint64(afterCall))
			}
			switch i % 15 {
			case 4, 12: // 8 and 40 MiB: both reused, the growth given back
				mb := map[int]uint64{4: 8, 12: 40}[i%15]
				before := inst.Memory().Size()
				if got := call1(t, inst, "grow", mb); got != 102<<32|3 {
					t.Fatalf("grow = %#x", got)
				}
				markGrown(t, inst, before)
				p.release(t, inst, true, o.FreshInstances, fmt.Sprintf("instance whose memory grew %d MiB", mb))
			case 9:
				// A Go panic in an export aborts with unreachable.
				_, err := inst.Function("trap").Call(ctx)
				if err == nil || !strings.Contains(err.Error(), "unreachable") || !strings.Contains(err.Error(), "main.trap") {
					t.Fatalf("trap: err %v, want an unreachable trap in main.trap", err)
				}
				p.release(t, inst, false, true, "instance released with ok=false")
			default:
				p.release(t, inst, true, o.FreshInstances, "instance released with ok")
			}
		}
		if !o.FreshInstances && p.reused == 0 {
			t.Error("no instance was ever reused")
		}
		t.Logf("%d of %d requests reused an instance", p.reused, n)
	})
}

// N instances in parallel through one module never see each other's state.
func TestGoReactorConcurrent(t *testing.T) {
	wasm := isolationGuest(t)
	for _, mode := range memoryModes(t) {
		t.Run(string(mode), func(t *testing.T) {
			e := newEngine(t, Options{Memory: mode})
			m := compileWith(t, e, wasm, Settings{MaxInstances: 4})
			ctx := context.Background()
			var wg sync.WaitGroup
			errs := make(chan error, 8)
			for w := range 8 {
				wg.Go(func() {
					for i := range 40 {
						inst, err := m.Acquire(ctx)
						if err != nil {
							errs <- err
							return
						}
						res, err := inst.Function("call").Call(ctx)
						if err != nil || res[0] != 101<<32|2 {
							inst.Release(false)
							errs <- fmt.Errorf("worker %d call %d: %#x, %v", w, i, res, err)
							return
						}
						inst.Release(true)
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			if s := m.Stats(); s.Live > 4 || s.Created > 4+uint64(s.Live) {
				t.Errorf("stats %+v: more instances than MaxInstances", s)
			}
		})
	}
}

// TestIdenticalModulesCompiledConcurrently compiles one module as several components
// at once, as the app does for components sharing a source: every component's
// prewarmed instances must keep calling their yields correctly after the garbage
// collector has run (a compilation finishing second used to replace the trampoline
// table the first one's instances pointed to; see Engine.compileCode).
func TestIdenticalModulesCompiledConcurrently(t *testing.T) {
	wasm := isolationGuest(t)
	e := newEngine(t, Options{})
	ctx := context.Background()
	mods := make([]*Module, 4)
	errs := make([]error, len(mods))
	var wg sync.WaitGroup
	for k := range mods {
		wg.Go(func() { mods[k], errs[k] = e.Compile(ctx, fmt.Sprint("c", k), wasm, Settings{Prewarm: 2}) })
	}
	wg.Wait()
	for k, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { mods[k].Close(ctx) })
	}
	// A freed table is reused, zeroed, by allocations of its size class (one entry per
	// type of the module's type section).
	var garbage [][]*byte
	for range 3 {
		runtime.GC()
		for n := range 1 << 14 {
			garbage = append(garbage, make([]*byte, 1+n%64))
		}
	}
	runtime.KeepAlive(garbage)
	for k, m := range mods {
		for range 2 {
			inst := acquire(t, m)
			if got := call1(t, inst, "spin", 5*wasmbin.FuelPerYield); got == 0 {
				t.Errorf("component %d: spin returned 0", k)
			}
			inst.Release(true)
		}
	}
}

func TestAcquireCanceled(t *testing.T) {
	e := newEngine(t, Options{})
	m := compile(t, e, statefulModule())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// Either an error or a usable instance; never a panic or a closed instance.
	inst, err := m.Acquire(ctx)
	if err == nil {
		if inst.IsClosed() {
			t.Fatal("closed instance")
		}
		inst.Release(false)
	}
}

func TestCompileMissingImports(t *testing.T) {
	e := newEngine(t, Options{})
	registerNoop(t, e, "spin-config", "get-config", 0) // importingModule's () -> ()
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		wasm    []byte
		wantErr string
	}{
		{"all provided", importingModule(false, [2]string{"spin-config", "get-config"}), ""},
		{"missing", importingModule(false,
			[2]string{"spin-config", "get-config"}, [2]string{"outbound-pg", "query"},
			[2]string{"wasi_snapshot_preview1", "fd_write"}, [2]string{"spin-config", "get-secret"}, [2]string{"aaa", "zzz"}),
			`component "x" imports aaa.zzz, outbound-pg.query, spin-config.get-secret, which this host does not provide`},
		{"memory import", importingModule(true, [2]string{"outbound-pg", "query"}),
			`component "x" imports env.memory (memory), outbound-pg.query, which this host does not provide`},
		{"global and table imports", cat([]byte(wasmHeader), wsection(1, wvec(functype(nil, nil))), wsection(2, wvec(
			cat(wname("env"), wname("g"), []byte{0x03, tI32, 0x00}),
			funcImport("spin-config", "get-config", 0),
			cat(wname("env"), wname("tab"), []byte{0x01, 0x70, 0x00, 1}),
		)), wsection(7, wvec())), `component "x" imports env.g (global), env.tab (table), which this host does not provide`},
		{"not wasm", []byte("hello"), `component "x": compiling:`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := e.Compile(ctx, "x", tc.wasm, Settings{})
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				m.Close(ctx)
				return
			}
			if err == nil {
				m.Close(ctx)
				t.Fatalf("compiled; want error %q", tc.wantErr)
			}
			if tc.name == "not wasm" {
				if !strings.HasPrefix(err.Error(), tc.wantErr) {
					t.Fatalf("error %q, want prefix %q", err, tc.wantErr)
				}
				return
			}
			if err.Error() != tc.wantErr {
				t.Fatalf("error %q\nwant  %q", err, tc.wantErr)
			}
		})
	}
}

func TestInitializeTrapFailsCompile(t *testing.T) {
	// _initialize is unreachable.
	wasm := cat([]byte(wasmHeader),
		wsection(1, wvec(functype(nil, nil))),
		wsection(3, wvec([]byte{0})),
		wsection(5, wvec([]byte{0x00, 0x01})),
		wsection(7, wvec(export("_initialize", 0, 0), export("memory", 2, 0))),
		wsection(10, wvec(body(0x00, 0x0b))))
	e := newEngine(t, Options{})
	_, err := e.Compile(context.Background(), "bad", wasm, Settings{})
	if err == nil || !strings.Contains(err.Error(), `component "bad": _initialize:`) {
		t.Fatalf("Compile = %v, want an _initialize error", err)
	}
	// With fresh instances the failure surfaces per instance.
	e2 := newEngine(t, Options{FreshInstances: true})
	m := compile(t, e2, wasm)
	if _, err := m.Acquire(context.Background()); err == nil || !strings.Contains(err.Error(), "_initialize") {
		t.Fatalf("Acquire = %v, want an _initialize error", err)
	}
}

func TestHasExportAndExitCode(t *testing.T) {
	e := newEngine(t, Options{})
	m := compile(t, e, statefulModule())
	if !m.HasExport("inc") || !m.HasExport("_initialize") || m.HasExport("nope") || m.HasExport("memory") {
		t.Error("HasExport")
	}
	if c, ok := ExitCode(fmt.Errorf("wrapped: %w", sys.NewExitError(3))); !ok || c != 3 {
		t.Errorf("ExitCode = %d, %v", c, ok)
	}
	if _, ok := ExitCode(errors.New("plain")); ok {
		t.Error("ExitCode of a plain error")
	}
}

// An instance looks each export up once, whichever way it is asked (wazero allocates a
// call stack per lookup); a pooled instance keeps its lookups.
func TestExportLookupsCached(t *testing.T) {
	e := newEngine(t, Options{})
	m := compile(t, e, statefulModule())
	inst, err := m.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	f := inst.Function("inc")
	var asModule api.Module = inst
	if f == nil || asModule.ExportedFunction("inc") != f || inst.Function("inc") != f {
		t.Error("an export was looked up again")
	}
	if inst.Function("nope") != nil {
		t.Error("a missing export was found")
	}
}

// A guest call stops when its context ends (request timeouts); the instance is not
// reused and the next one is unaffected. While the guest loops, a garbage collection
// (which stops the world) completes: guests yield.
func TestCallTimeout(t *testing.T) {
	e := newEngine(t, Options{})
	m := compile(t, e, statefulModule())
	for range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		inst, err := m.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		collected := make(chan time.Duration, 1)
		go func() {
			time.Sleep(20 * time.Millisecond)
			t0 := time.Now()
			runtime.GC()
			collected <- time.Since(t0)
		}()
		start := time.Now()
		_, err = inst.Function("forever").Call(ctx)
		cancel()
		if d := <-collected; d > 100*time.Millisecond {
			t.Errorf("a garbage collection took %s while the guest looped", d)
		}
		if err == nil || time.Since(start) > 5*time.Second {
			t.Fatalf("forever returned %v after %s", err, time.Since(start))
		}
		inst.Release(true)
		if !inst.IsClosed() {
			t.Fatal("an instance stopped by its deadline was kept")
		}
		next := acquire(t, m)
		if got := call1(t, next, "inc"); got != 6010 {
			t.Fatalf("inc after a timed-out call = %d, want 6010", got)
		}
		next.Release(true)
	}
}

// tableModule has a two-slot function table [one, two] and exports swap() (table.set
// of slot 0 to two) and get0() (a call through slot 0: 1 initially).
func tableModule() []byte {
	return cat([]byte(wasmHeader),
		wsection(1, wvec(functype(nil, []byte{tI32}), functype(nil, nil))),
		wsection(3, wvec([]byte{0}, []byte{0}, []byte{1}, []byte{0})),
		wsection(4, wvec([]byte{0x70, 0x00, 2})),
		wsection(7, wvec(export("swap", 0, 2), export("get0", 0, 3))),
		wsection(9, wvec([]byte{0x00, 0x41, 0, 0x0b, 2, 0, 1})),
		wsection(10, wvec(
			body(0x41, 1, 0x0b),
			body(0x41, 2, 0x0b),
			body(0x41, 0, 0xd2, 1, 0x26, 0, 0x0b),
			body(0x41, 0, 0x11, 0, 0, 0x0b),
		)))
}

// A module whose code writes tables is not reused (memory and globals resets would not
// restore the table): every request gets a new instance and sees the initial table.
func TestTableWritingModuleNotReused(t *testing.T) {
	for _, mode := range memoryModes(t) {
		t.Run(string(mode), func(t *testing.T) {
			e := newEngine(t, Options{Memory: mode})
			m := compile(t, e, tableModule())
			if reused, why := m.Reused(); reused || why != "its code writes tables" {
				t.Fatalf("Reused() = %v, %q", reused, why)
			}
			p := newPooling(m)
			for i := range 20 {
				inst := acquire(t, m)
				p.got(t, inst)
				if got := call1(t, inst, "get0"); got != 1 {
					t.Fatalf("request %d: table slot 0 calls a function returning %d, want 1", i, got)
				}
				if _, err := inst.Function("swap").Call(context.Background()); err != nil {
					t.Fatal(err)
				}
				if got := call1(t, inst, "get0"); got != 2 {
					t.Fatalf("swap did not change the table: %d", got)
				}
				p.release(t, inst, true, true, "instance of a table-writing module")
			}
		})
	}
}
