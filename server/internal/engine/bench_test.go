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
