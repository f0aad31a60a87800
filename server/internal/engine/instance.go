package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"

	"wasmsite/server/internal/wasmbin"
)

// Instance is an instance handed out by Module.Acquire; Release it when done.
type Instance struct {
	api.Module
	m    *Module
	io   *instanceIO
	slot *slot // nil: the module has no memory, or wazero's own memory
	// slotErr is why the allocator could not make a slot.
	slotErr error
	// files counts the files open through the instance's filesystem; it must be back
	// at baseline (what instantiation left open) for the instance to be reused.
	files    *openFiles
	baseline int32
	funcs    map[string]api.Function
	globals  []api.MutableGlobal // in the order of Module.globals
	// flag and fuel are the interrupt globals (see wasmbin.Rewrite.Interrupt); wake is
	// closed with the flag, ending the guest's sleeps. disarm stops the request's watch
	// of its context.
	flag, fuel  api.MutableGlobal
	wake        chan struct{}
	wakeOnce    sync.Once
	disarm      func() bool
	interrupted atomic.Bool
}

// initTimeout bounds a module's start function and `_initialize` when its image is
// captured.
const initTimeout = 30 * time.Second

// arm makes the end of ctx stop the guest: the interrupt flag is set (the guest traps
// with unreachable at its next loop iteration or, with tail calls, function entry) and
// its sleeps end. A guest blocked in a host call returns when the call does (host
// calls honour ctx).
func (i *Instance) arm(ctx context.Context) {
	i.disarm = context.AfterFunc(ctx, i.interrupt)
}

func (i *Instance) interrupt() {
	i.interrupted.Store(true)
	i.flag.Set(1)
	i.fuel.Set(1) // checked at the next loop iteration, not after the fuel is spent
	i.wakeOnce.Do(func() { close(i.wake) })
}

// sleep is the instance's WASI nanosleep: interrupted with the guest.
func (i *Instance) sleep(ns int64) {
	t := time.NewTimer(time.Duration(ns))
	defer t.Stop()
	select {
	case <-t.C:
	case <-i.wake:
	}
}

// Call is one request's WASI arguments, environment and standard streams (WAGI).
type Call struct {
	Stdin  io.Reader
	Stdout io.Writer // nil: the component's stdout log
	Args   []string
	Env    [][2]string // added after the component's environment
}

// allocate is the experimental.MemoryAllocator of the instance's memory.
func (i *Instance) allocate(_, maxBytes uint64) experimental.LinearMemory {
	m := i.m
	b, err := m.e.newBacking(m.img)
	if err != nil {
		i.slotErr = err
		return &slot{img: m.img} // Reallocate returns nil: instantiation fails
	}
	i.slot = &slot{img: m.img, max: int(min(maxBytes, uint64(m.e.memoryLimit()))), b: b}
	return i.slot
}

// Function returns the exported function name (nil if there is none), looked up once
// per instance: wazero allocates a call stack for each lookup, and the instance
// serves one call at a time.
func (i *Instance) Function(name string) api.Function {
	if f, ok := i.funcs[name]; ok {
		return f
	}
	if i.funcs == nil {
		i.funcs = map[string]api.Function{}
	}
	f := i.Module.ExportedFunction(name)
	i.funcs[name] = f
	return f
}

// ExportedFunction implements api.Module with Function's lookup once per instance, so
// that code given the instance as an api.Module (abi.NewGuest) shares it.
func (i *Instance) ExportedFunction(name string) api.Function { return i.Function(name) }

// SetCall gives the instance one request's arguments, environment and standard
// streams, until Release.
func (i *Instance) SetCall(c *Call) {
	i.io.stdin.r, i.io.stdout.w = c.Stdin, c.Stdout
	i.io.args = make([][]byte, len(c.Args))
	for k, a := range c.Args {
		i.io.args[k] = []byte(a)
	}
	env := make([][]byte, 0, len(i.m.env)+len(c.Env))
	env = append(env, i.m.env...)
	for _, kv := range c.Env {
		env = append(env, []byte(kv[0]+"="+kv[1]))
	}
	i.io.env = env
}

// Exited reports the code the guest passed to WASI proc_exit during this request.
func (i *Instance) Exited() (code uint32, exited bool) { return i.io.exitCode, i.io.exited }

// Release returns the instance. When ok (the call completed as its executor expects)
// and the module's instances are reused, it is reset to the image and pooled: its
// memory pages written by the request are restored, memory it grew is given back and
// its mutable globals are set back. Otherwise, or when it trapped, timed out, left a
// file open, changed descriptors 0-3 or cannot be reset, it is closed.
func (i *Instance) Release(ok bool) {
	m := i.m
	if i.disarm != nil && !i.disarm() {
		ok = false // interrupted, or being interrupted now
	}
	i.disarm = nil
	i.io.stdin.r, i.io.stdout.w = nil, nil
	i.io.stdout.log.written, i.io.stderr.written = 0, 0
	i.io.args, i.io.env = nil, m.env
	i.io.exited, i.io.exitCode = false, 0
	if !ok || !m.reuse || i.IsClosed() || i.interrupted.Load() || i.io.tainted || !i.files.atBaseline(i.baseline) || m.pool.closing() {
		i.close()
		m.pool.drop()
		return
	}
	if err := i.reset(); err != nil {
		m.e.log.Warn("instance not reused", "component", m.ID, "err", err)
		i.close()
		m.pool.drop()
		return
	}
	m.pool.put(i)
}

// reset returns the instance to the image: memory contents and size, then globals.
func (i *Instance) reset() error {
	if i.slot != nil {
		pages, err := i.slot.reset()
		i.m.pool.resets.Add(1)
		i.m.pool.resetPages.Add(uint64(pages))
		if err != nil {
			return err
		}
		if err := i.shrinkMemory(); err != nil {
			return err
		}
	}
	for k, g := range i.globals {
		g.Set(i.m.globals[k].value)
	}
	return nil
}

// shrinkMemory returns memory to the image's size (see slot).
func (i *Instance) shrinkMemory() error {
	mem := i.Memory()
	want := uint32(i.slot.img.size)
	if mem.Size() == want {
		return nil
	}
	i.slot.shrinkNext = true
	_, grew := mem.Grow(1)
	i.slot.shrinkNext = false
	if !grew || mem.Size() != want {
		return fmt.Errorf("memory could not be shrunk from %d to %d bytes", mem.Size(), want)
	}
	return nil
}

// initializeWithin is initialize stopped after timeout.
func (i *Instance) initializeWithin(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	i.arm(ctx)
	defer i.disarm()
	err := i.initialize(ctx)
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("initialisation did not finish within %s: %w", timeout, err)
	}
	return err
}

// initialize runs what a new instance runs before its first request: the start
// function (when the rewrite exported it) and `_initialize` (reactors).
func (i *Instance) initialize(ctx context.Context) error {
	if f := i.ExportedFunction(wasmbin.StartExport); f != nil {
		if _, err := f.Call(ctx); err != nil {
			return fmt.Errorf("start function: %w", err)
		}
	}
	if i.m.reactor {
		if _, err := i.ExportedFunction("_initialize").Call(ctx); err != nil {
			return fmt.Errorf("_initialize: %w", err)
		}
	}
	return nil
}

// bindGlobals looks up the instance's exported mutable globals.
func (i *Instance) bindGlobals() error {
	i.globals = make([]api.MutableGlobal, len(i.m.globals))
	for k, sg := range i.m.globals {
		g, ok := i.ExportedGlobal(sg.name).(api.MutableGlobal)
		if !ok {
			return fmt.Errorf("global %s is not exported as mutable", sg.name)
		}
		i.globals[k] = g
	}
	return nil
}

// readGlobals reads the mutable globals the rewrite exported.
func (i *Instance) readGlobals() ([]savedGlobal, error) {
	out := make([]savedGlobal, len(i.m.globalNames))
	for k, name := range i.m.globalNames {
		g := i.ExportedGlobal(name)
		if g == nil {
			return nil, errors.New("global " + name + " not exported")
		}
		out[k] = savedGlobal{name: name, value: g.Get()}
	}
	return out, nil
}

func (i *Instance) close() {
	i.m.e.io.m.Delete(i.Module)
	i.Module.Close(context.Background())
	if i.slot != nil {
		i.slot.Free()
	}
}
