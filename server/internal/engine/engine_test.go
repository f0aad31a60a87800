package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/sys"
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

func compile(t *testing.T, e *Engine, wasm []byte) *Module {
	t.Helper()
	ctx := context.Background()
	m, err := e.Compile(ctx, "guest", wasm, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close(ctx) })
	return m
}

func call1(t *testing.T, inst *Instance, name string, params ...uint64) uint64 {
	t.Helper()
	res, err := inst.ExportedFunction(name).Call(context.Background(), params...)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(res) != 1 {
		t.Fatalf("%s returned %d values", name, len(res))
	}
	return res[0]
}

// pooling tracks instance identity across Instantiate/Release cycles.
type pooling struct {
	seen   map[api.Module]int
	closed map[api.Module]bool // released with ok=false, or otherwise not reusable
	reused int
}

func newPooling() *pooling {
	return &pooling{seen: map[api.Module]int{}, closed: map[api.Module]bool{}}
}

// mustClose releases inst with ok and fails t unless Release closed it (what
// says why it must not be kept); a closed instance must never come back.
func (p *pooling) mustClose(t *testing.T, ctx context.Context, inst *Instance, ok bool, what string) {
	t.Helper()
	release(ctx, inst, ok)
	if !inst.Module.IsClosed() {
		t.Fatal(what)
	}
	p.closed[inst.Module] = true
}

func (p *pooling) got(t *testing.T, inst *Instance) {
	t.Helper()
	if p.closed[inst.Module] {
		t.Fatalf("Instantiate returned an instance that must not be reused")
	}
	if inst.Module.IsClosed() {
		t.Fatalf("Instantiate returned a closed instance")
	}
	if p.seen[inst.Module] > 0 {
		p.reused++
	}
	if inst.m.snap != nil {
		n := uint32(len(inst.m.snap.mem))
		if size := inst.Memory().Size(); size > n {
			tail, _ := inst.Memory().Read(n, size-n)
			for i, b := range tail {
				if b != 0 {
					t.Fatalf("byte %d past the snapshot is %#x after reset: a previous call's memory is visible", n+uint32(i), b)
				}
			}
		}
	}
	p.seen[inst.Module]++
}

func TestStatefulModuleIsolation(t *testing.T) {
	for _, mode := range []struct {
		name   string
		noSnap bool
	}{{"pooled", false}, {"initialize", true}} {
		t.Run(mode.name, func(t *testing.T) {
			e := newEngine(t, Options{NoSnapshots: mode.noSnap})
			m := compile(t, e, statefulModule())
			if (m.pool != nil) == mode.noSnap {
				t.Fatalf("pool %v with NoSnapshots %v", m.pool != nil, mode.noSnap)
			}
			ctx := context.Background()
			p := newPooling()
			for i := range 200 {
				inst, err := m.Instantiate(ctx, nil)
				if err != nil {
					t.Fatal(err)
				}
				p.got(t, inst)
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
				case 3: // memory grows within the reuse cap: kept, the growth zeroed
					if _, err := inst.ExportedFunction("grow").Call(ctx); err != nil {
						t.Fatal(err)
					}
					markTail(t, inst, m)
					release(ctx, inst, true)
					if !mode.noSnap && inst.Module.IsClosed() {
						t.Fatalf("instance whose memory grew within the cap was closed")
					}
				case 5: // traps after changing state
					_, err := inst.ExportedFunction("trap").Call(ctx)
					if err == nil || !strings.Contains(err.Error(), "unreachable") {
						t.Fatalf("trap: %v", err)
					}
					p.mustClose(t, ctx, inst, false, "instance released with ok=false was not closed")
				case 7: // the caller reports failure without a trap
					p.mustClose(t, ctx, inst, false, "instance released with ok=false was not closed")
				default:
					release(ctx, inst, true)
				}
			}
			if !mode.noSnap && p.reused == 0 {
				t.Errorf("no instance was ever reused from the pool")
			}
			if mode.noSnap && p.reused != 0 {
				t.Errorf("%d instances reused without snapshots", p.reused)
			}
			t.Logf("%d of 200 instantiations reused a pooled instance", p.reused)
		})
	}
}

// An instance with per-call extras (WAGI stdin/stdout/args/env) is never pooled, even
// when released with ok, so its configuration cannot reach a later request.
func TestCallInstancesNotPooled(t *testing.T) {
	e := newEngine(t, Options{})
	m := compile(t, e, statefulModule())
	ctx := context.Background()
	inst, err := m.Instantiate(ctx, &Call{Args: []string{"/x", ""}, Env: [][2]string{{"K", "v"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := call1(t, inst, "inc"); got != 6010 {
		t.Fatalf("inc = %d, want 6010", got)
	}
	inst.Release(ctx, true)
	if !inst.Module.IsClosed() {
		t.Fatal("an instance with a per-call configuration was kept for reuse")
	}
}

func TestGoReactorIsolation(t *testing.T) {
	wasm := isolationGuest(t)
	const initial = 100<<32 | 1 // counter 100, heap {0: "initialised"}
	const afterCall = 101<<32 | 2
	for _, mode := range []struct {
		name   string
		noSnap bool
	}{{"pooled", false}, {"initialize", true}} {
		t.Run(mode.name, func(t *testing.T) {
			e := newEngine(t, Options{NoSnapshots: mode.noSnap})
			m := compile(t, e, wasm)
			ctx := context.Background()
			p := newPooling()
			n := 150
			if mode.noSnap {
				n = 20 // each instantiation runs the Go runtime's start-up
			}
			for i := range n {
				inst, err := m.Instantiate(ctx, nil)
				if err != nil {
					t.Fatal(err)
				}
				p.got(t, inst)
				if got := call1(t, inst, "peek"); got != initial {
					t.Fatalf("call %d: peek = %#x, want %#x", i, got, uint64(initial))
				}
				if got := call1(t, inst, "call"); got != afterCall {
					t.Fatalf("call %d: call = %#x, want %#x", i, got, uint64(afterCall))
				}
				switch i % 15 {
				case 4:
					before := inst.Memory().Size()
					if got := call1(t, inst, "grow", 8); got != 102<<32|3 {
						t.Fatalf("grow = %#x", got)
					}
					if inst.Memory().Size() <= before {
						t.Fatalf("memory did not grow (%d bytes)", before)
					}
					markTail(t, inst, m)
					release(ctx, inst, true)
					if inst.Module.IsClosed() != mode.noSnap {
						t.Fatalf("instance whose memory grew 8 MiB (within the reuse cap): closed = %v", inst.Module.IsClosed())
					}
				case 12:
					if got := call1(t, inst, "grow", 40); got != 102<<32|3 {
						t.Fatalf("grow = %#x", got)
					}
					p.mustClose(t, ctx, inst, true, "instance whose memory grew 40 MiB (past the reuse cap) was kept")
				case 9:
					// A Go panic in an export aborts with unreachable.
					_, err := inst.ExportedFunction("trap").Call(ctx)
					if err == nil || !strings.Contains(err.Error(), "unreachable") || !strings.Contains(err.Error(), "main.trap") {
						t.Fatalf("trap: err %v, want an unreachable trap in main.trap", err)
					}
					p.mustClose(t, ctx, inst, false, "instance released with ok=false was not closed")
				default:
					release(ctx, inst, true)
				}
			}
			if !mode.noSnap && p.reused == 0 {
				t.Error("no instance was ever reused from the pool")
			}
			t.Logf("%d of %d instantiations reused a pooled instance", p.reused, n)
		})
	}
}

func TestGoReactorConcurrent(t *testing.T) {
	wasm := isolationGuest(t)
	e := newEngine(t, Options{})
	m := compile(t, e, wasm)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Go(func() {
			for i := range 40 {
				inst, err := m.Instantiate(ctx, nil)
				if err != nil {
					errs <- err
					return
				}
				res, err := inst.ExportedFunction("call").Call(ctx)
				if err != nil || res[0] != 101<<32|2 {
					inst.Release(ctx, false)
					errs <- fmt.Errorf("worker %d call %d: %#x, %v", w, i, res, err)
					return
				}
				inst.Release(ctx, true)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestInstantiateCanceled(t *testing.T) {
	e := newEngine(t, Options{})
	m := compile(t, e, statefulModule())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// Either an error or a usable instance; never a panic or a closed instance.
	inst, err := m.Instantiate(ctx, nil)
	if err == nil {
		if inst.Module.IsClosed() {
			t.Fatal("closed instance")
		}
		inst.Release(context.Background(), false)
	}
}

func TestCompileMissingImports(t *testing.T) {
	e := newEngine(t, Options{})
	registerNoop(t, e, "spin-config", "get-config", 3)
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		wasm    []byte
		wantErr string
	}{
		{"all provided", importingModule(false, [2]string{"spin-config", "get-config"}, [2]string{"wasi_snapshot_preview1", "fd_write"}), ""},
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
	// Without snapshots the failure surfaces per instance.
	e2 := newEngine(t, Options{NoSnapshots: true})
	m := compile(t, e2, wasm)
	if _, err := m.Instantiate(context.Background(), nil); err == nil || !strings.Contains(err.Error(), "_initialize") {
		t.Fatalf("Instantiate = %v, want an _initialize error", err)
	}
}

func TestHasExportAndExitCode(t *testing.T) {
	e := newEngine(t, Options{})
	m := compile(t, e, statefulModule())
	if !m.HasExport("inc") || !m.HasExport("_initialize") || m.HasExport("nope") || m.HasExport("memory") {
		t.Error("HasExport")
	}
	if m.HasExport(snapshotExportPrefix + "0") {
		t.Error("HasExport reports an added global export")
	}
	if c, ok := ExitCode(fmt.Errorf("wrapped: %w", sys.NewExitError(3))); !ok || c != 3 {
		t.Errorf("ExitCode = %d, %v", c, ok)
	}
	if _, ok := ExitCode(errors.New("plain")); ok {
		t.Error("ExitCode of a plain error")
	}
}

// A guest call stops when its context ends (request timeouts); the next call is
// unaffected.
func TestCallTimeout(t *testing.T) {
	e := newEngine(t, Options{})
	m := compile(t, e, statefulModule())
	for range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		inst, err := m.Instantiate(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err = inst.ExportedFunction("forever").Call(ctx)
		cancel()
		if err == nil || time.Since(start) > 5*time.Second {
			t.Fatalf("forever returned %v after %s", err, time.Since(start))
		}
		inst.Release(context.Background(), false)
		next, err := m.Instantiate(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := call1(t, next, "inc"); got != 6010 {
			t.Fatalf("inc after a timed-out call = %d, want 6010", got)
		}
		next.Release(context.Background(), true)
	}
}

// markTail writes a marker into every byte an instance grew past its snapshot, as a
// guest would leave data there; the reset must clear it.
// release releases inst and waits for its reset, if Release started one, to finish. What
// Release decided (pooled or closed) can then be checked, and the next Instantiate finds
// the pool as this release left it: on a loaded machine a reset can outlast resetWait,
// Instantiate would create another instance, and the extra instances would later fill
// the pool and be closed, which a test could mistake for a wrong decision.
func release(ctx context.Context, inst *Instance, ok bool) {
	inst.Release(ctx, ok)
	for inst.m.resetting.Load() > 0 {
		time.Sleep(20 * time.Microsecond)
	}
}

func markTail(t *testing.T, inst *Instance, m *Module) {
	t.Helper()
	if m.snap == nil {
		return
	}
	n := uint32(len(m.snap.mem))
	size := inst.Memory().Size()
	if size <= n {
		t.Fatalf("memory did not grow past the snapshot (%d <= %d)", size, n)
	}
	tail, _ := inst.Memory().Read(n, size-n)
	for i := range tail {
		tail[i] = 0xA5
	}
}

// TestReuseCap: growth up to max(snapshot, 16 MiB) past the snapshot is reusable,
// more is not.
func TestReuseCap(t *testing.T) {
	small := &snapshot{mem: make([]byte, 2<<20)}
	big := &snapshot{mem: make([]byte, 40<<20)}
	for _, c := range []struct {
		s    *snapshot
		size uint64
		want bool
	}{
		{small, 2 << 20, true},
		{small, 18 << 20, true},
		{small, 18<<20 + 65536, false},
		{big, 80 << 20, true},
		{big, 80<<20 + 65536, false},
	} {
		if got := c.s.reusable(uint32(c.size)); got != c.want {
			t.Errorf("snapshot %d MiB, memory %d bytes: reusable = %v, want %v", len(c.s.mem)>>20, c.size, got, c.want)
		}
	}
}
