package engine

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"

	"wasmsite/server/internal/wasmbin"
)

// Settings are a component's instance settings, fixed at load time.
type Settings struct {
	// Env is the guest environment (component `environment`, rendered).
	Env map[string]string
	// FS is the read-only filesystem preopened at guest "/" (nil: none).
	FS fs.FS
	// Stdout and Stderr receive the guest's output (nil: discarded), at most
	// LogLimit bytes of each per request (0: 1 MiB). A Call may redirect stdout.
	Stdout, Stderr io.Writer
	LogLimit       int
	// MaxInstances caps the module's concurrent instances (0: 4 × GOMAXPROCS).
	MaxInstances int
	// MaxQueue caps the requests waiting for an instance when all are busy (0: 8 ×
	// MaxInstances; negative: none wait).
	MaxQueue int
	// Prewarm is how many instances Compile creates ahead of requests (0: GOMAXPROCS,
	// at most MaxInstances; negative: none).
	Prewarm int
}

// DefaultLogLimit is Settings.LogLimit when left 0: bytes of each output stream kept
// per request.
const DefaultLogLimit = 1 << 20

// Module is a compiled component ready to serve.
type Module struct {
	ID       string
	e        *Engine
	compiled wazero.CompiledModule
	exports  map[string]api.FunctionDefinition // the component's own exports
	base     wazero.ModuleConfig
	fsys     fs.FS
	stdout   io.Writer
	stderr   io.Writer
	logLimit int
	env      [][]byte
	reactor  bool
	// img is the memory instances start from: the captured state when reuse is set,
	// else the memory before the start function. nil: the module has no memory (or
	// the engine uses FreshInstances).
	img     *image
	globals []savedGlobal
	// globalNames are the exports of the mutable globals (reused modules).
	globalNames []string
	// reuse is set when released instances are reset and reused; notReused says why not.
	reuse     bool
	notReused string
	// stripped: the compiled module's active data segments are empty; img has them.
	stripped bool
	pool     *pool
}

// savedGlobal is a mutable global's value in the image.
type savedGlobal struct {
	name  string
	value uint64
}

// Compile compiles wasm (or loads it from the cache), checks that every import is
// provided by the host and captures the module's image. The error names what is wrong:
// `component "x" imports outbound-pg.query, which this host does not provide`,
// `component "x": _initialize: …` for an initialisation that traps.
func (e *Engine) Compile(ctx context.Context, id string, wasm []byte, s Settings) (*Module, error) {
	m, err := e.compile(ctx, id, wasm, s)
	if err != nil {
		return nil, fmt.Errorf("component %q%s", id, err)
	}
	if m.pool, err = newPool(m, s); err != nil {
		m.Close(ctx)
		return nil, fmt.Errorf("component %q: %w", id, err)
	}
	if !m.reuse && !e.opts.FreshInstances {
		e.log.Info("instances are not reused: each request instantiates the component", "component", id, "because", m.notReused)
	}
	return m, nil
}

// compile returns errors that read after `component "id"`.
func (e *Engine) compile(ctx context.Context, id string, wasm []byte, s Settings) (*Module, error) {
	parsed, err := wasmbin.Parse(wasm)
	if err != nil {
		if _, werr := e.rt.CompileModule(ctx, wasm); werr != nil {
			err = werr
		}
		return nil, fmt.Errorf(": compiling: %w", err)
	}
	if missing := importsMissing(parsed); len(missing) > 0 {
		return nil, notProvided(e, parsed, missing)
	}
	plan, err := e.planRewrite(parsed)
	if err != nil {
		return nil, fmt.Errorf(": %w", err)
	}
	code, err := parsed.Rewrite(plan.rewrite)
	if err != nil {
		return nil, fmt.Errorf(": rewriting: %w", err)
	}
	cm, err := e.compileCode(ctx, code)
	if err != nil {
		return nil, fmt.Errorf(": compiling: %w", err)
	}
	if missing := e.functionsMissing(cm); len(missing) > 0 {
		cm.Close(ctx)
		return nil, notProvided(e, parsed, missing)
	}
	m := &Module{ID: id, e: e, compiled: cm, exports: ownExports(cm), fsys: s.FS, stdout: s.Stdout, stderr: s.Stderr,
		logLimit: cmp.Or(s.LogLimit, DefaultLogLimit), reuse: plan.reuse, notReused: plan.notReused,
		stripped: plan.rewrite.EmptyActiveData}
	_, m.reactor = m.exports["_initialize"]
	if plan.rewrite.ExportGlobals {
		for _, idx := range parsed.MutableGlobals() {
			m.globalNames = append(m.globalNames, wasmbin.GlobalExportPrefix+strconv.Itoa(int(idx)))
		}
	}
	m.base, m.env = baseConfig(s)
	if err := m.prepareImage(ctx, parsed, plan.data); err != nil {
		m.Close(ctx)
		return nil, fmt.Errorf(": %w", err)
	}
	return m, nil
}

// compileCode compiles rewritten code with wazero, never overlapping another
// compilation of the same bytes. wazero's compiler shares one compiled module between
// identical modules; when two compilations of the same bytes overlap, the one that
// finishes second installs new listener trampoline tables in the compiled module the
// first one registered, after the first one's instances (the prewarmed pool) recorded
// the old table's address, which the garbage collector then frees: their next yield
// calls through garbage. Components built from one source (several routes of one
// module) are compiled concurrently by the app, so this happens at every start of such
// an application. Compilations of different bytes still run in parallel.
func (e *Engine) compileCode(ctx context.Context, code []byte) (wazero.CompiledModule, error) {
	lock, _ := e.compiling.LoadOrStore(sha256.Sum256(code), new(sync.Mutex))
	lock.(*sync.Mutex).Lock()
	defer lock.(*sync.Mutex).Unlock()
	return e.rt.CompileModule(experimental.WithFunctionListenerFactory(ctx, yieldListener{}), code)
}

// rewritePlan is what Compile does to a module and why.
type rewritePlan struct {
	rewrite   wasmbin.Rewrite
	reuse     bool
	notReused string
	data      []placement // the active segments, when they are supplied by the image
}

func (e *Engine) planRewrite(p *wasmbin.Module) (rewritePlan, error) {
	plan := rewritePlan{rewrite: wasmbin.Rewrite{Interrupt: true}}
	if e.opts.FreshInstances {
		plan.notReused = "fresh instances were asked for"
		return plan, nil
	}
	data, constant, err := p.ActiveData()
	if err != nil {
		return plan, err
	}
	if constant && p.Memory != nil {
		plan.data, plan.rewrite.EmptyActiveData = data, true
	}
	effects, err := p.CodeEffects()
	if err != nil {
		return plan, err
	}
	if effects.Unknown != "" {
		return plan, fmt.Errorf("its code uses an instruction this host does not support (%s)", effects.Unknown)
	}
	plan.notReused = whyNotReusable(p, effects)
	if plan.notReused == "" {
		plan.reuse, plan.rewrite.ExportGlobals, plan.rewrite.ExportStart = true, true, true
	}
	return plan, nil
}

// whyNotReusable returns why a reset could not give instances of p a fresh state, or "".
func whyNotReusable(p *wasmbin.Module, eff wasmbin.Effects) string {
	switch {
	case eff.WritesTables:
		return "its code writes tables"
	case eff.DropsSegments:
		return "its code drops data or element segments"
	}
	for _, idx := range p.MutableGlobals() {
		if g := p.Globals[idx-p.ImportedGlobals]; !g.IsNumeric() {
			return fmt.Sprintf("mutable global %d holds a reference", idx)
		}
	}
	for _, name := range []string{wasmbin.StartExport, wasmbin.GlobalExportPrefix} {
		for _, ex := range p.Exports {
			if strings.HasPrefix(ex.Name, name) {
				return "it exports " + ex.Name + ", a name the host reserves"
			}
		}
	}
	return ""
}

// importsMissing lists the table, global and memory imports: the host provides none
// (wazero's CompiledModule lists only function and memory imports, so they are read
// from the binary).
func importsMissing(p *wasmbin.Module) []string {
	var out []string
	kinds := map[byte]string{wasmbin.KindTable: "table", wasmbin.KindMemory: "memory", wasmbin.KindGlobal: "global", wasmbin.KindTag: "tag"}
	for _, imp := range p.Imports {
		if kind, ok := kinds[imp.Kind]; ok {
			out = append(out, imp.Module+"."+imp.Name+" ("+kind+")")
		}
	}
	return out
}

func (e *Engine) functionsMissing(cm wazero.CompiledModule) []string {
	var out []string
	for _, imp := range cm.ImportedFunctions() {
		mod, name, _ := imp.Import()
		if !e.provided[mod+"\x00"+name] {
			out = append(out, mod+"."+name)
		}
	}
	return out
}

// notProvided reports every import the host lacks, functions included.
func notProvided(e *Engine, p *wasmbin.Module, found []string) error {
	missing := map[string]bool{}
	for _, s := range found {
		missing[s] = true
	}
	for _, s := range importsMissing(p) {
		missing[s] = true
	}
	for _, imp := range p.Imports {
		if imp.Kind == wasmbin.KindFunc && !e.provided[imp.Module+"\x00"+imp.Name] {
			missing[imp.Module+"."+imp.Name] = true
		}
	}
	list := make([]string, 0, len(missing))
	for s := range missing {
		list = append(list, s)
	}
	sort.Strings(list)
	return fmt.Errorf(" imports %s, which this host does not provide", strings.Join(list, ", "))
}

// ownExports lists the compiled module's function exports without the ones the
// rewrite added.
func ownExports(cm wazero.CompiledModule) map[string]api.FunctionDefinition {
	out := map[string]api.FunctionDefinition{}
	for name, def := range cm.ExportedFunctions() {
		if name != wasmbin.StartExport {
			out[name] = def
		}
	}
	return out
}

// baseConfig is the module configuration shared by every instance; the environment is
// served by the engine's WASI (see wasi.go) from env.
func baseConfig(s Settings) (wazero.ModuleConfig, [][]byte) {
	cfg := wazero.NewModuleConfig().
		WithName("").
		WithStartFunctions().
		WithSysWalltime().WithSysNanotime().
		WithRandSource(rand.Reader)
	keys := make([]string, 0, len(s.Env))
	for k := range s.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	env := make([][]byte, 0, len(keys))
	for _, k := range keys {
		env = append(env, []byte(k+"="+s.Env[k]))
	}
	return cfg, env
}

// prepareImage sets m.img: the memory before the start function and, for a reused
// module, the state after the start function and `_initialize`, with its globals.
func (m *Module) prepareImage(ctx context.Context, p *wasmbin.Module, data []placement) error {
	if m.e.opts.FreshInstances || p.Memory == nil {
		if m.reuse {
			return m.captureGlobalsOnly(ctx)
		}
		return nil
	}
	img, err := m.e.newImage(pagesToBytes(p.Memory.Min), data)
	if err != nil {
		return err
	}
	m.img = img
	if !m.reuse {
		return nil
	}
	defer img.close()
	return m.capture(ctx)
}

// capture instantiates the module from m.img, runs its start function and
// `_initialize`, and replaces m.img and m.globals with the resulting state.
func (m *Module) capture(ctx context.Context) error {
	inst, err := m.instantiate(ctx)
	if err != nil {
		return err
	}
	defer inst.close()
	if err := inst.initializeWithin(ctx, initTimeout); err != nil {
		return err
	}
	if m.globals, err = inst.readGlobals(); err != nil {
		return err
	}
	mem := inst.Memory()
	view, _ := mem.Read(0, mem.Size())
	m.img, err = m.e.newImage(len(view), nonZeroRuns(view))
	return err
}

// captureGlobalsOnly is capture for a module without memory.
func (m *Module) captureGlobalsOnly(ctx context.Context) error {
	inst, err := m.instantiate(ctx)
	if err != nil {
		return err
	}
	defer inst.close()
	if err := inst.initializeWithin(ctx, initTimeout); err != nil {
		return err
	}
	m.globals, err = inst.readGlobals()
	return err
}

// instantiate makes a new instance of the compiled module, its memory a slot over
// m.img (wazero's own memory when there is no image).
func (m *Module) instantiate(ctx context.Context) (*Instance, error) {
	inst := &Instance{m: m, io: &instanceIO{env: m.env}, wake: make(chan struct{})}
	inst.io.stdout.log = logWriter{w: m.stdout, limit: m.logLimit}
	inst.io.stderr = logWriter{w: m.stderr, limit: m.logLimit}
	cfg := m.base.WithStdin(&inst.io.stdin).WithStdout(&inst.io.stdout).WithStderr(&inst.io.stderr).WithNanosleep(inst.sleep)
	if m.fsys != nil {
		inst.files = &openFiles{fsys: m.fsys}
		cfg = cfg.WithFSConfig(wazero.NewFSConfig().WithFSMount(inst.files, "/"))
	}
	if m.img != nil {
		ctx = experimental.WithMemoryAllocator(ctx, experimental.MemoryAllocatorFunc(inst.allocate))
	}
	ctx = withInstantiating(ctx, inst.io)
	mod, err := m.e.rt.InstantiateModule(ctx, m.compiled, cfg)
	if err != nil {
		if inst.slot != nil {
			inst.slot.Free()
		}
		if inst.slotErr != nil {
			err = errors.Join(err, inst.slotErr)
		}
		return nil, fmt.Errorf("instantiating: %w", err)
	}
	inst.Module = mod
	m.e.io.m.Store(mod, inst.io)
	inst.flag, _ = mod.ExportedGlobal(wasmbin.InterruptExport).(api.MutableGlobal)
	inst.fuel, _ = mod.ExportedGlobal(wasmbin.FuelExport).(api.MutableGlobal)
	if inst.flag == nil || inst.fuel == nil {
		inst.close()
		return nil, errors.New("instantiating: the interrupt globals are not exported")
	}
	if inst.files != nil {
		inst.baseline = inst.files.n.Load()
	}
	return inst, nil
}

// HasExport reports whether the module exports a function name.
func (m *Module) HasExport(name string) bool { _, ok := m.exports[name]; return ok }

// Reused reports whether released instances are reset and reused, and if not, why.
func (m *Module) Reused() (bool, string) { return m.reuse, m.notReused }

// Close closes idle instances, the compiled module and the image. Instances in use are
// closed when released.
func (m *Module) Close(ctx context.Context) error {
	if m.pool != nil {
		m.pool.close()
	}
	err := m.compiled.Close(ctx)
	return errors.Join(err, m.img.close())
}
