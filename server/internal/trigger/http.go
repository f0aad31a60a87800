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
	// Executor runs its HTTP requests (nil for components no HTTP route names).
	Executor Executor
}

// HTTP serves requests by routing them to components.
type HTTP struct {
	Router     *Router
	Components map[string]*Component
	AppName    string
	AppVersion string
	// Timeout bounds one request's wait for an instance and its guest call (0: none);
	// a guest still running then is stopped and the request answered 500.
	Timeout time.Duration
	// MaxBody bounds a request body in bytes (0: 16 MiB); larger bodies get 413.
	MaxBody int64
	// TLS reports whether the listener serves https (for spin-full-url).
	TLS bool
	Log *slog.Logger
}

const wellKnown = "/.well-known/spin/"

// DefaultMaxBody is HTTP.MaxBody when it is 0.
const DefaultMaxBody = 16 << 20

// ServeHTTP implements http.Handler: route, admit (503 with Retry-After when the
// component's instances and queue are full), run the executor with the body streamed
// into the guest, release the instance, then write the response.
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
	t.serve(rec, r, t.Components[route.Component], route)
}

func (t *HTTP) serve(w http.ResponseWriter, r *http.Request, c *Component, route *Route) {
	maxBody := t.MaxBody
	if maxBody == 0 {
		maxBody = DefaultMaxBody
	}
	if r.ContentLength > maxBody {
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		return
	}
	ctx := r.Context()
	if t.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t.Timeout)
		defer cancel()
	}
	req := t.request(r, route, maxBody, w)
	ctx = host.WithScope(ctx, &host.Scope{Caps: c.Caps, Origin: &url.URL{Scheme: t.scheme(), Host: req.HostName}})
	inst, err := c.Module.Acquire(ctx)
	if err != nil {
		t.refuse(w, r, c, err)
		return
	}
	resp, err := c.Executor.Execute(ctx, inst, req)
	inst.Release(err == nil)
	if err != nil {
		t.fail(w, r, c, ctx, err)
		return
	}
	t.respond(w, r, c, resp)
}

func (t *HTTP) scheme() string {
	if t.TLS {
		return "https"
	}
	return "http"
}

// request describes r for the executors, its body limited to maxBody.
func (t *HTTP) request(r *http.Request, route *Route, maxBody int64, w http.ResponseWriter) *Request {
	hostName := r.Host
	if hostName == "" {
		hostName = "localhost"
	}
	req := &Request{Request: r, Route: route, Path: r.URL.EscapedPath(),
		FullURL: t.scheme() + "://" + hostName + r.URL.RequestURI(), Client: r.RemoteAddr, HostName: hostName,
		Body: http.MaxBytesReader(w, r.Body, maxBody), BodyLen: r.ContentLength}
	if r.Body == nil || r.Body == http.NoBody {
		req.Body, req.BodyLen = strings.NewReader(""), 0
	}
	return req
}

// refuse answers a request that got no instance.
func (t *HTTP) refuse(w http.ResponseWriter, r *http.Request, c *Component, err error) {
	switch {
	case errors.Is(err, engine.ErrOverloaded):
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusServiceUnavailable)
	case errors.Is(err, context.DeadlineExceeded):
		t.Log.Warn("no instance became free in time", "component", c.ID, "path", r.URL.Path, "timeout", t.Timeout)
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusServiceUnavailable)
	case r.Context().Err() != nil: // the client went away
		w.WriteHeader(http.StatusServiceUnavailable)
	default:
		t.Log.Error("error processing request", "component", c.ID, "path", r.URL.Path, "err", err)
		w.WriteHeader(http.StatusInternalServerError)
	}
}

// fail answers a request whose execution failed: 413 or 400 for the client's body,
// else 500 (the guest's fault, logged).
func (t *HTTP) fail(w http.ResponseWriter, r *http.Request, c *Component, ctx context.Context, err error) {
	var bodyErr *abi.BodyError
	if errors.As(err, &bodyErr) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			w.WriteHeader(http.StatusRequestEntityTooLarge)
		} else {
			w.WriteHeader(http.StatusBadRequest)
		}
		return
	}
	if ctx.Err() == context.DeadlineExceeded {
		err = fmt.Errorf("guest did not return within %s: %w", t.Timeout, err)
	}
	t.Log.Error("error processing request", "component", c.ID, "path", r.URL.Path, "err", err)
	w.WriteHeader(http.StatusInternalServerError)
}

// respond writes the guest's response, or a 500 when a header is invalid.
func (t *HTTP) respond(w http.ResponseWriter, r *http.Request, c *Component, resp *abi.HTTPResponse) {
	h := w.Header()
	for _, kv := range resp.Headers {
		if !validHeaderName(kv[0]) || !validHeaderValue(kv[1]) {
			t.Log.Error("error processing request", "component", c.ID, "path", r.URL.Path,
				"err", fmt.Sprintf("invalid response header %q", kv[0]))
			clear(h)
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		h.Add(kv[0], kv[1])
	}
	if _, ok := h["Content-Type"]; !ok {
		h["Content-Type"] = nil // the guest chose none: do not sniff one
	}
	w.WriteHeader(int(resp.Status))
	if len(resp.Body) > 0 {
		w.Write(resp.Body)
	}
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
