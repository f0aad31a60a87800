package trigger

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"wasmsite/functions/sdk/spin"
	"wasmsite/server/internal/abi"
	"wasmsite/server/internal/engine"
	"wasmsite/server/internal/host"
)

// Executor runs one HTTP request on an instance of a component: Spin's HTTP executor
// (the `handle-http-request` export) or WAGI's (a WASI command). It is chosen and
// checked against the module once, when the application loads.
type Executor interface {
	// Check returns an error naming what m lacks to run under this executor.
	Check(m *engine.Module) error
	// Execute runs req on inst and returns the response, copied out of the guest.
	// A *abi.BodyError means the client's body could not be read.
	Execute(ctx context.Context, inst *engine.Instance, req *Request) (*abi.HTTPResponse, error)
}

// Request is an incoming request as the executors see it.
type Request struct {
	*http.Request
	Route *Route
	// Path is the raw (still percent-encoded) path; FullURL is scheme://host/path?query.
	Path, FullURL string
	// Client is the client's address (host:port) and HostName the request's Host.
	Client, HostName string
	// Body yields at most the body limit; BodyLen is its length, -1 when unknown
	// (chunked).
	Body    io.Reader
	BodyLen int64
}

// spinHeaders are the request headers Spin 1.x adds (crates/trigger-http
// compute_default_headers), as [Spin header, WAGI variable, value].
func (r *Request) spinHeaders() [][3]string {
	return [][3]string{
		{spin.HeaderPathInfo, "PATH_INFO", r.Route.PathInfo(r.Path)},
		{spin.HeaderFullURL, "X_FULL_URL", r.FullURL},
		{spin.HeaderMatchedRoute, "X_MATCHED_ROUTE", r.Route.Pattern},
		{spin.HeaderBasePath, "X_BASE_PATH", r.Route.Base},
		{spin.HeaderRawComponentRoute, "X_RAW_COMPONENT_ROUTE", r.Route.Raw},
		{spin.HeaderComponentRoute, "X_COMPONENT_ROUTE", r.Route.ComponentRoute()},
		{spin.HeaderClientAddr, "X_CLIENT_ADDR", r.Client},
	}
}

// SpinExecutor is Spin 1.x's HTTP executor: the request record is lowered into the
// guest (the body read straight into its memory when its length is known) and
// handle-http-request is called (core-module canonical ABI, spin-http.wit).
type SpinExecutor struct{}

// spinExports are the exports the Spin executor calls.
var spinExports = []string{spin.ExportHTTPHandler, spin.ExportRealloc, spin.ExportFree}

// Check implements Executor.
func (SpinExecutor) Check(m *engine.Module) error {
	for _, name := range spinExports {
		if !m.HasExport(name) {
			return fmt.Errorf("module does not export %s, required by the Spin HTTP executor (use executor = { type = \"wagi\" } for WAGI modules)", name)
		}
	}
	return nil
}

// Execute implements Executor.
func (SpinExecutor) Execute(ctx context.Context, inst *engine.Instance, req *Request) (*abi.HTTPResponse, error) {
	if _, ok := spin.MethodCode(req.Method); !ok {
		return &abi.HTTPResponse{Status: http.StatusMethodNotAllowed}, nil
	}
	rec, err := spinRecord(req)
	if err != nil {
		return nil, err
	}
	g, err := abi.NewGuest(inst)
	if err != nil {
		return nil, fmt.Errorf("component is not compatible with the Spin executor (should it use the WAGI executor?): %w", err)
	}
	// The instance is reset or closed after the request, which frees everything.
	g.SkipFrees = true
	host.BindGuest(ctx, g)
	return g.CallHTTPHandler(ctx, inst.Function(spin.ExportHTTPHandler), rec)
}

// spinRecord builds the request record: the client's headers (lower-cased) except any
// named like one the host sets, Host, then Spin's own headers. The body is read into the guest when its length is known, else
// buffered here first (within the limit).
func spinRecord(req *Request) (*abi.HTTPRequest, error) {
	rec := &abi.HTTPRequest{Method: req.Method, URI: req.URL.RequestURI()}
	rec.Headers = make([][2]string, 0, len(req.Header)+8)
	for k, vs := range req.Header {
		if spin.IsHostHeader(k) {
			continue
		}
		for _, v := range vs {
			rec.Headers = append(rec.Headers, [2]string{strings.ToLower(k), v})
		}
	}
	if req.Host != "" {
		rec.Headers = append(rec.Headers, [2]string{"host", req.Host})
	}
	for _, h := range req.spinHeaders() {
		rec.Headers = append(rec.Headers, [2]string{h[0], h[2]})
	}
	if req.BodyLen >= 0 {
		rec.BodyFrom, rec.BodyLen = req.Body, uint32(req.BodyLen)
		return rec, nil
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, &abi.BodyError{Err: err}
	}
	rec.Body = body
	return rec, nil
}

// errNoOutput is a WAGI module that wrote nothing to stdout.
var errNoOutput = errors.New("the module is configured to use the WAGI executor but did not write to stdout")
