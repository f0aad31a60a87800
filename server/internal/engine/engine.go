// Package engine runs WebAssembly components on wazero: one Runtime per host process
// with an on-disk compilation cache, host modules registered once, and per-request
// instances built from a compiled module (fresh instance state for every request).
package engine

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"runtime"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"
)

// Options configure an Engine.
type Options struct {
	// CacheDir holds compiled machine code across restarts ("" disables the disk cache).
	CacheDir string
	// MemoryLimitPages caps each instance's linear memory, in 64 KiB pages (0: 4096 = 256 MiB).
	MemoryLimitPages uint32
	// NoSnapshots disables pre-initialised snapshots: every instance of a reactor then
	// runs `_initialize` itself (slower; for debugging guests whose start-up must run
	// per request).
	NoSnapshots bool
}

// Engine owns the wazero runtime.
type Engine struct {
	rt          wazero.Runtime
	cache       wazero.CompilationCache
	noSnapshots bool
	// provided maps "module\x00name" of every host function guests may import.
	provided map[string]bool
}

// New creates the runtime and instantiates WASI preview1. Guest calls stop when their
// context is done (used for request timeouts).
func New(ctx context.Context, o Options) (*Engine, error) {
	if o.MemoryLimitPages == 0 {
		o.MemoryLimitPages = 4096
	}
	cfg := wazero.NewRuntimeConfig().WithCloseOnContextDone(true).WithMemoryLimitPages(o.MemoryLimitPages)
	e := &Engine{provided: map[string]bool{}, noSnapshots: o.NoSnapshots}
	if o.CacheDir != "" {
		c, err := wazero.NewCompilationCacheWithDir(o.CacheDir)
		if err != nil {
			return nil, fmt.Errorf("compilation cache %s: %w", o.CacheDir, err)
		}
		e.cache = c
		cfg = cfg.WithCompilationCache(c)
	}
	e.rt = wazero.NewRuntimeWithConfig(ctx, cfg)
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, e.rt); err != nil {
		return nil, err
	}
	e.record(wasi_snapshot_preview1.ModuleName)
	return e, nil
}

// Runtime exposes the wazero runtime so host interfaces can be registered with
// NewHostModuleBuilder; call Register after instantiating each.
func (e *Engine) Runtime() wazero.Runtime { return e.rt }

// Register records the functions of the already-instantiated host module name as
// importable by guests.
func (e *Engine) Register(name string) { e.record(name) }

func (e *Engine) record(name string) {
	m := e.rt.Module(name)
	if m == nil {
		return
	}
	for fn := range m.ExportedFunctionDefinitions() {
		e.provided[name+"\x00"+fn] = true
	}
}

// Close releases the runtime and the cache handle.
func (e *Engine) Close(ctx context.Context) error {
	err := e.rt.Close(ctx)
	if e.cache != nil {
		err = errors.Join(err, e.cache.Close(ctx))
	}
	return err
}

// Settings are the per-component instance settings fixed at load time.
type Settings struct {
	// Env is the guest environment (component `environment`, rendered).
	Env map[string]string
	// FS is the read-only filesystem preopened at guest "/" (nil: none).
	FS fs.FS
	// Stdout and Stderr receive the guest's output (nil: discarded).
	Stdout, Stderr io.Writer
}

// Module is a compiled component ready to instantiate.
type Module struct {
	ID       string
	e        *Engine
	compiled wazero.CompiledModule
	base     wazero.ModuleConfig
	reactor  bool
	snap     *snapshot
	pool     chan *Instance // reset instances ready for reuse (snapshot modules only)
	// resetting counts released instances being reset to the snapshot right now.
	resetting atomic.Int32
	exports   map[string]api.FunctionDefinition
	fsys      fs.FS // Settings.FS
}

// Compile compiles wasm (or loads it from the cache) and checks that every import is
// provided by the host; the error names the missing imports, e.g.
// `component "x" imports outbound-pg.query, which this host does not provide`.
//
// A reactor (a module exporting `_initialize`) is initialised once here and its state
// snapshotted, unless snapshots are disabled or the module cannot be snapshotted (then
// each instance runs `_initialize`); an `_initialize` that traps fails Compile.
func (e *Engine) Compile(ctx context.Context, id string, wasm []byte, s Settings) (*Module, error) {
	var globals []globalInfo
	snapshotable := false
	if !e.noSnapshots {
		if rewritten, gs, err := exportMutableGlobals(wasm); err == nil {
			wasm, globals, snapshotable = rewritten, gs, true
		}
	}
	cm, err := e.rt.CompileModule(ctx, wasm)
	if err != nil {
		return nil, fmt.Errorf("component %q: compiling: %w", id, err)
	}
	var missing []string
	for _, imp := range cm.ImportedFunctions() {
		mod, name, _ := imp.Import()
		if !e.provided[mod+"\x00"+name] {
			missing = append(missing, mod+"."+name)
		}
	}
	if len(cm.ImportedMemories()) > 0 {
		mod, name, _ := cm.ImportedMemories()[0].Import()
		missing = append(missing, mod+"."+name+" (memory)")
	}
	missing = append(missing, importedTablesAndGlobals(wasm)...)
	if len(missing) > 0 {
		sort.Strings(missing)
		cm.Close(ctx)
		return nil, fmt.Errorf("component %q imports %s, which this host does not provide", id, strings.Join(missing, ", "))
	}
	cfg := wazero.NewModuleConfig().
		WithName("").
		WithStartFunctions().
		WithSysWalltime().WithSysNanotime().WithSysNanosleep().
		WithRandSource(rand.Reader)
	keys := make([]string, 0, len(s.Env))
	for k := range s.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		cfg = cfg.WithEnv(k, s.Env[k])
	}
	if s.FS != nil {
		cfg = cfg.WithFSConfig(wazero.NewFSConfig().WithFSMount(s.FS, "/"))
	}
	if s.Stdout != nil {
		cfg = cfg.WithStdout(s.Stdout)
	}
	if s.Stderr != nil {
		cfg = cfg.WithStderr(s.Stderr)
	}
	m := &Module{ID: id, e: e, compiled: cm, base: cfg, exports: cm.ExportedFunctions(), fsys: s.FS}
	_, m.reactor = m.exports["_initialize"]
	if m.reactor && snapshotable {
		if m.snap, err = m.takeSnapshot(ctx, globals); err != nil {
			cm.Close(ctx)
			return nil, fmt.Errorf("component %q: %w", id, err)
		}
		m.pool = make(chan *Instance, max(8, 4*runtime.GOMAXPROCS(0)))
	}
	return m, nil
}

// HasExport reports whether the module exports a function name.
func (m *Module) HasExport(name string) bool { _, ok := m.exports[name]; return ok }

// Call are the per-instantiation extras: WAGI gives stdin/stdout, argv and CGI env.
type Call struct {
	Stdin  io.Reader
	Stdout io.Writer
	Args   []string
	Env    [][2]string
}

// resetWait bounds how long Instantiate waits for an instance being reset.
const resetWait = 5 * time.Millisecond

// Instance is an instance handed out by Instantiate; Release it when done.
type Instance struct {
	api.Module
	m *Module
	// perCall is set for instances built with a *Call (WAGI stdin/stdout/args/env):
	// they carry one request's configuration and are never pooled.
	perCall bool
	// files counts the files open through the instance's filesystem; it must be back
	// at baseline (what instantiation left open) for the instance to be reused.
	files    *openFiles
	baseline int32
}

// Release returns the instance. When ok (the call completed without error), a
// snapshot module's instance is reset to the snapshot in the background and kept for
// reuse (grown memory is zeroed past the snapshot), unless its memory grew past the
// reuse cap, it was built with a *Call, the call left files open,
// or the pool is full; anything else is closed.
func (i *Instance) Release(ctx context.Context, ok bool) {
	m := i.m
	if !ok || m.pool == nil || i.perCall || i.Module.IsClosed() ||
		(i.files != nil && i.files.n.Load() != i.baseline) || !m.snap.reusable(i.Memory().Size()) {
		i.Module.Close(ctx)
		return
	}
	m.resetting.Add(1)
	go func() {
		defer m.resetting.Add(-1)
		if err := m.snap.restore(i.Module); err != nil {
			i.Module.Close(context.Background())
			return
		}
		select {
		case m.pool <- i:
		default:
			i.Module.Close(context.Background())
		}
	}()
}

// Instantiate returns instance state equal to a fresh instance's. For a reactor (a module exporting
// `_initialize`, such as a Go -buildmode=c-shared component) the state is that right
// after `_initialize`: restored from the snapshot, or by running it. The caller must
// Close the instance.
func (m *Module) Instantiate(ctx context.Context, c *Call) (*Instance, error) {
	if m.pool != nil && c == nil {
		select {
		case inst := <-m.pool:
			return inst, nil
		default:
		}
		// A reset (a memory copy) finishes far sooner than a new instantiation: wait
		// briefly for one when any is under way.
		if m.resetting.Load() > 0 {
			t := time.NewTimer(resetWait)
			select {
			case inst := <-m.pool:
				t.Stop()
				return inst, nil
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return nil, ctx.Err()
			}
		}
	}
	cfg := m.base
	var files *openFiles
	if m.pool != nil && c == nil && m.fsys != nil {
		files = &openFiles{fsys: m.fsys}
		cfg = cfg.WithFSConfig(wazero.NewFSConfig().WithFSMount(files, "/"))
	}
	if c != nil {
		if c.Stdin != nil {
			cfg = cfg.WithStdin(c.Stdin)
		}
		if c.Stdout != nil {
			cfg = cfg.WithStdout(c.Stdout)
		}
		if c.Args != nil {
			cfg = cfg.WithArgs(c.Args...)
		}
		for _, kv := range c.Env {
			cfg = cfg.WithEnv(kv[0], kv[1])
		}
	}
	inst, err := m.e.rt.InstantiateModule(ctx, m.compiled, cfg)
	if err != nil {
		return nil, fmt.Errorf("component %q: instantiating: %w", m.ID, err)
	}
	if m.snap != nil {
		if err := m.snap.restore(inst); err != nil {
			inst.Close(ctx)
			return nil, fmt.Errorf("component %q: restoring snapshot: %w", m.ID, err)
		}
	} else if m.reactor {
		if _, err := inst.ExportedFunction("_initialize").Call(ctx); err != nil {
			inst.Close(ctx)
			return nil, fmt.Errorf("component %q: _initialize: %w", m.ID, err)
		}
	}
	out := &Instance{Module: inst, m: m, perCall: c != nil, files: files}
	if files != nil {
		out.baseline = files.n.Load()
	}
	return out, nil
}

// ExitCode reports the WASI proc_exit code carried by err, if any.
func ExitCode(err error) (uint32, bool) {
	var ee *sys.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), true
	}
	return 0, false
}

// Close releases pooled instances and the compiled module.
func (m *Module) Close(ctx context.Context) error {
	if m.pool != nil {
	drain:
		for {
			select {
			case inst := <-m.pool:
				inst.Close(ctx)
			default:
				break drain
			}
		}
	}
	return m.compiled.Close(ctx)
}
