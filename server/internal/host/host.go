// Package host implements the Spin 1.x host interfaces guests import, with their exact
// core-module names and layouts (wit/ephemeral/*.wit; ../shared/reference/spin-1x.md C.4):
// wasi-outbound-http, outbound-redis, spin-config and key-value.
//
// Host modules are instantiated once per engine; what a call may reach comes from the
// *Call in the context, built per request from the component's manifest grants
// (allowed hosts, config, key-value store labels). Deny by default.
//
// A guest that violates the ABI (bad pointer, invalid UTF-8, bad discriminant) makes
// the host function panic with *abi.Error, which wazero turns into an error of the
// guest's export call: the executor answers 500 for that request only.
package host

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/tetratelabs/wazero/api"

	"wasmsite/server/internal/abi"
	"wasmsite/server/internal/engine"
	"wasmsite/server/manifest"
	"wasmsite/server/store"
)

// Capabilities are what one component's manifest grants it.
type Capabilities struct {
	ComponentID     string
	ManifestVersion int
	// Allow is the outbound allow-list (nil: nothing allowed).
	Allow *manifest.AllowList
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
	Log              *slog.Logger
}

// ErrNoSuchStore is returned by Host.KV for a label with no configured store.
var ErrNoSuchStore = errors.New("no such key-value store")

type callKey struct{}

// Call is the per-request state of one instance.
type Call struct {
	Caps *Capabilities
	// Origin is the incoming request's scheme://authority, against which relative
	// outbound URLs resolve when "self" is allowed (nil outside HTTP requests).
	Origin *url.URL
	guest  *abi.Guest
	stores []store.KV // key-value handles; nil entries are closed
}

// WithCall attaches c to ctx for the host functions the guest calls.
func WithCall(ctx context.Context, c *Call) context.Context {
	return context.WithValue(ctx, callKey{}, c)
}

func callFrom(ctx context.Context) *Call {
	if c, ok := ctx.Value(callKey{}).(*Call); ok {
		return c
	}
	// A guest running outside a request (e.g. during _initialize) gets no capabilities.
	return &Call{Caps: &Capabilities{}}
}

// guest binds the call to the calling instance's memory and allocator.
func (c *Call) guestOf(mod api.Module) *abi.Guest {
	if c.guest == nil || c.guest.Mem != mod.Memory() {
		g, err := abi.NewGuest(mod)
		if err != nil {
			panic(err)
		}
		c.guest = g
	}
	return c.guest
}

func must(err error) {
	if err != nil {
		panic(err)
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
	for name, fns := range map[string][]hostFunc{
		"wasi-outbound-http": h.httpFuncs(),
		"outbound-redis":     h.redisFuncs(),
		"spin-config":        h.configFuncs(),
		"key-value":          h.kvFuncs(),
	} {
		b := e.Runtime().NewHostModuleBuilder(name)
		for _, f := range fns {
			b.NewFunctionBuilder().WithGoModuleFunction(f.fn, i32s(f.params), f.results).Export(f.name)
		}
		if _, err := b.Instantiate(ctx); err != nil {
			return err
		}
		e.Register(name)
	}
	return nil
}

type hostFunc struct {
	name    string
	params  int // number of i32 params
	results []api.ValueType
	fn      api.GoModuleFunc
}

func i32s(n int) []api.ValueType {
	t := make([]api.ValueType, n)
	for i := range t {
		t[i] = api.ValueTypeI32
	}
	return t
}
