package wasmtest

import (
	"context"
	"encoding/binary"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// Build compiles the Go package at pkg (a path relative to the module root or an
// import path) as a wasip1 reactor and returns the module bytes.
func Build(dir, pkg string) ([]byte, error) {
	out := filepath.Join(dir, filepath.Base(pkg)+".wasm")
	cmd := exec.Command("go", "build", "-buildmode=c-shared", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("build %s: %v\n%s", pkg, err, b)
	}
	return os.ReadFile(out)
}

// Pair is a header.
type Pair struct{ Name, Value string }

// Response is a lifted Spin response.
type Response struct {
	Status  int
	Headers []Pair
	Body    []byte
}

// OutboundHTTP answers the guest's wasi-outbound-http requests; errCode != 0 is the
// http-error discriminant.
type OutboundHTTP func(method uint32, uri string, headers []Pair, body []byte, hasBody bool) (resp Response, errCode uint8)

// Host is a minimal fake Spin 1.x host.
type Host struct {
	mu        sync.Mutex
	Config    map[string]string
	Strings   map[string][]byte          // redis strings
	Sets      map[string]map[string]bool // redis sets
	Published []string
	KV        map[string][]byte
	HTTP      OutboundHTTP
	// Exec answers outbound-redis execute; nil results mean an error.
	Exec func(cmd string, args []any) []any
	FS   fs.FS // preopened at "/"
	// Mounts are further preopened directories by guest path, as wasmtime preopens each
	// of a Spin component's files entries (wasmsite's host preopens one "/").
	Mounts map[string]fs.FS
	Env    map[string]string
	rt     wazero.Runtime
	module wazero.CompiledModule
}

// Start compiles the module and registers the host interfaces.
func (h *Host) Start(ctx context.Context, wasm []byte) error {
	h.rt = wazero.NewRuntime(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, h.rt)
	if err := h.register(ctx); err != nil {
		return err
	}
	var err error
	h.module, err = h.rt.CompileModule(ctx, wasm)
	return err
}

// Close releases the runtime.
func (h *Host) Close(ctx context.Context) { h.rt.Close(ctx) }

func (h *Host) instance(ctx context.Context) (api.Module, error) {
	cfg := wazero.NewModuleConfig().WithName("").WithStartFunctions("_initialize").
		WithStdout(os.Stderr).WithStderr(os.Stderr).WithSysWalltime().WithSysNanotime().WithRandSource(randReader{})
	if h.FS != nil || len(h.Mounts) > 0 {
		fsc := wazero.NewFSConfig()
		if h.FS != nil {
			fsc = fsc.WithFSMount(h.FS, "/")
		}
		for dir, fsys := range h.Mounts {
			fsc = fsc.WithFSMount(fsys, dir)
		}
		cfg = cfg.WithFSConfig(fsc)
	}
	keys := make([]string, 0, len(h.Env))
	for k := range h.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		cfg = cfg.WithEnv(k, h.Env[k])
	}
	return h.rt.InstantiateModule(ctx, h.module, cfg)
}

type randReader struct{}

func (randReader) Read(p []byte) (int, error) {
	f, err := os.Open("/dev/urandom")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return f.Read(p)
}

// guest memory helpers

func alloc(ctx context.Context, m api.Module, align, size uint32) uint32 {
	res, err := m.ExportedFunction("canonical_abi_realloc").Call(ctx, 0, 0, uint64(align), uint64(size))
	if err != nil {
		panic(err)
	}
	return uint32(res[0])
}

func free(ctx context.Context, m api.Module, ptr, size, align uint32) {
	if _, err := m.ExportedFunction("canonical_abi_free").Call(ctx, uint64(ptr), uint64(size), uint64(align)); err != nil {
		panic(err)
	}
}

func putBytes(ctx context.Context, m api.Module, b []byte) (uint32, uint32) {
	p := alloc(ctx, m, 1, uint32(len(b)))
	if len(b) > 0 && !m.Memory().Write(p, b) {
		panic("write out of range")
	}
	return p, uint32(len(b))
}

func read(m api.Module, ptr, n uint32) []byte {
	b, ok := m.Memory().Read(ptr, n)
	if !ok {
		panic(fmt.Sprintf("read out of range %#x+%d", ptr, n))
	}
	return append([]byte(nil), b...)
}

func u32(m api.Module, p uint32) uint32 {
	v, ok := m.Memory().ReadUint32Le(p)
	if !ok {
		panic("read u32 out of range")
	}
	return v
}

func putPairs(ctx context.Context, m api.Module, pairs []Pair) (uint32, uint32) {
	if len(pairs) == 0 {
		return 0, 0
	}
	arr := make([]byte, 16*len(pairs))
	for i, p := range pairs {
		np, nl := putBytes(ctx, m, []byte(p.Name))
		vp, vl := putBytes(ctx, m, []byte(p.Value))
		binary.LittleEndian.PutUint32(arr[i*16:], np)
		binary.LittleEndian.PutUint32(arr[i*16+4:], nl)
		binary.LittleEndian.PutUint32(arr[i*16+8:], vp)
		binary.LittleEndian.PutUint32(arr[i*16+12:], vl)
	}
	p := alloc(ctx, m, 4, uint32(len(arr)))
	m.Memory().Write(p, arr)
	return p, uint32(len(pairs))
}

func readPairs(m api.Module, ptr, n uint32) []Pair {
	out := make([]Pair, n)
	for i := range out {
		e := ptr + uint32(i)*16
		out[i] = Pair{string(read(m, u32(m, e), u32(m, e+4))), string(read(m, u32(m, e+8), u32(m, e+12)))}
	}
	return out
}

func putStrings(ctx context.Context, m api.Module, strs []string) (uint32, uint32) {
	if len(strs) == 0 {
		return alloc(ctx, m, 4, 0), 0
	}
	arr := make([]byte, 8*len(strs))
	for i, s := range strs {
		p, l := putBytes(ctx, m, []byte(s))
		binary.LittleEndian.PutUint32(arr[i*8:], p)
		binary.LittleEndian.PutUint32(arr[i*8+4:], l)
	}
	p := alloc(ctx, m, 4, uint32(len(arr)))
	m.Memory().Write(p, arr)
	return p, uint32(len(strs))
}

func readStrings(m api.Module, ptr, n uint32) []string {
	out := make([]string, n)
	for i := range out {
		e := ptr + uint32(i)*8
		out[i] = string(read(m, u32(m, e), u32(m, e+4)))
	}
	return out
}

// ServeHTTP runs one request on a fresh instance, like Spin: lowers the request
// through the guest allocator, calls handle-http-request, lifts the response and frees
// its lists through canonical_abi_free.
func (h *Host) ServeHTTP(ctx context.Context, method uint32, uri string, headers []Pair, body []byte) (Response, error) {
	m, err := h.instance(ctx)
	if err != nil {
		return Response{}, err
	}
	defer m.Close(ctx)
	up, ul := putBytes(ctx, m, []byte(uri))
	hp, hl := putPairs(ctx, m, headers)
	bp, bl := putBytes(ctx, m, body)
	res, err := m.ExportedFunction("handle-http-request").Call(ctx, uint64(method), uint64(up), uint64(ul), uint64(hp), uint64(hl), 0, 0, 1, uint64(bp), uint64(bl))
	if err != nil {
		return Response{}, err
	}
	ret := uint32(res[0])
	area := read(m, ret, 28)
	resp := Response{Status: int(binary.LittleEndian.Uint16(area))}
	if area[4] != 0 {
		p, n := binary.LittleEndian.Uint32(area[8:]), binary.LittleEndian.Uint32(area[12:])
		resp.Headers = readPairs(m, p, n)
		for i := uint32(0); i < n; i++ {
			e := p + i*16
			free(ctx, m, u32(m, e), u32(m, e+4), 1)
			free(ctx, m, u32(m, e+8), u32(m, e+12), 1)
		}
		free(ctx, m, p, n*16, 4)
	}
	if area[16] != 0 {
		p, n := binary.LittleEndian.Uint32(area[20:]), binary.LittleEndian.Uint32(area[24:])
		resp.Body = read(m, p, n)
		free(ctx, m, p, n, 1)
	}
	return resp, nil
}

// Deliver calls handle-redis-message and reports (is_err, error).
func (h *Host) Deliver(ctx context.Context, payload []byte) (bool, uint8, error) {
	m, err := h.instance(ctx)
	if err != nil {
		return false, 0, err
	}
	defer m.Close(ctx)
	p, l := putBytes(ctx, m, payload)
	res, err := m.ExportedFunction("handle-redis-message").Call(ctx, uint64(p), uint64(l))
	if err != nil {
		return false, 0, err
	}
	area := read(m, uint32(res[0]), 2)
	return area[0] != 0, area[1], nil
}
