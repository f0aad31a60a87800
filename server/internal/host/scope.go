package host

import (
	"context"
	"net/url"

	"github.com/tetratelabs/wazero/api"

	"wasmsite/server/internal/abi"
	"wasmsite/server/store"
)

// Scope is what the guest calls of one request or message may reach: the component's
// capabilities and the request's origin. It also holds the per-call state of the
// instance serving it (its memory binding, its open key-value handles).
type Scope struct {
	Caps *Capabilities
	// Origin is the incoming request's scheme://authority, against which relative
	// outbound URLs resolve when "self" is allowed (nil outside HTTP requests).
	Origin *url.URL
	guest  *abi.Guest
	stores []store.KV // key-value handles; nil entries are closed
}

type scopeKey struct{}

// WithScope attaches s to ctx for the host functions the guest calls.
func WithScope(ctx context.Context, s *Scope) context.Context {
	return context.WithValue(ctx, scopeKey{}, s)
}

// BindGuest has the host functions the guest calls under ctx use g, the executor's
// binding of the instance serving the call, rather than binding the instance again
// (each binding looks up its exports, which costs wazero a call stack apiece).
func BindGuest(ctx context.Context, g *abi.Guest) {
	if s, ok := ctx.Value(scopeKey{}).(*Scope); ok {
		s.guest = g
	}
}

func scopeFrom(ctx context.Context) *Scope {
	if s, ok := ctx.Value(scopeKey{}).(*Scope); ok {
		return s
	}
	// A guest running outside a request (e.g. during _initialize) gets no capabilities.
	return &Scope{Caps: &Capabilities{}}
}

// guestOf binds the scope to the calling instance's memory and allocator.
func (s *Scope) guestOf(mod api.Module) *abi.Guest {
	if s.guest == nil || s.guest.Mem != mod.Memory() {
		s.guest = must2(abi.NewGuest(mod))
	}
	return s.guest
}

// enter returns the scope of ctx and the calling guest: the first step of every host
// function.
func enter(ctx context.Context, mod api.Module) (*Scope, *abi.Guest) {
	s := scopeFrom(ctx)
	return s, s.guestOf(mod)
}

// str reads a guest string given as flat (pointer, length) values.
func str(g *abi.Guest, p, n uint64) string {
	return must2(g.String(uint32(p), uint32(n)))
}
