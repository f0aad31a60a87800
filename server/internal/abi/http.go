package abi

import (
	"context"
	"encoding/binary"
	"io"

	"github.com/tetratelabs/wazero/api"

	"wasmsite/functions/sdk/spin"
)

// HTTPRequest is the http-types `request` record.
type HTTPRequest struct {
	Method  string
	URI     string
	Headers [][2]string
	Params  [][2]string
	Body    []byte // nil means none, unless BodyFrom is set
	// BodyFrom, when set, supplies the body instead of Body: BodyLen bytes read
	// straight into the guest's allocation, never buffered by the host.
	BodyFrom io.Reader
	BodyLen  uint32
}

// BodyError is a failure to read a request body from BodyFrom (the client's fault:
// a short or oversized body), as opposed to the guest's.
type BodyError struct{ Err error }

func (e *BodyError) Error() string { return "reading the request body: " + e.Err.Error() }
func (e *BodyError) Unwrap() error { return e.Err }

// HTTPResponse is the http-types `response` record (nil Headers / Body mean none).
type HTTPResponse struct {
	Status  uint16
	Headers [][2]string
	Body    []byte
}

// CallHTTPHandler lowers req into the guest, calls handler (the `handle-http-request`
// export: 10 i32 params, i32 result pointing at a response record), lifts the response
// and frees every string and list in it via canonical_abi_free, as wit-bindgen's host does
// (unless g.SkipFrees).
// A status outside 100..=600, a bad option tag or any bounds/UTF-8 violation is an *Error.
func (g *Guest) CallHTTPHandler(ctx context.Context, handler api.Function, req *HTTPRequest) (*HTTPResponse, error) {
	m, ok := spin.MethodCode(req.Method)
	if !ok {
		return nil, Errorf("method %q is not in Spin's method enum", req.Method)
	}
	uri, err := g.PutString(ctx, req.URI)
	if err != nil {
		return nil, err
	}
	hdrs, err := g.PutStringPairs(ctx, req.Headers)
	if err != nil {
		return nil, err
	}
	params, err := g.PutStringPairs(ctx, req.Params)
	if err != nil {
		return nil, err
	}
	bodyTag, bodyPtr, bodyLen, err := g.lowerBody(ctx, req)
	if err != nil {
		return nil, err
	}
	res, err := handler.Call(ctx, uint64(m), uint64(uri), uint64(len(req.URI)), uint64(hdrs), uint64(len(req.Headers)),
		uint64(params), uint64(len(req.Params)), bodyTag, bodyPtr, bodyLen)
	if err != nil {
		return nil, err
	}
	if len(res) != 1 {
		return nil, Errorf("%s returned %d values, want 1", spin.ExportHTTPHandler, len(res))
	}
	return g.liftResponse(ctx, uint32(res[0]), !g.SkipFrees)
}

// lowerBody allocates the request body in the guest and fills it from Body or BodyFrom;
// it returns the option's flat values.
func (g *Guest) lowerBody(ctx context.Context, req *HTTPRequest) (tag, ptr, n uint64, err error) {
	var p uint32
	switch {
	case req.BodyFrom != nil:
		if p, err = g.Alloc(ctx, req.BodyLen, 1); err != nil {
			return 0, 0, 0, err
		}
		view, _ := g.Mem.Read(p, req.BodyLen)
		if _, rerr := io.ReadFull(req.BodyFrom, view); rerr != nil {
			return 0, 0, 0, &BodyError{Err: rerr}
		}
		return spin.OptionSome, uint64(p), uint64(req.BodyLen), nil
	case req.Body != nil:
		if p, err = g.PutBytes(ctx, req.Body); err != nil {
			return 0, 0, 0, err
		}
		return spin.OptionSome, uint64(p), uint64(len(req.Body)), nil
	}
	return spin.OptionNone, 0, 0, nil
}

// liftResponse reads a response record (spin.Response*) at p; with free set it releases
// the guest-owned strings and lists afterwards.
func (g *Guest) liftResponse(ctx context.Context, p uint32, free bool) (*HTTPResponse, error) {
	if err := g.Check(p, spin.ResponseSize, spin.ResponseAlign); err != nil {
		return nil, err
	}
	resp := &HTTPResponse{Status: g.U16(p + spin.ResponseStatus)}
	if resp.Status < 100 || resp.Status > 600 {
		return nil, Errorf("malformed HTTP status code %d", resp.Status)
	}
	hTag, hPtr, hLen := g.U8(p+spin.ResponseHeadersTag), g.U32(p+spin.ResponseHeadersPtr), g.U32(p+spin.ResponseHeadersLen)
	bTag, bPtr, bLen := g.U8(p+spin.ResponseBodyTag), g.U32(p+spin.ResponseBodyPtr), g.U32(p+spin.ResponseBodyLen)
	if hTag > spin.OptionSome || bTag > spin.OptionSome {
		return nil, Errorf("invalid option tag in response (headers %d, body %d)", hTag, bTag)
	}
	var err error
	if hTag == spin.OptionSome {
		if resp.Headers, err = g.StringPairs(hPtr, hLen); err != nil {
			return nil, err
		}
	}
	if bTag == spin.OptionSome {
		if resp.Body, err = g.Bytes(bPtr, bLen); err != nil {
			return nil, err
		}
	}
	if !free {
		return resp, nil
	}
	if hTag == spin.OptionSome {
		if err := g.freePairs(ctx, hPtr, hLen); err != nil {
			return nil, err
		}
	}
	if bTag == spin.OptionSome {
		if err := g.Free(ctx, bPtr, bLen, 1); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

// freePairs returns a list<tuple<string,string>> of n elements at p to the guest: each
// string, then the array.
func (g *Guest) freePairs(ctx context.Context, p, n uint32) error {
	for i := uint32(0); i < n; i++ {
		e := p + i*spin.PairSize
		if err := g.Free(ctx, g.U32(e+spin.PairNamePtr), g.U32(e+spin.PairNameLen), 1); err != nil {
			return err
		}
		if err := g.Free(ctx, g.U32(e+spin.PairValuePtr), g.U32(e+spin.PairValueLen), 1); err != nil {
			return err
		}
	}
	return g.Free(ctx, p, n*spin.PairSize, spin.PairAlign)
}

// LiftOutboundRequest reads the flat `request` argument of wasi-outbound-http.request
// (spin.Request*, spin.RequestParams values). The memory stays the guest's (borrowed).
func (g *Guest) LiftOutboundRequest(p []uint64) (*HTTPRequest, error) {
	if len(p) < spin.RequestParams {
		return nil, Errorf("request has %d flat values, want %d", len(p), spin.RequestParams)
	}
	method, ok := spin.MethodName(uint32(p[spin.RequestMethod]))
	if !ok {
		return nil, Errorf("invalid method discriminant %d", uint32(p[spin.RequestMethod]))
	}
	req := &HTTPRequest{Method: method}
	var err error
	if req.URI, err = g.String(uint32(p[spin.RequestURIPtr]), uint32(p[spin.RequestURILen])); err != nil {
		return nil, err
	}
	if req.Headers, err = g.StringPairs(uint32(p[spin.RequestHeadersPtr]), uint32(p[spin.RequestHeadersLen])); err != nil {
		return nil, err
	}
	if req.Params, err = g.StringPairs(uint32(p[spin.RequestParamsPtr]), uint32(p[spin.RequestParamsLen])); err != nil {
		return nil, err
	}
	switch tag := uint32(p[spin.RequestBodyTag]); tag {
	case spin.OptionNone:
	case spin.OptionSome:
		if req.Body, err = g.Bytes(uint32(p[spin.RequestBodyPtr]), uint32(p[spin.RequestBodyLen])); err != nil {
			return nil, err
		}
	default:
		return nil, Errorf("invalid body option tag %d", tag)
	}
	return req, nil
}

// LowerOutboundResult writes expected<response, http-error> into the result area at
// retptr (spin.Outbound*): resp as a response record, or code when resp is nil. Headers
// and body are allocated in the guest and owned by it afterwards.
func (g *Guest) LowerOutboundResult(ctx context.Context, retptr uint32, resp *HTTPResponse, code spin.HTTPError) error {
	if err := g.Check(retptr, spin.OutboundResultSize, spin.OutboundResultAlign); err != nil {
		return err
	}
	var buf [spin.OutboundResultSize]byte
	if resp == nil {
		buf[spin.ResultIsErr], buf[spin.OutboundError] = 1, byte(code)
		return g.write(retptr, buf[:])
	}
	hp, err := g.PutStringPairs(ctx, resp.Headers)
	if err != nil {
		return err
	}
	bp, err := g.PutBytes(ctx, resp.Body)
	if err != nil {
		return err
	}
	rec := buf[spin.OutboundResponse:]
	binary.LittleEndian.PutUint16(rec[spin.ResponseStatus:], resp.Status)
	rec[spin.ResponseHeadersTag] = spin.OptionSome
	binary.LittleEndian.PutUint32(rec[spin.ResponseHeadersPtr:], hp)
	binary.LittleEndian.PutUint32(rec[spin.ResponseHeadersLen:], uint32(len(resp.Headers)))
	rec[spin.ResponseBodyTag] = spin.OptionSome
	binary.LittleEndian.PutUint32(rec[spin.ResponseBodyPtr:], bp)
	binary.LittleEndian.PutUint32(rec[spin.ResponseBodyLen:], uint32(len(resp.Body)))
	return g.write(retptr, buf[:])
}

func (g *Guest) write(p uint32, b []byte) error {
	if !g.Mem.Write(p, b) {
		return Errorf("range %#x+%d outside memory", p, len(b))
	}
	return nil
}
