package trigger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"wasmsite/server/internal/abi"
	"wasmsite/server/internal/engine"
	"wasmsite/server/internal/host"
)

// Component is a loaded component as the triggers need it.
type Component struct {
	ID     string
	Module *engine.Module
	Caps   *host.Capabilities
	// Wagi is set for components whose HTTP executor is WAGI.
	Wagi *WagiConfig
}

// HTTP serves requests by routing them to components.
type HTTP struct {
	Router     *Router
	Components map[string]*Component
	AppName    string
	AppVersion string
	// Timeout bounds one guest call (0: none); a guest still running then is stopped
	// and the request answered 500.
	Timeout time.Duration
	// MaxBody bounds a request body in bytes (0: 16 MiB); larger bodies get 413.
	MaxBody int64
	// TLS reports whether the listener serves https (for spin-full-url).
	TLS bool
	Log *slog.Logger
}

const wellKnown = "/.well-known/spin/"

// ServeHTTP implements http.Handler.
func (t *HTTP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusWriter{ResponseWriter: w, status: 200}
	component := ""
	defer func() {
		t.Log.Info("request", "method", r.Method, "path", r.URL.Path, "component", component,
			"status", rec.status, "duration", time.Since(start).Round(time.Microsecond))
	}()
	// Spin checks the raw (still percent-encoded) path, as it routes.
	if strings.HasPrefix(r.URL.EscapedPath(), wellKnown) {
		t.wellKnown(rec, r)
		return
	}
	route := t.Router.Route(r.URL.EscapedPath())
	if route == nil {
		rec.WriteHeader(http.StatusNotFound)
		return
	}
	component = route.Component
	c := t.Components[route.Component]
	max := t.MaxBody
	if max == 0 {
		max = 16 << 20
	}
	body, err := io.ReadAll(http.MaxBytesReader(rec, r.Body, max))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			rec.WriteHeader(http.StatusRequestEntityTooLarge)
		} else {
			rec.WriteHeader(http.StatusBadRequest)
		}
		return
	}
	ctx := r.Context()
	if t.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t.Timeout)
		defer cancel()
	}
	scheme := "http"
	if t.TLS {
		scheme = "https"
	}
	hostHdr := r.Host
	if hostHdr == "" {
		hostHdr = "localhost"
	}
	origin := &url.URL{Scheme: scheme, Host: hostHdr}
	ctx = host.WithCall(ctx, &host.Call{Caps: c.Caps, Origin: origin})
	info := requestInfo{
		route:    route,
		fullURL:  scheme + "://" + hostHdr + r.URL.RequestURI(),
		path:     r.URL.EscapedPath(),
		client:   r.RemoteAddr,
		hostName: hostHdr,
	}
	var resp *abi.HTTPResponse
	if c.Wagi != nil {
		resp, err = t.serveWagi(ctx, c, r, body, info)
	} else {
		if _, ok := abi.MethodIndex(r.Method); !ok {
			rec.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		resp, err = t.serveSpin(ctx, c, r, body, info)
	}
	if err != nil {
		if ctx.Err() == context.DeadlineExceeded {
			err = fmt.Errorf("guest did not return within %s: %w", t.Timeout, err)
		}
		t.Log.Error("error processing request", "component", c.ID, "path", r.URL.Path, "err", err)
		rec.WriteHeader(http.StatusInternalServerError)
		return
	}
	for _, kv := range resp.Headers {
		if !validHeaderName(kv[0]) || !validHeaderValue(kv[1]) {
			t.Log.Error("error processing request", "component", c.ID, "path", r.URL.Path,
				"err", fmt.Sprintf("invalid response header %q", kv[0]))
			for k := range rec.Header() {
				delete(rec.Header(), k)
			}
			rec.WriteHeader(http.StatusInternalServerError)
			return
		}
		rec.Header().Add(kv[0], kv[1])
	}
	if _, ok := rec.Header()["Content-Type"]; !ok {
		rec.Header()["Content-Type"] = nil // the guest chose none: do not sniff one
	}
	rec.WriteHeader(int(resp.Status))
	if len(resp.Body) > 0 {
		rec.Write(resp.Body)
	}
}

type requestInfo struct {
	route    *Route
	fullURL  string
	path     string
	client   string
	hostName string
}

// spinHeaders are the request headers Spin 1.x adds (crates/trigger-http
// compute_default_headers), as [Spin header, WAGI variable, value].
func (i requestInfo) spinHeaders() [][3]string {
	return [][3]string{
		{"spin-path-info", "PATH_INFO", i.route.PathInfo(i.path)},
		{"spin-full-url", "X_FULL_URL", i.fullURL},
		{"spin-matched-route", "X_MATCHED_ROUTE", i.route.Pattern},
		{"spin-base-path", "X_BASE_PATH", i.route.Base},
		{"spin-raw-component-route", "X_RAW_COMPONENT_ROUTE", i.route.Raw},
		{"spin-component-route", "X_COMPONENT_ROUTE", i.route.ComponentRoute()},
		{"spin-client-addr", "X_CLIENT_ADDR", i.client},
	}
}

func (t *HTTP) serveSpin(ctx context.Context, c *Component, r *http.Request, body []byte, info requestInfo) (_ *abi.HTTPResponse, err error) {
	req := &abi.HTTPRequest{Method: r.Method, URI: r.URL.RequestURI(), Params: nil, Body: body}
	for k, vs := range r.Header {
		for _, v := range vs {
			req.Headers = append(req.Headers, [2]string{strings.ToLower(k), v})
		}
	}
	if r.Host != "" {
		req.Headers = append(req.Headers, [2]string{"host", r.Host})
	}
	for _, h := range info.spinHeaders() {
		req.Headers = append(req.Headers, [2]string{h[0], h[2]})
	}
	inst, err := c.Module.Instantiate(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer func() { inst.Release(context.WithoutCancel(ctx), err == nil) }()
	g, err := abi.NewGuest(inst)
	if err != nil {
		return nil, fmt.Errorf("component is not compatible with the Spin executor (should it use the WAGI executor?): %w", err)
	}
	handler := inst.ExportedFunction("handle-http-request")
	if handler == nil {
		return nil, errors.New("component does not export handle-http-request")
	}
	return g.CallHTTPHandler(ctx, handler, req)
}

func (t *HTTP) wellKnown(w http.ResponseWriter, r *http.Request) {
	switch strings.TrimPrefix(r.URL.EscapedPath(), wellKnown) {
	case "health":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "OK")
	case "info":
		info := map[string]string{"name": t.AppName}
		if t.AppVersion != "" {
			info["version"] = t.AppVersion
		}
		b, _ := json.MarshalIndent(info, "", "  ")
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

func validHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '\r' || c == '\n' || c == 0 {
			return false
		}
	}
	return true
}

// clientIP returns the IP part of a host:port address.
func clientIP(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}
