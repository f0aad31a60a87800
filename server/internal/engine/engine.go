// Package engine runs WebAssembly components on wazero so that every request sees the
// state of a fresh instance, at a cost proportional to what the request touched.
//
// # Lifecycle
//
// New creates one Engine per host process: the wazero runtime (with an on-disk
// compilation cache), WASI and the host modules guests may import. Compile turns a
// component into a Module: it checks the imports, rewrites the binary (see wasmbin),
// compiles it and captures its image, the state every request starts from. A Module
// hands out Instances from a bounded pool (Acquire) and takes them back (Release).
//
// # Images and resets
//
// A module's image is its linear memory and mutable globals right after instantiation,
// its start function and, for a reactor, `_initialize` (for a Go component, the Go
// runtime's start-up): captured once at Compile. Every instance starts from the image,
// and a released instance is reset to it before it serves again:
//
//   - memory: each instance's linear memory is a slot, mapped copy-on-write from the
//     image (a sealed memfd) so untouched pages are shared by all instances; a reset
//     copies back the pages the request wrote, found by the kernel's write tracking
//     (MemoryTracked) or by comparing (MemoryCompare, MemoryHeap), and gives back the
//     memory the request grew (madvise), shrinking memory to the image's size;
//   - mutable globals: exported by the rewrite and set back;
//   - tables and segments: never changed, for only modules whose code cannot change
//     them (no table.set/grow/fill/copy/init, data.drop, elem.drop) are reused; others
//     get a new instance per request (still starting from an image slot);
//   - WASI: arguments, environment and standard streams are per call (see wasi.go);
//     an instance that left a file open, or closed or renumbered descriptors 0-3, is
//     closed instead of reused, as is one whose call failed, trapped or timed out.
//
// What `_initialize` computed is shared by all instances, as with any
// pre-initialisation (Wizer): a guest runtime's hash seeds and math/rand seed are the
// same in each instance of a component; values read from random_get after start-up
// (crypto/rand) are fresh per call.
//
// # Bounds
//
// Each module has at most MaxInstances instances and MaxQueue requests waiting for
// one; Acquire returns ErrOverloaded beyond that. Each instance's memory is capped at
// Options.MemoryLimitPages. So a module holds at most MaxInstances × the memory limit
// of linear memory, and returns what requests grew at every reset.
package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/sys"
)

// Options configure an Engine.
type Options struct {
	// CacheDir holds compiled machine code across restarts ("" disables the disk cache).
	CacheDir string
	// MemoryLimitPages caps each instance's linear memory, in 64 KiB pages (0: 2048 =
	// 128 MiB).
	MemoryLimitPages uint32
	// Memory selects how linear memory is backed and reset (MemoryAuto: the fastest
	// available).
	Memory MemoryMode
	// FreshInstances disables images and reuse: every instance is instantiated anew and
	// runs its start function and `_initialize` itself (slower; for debugging guests
	// whose start-up must run per request).
	FreshInstances bool
	// Log receives the engine's notices (nil: slog.Default()).
	Log *slog.Logger
}

// DefaultMemoryLimitPages is the per-instance memory cap when Options leave it 0.
const DefaultMemoryLimitPages = 2048

// Engine owns the wazero runtime.
type Engine struct {
	rt       wazero.Runtime
	cache    wazero.CompilationCache
	opts     Options
	mode     MemoryMode
	tracker  *writeTracker
	io       ioRegistry
	provided map[string]bool // "module\x00name" of every host function guests may import
	log      *slog.Logger
	// compiling holds a *sync.Mutex per SHA-256 of code compiled (see compileCode).
	compiling sync.Map
}

// New creates the runtime, picks the memory mode and instantiates WASI. It fails when
// Options.Memory names a mode the platform lacks.
func New(ctx context.Context, o Options) (*Engine, error) {
	if o.MemoryLimitPages == 0 {
		o.MemoryLimitPages = DefaultMemoryLimitPages
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	e := &Engine{opts: o, provided: map[string]bool{}, log: o.Log}
	mode, tracker, fallback, err := resolveMemoryMode(o.Memory)
	if err != nil {
		return nil, err
	}
	e.mode, e.tracker = mode, tracker
	if fallback != "" {
		e.log.Info("linear memory: resets compare pages", "mode", mode, "because", fallback)
	}
	// Guests are stopped by the interrupt flag the rewrite adds (see Instance.arm), not
	// by wazero's WithCloseOnContextDone, whose check at every loop iteration leaves the
	// compiled code for Go (a third of a Go guest's time) and whose every call starts
	// a goroutine.
	cfg := wazero.NewRuntimeConfig().WithMemoryLimitPages(o.MemoryLimitPages)
	if o.CacheDir != "" {
		c, err := wazero.NewCompilationCacheWithDir(o.CacheDir)
		if err != nil {
			e.closeTracker()
			return nil, fmt.Errorf("compilation cache %s: %w", o.CacheDir, err)
		}
		e.cache = c
		cfg = cfg.WithCompilationCache(c)
	}
	e.rt = wazero.NewRuntimeWithConfig(ctx, cfg)
	if err := e.instantiateWASI(ctx); err != nil {
		e.Close(ctx)
		return nil, err
	}
	e.Register("wasi_snapshot_preview1")
	return e, nil
}

// MemoryMode reports the memory mode in use.
func (e *Engine) MemoryMode() MemoryMode { return e.mode }

// Runtime exposes the wazero runtime so host interfaces can be registered with
// NewHostModuleBuilder; call Register after instantiating each.
func (e *Engine) Runtime() wazero.Runtime { return e.rt }

// Register records the functions of the already-instantiated host module name as
// importable by guests.
func (e *Engine) Register(name string) {
	m := e.rt.Module(name)
	if m == nil {
		return
	}
	for fn := range m.ExportedFunctionDefinitions() {
		e.provided[name+"\x00"+fn] = true
	}
}

// Close releases the runtime, the cache handle and the write tracker. Modules must be
// closed first.
func (e *Engine) Close(ctx context.Context) error {
	err := e.rt.Close(ctx)
	if e.cache != nil {
		err = errors.Join(err, e.cache.Close(ctx))
	}
	e.closeTracker()
	return err
}

func (e *Engine) closeTracker() {
	if e.tracker != nil {
		e.tracker.close()
		e.tracker = nil
	}
}

// memoryLimit is the per-instance memory cap in bytes.
func (e *Engine) memoryLimit() int { return pagesToBytes(uint64(e.opts.MemoryLimitPages)) }

// newImage builds an image in the engine's memory mode.
func (e *Engine) newImage(size int, parts []placement) (*image, error) {
	if e.mode == MemoryHeap {
		return newHeapImage(size, parts)
	}
	return newFileImage(size, parts)
}

// newBacking makes a slot's backing in the engine's memory mode.
func (e *Engine) newBacking(img *image) (backing, error) {
	if e.mode == MemoryHeap {
		return newHeapBacking(img, e.memoryLimit()), nil
	}
	return newMmapBacking(img, e.memoryLimit(), e.tracker)
}

// DefaultMaxInstances is Settings.MaxInstances when left 0: 4 × GOMAXPROCS, enough to
// keep every core busy while some instances wait on outbound I/O.
func DefaultMaxInstances() int { return 4 * runtime.GOMAXPROCS(0) }

// ExitCode reports the WASI proc_exit code carried by err, if any.
func ExitCode(err error) (uint32, bool) {
	var ee *sys.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), true
	}
	return 0, false
}
