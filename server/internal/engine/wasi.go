package engine

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"
)

// WASI preview 1 is wazero's, with five functions replaced so that a pooled instance
// can serve many requests exactly as fresh instances would:
//
//   - args_get, args_sizes_get, environ_get and environ_sizes_get read the arguments
//     and environment of the instance's current Call (WAGI sets them per request;
//     wazero fixes them at instantiation);
//   - proc_exit ends the call with sys.ExitError but leaves the instance open (wazero
//     closes it), so a WAGI module, whose every request ends in exit, can be reset and
//     reused.
//
// A listener on fd_close and fd_renumber marks an instance that changes its standard
// streams or preopened directory (descriptors 0-3): resetting memory would not undo
// that, so such an instance is not reused. (fd_fdstat_set_flags changes nothing on
// them: wazero's stdio files are not pollable and the preopen is a directory; Go sets
// stdio non-blocking at start-up, which every WAGI request repeats.)

// WASI errno values (wasi_snapshot_preview1 errno enum).
const (
	errnoSuccess = 0
	errnoFault   = 21
)

// instanceIO is what the replaced WASI functions serve to one instance.
type instanceIO struct {
	args, env [][]byte // NUL-free; env entries are "KEY=VALUE"
	stdin     switchReader
	stdout    switchWriter
	stderr    logWriter
	exited    bool
	exitCode  uint32
	tainted   bool // changed a descriptor that a reset cannot restore
}

// switchReader reads from r, swapped per call (EOF when nil).
type switchReader struct{ r io.Reader }

func (s *switchReader) Read(p []byte) (int, error) {
	if s.r == nil {
		return 0, io.EOF
	}
	return s.r.Read(p)
}

// switchWriter writes to w, swapped per call, else to the component's log.
type switchWriter struct {
	w   io.Writer
	log logWriter
}

func (s *switchWriter) Write(p []byte) (int, error) {
	if s.w == nil {
		return s.log.Write(p)
	}
	return s.w.Write(p)
}

// logWriter passes at most limit bytes per request to w (a component's log), then one
// line saying the rest was dropped; the guest is told everything was written. So a
// guest flooding its output costs the host neither disk nor time.
type logWriter struct {
	w       io.Writer // nil: discarded
	limit   int
	written int
}

func (l *logWriter) Write(p []byte) (int, error) {
	if l.w == nil {
		return len(p), nil
	}
	room := l.limit - l.written
	switch {
	case room <= 0:
	case len(p) <= room:
		l.written += len(p)
		l.w.Write(p)
	default:
		l.written = l.limit
		l.w.Write(p[:room])
		fmt.Fprintf(l.w, "\n[wasmsite: output over %d bytes in one request dropped]\n", l.limit)
	}
	return len(p), nil
}

// ioRegistry maps each live instance to its instanceIO.
type ioRegistry struct{ m sync.Map } // api.Module -> *instanceIO

// of returns the calling instance's instanceIO: registered once instantiated, from
// ctx while its start function runs.
func (r *ioRegistry) of(ctx context.Context, mod api.Module) *instanceIO {
	if v, ok := r.m.Load(mod); ok {
		return v.(*instanceIO)
	}
	if io, ok := ctx.Value(instantiatingKey{}).(*instanceIO); ok {
		return io
	}
	return &instanceIO{} // not ours: no arguments or environment
}

type instantiatingKey struct{}

func withInstantiating(ctx context.Context, io *instanceIO) context.Context {
	return context.WithValue(ctx, instantiatingKey{}, io)
}

// instantiateWASI instantiates wasi_snapshot_preview1 with the replacements above.
func (e *Engine) instantiateWASI(ctx context.Context) error {
	b := e.rt.NewHostModuleBuilder(wasi_snapshot_preview1.ModuleName)
	wasi_snapshot_preview1.NewFunctionExporter().ExportFunctions(b)
	i32 := api.ValueTypeI32
	export := func(name string, fn api.GoModuleFunc, params int, results int) {
		ps := make([]api.ValueType, params)
		rs := make([]api.ValueType, results)
		for i := range ps {
			ps[i] = i32
		}
		for i := range rs {
			rs[i] = i32
		}
		b.NewFunctionBuilder().WithGoModuleFunction(fn, ps, rs).Export(name)
	}
	export("args_sizes_get", e.sizesGet(func(io *instanceIO) [][]byte { return io.args }), 2, 1)
	export("args_get", e.valuesGet(func(io *instanceIO) [][]byte { return io.args }), 2, 1)
	export("environ_sizes_get", e.sizesGet(func(io *instanceIO) [][]byte { return io.env }), 2, 1)
	export("environ_get", e.valuesGet(func(io *instanceIO) [][]byte { return io.env }), 2, 1)
	export("proc_exit", e.procExit, 1, 0)
	ctx = experimental.WithFunctionListenerFactory(ctx, descriptorGuard{e})
	_, err := b.Instantiate(ctx)
	return err
}

// sizesGet implements args_sizes_get / environ_sizes_get(count *u32, bufSize *u32).
func (e *Engine) sizesGet(values func(*instanceIO) [][]byte) api.GoModuleFunc {
	return func(ctx context.Context, mod api.Module, s []uint64) {
		vs := values(e.io.of(ctx, mod))
		size := 0
		for _, v := range vs {
			size += len(v) + 1
		}
		mem := mod.Memory()
		if !mem.WriteUint32Le(uint32(s[0]), uint32(len(vs))) || !mem.WriteUint32Le(uint32(s[1]), uint32(size)) {
			s[0] = errnoFault
			return
		}
		s[0] = errnoSuccess
	}
}

// valuesGet implements args_get / environ_get(ptrs **u8, buf *u8): the pointers to
// each value, and the values, NUL-terminated.
func (e *Engine) valuesGet(values func(*instanceIO) [][]byte) api.GoModuleFunc {
	return func(ctx context.Context, mod api.Module, s []uint64) {
		vs := values(e.io.of(ctx, mod))
		ptrs, buf := uint32(s[0]), uint32(s[1])
		mem := mod.Memory()
		for i, v := range vs {
			if !mem.WriteUint32Le(ptrs+uint32(4*i), buf) || !mem.Write(buf, v) || !mem.WriteByte(buf+uint32(len(v)), 0) {
				s[0] = errnoFault
				return
			}
			buf += uint32(len(v)) + 1
		}
		s[0] = errnoSuccess
	}
}

func (e *Engine) procExit(ctx context.Context, mod api.Module, s []uint64) {
	io := e.io.of(ctx, mod)
	io.exited, io.exitCode = true, uint32(s[0])
	panic(sys.NewExitError(uint32(s[0])))
}

// protectedFDs is the highest descriptor a reset cannot restore: stdin, stdout,
// stderr and the preopened "/" (3).
const protectedFDs = 3

// descriptorGuard marks instances whose calls close, renumber or change the flags of a
// protected descriptor.
type descriptorGuard struct{ e *Engine }

func (g descriptorGuard) NewFunctionListener(def api.FunctionDefinition) experimental.FunctionListener {
	switch def.Name() {
	case "fd_close", "fd_renumber":
		return g
	}
	return nil
}

func (g descriptorGuard) Before(ctx context.Context, mod api.Module, def api.FunctionDefinition, params []uint64, _ experimental.StackIterator) {
	touches := uint32(params[0]) <= protectedFDs
	if def.Name() == "fd_renumber" && uint32(params[1]) <= protectedFDs {
		touches = true
	}
	if touches {
		g.e.io.of(ctx, mod).tainted = true
	}
}

func (descriptorGuard) After(context.Context, api.Module, api.FunctionDefinition, []uint64) {}

func (descriptorGuard) Abort(context.Context, api.Module, api.FunctionDefinition, error) {}
