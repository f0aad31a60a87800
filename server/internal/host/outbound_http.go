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

	"wasmsite/server/internal/abi"
)

// ErrNotAllowed is the refusal of an outbound request to a host the component's
// manifest does not list (reported to the guest as destination-not-allowed).
var ErrNotAllowed = errors.New("destination not allowed")

// wasi-outbound-http.request(method, uri p/l, headers p/l, params p/l, body tag/p/l, retptr).
func (h *Host) httpFuncs() []hostFunc {
	return []hostFunc{{name: "request", params: 11, fn: func(ctx context.Context, mod api.Module, stack []uint64) {
		c := callFrom(ctx)
		g := c.guestOf(mod)
		req, err := g.LiftOutboundRequest(stack[:10])
		must(err)
		resp, code := h.Send(ctx, c, req)
		must(g.LowerOutboundResult(ctx, uint32(stack[10]), resp, code))
	}}}
}

// Send performs an outbound request for a call. It refuses, before any connection is
// made, URLs whose host the component's allow-list does not grant
// (HTTPDestinationNotAllowed), and URLs that do not parse or are not http(s)
// (HTTPInvalidURL). Transport and body errors are HTTPRuntimeError. Redirects are
// followed only while their targets are allowed; otherwise the 3xx itself is returned.
func (h *Host) Send(ctx context.Context, c *Call, req *abi.HTTPRequest) (*abi.HTTPResponse, abi.HTTPError) {
	u, err := url.Parse(req.URI)
	if err != nil {
		return nil, abi.HTTPInvalidURL
	}
	if !u.IsAbs() {
		if c.Caps.Allow == nil || !c.Caps.Allow.AllowsRelative() || c.Origin == nil {
			h.refuse(c, req.URI, "relative URL without \"self\" in the allowed hosts")
			return nil, abi.HTTPDestinationNotAllowed
		}
		u = c.Origin.ResolveReference(u)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		// Spin 1.x's allow-list admits only http(s) URLs (AllowedHttpHosts::allow), so
		// another scheme is destination-not-allowed unless everything is allowed.
		if c.Caps.Allow == nil || !c.Caps.Allow.AllowsAll() {
			h.refuse(c, u.Redacted(), "only http and https URLs are allowed")
			return nil, abi.HTTPDestinationNotAllowed
		}
		return nil, abi.HTTPInvalidURL
	}
	if u.Host == "" {
		return nil, abi.HTTPInvalidURL
	}
	if !h.allowed(c, u) {
		h.refuse(c, u.String(), "host not in the allowed hosts")
		return nil, abi.HTTPDestinationNotAllowed
	}
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, u.String(), body)
	if err != nil {
		return nil, abi.HTTPInvalidURL
	}
	for _, kv := range req.Headers {
		if strings.EqualFold(kv[0], "host") {
			continue
		}
		hr.Header.Add(kv[0], kv[1])
	}
	client := *h.HTTP
	client.CheckRedirect = func(next *http.Request, via []*http.Request) error {
		if len(via) >= 10 || !h.allowed(c, next.URL) {
			return http.ErrUseLastResponse
		}
		return nil
	}
	resp, err := client.Do(hr)
	if err != nil {
		h.Log.Warn("outbound http failed", "component", c.Caps.ComponentID, "url", u.Redacted(), "err", err)
		return nil, abi.HTTPRuntimeError
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, h.MaxResponseBytes+1))
	if err != nil || int64(len(data)) > h.MaxResponseBytes {
		if err == nil {
			err = fmt.Errorf("response body over %d bytes", h.MaxResponseBytes)
		}
		h.Log.Warn("outbound http failed", "component", c.Caps.ComponentID, "url", u.Redacted(), "err", err)
		return nil, abi.HTTPRuntimeError
	}
	out := &abi.HTTPResponse{Status: uint16(resp.StatusCode), Body: data, Headers: [][2]string{}}
	for k, vs := range resp.Header {
		for _, v := range vs {
			out.Headers = append(out.Headers, [2]string{strings.ToLower(k), v})
		}
	}
	return out, abi.HTTPSuccess
}

func (h *Host) allowed(c *Call, u *url.URL) bool {
	return c.Caps.Allow != nil && c.Caps.Allow.Allows(u, c.Origin)
}

func (h *Host) refuse(c *Call, target, why string) {
	h.Log.Warn("outbound http refused", "component", c.Caps.ComponentID, "url", target, "reason", why)
}
