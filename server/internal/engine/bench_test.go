package engine

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/tetratelabs/wazero/api"
)

// buildGuest compiles a Go reactor from testdata for GOOS=wasip1.
func buildGuest(tb testing.TB, dir string) []byte {
	tb.Helper()
	out := filepath.Join(tb.TempDir(), "g.wasm")
	cmd := exec.Command("go", "build", "-buildmode=c-shared", "-o", out, "./"+dir)
	cmd.Dir = "testdata"
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	if b, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("building %s: %v\n%s", dir, err, b)
	}
	wasm, err := os.ReadFile(out)
	if err != nil {
		tb.Fatal(err)
	}
	return wasm
}

// registerNoop provides a host function that does nothing, for guests whose import
// the benchmark never calls.
func registerNoop(tb testing.TB, e *Engine, module, name string, params int) {
	tb.Helper()
	types := make([]api.ValueType, params)
	for i := range types {
		types[i] = api.ValueTypeI32
	}
	_, err := e.Runtime().NewHostModuleBuilder(module).NewFunctionBuilder().
		WithGoModuleFunction(api.GoModuleFunc(func(context.Context, api.Module, []uint64) {}), types, nil).
		Export(name).Instantiate(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	e.Register(module)
}

// BenchmarkInstantiate compares the per-request cost of fresh instance state for a Go
// reactor: a new instance running _initialize (the naive way, "initialize"), a new
// instance restored from the pre-initialised snapshot ("snapshot"), and pooled instances
// reset to the snapshot ("pooled", the default).
func BenchmarkInstantiate(b *testing.B) {
	wasm := buildGuest(b, "reactor")
	ctx := context.Background()
	for _, mode := range []struct {
		name         string
		noSnap, pool bool
	}{{"initialize", true, false}, {"pooled", false, true}} {
		b.Run(mode.name, func(b *testing.B) {
			e, err := New(ctx, Options{FreshInstances: mode.noSnap})
			if err != nil {
				b.Fatal(err)
			}
			defer e.Close(ctx)
			registerNoop(b, e, "spin-config", "get-config", 3)
			m, err := e.Compile(ctx, "g", wasm, Settings{})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				inst, err := m.Acquire(ctx)
				if err != nil {
					b.Fatal(err)
				}
				inst.Release(true)
			}
		})
	}
}
