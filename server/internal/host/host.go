// Package host implements the Spin 1.x host interfaces guests import, with their exact
// core-module names and layouts (package spin; wit/ephemeral/*.wit): wasi-outbound-http,
// outbound-redis, spin-config and key-value, one file each.
//
// Host modules are instantiated once per engine; what a guest call may reach comes from
// the *Scope in the context, built per request or message from the component's
// manifest grants (allowed hosts, config, key-value store labels). Deny by default.
//
// A guest that violates the ABI (bad pointer, invalid UTF-8, bad discriminant) makes
// the host function panic with *abi.Error, which wazero turns into an error of the
// guest's export call: the executor answers 500 for that request only.
package host

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/tetratelabs/wazero/api"

	"wasmsite/functions/sdk/spin"
	"wasmsite/server/internal/allowlist"
	"wasmsite/server/internal/engine"
	"wasmsite/server/internal/metrics"
	"wasmsite/server/store"
)

// Capabilities are what one component's manifest grants it.
type Capabilities struct {
	ComponentID     string
	ManifestVersion int
	// Allow is the outbound allow-list (nil: nothing allowed).
	Allow *allowlist.List
	// Config holds the component's resolved config values for spin-config.
	Config map[string]string
	// KeyValueStores are the store labels the component may open.
	KeyValueStores map[string]bool
}

// Host holds the process-wide resources host functions use.
type Host struct {
	// HTTP performs outbound requests. Its CheckRedirect is replaced per call so that
	// redirects are followed only to allowed hosts.
	HTTP *http.Client
	// Redis returns the backend for an outbound-redis address: "" is the embedded
	// default store, redis:// and rediss:// are real Redis servers.
	Redis func(ctx context.Context, address string) (store.Redis, error)
	// KV returns the store for a key-value label, or ErrNoSuchStore.
	KV func(label string) (store.KV, error)
	// MaxResponseBytes caps an outbound HTTP response body (0: 16 MiB).
	MaxResponseBytes int64
	// Metrics counts outbound requests and store operations (nil: not counted).
	Metrics *metrics.Metrics
	Log     *slog.Logger
}

// module is one host interface: its import module name and its functions.
type module struct {
	name  string
	funcs []hostFunc
}

type hostFunc struct {
	name    string
	params  int // number of i32 params
	results []api.ValueType
	fn      api.GoModuleFunc
}

// modules lists the interfaces Register instantiates.
func (h *Host) modules() []module {
	return []module{
		{spin.ModuleOutboundHTTP, h.httpFuncs()},
		{spin.ModuleOutboundRedis, h.redisFuncs()},
		{spin.ModuleConfig, h.configFuncs()},
		{spin.ModuleKeyValue, h.kvFuncs()},
	}
}

// Register instantiates the host modules in the engine's runtime.
func (h *Host) Register(ctx context.Context, e *engine.Engine) error {
	if h.MaxResponseBytes == 0 {
		h.MaxResponseBytes = 16 << 20
	}
	if h.Log == nil {
		h.Log = slog.Default()
	}
	for _, m := range h.modules() {
		b := e.Runtime().NewHostModuleBuilder(m.name)
		for _, f := range m.funcs {
			b.NewFunctionBuilder().WithGoModuleFunction(f.fn, i32s(f.params), f.results).Export(f.name)
		}
		if _, err := b.Instantiate(ctx); err != nil {
			return err
		}
		e.Register(m.name)
	}
	return nil
}

func i32s(n int) []api.ValueType {
	t := make([]api.ValueType, n)
	for i := range t {
		t[i] = api.ValueTypeI32
	}
	return t
}

// must turns an ABI violation into the panic that traps the guest's call.
func must(err error) {
	if err != nil {
		panic(err)
	}
}

func must2[T any](v T, err error) T {
	must(err)
	return v
}
