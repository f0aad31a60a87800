package host

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/tetratelabs/wazero/api"

	"wasmsite/functions/sdk/spin"
	"wasmsite/server/internal/abi"
)

// ErrNotAllowed is the refusal of an outbound request to a host the component's
// manifest does not list (reported to the guest as destination-not-allowed).
var ErrNotAllowed = errors.New("destination not allowed")

// httpFuncs is wasi-outbound-http (wit/ephemeral/wasi-outbound-http.wit):
// request(the flat request record, retptr), sent by Send; result area spin.Outbound*.
func (h *Host) httpFuncs() []hostFunc {
	return []hostFunc{{name: "request", params: spin.RequestParams + 1, fn: func(ctx context.Context, mod api.Module, stack []uint64) {
		sc, g := enter(ctx, mod)
		req := must2(g.LiftOutboundRequest(stack[:spin.RequestParams]))
		resp, code := h.Send(ctx, sc, req)
		must(g.LowerOutboundResult(ctx, uint32(stack[spin.RequestParams]), resp, code))
	}}}
}

// Send performs an outbound request in a scope. It refuses, before any connection is
// made, URLs whose host the component's allow-list does not grant
// (HTTPDestinationNotAllowed), and URLs that do not parse or are not http(s)
// (HTTPInvalidURL). Transport and body errors are HTTPRuntimeError. Redirects are
// followed only while their targets are allowed; otherwise the 3xx itself is returned.
func (h *Host) Send(ctx context.Context, sc *Scope, req *abi.HTTPRequest) (*abi.HTTPResponse, spin.HTTPError) {
	u, err := url.Parse(req.URI)
	if err != nil {
		return nil, spin.HTTPInvalidURL
	}
	if !u.IsAbs() {
		if sc.Caps.Allow == nil || !sc.Caps.Allow.AllowsRelative() || sc.Origin == nil {
			h.refuse(sc, req.URI, "relative URL without \"self\" in the allowed hosts")
			return nil, spin.HTTPDestinationNotAllowed
		}
		u = sc.Origin.ResolveReference(u)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		// Spin 1.x's allow-list admits only http(s) URLs (AllowedHttpHosts::allow), so
		// another scheme is destination-not-allowed unless everything is allowed.
		if sc.Caps.Allow == nil || !sc.Caps.Allow.AllowsAll() {
			h.refuse(sc, u.Redacted(), "only http and https URLs are allowed")
			return nil, spin.HTTPDestinationNotAllowed
		}
		return nil, spin.HTTPInvalidURL
	}
	if u.Host == "" {
		return nil, spin.HTTPInvalidURL
	}
	if !h.allowed(sc, u) {
		h.refuse(sc, u.String(), "host not in the allowed hosts")
		return nil, spin.HTTPDestinationNotAllowed
	}
	h.Metrics.Outbound(sc.Caps.ComponentID, "http", true)
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, u.String(), body)
	if err != nil {
		return nil, spin.HTTPInvalidURL
	}
	for _, kv := range req.Headers {
		if strings.EqualFold(kv[0], "host") {
			continue
		}
		hr.Header.Add(kv[0], kv[1])
	}
	client := *h.HTTP
	client.CheckRedirect = func(next *http.Request, via []*http.Request) error {
		if len(via) >= 10 || !h.allowed(sc, next.URL) {
			return http.ErrUseLastResponse
		}
		return nil
	}
	resp, err := client.Do(hr)
	if err != nil {
		h.Log.Warn("outbound http failed", "component", sc.Caps.ComponentID, "url", u.Redacted(), "err", err)
		return nil, spin.HTTPRuntimeError
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, h.MaxResponseBytes+1))
	if err != nil || int64(len(data)) > h.MaxResponseBytes {
		if err == nil {
			err = fmt.Errorf("response body over %d bytes", h.MaxResponseBytes)
		}
		h.Log.Warn("outbound http failed", "component", sc.Caps.ComponentID, "url", u.Redacted(), "err", err)
		return nil, spin.HTTPRuntimeError
	}
	out := &abi.HTTPResponse{Status: uint16(resp.StatusCode), Body: data, Headers: [][2]string{}}
	for k, vs := range resp.Header {
		for _, v := range vs {
			out.Headers = append(out.Headers, [2]string{strings.ToLower(k), v})
		}
	}
	return out, spin.HTTPSuccess
}

func (h *Host) allowed(sc *Scope, u *url.URL) bool {
	return sc.Caps.Allow != nil && sc.Caps.Allow.Allows(u, sc.Origin)
}

func (h *Host) refuse(sc *Scope, target, why string) {
	h.Metrics.Outbound(sc.Caps.ComponentID, "http", false)
	h.Log.Warn("outbound http refused", "component", sc.Caps.ComponentID, "url", target, "reason", why)
}
