package abi

import (
	"context"
	"encoding/binary"
	"io"

	"github.com/tetratelabs/wazero/api"
)

// Methods lists Spin's http-types `method` enum in discriminant order
// (wit/ephemeral/http-types.wit: get=0 … options=6).
var Methods = [...]string{"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"}

// MethodIndex returns the enum discriminant for an HTTP method; ok is false for methods
// outside Spin's enum (the trigger answers those with 405).
func MethodIndex(m string) (uint32, bool) {
	for i, s := range Methods {
		if s == m {
			return uint32(i), true
		}
	}
	return 0, false
}

// HTTPError is the http-types `http-error` enum (discriminant order).
type HTTPError uint8

const (
	HTTPSuccess HTTPError = iota
	HTTPDestinationNotAllowed
	HTTPInvalidURL
	HTTPRequestError
	HTTPRuntimeError
	HTTPTooManyRequests
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

// Response record layout (28 bytes, align 4; spin-http.c RET_AREA[28]).
const (
	respSize       = 28
	respStatus     = 0
	respHeadersTag = 4
	respHeadersPtr = 8
	respHeadersLen = 12
	respBodyTag    = 16
	respBodyPtr    = 20
	respBodyLen    = 24
)

// CallHTTPHandler lowers req into the guest, calls handler (the `handle-http-request`
// export: 10 i32 params, i32 result pointing at a response record), lifts the response
// and frees every string and list in it via canonical_abi_free, as wit-bindgen's host does
// (unless g.SkipFrees).
// A status outside 100..=600, a bad option tag or any bounds/UTF-8 violation is an *Error.
func (g *Guest) CallHTTPHandler(ctx context.Context, handler api.Function, req *HTTPRequest) (*HTTPResponse, error) {
	m, ok := MethodIndex(req.Method)
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
		return nil, Errorf("handle-http-request returned %d values, want 1", len(res))
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
		return 1, uint64(p), uint64(req.BodyLen), nil
	case req.Body != nil:
		if p, err = g.PutBytes(ctx, req.Body); err != nil {
			return 0, 0, 0, err
		}
		return 1, uint64(p), uint64(len(req.Body)), nil
	}
	return 0, 0, 0, nil
}

// liftResponse reads a response record at p; with free set it releases the guest-owned
// strings and lists afterwards.
func (g *Guest) liftResponse(ctx context.Context, p uint32, free bool) (*HTTPResponse, error) {
	if err := g.Check(p, respSize, 4); err != nil {
		return nil, err
	}
	resp := &HTTPResponse{Status: g.U16(p + respStatus)}
	if resp.Status < 100 || resp.Status > 600 {
		return nil, Errorf("malformed HTTP status code %d", resp.Status)
	}
	hTag, hPtr, hLen := g.U8(p+respHeadersTag), g.U32(p+respHeadersPtr), g.U32(p+respHeadersLen)
	bTag, bPtr, bLen := g.U8(p+respBodyTag), g.U32(p+respBodyPtr), g.U32(p+respBodyLen)
	if hTag > 1 || bTag > 1 {
		return nil, Errorf("invalid option tag in response (headers %d, body %d)", hTag, bTag)
	}
	var err error
	if hTag == 1 {
		if resp.Headers, err = g.StringPairs(hPtr, hLen); err != nil {
			return nil, err
		}
	}
	if bTag == 1 {
		if resp.Body, err = g.Bytes(bPtr, bLen); err != nil {
			return nil, err
		}
		if resp.Body == nil {
			resp.Body = []byte{}
		}
	}
	if !free {
		return resp, nil
	}
	if hTag == 1 {
		for i := uint32(0); i < hLen; i++ {
			e := hPtr + i*16
			if err := g.Free(ctx, g.U32(e), g.U32(e+4), 1); err != nil {
				return nil, err
			}
			if err := g.Free(ctx, g.U32(e+8), g.U32(e+12), 1); err != nil {
				return nil, err
			}
		}
		if err := g.Free(ctx, hPtr, hLen*16, 4); err != nil {
			return nil, err
		}
	}
	if bTag == 1 {
		if err := g.Free(ctx, bPtr, bLen, 1); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

// LiftOutboundRequest reads the flattened `request` argument of wasi-outbound-http.request:
// method, uri ptr/len, headers ptr/len, params ptr/len, body tag/ptr/len (10 values).
// The memory stays the guest's (borrowed).
func (g *Guest) LiftOutboundRequest(p []uint64) (*HTTPRequest, error) {
	if len(p) < 10 {
		return nil, Errorf("request has %d flat values, want 10", len(p))
	}
	m := uint32(p[0])
	if m >= uint32(len(Methods)) {
		return nil, Errorf("invalid method discriminant %d", m)
	}
	req := &HTTPRequest{Method: Methods[m]}
	var err error
	if req.URI, err = g.String(uint32(p[1]), uint32(p[2])); err != nil {
		return nil, err
	}
	if req.Headers, err = g.StringPairs(uint32(p[3]), uint32(p[4])); err != nil {
		return nil, err
	}
	if req.Params, err = g.StringPairs(uint32(p[5]), uint32(p[6])); err != nil {
		return nil, err
	}
	switch uint32(p[7]) {
	case 0:
	case 1:
		if req.Body, err = g.Bytes(uint32(p[8]), uint32(p[9])); err != nil {
			return nil, err
		}
	default:
		return nil, Errorf("invalid body option tag %d", uint32(p[7]))
	}
	return req, nil
}

// LowerOutboundResult writes expected<response, http-error> into the 32-byte (align 4)
// area at retptr (wasi-outbound-http.c): +0 is_err; ok: +4 status, +8 headers tag,
// +12/+16 headers, +20 body tag, +24/+28 body; err: +4 error code. Headers and body are
// allocated in the guest and owned by it afterwards.
func (g *Guest) LowerOutboundResult(ctx context.Context, retptr uint32, resp *HTTPResponse, code HTTPError) error {
	if err := g.Check(retptr, 32, 4); err != nil {
		return err
	}
	var buf [32]byte
	if resp == nil {
		buf[0], buf[4] = 1, byte(code)
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
	binary.LittleEndian.PutUint16(buf[4:], resp.Status)
	buf[8] = 1
	binary.LittleEndian.PutUint32(buf[12:], hp)
	binary.LittleEndian.PutUint32(buf[16:], uint32(len(resp.Headers)))
	buf[20] = 1
	binary.LittleEndian.PutUint32(buf[24:], bp)
	binary.LittleEndian.PutUint32(buf[28:], uint32(len(resp.Body)))
	return g.write(retptr, buf[:])
}

func (g *Guest) write(p uint32, b []byte) error {
	if !g.Mem.Write(p, b) {
		return Errorf("range %#x+%d outside memory", p, len(b))
	}
	return nil
}
