package trigger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"wasmsite/server/internal/abi"
	"wasmsite/server/internal/engine"
	"wasmsite/server/internal/host"
	"wasmsite/server/internal/httpcache"
	"wasmsite/server/internal/metrics"
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
	// Self is the origin (scheme://host:port) of the application's own listener, which
	// outbound requests to "self" and relative URLs go to; nil refuses them. It never
	// comes from the request: a client's Host header must not steer them.
	Self *url.URL
	// TrustedProxies are the reverse proxies whose Forwarded / X-Forwarded-For name the
	// client (spin-client-addr); for other peers it is the socket's address.
	TrustedProxies TrustedProxies
	// Cache answers cacheable requests without running components (nil: none).
	Cache *httpcache.Cache
	// Metrics counts requests (nil: not counted).
	Metrics *metrics.Metrics
	Log     *slog.Logger
}

const wellKnown = "/.well-known/spin/"

// DefaultMaxBody is HTTP.MaxBody when it is 0.
const DefaultMaxBody = 16 << 20

// ServeHTTP implements http.Handler: give the request an id, route, then answer from
// the cache or run the component: admit (503 with Retry-After when the component's
// instances and queue are full), run the executor with the body streamed into the
// guest, release the instance, then write the response.
func (t *HTTP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusWriter{ResponseWriter: w, status: 200}
	id := t.requestID(r)
	r.Header.Set(RequestIDHeader, id) // the guest's copy; a client's is replaced
	component, cache := "", ""
	defer func() {
		d := time.Since(start)
		t.Log.Info("request", "id", id, "method", r.Method, "path", r.URL.Path, "component", component,
			"status", rec.status, "cache", cache, "duration", d.Round(time.Microsecond))
		t.Metrics.Request(component, rec.status, cacheResult(cache), d)
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
	cache = t.serve(rec, r, t.Components[route.Component], route)
}

// cacheResult is the first word of a Cache-Status (without the cache's name) for the
// metrics: "hit", or what the request was forwarded for ("miss", "stale", "bypass",
// "method").
func cacheResult(status string) string {
	first, _, _ := strings.Cut(status, ";")
	return strings.TrimPrefix(first, "fwd=")
}

// serve answers a routed request and returns its Cache-Status without the cache's
// name ("" without a cache).
func (t *HTTP) serve(w http.ResponseWriter, r *http.Request, c *Component, route *Route) string {
	maxBody := t.MaxBody
	if maxBody == 0 {
		maxBody = DefaultMaxBody
	}
	if r.ContentLength > maxBody {
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		return ""
	}
	origin := func(req *http.Request) (*httpcache.Response, error) { return t.run(w, req, c, route, maxBody) }
	res := httpcache.Result{Age: -1}
	var err error
	if t.Cache != nil {
		res, err = t.Cache.Serve(r, c.ID, origin)
	} else {
		res.Resp, err = origin(r)
	}
	if err != nil {
		t.fail(w, r, c, err)
	} else {
		writeResponse(w, res)
	}
	return strings.TrimPrefix(res.Status, httpcache.Name+"; ")
}

// run runs the component on req: its guest call is bounded by the timeout, counted
// from when it waits for an instance. Errors are an *acquireError when no instance was
// had, an *abi.BodyError for the client's body, else the guest's fault.
func (t *HTTP) run(w http.ResponseWriter, r *http.Request, c *Component, route *Route, maxBody int64) (*httpcache.Response, error) {
	ctx := r.Context()
	if t.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t.Timeout)
		defer cancel()
	}
	ctx = host.WithScope(ctx, &host.Scope{Caps: c.Caps, Origin: t.Self})
	inst, err := c.Module.Acquire(ctx)
	if err != nil {
		return nil, &acquireError{err: err}
	}
	resp, err := c.Executor.Execute(ctx, inst, t.request(r, route, maxBody, w))
	inst.Release(err == nil)
	if err != nil {
		if ctx.Err() == context.DeadlineExceeded {
			err = fmt.Errorf("guest did not return within %s: %w", t.Timeout, err)
		}
		return nil, err
	}
	return lift(resp)
}

// acquireError is a request that got no instance.
type acquireError struct{ err error }

func (e *acquireError) Error() string { return e.err.Error() }
func (e *acquireError) Unwrap() error { return e.err }

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
		FullURL: t.scheme() + "://" + hostName + r.URL.RequestURI(), Client: t.TrustedProxies.ClientAddr(r), HostName: hostName,
		Body: http.MaxBytesReader(w, r.Body, maxBody), BodyLen: r.ContentLength}
	if r.Body == nil || r.Body == http.NoBody {
		req.Body, req.BodyLen = strings.NewReader(""), 0
	}
	return req
}

// fail answers a request that has no response: 503 with Retry-After when no instance
// became free (overload, or the timeout passed while queued), 503 (logged at info) when
// the client went away, 413 or 400 for the client's body, else 500 (the guest's fault,
// logged as an error).
func (t *HTTP) fail(w http.ResponseWriter, r *http.Request, c *Component, err error) {
	var noInstance *acquireError
	var bodyErr *abi.BodyError
	switch {
	case errors.As(err, &noInstance) && errors.Is(err, engine.ErrOverloaded):
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusServiceUnavailable)
	case noInstance != nil && errors.Is(err, context.DeadlineExceeded):
		t.Log.Warn("no instance became free in time", "component", c.ID, "path", r.URL.Path, "timeout", t.Timeout)
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusServiceUnavailable)
	case r.Context().Err() != nil:
		// The client went away, while queued or while the guest ran: the guest was
		// stopped for it (a trap, "unreachable"), which is no fault of the guest's.
		t.Log.Info("client went away; request stopped", "id", r.Header.Get(RequestIDHeader), "component", c.ID, "path", r.URL.Path, "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
	case errors.As(err, &bodyErr):
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			w.WriteHeader(http.StatusRequestEntityTooLarge)
		} else {
			w.WriteHeader(http.StatusBadRequest)
		}
	default:
		t.Log.Error("error processing request", "id", r.Header.Get(RequestIDHeader), "component", c.ID, "path", r.URL.Path, "err", err)
		w.WriteHeader(http.StatusInternalServerError)
	}
}

// lift turns the guest's response into the host's, or fails naming an invalid header.
// Header value slices are clipped: a stored response is shared, and appending to a
// slice with spare capacity would write into it.
func lift(resp *abi.HTTPResponse) (*httpcache.Response, error) {
	h := make(http.Header, len(resp.Headers))
	for _, kv := range resp.Headers {
		if !validHeaderName(kv[0]) || !validHeaderValue(kv[1]) {
			return nil, fmt.Errorf("invalid response header %q", kv[0])
		}
		h.Add(kv[0], kv[1])
	}
	for k, vs := range h {
		h[k] = slices.Clip(vs)
	}
	return &httpcache.Response{Status: int(resp.Status), Header: h, Body: resp.Body}, nil
}

// writeResponse writes res: the response's headers (shared with the cache: copied by
// reference, never changed), Age and Cache-Status when the cache answered, the body.
func writeResponse(w http.ResponseWriter, res httpcache.Result) {
	h := w.Header()
	for k, vs := range res.Resp.Header {
		h[k] = vs
	}
	if _, ok := h["Content-Type"]; !ok {
		h["Content-Type"] = nil // the guest chose none: do not sniff one
	}
	if res.Age >= 0 {
		h["Age"] = []string{strconv.Itoa(res.Age)}
	}
	if res.Status != "" {
		h["Cache-Status"] = []string{res.Status}
	}
	w.WriteHeader(res.Resp.Status)
	if len(res.Resp.Body) > 0 {
		w.Write(res.Resp.Body)
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
