// Package spinhttp connects net/http to a Spin 1.x host.
//
// Inbound: Handle registers an http.Handler; the package exports the core-module
// function handle-http-request, converts Spin's request record into an *http.Request,
// runs the handler against a response recorder and lowers the recorded response.
//
//   - r.Method is the Spin method enum (GET POST PUT DELETE PATCH HEAD OPTIONS).
//   - r.URL and r.RequestURI come from Spin's uri (path and query); r.Host and
//     r.URL.Host/Scheme come from the spin-full-url header; r.RemoteAddr is the
//     spin-client-addr header (ip:port), empty when the host does not send it.
//   - All request headers, including Spin's spin-path-info, spin-full-url,
//     spin-matched-route, spin-component-route, spin-raw-component-route,
//     spin-base-path and spin-client-addr, are in r.Header (see the Header* constants
//     and PathInfo).
//   - Response headers are emitted one (name, value) pair per value. When the handler
//     sets no Content-Type and writes a body, one is sniffed as net/http's server does.
//     The body of a HEAD response is dropped. A panicking handler yields a 500 with a
//     short text body.
//
// Outbound: Transport is an http.RoundTripper over the wasi-outbound-http request
// import and Client an *http.Client using it. Host errors are returned wrapped around
// ErrDestinationNotAllowed, ErrInvalidURL, ErrRequestError, ErrRuntimeError or
// ErrTooManyRequests (test with errors.Is).
//
// Request, Response, Pair and RequestHandler are package wire's types: HandleRequest
// serves Spin's request record without net/http's types (a header map, a parsed URL and
// a response recorder per request, a large part of serving a small response). A
// component that needs nothing of net/http imports wire alone and keeps net/http out
// of its memory image.
//
// Importing this package makes the component export handle-http-request; without a
// registered handler every request answers 500.
package spinhttp

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"

	"wasmsite/functions/sdk/spin"
	"wasmsite/functions/sdk/spinhttp/wire"
)

// The types of Spin's records (package wire).
type (
	Pair           = wire.Pair
	Request        = wire.Request
	Response       = wire.Response
	RequestHandler = wire.Handler
)

// HandleRequest registers the component's inbound handler of Requests, instead of an
// http.Handler (Handle). Call it from func init(), last: like Handle it readies the Go
// runtime for requests (wire.Handle).
func HandleRequest(h RequestHandler) { wire.Handle(h) }

// ServeRequest runs h on one request given as Spin's record parts, as the export does:
// a panic is a 500, a HEAD response loses its body (wire.Serve). Use it in native tests.
func ServeRequest(h RequestHandler, method, uri string, headers []Pair, body []byte) Response {
	return wire.Serve(h, method, uri, headers, body)
}

// Headers added by Spin to every inbound request (see package spin).
const (
	HeaderPathInfo          = spin.HeaderPathInfo
	HeaderFullURL           = spin.HeaderFullURL
	HeaderMatchedRoute      = spin.HeaderMatchedRoute
	HeaderComponentRoute    = spin.HeaderComponentRoute
	HeaderRawComponentRoute = spin.HeaderRawComponentRoute
	HeaderBasePath          = spin.HeaderBasePath
	HeaderClientAddr        = spin.HeaderClientAddr
)

// MethodName returns the HTTP method for a Spin method discriminant.
func MethodName(m uint32) (string, bool) { return spin.MethodName(m) }

// MethodCode returns the Spin method discriminant for an HTTP method ("" is GET, as
// in net/http).
func MethodCode(method string) (uint32, bool) {
	if method == "" {
		return spin.MethodCode(http.MethodGet)
	}
	return spin.MethodCode(method)
}

// PathInfo returns the spin-path-info header: the request path relative to the
// component's route (already stripped of the route prefix, not percent-decoded).
func PathInfo(r *http.Request) string { return r.Header.Get(HeaderPathInfo) }

// Handle registers the component's inbound handler. Call it from func init(), last:
// it also readies the Go runtime for requests (a warm-up request through net/http's
// types, a garbage collection and filled allocator caches), which a host that
// snapshots the state after initialisation does not redo per request.
func Handle(h http.Handler) {
	wire.HandleWarm(func(r *Request) Response {
		return Serve(h, r.Method, r.URI, r.Headers, r.Body)
	}, func() {
		noop := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.Write([]byte("warm"))
		})
		Serve(noop, http.MethodGet, "/", wire.WarmHeaders(), nil)
		os.Getenv("PATH")
	})
}

// HandleFunc registers an inbound handler function.
func HandleFunc(f func(http.ResponseWriter, *http.Request)) { Handle(http.HandlerFunc(f)) }

// NewRequest builds the *http.Request a handler sees from the parts of Spin's request
// record. method is the HTTP method name.
func NewRequest(method, uri string, headers []Pair, body []byte) (*http.Request, error) {
	u, err := url.ParseRequestURI(uri)
	if err != nil {
		return nil, fmt.Errorf("spinhttp: bad request uri %q: %w", uri, err)
	}
	h := make(http.Header, len(headers))
	for _, p := range headers {
		if spin.IsHostHeader(p.Name) {
			h.Set(p.Name, p.Value) // the host's, added last, replaces any client's
		} else {
			h.Add(p.Name, p.Value)
		}
	}
	r := &http.Request{
		Method:        method,
		URL:           u,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		RequestURI:    uri,
		RemoteAddr:    h.Get(HeaderClientAddr),
	}
	if len(body) == 0 {
		r.Body = http.NoBody
	}
	if full := h.Get(HeaderFullURL); full != "" {
		if fu, err := url.Parse(full); err == nil {
			r.Host = fu.Host
			if u.Host == "" {
				u.Host = fu.Host
				u.Scheme = fu.Scheme
			}
		}
	}
	if r.Host == "" {
		r.Host = h.Get("Host")
	}
	return r, nil
}

// Recorder is the http.ResponseWriter handed to inbound handlers.
type Recorder struct {
	header      http.Header
	status      int
	wroteHeader bool
	body        bytes.Buffer
}

// NewRecorder returns an empty recorder (status 200 until written).
func NewRecorder() *Recorder { return &Recorder{header: http.Header{}} }

// Header implements http.ResponseWriter.
func (w *Recorder) Header() http.Header { return w.header }

// WriteHeader implements http.ResponseWriter; informational statuses are ignored and
// only the first final status counts.
func (w *Recorder) WriteHeader(code int) {
	if w.wroteHeader || (code >= 100 && code < 200) {
		return
	}
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("spinhttp: invalid WriteHeader code %d", code))
	}
	w.status = code
	w.wroteHeader = true
}

// Write implements http.ResponseWriter.
func (w *Recorder) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	return w.body.Write(p)
}

// Flush implements http.Flusher (a no-op: the response is sent when the handler returns).
func (w *Recorder) Flush() {}

// Result finalises the recording: status defaulted to 200, Content-Type sniffed when
// absent, headers flattened in sorted name order, one pair per value.
func (w *Recorder) Result(head bool) Response {
	status := w.status
	if status == 0 {
		status = http.StatusOK
	}
	body := w.body.Bytes()
	if _, set := w.header["Content-Type"]; !set && len(body) > 0 && status != http.StatusNoContent && status != http.StatusNotModified {
		w.header.Set("Content-Type", http.DetectContentType(body))
	}
	if head {
		body = nil
	}
	names := make([]string, 0, len(w.header))
	for k := range w.header {
		names = append(names, k)
	}
	sort.Strings(names)
	var pairs []Pair
	for _, k := range names {
		for _, v := range w.header[k] {
			pairs = append(pairs, Pair{Name: k, Value: v})
		}
	}
	return Response{Status: status, Headers: pairs, Body: body}
}

// Serve runs h on one request given as Spin's record parts and returns the lowered
// response. It is what handle-http-request calls; exported so that components can
// be tested natively exactly as the host will drive them.
func Serve(h http.Handler, method, uri string, headers []Pair, body []byte) (resp Response) {
	if h == nil {
		return wire.Text(http.StatusInternalServerError, "no handler registered\n")
	}
	r, err := NewRequest(method, uri, headers, body)
	if err != nil {
		return wire.Text(http.StatusBadRequest, "bad request\n")
	}
	w := NewRecorder()
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				resp = wire.Text(http.StatusInternalServerError, "aborted\n")
				return
			}
			fmt.Fprintf(os.Stderr, "spinhttp: handler panic: %v\n", p)
			resp = wire.Text(http.StatusInternalServerError, "internal server error\n")
		}
	}()
	h.ServeHTTP(w, r)
	return w.Result(method == http.MethodHead)
}
