package spinhttp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"wasmsite/functions/sdk/spin"
)

// Errors of wasi-outbound-http (http-types.wit `http-error`), wrapped by Transport.
var (
	ErrDestinationNotAllowed = errors.New("destination not allowed")
	ErrInvalidURL            = errors.New("invalid url")
	ErrRequestError          = errors.New("request error")
	ErrRuntimeError          = errors.New("runtime error")
	ErrTooManyRequests       = errors.New("too many requests")
	// ErrUnknownHTTPError is wrapped for an error code outside the enum.
	ErrUnknownHTTPError = errors.New("unknown outbound http error")
)

// HTTPError maps an http-error discriminant to its error value.
func HTTPError(code uint8) error {
	switch spin.HTTPError(code) {
	case spin.HTTPDestinationNotAllowed:
		return ErrDestinationNotAllowed
	case spin.HTTPInvalidURL:
		return ErrInvalidURL
	case spin.HTTPRequestError:
		return ErrRequestError
	case spin.HTTPRuntimeError:
		return ErrRuntimeError
	case spin.HTTPTooManyRequests:
		return ErrTooManyRequests
	}
	return fmt.Errorf("%w %d", ErrUnknownHTTPError, code)
}

// OutboundRequest is the lowered form of an outbound request (Spin's request record).
type OutboundRequest struct {
	Method  uint32
	URI     string
	Headers []Pair
	Body    []byte
	HasBody bool
}

// Transport is an http.RoundTripper over the host's wasi-outbound-http interface.
// The host applies the component's allowed_http_hosts; requests are synchronous and
// the request context is only checked before sending.
type Transport struct{}

// Client is an *http.Client using Transport.
var Client = &http.Client{Transport: Transport{}}

// RoundTrip implements http.RoundTripper.
func (Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		defer req.Body.Close()
	}
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	code, ok := MethodCode(req.Method)
	if !ok {
		return nil, fmt.Errorf("spinhttp: method %q is not supported by wasi-outbound-http", req.Method)
	}
	out := OutboundRequest{Method: code, URI: req.URL.String()}
	for name, vals := range req.Header {
		for _, v := range vals {
			out.Headers = append(out.Headers, Pair{Name: name, Value: v})
		}
	}
	if req.Host != "" && req.URL != nil && req.Host != req.URL.Host {
		out.Headers = append(out.Headers, Pair{Name: "Host", Value: req.Host})
	}
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, fmt.Errorf("spinhttp: reading request body: %w", err)
		}
		out.Body, out.HasBody = b, true
	}
	resp, err := send(&out)
	if err != nil {
		return nil, fmt.Errorf("spinhttp: outbound %s %s: %w", req.Method, req.URL.Redacted(), err)
	}
	h := make(http.Header, len(resp.Headers))
	for _, p := range resp.Headers {
		h.Add(p.Name, p.Value)
	}
	return &http.Response{
		Status:        strconv.Itoa(resp.Status) + " " + http.StatusText(resp.Status),
		StatusCode:    resp.Status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(resp.Body)),
		ContentLength: int64(len(resp.Body)),
		Request:       req,
	}, nil
}
