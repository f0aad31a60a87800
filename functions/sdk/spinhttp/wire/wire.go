// Package wire serves Spin 1.x inbound HTTP requests as the records they cross the
// ABI in (Spin 1.x wit/spin-http.wit: request, response, list<tuple<string,string>>
// headers), without net/http.
//
// Importing it makes the component export handle-http-request; Handle registers the
// handler. Package spinhttp builds its net/http adapter (spinhttp.Handle) on this
// package, and its Request, Response, Pair and RequestHandler are these types.
//
// A component that needs no net/http is better off importing only this package:
// net/http's package initialisation alone keeps about 1 MiB of data and code tables in
// a Go guest's linear memory (static: 270 pages of 4 KiB), memory every instance maps
// and every reset's write scan walks.
package wire

import (
	"fmt"
	"os"
	"strconv"
	"sync"

	"wasmsite/functions/sdk/internal/abi"
	"wasmsite/functions/sdk/spin"
)

// Pair is one header as it crosses the ABI: Spin's headers are list<tuple<string,string>>.
type Pair struct{ Name, Value string }

// Handler answers a Request with a Response sent as it is: status (0 means 200),
// headers in order, body (dropped for HEAD). The Request and its Headers are the
// handler's until it returns: the next request reuses them (their strings and Body
// stay valid).
type Handler func(*Request) Response

var (
	handlerMu sync.RWMutex
	handler   Handler
)

// Handle registers the component's inbound handler. Call it from func init(), last:
// it also readies the Go runtime for requests (abi.Ready: a warm-up request through
// this package, a garbage collection, filled allocator caches), which a host that
// snapshots the state after initialisation does not redo per request.
func Handle(h Handler) { HandleWarm(h, warmRequest) }

// HandleWarm is Handle with warm as the warm-up instead of a request through this
// package: warm must not reach the component's handler, whose effects (a store
// write, say) would otherwise happen at every start. Package spinhttp passes a request
// through net/http's types.
func HandleWarm(h Handler, warm func()) {
	handlerMu.Lock()
	handler = h
	handlerMu.Unlock()
	abi.Ready(warm)
}

func currentHandler() Handler {
	handlerMu.RLock()
	defer handlerMu.RUnlock()
	return handler
}

// warmRequest serves a request through this package to a handler of its own, so
// that the request path's lazy initialisations (interface tables, os's copy of the
// environment) happen during `_initialize`.
func warmRequest() {
	Serve(func(r *Request) Response {
		r.Header(spin.HeaderPathInfo)
		return Response{Headers: []Pair{{"content-type", "text/plain"}}, Body: []byte("warm")}
	}, "GET", "/", WarmHeaders(), nil)
	os.Getenv("PATH")
}

// WarmHeaders are the headers of a warm-up request: every Spin header and a few
// common ones.
func WarmHeaders() []Pair {
	headers := []Pair{{"host", "localhost"}, {"accept-encoding", "gzip"}, {"user-agent", "warm"}}
	for _, name := range []string{spin.HeaderPathInfo, spin.HeaderFullURL, spin.HeaderMatchedRoute,
		spin.HeaderComponentRoute, spin.HeaderRawComponentRoute, spin.HeaderBasePath, spin.HeaderClientAddr} {
		headers = append(headers, Pair{name, "/"})
	}
	return headers
}

// Serve runs h on one request given as Spin's record parts, as the export does: a
// panic is a 500, status 0 is 200, a HEAD response loses its body. A nil h answers
// 500. Use it in native tests.
func Serve(h Handler, method, uri string, headers []Pair, body []byte) Response {
	return serve(new(Request), h, method, uri, headers, body)
}

// serve is Serve with the Request's storage given.
func serve(r *Request, h Handler, method, uri string, headers []Pair, body []byte) (resp Response) {
	if h == nil {
		return Text(500, "no handler registered\n")
	}
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(os.Stderr, "spinhttp: handler panic: %v\n", p)
			resp = Text(500, "internal server error\n")
		}
	}()
	*r = Request{Method: method, URI: uri, Headers: headers, Body: body}
	resp = h(r)
	if resp.Status == 0 {
		resp.Status = 200
	}
	if method == "HEAD" {
		resp.Body = nil
	}
	return resp
}

// Text is a plain-text response with status and body msg.
func Text(status int, msg string) Response {
	return Response{
		Status: status,
		Headers: []Pair{
			{"Content-Length", strconv.Itoa(len(msg))},
			{"Content-Type", "text/plain; charset=utf-8"},
		},
		Body: []byte(msg),
	}
}
