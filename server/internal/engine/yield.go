package engine

import (
	"context"
	"runtime"
	"slices"

	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"

	"wasmsite/server/internal/wasmbin"
)

// yieldListener runs on entry to the yield function the rewrite adds (see
// wasmbin.YieldExport), which instrumented code calls every wasmbin.FuelPerYield loop
// iterations: it gives the Go scheduler the goroutine. Compiled code is never preempted
// by the Go runtime, so without this a looping guest would hold its thread, and a
// garbage collection's stop of the world would wait for the guest to return; with it,
// guests also share the processors with other requests.
type yieldListener struct{}

func (yieldListener) NewFunctionListener(def api.FunctionDefinition) experimental.FunctionListener {
	if slices.Contains(def.ExportNames(), wasmbin.YieldExport) {
		return yieldListener{}
	}
	return nil
}

func (yieldListener) Before(context.Context, api.Module, api.FunctionDefinition, []uint64, experimental.StackIterator) {
	runtime.Gosched()
}

func (yieldListener) After(context.Context, api.Module, api.FunctionDefinition, []uint64) {}

func (yieldListener) Abort(context.Context, api.Module, api.FunctionDefinition, error) {}
