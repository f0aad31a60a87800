package abi

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"wasmsite/functions/sdk/spin"
)

// response writes a response record at p with the given header pairs and body,
// allocating their strings with the bump allocator (as a guest would).
type guestResp struct {
	status       uint16
	headersTag   uint8
	headers      [][2]string
	bodyTag      uint8
	body         string
	hdrPtr, hdrN uint32 // filled in
	bodyPtr      uint32
	strPtrs      []uint32
	rawHeaderPtr *uint32 // overrides
	rawHeaderLen *uint32
	rawBodyLen   *uint32
}

func (f *fakeGuest) writeResponse(p uint32, r *guestResp) {
	f.t.Helper()
	rec := make([]byte, 28)
	for i := range rec {
		rec[i] = 0xAA // padding garbage must be ignored
	}
	binary.LittleEndian.PutUint16(rec[0:], r.status)
	rec[4] = r.headersTag
	if r.headersTag == 1 {
		arr := f.bump(0, 0, 4, uint32(16*len(r.headers)))
		if len(r.headers) == 0 {
			arr = 4
		}
		for i, kv := range r.headers {
			for j, s := range kv {
				sp := f.bump(0, 0, 1, uint32(len(s)))
				if len(s) == 0 {
					sp = 1
				} else {
					f.put(sp, []byte(s))
				}
				r.strPtrs = append(r.strPtrs, sp)
				f.putU32s(arr+uint32(16*i+8*j), sp, uint32(len(s)))
			}
		}
		r.hdrPtr, r.hdrN = arr, uint32(len(r.headers))
	}
	hp, hn := r.hdrPtr, r.hdrN
	if r.rawHeaderPtr != nil {
		hp = *r.rawHeaderPtr
	}
	if r.rawHeaderLen != nil {
		hn = *r.rawHeaderLen
	}
	binary.LittleEndian.PutUint32(rec[8:], hp)
	binary.LittleEndian.PutUint32(rec[12:], hn)
	rec[16] = r.bodyTag
	bl := uint32(len(r.body))
	if r.bodyTag == 1 {
		r.bodyPtr = f.bump(0, 0, 1, bl)
		if bl > 0 {
			f.put(r.bodyPtr, []byte(r.body))
		}
	}
	if r.rawBodyLen != nil {
		bl = *r.rawBodyLen
	}
	binary.LittleEndian.PutUint32(rec[20:], r.bodyPtr)
	binary.LittleEndian.PutUint32(rec[24:], bl)
	f.put(p, rec)
}

const retArea = 64 // the guest's static RET_AREA

func TestCallHTTPHandler(t *testing.T) {
	f := newGuest(t)
	ctx := context.Background()
	var got *HTTPRequest
	var raw []uint64
	resp := &guestResp{status: 201, headersTag: 1, headers: [][2]string{{"content-type", "text/plain"}, {"x-empty", ""}}, bodyTag: 1, body: "hi there"}
	f.handler = func(ctx context.Context, p []uint64) uint32 {
		raw = append([]uint64(nil), p...)
		var err error
		got, err = f.g.LiftOutboundRequest(p) // same flat layout as the export's parameters
		if err != nil {
			t.Errorf("lifting the lowered request: %v", err)
		}
		f.frees = nil
		f.writeResponse(retArea, resp)
		return retArea
	}
	req := &HTTPRequest{
		Method:  "PATCH",
		URI:     "/p?q=1",
		Headers: [][2]string{{"host", "h"}, {"spin-path-info", ""}},
		Params:  nil,
		Body:    []byte("payload"),
	}
	out, err := f.g.CallHTTPHandler(ctx, f.mod.ExportedFunction("handle-http-request"), req)
	if err != nil {
		t.Fatal(err)
	}
	if raw[0] != 4 || raw[2] != uint64(len("/p?q=1")) || raw[4] != 2 || raw[6] != 0 || raw[7] != 1 || raw[9] != 7 {
		t.Errorf("flat params %v", raw)
	}
	if raw[5] != 4 {
		t.Errorf("empty params list pointer = %d, want the dangling 4 from realloc(0,0,4,0)", raw[5])
	}
	want := &HTTPRequest{Method: "PATCH", URI: "/p?q=1", Headers: req.Headers, Params: [][2]string{}, Body: []byte("payload")}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("guest saw %+v, want %+v", got, want)
	}
	wantResp := &HTTPResponse{Status: 201, Headers: resp.headers, Body: []byte("hi there")}
	if !reflect.DeepEqual(out, wantResp) {
		t.Errorf("response %+v, want %+v", out, wantResp)
	}
	// Every string and list of the response is freed, with wit-bindgen's sizes and
	// alignments; zero-length ones need no call.
	wantFrees := []call{
		{resp.strPtrs[0], 12, 1, 0}, {resp.strPtrs[1], 10, 1, 0},
		{resp.strPtrs[2], 7, 1, 0}, // "x-empty"; its empty value is not freed
		{resp.hdrPtr, 32, 4, 0},
		{resp.bodyPtr, 8, 1, 0},
	}
	if !reflect.DeepEqual(f.frees, wantFrees) {
		t.Errorf("frees %v, want %v", f.frees, wantFrees)
	}
	// With SkipFrees the same response is lifted and nothing is freed.
	f.g.SkipFrees = true
	out, err = f.g.CallHTTPHandler(ctx, f.mod.ExportedFunction("handle-http-request"), req)
	if err != nil || !reflect.DeepEqual(out, wantResp) {
		t.Fatalf("SkipFrees: response %+v, %v", out, err)
	}
	if len(f.frees) != 0 {
		t.Errorf("SkipFrees: frees %v", f.frees)
	}
}

// A body read from BodyFrom goes straight into the guest's allocation; a short body is
// a *BodyError.
func TestCallHTTPHandlerBodyFrom(t *testing.T) {
	f := newGuest(t)
	ctx := context.Background()
	var got *HTTPRequest
	f.handler = func(ctx context.Context, p []uint64) uint32 {
		got, _ = f.g.LiftOutboundRequest(p)
		f.writeResponse(retArea, &guestResp{status: 200})
		return retArea
	}
	req := &HTTPRequest{Method: "POST", URI: "/", BodyFrom: strings.NewReader("streamed body"), BodyLen: 13}
	if _, err := f.g.CallHTTPHandler(ctx, f.mod.ExportedFunction("handle-http-request"), req); err != nil {
		t.Fatal(err)
	}
	if string(got.Body) != "streamed body" {
		t.Errorf("guest saw body %q", got.Body)
	}
	short := &HTTPRequest{Method: "POST", URI: "/", BodyFrom: strings.NewReader("short"), BodyLen: 13}
	_, err := f.g.CallHTTPHandler(ctx, f.mod.ExportedFunction("handle-http-request"), short)
	var be *BodyError
	if !errors.As(err, &be) || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("short body: %v, want a *BodyError wrapping io.ErrUnexpectedEOF", err)
	}
}

func TestCallHTTPHandlerNoBodyNoHeaders(t *testing.T) {
	f := newGuest(t)
	var raw []uint64
	f.handler = func(ctx context.Context, p []uint64) uint32 {
		raw = append([]uint64(nil), p...)
		f.frees = nil
		f.writeResponse(retArea, &guestResp{status: 404})
		return retArea
	}
	out, err := f.g.CallHTTPHandler(context.Background(), f.mod.ExportedFunction("handle-http-request"),
		&HTTPRequest{Method: "GET", URI: "/"})
	if err != nil {
		t.Fatal(err)
	}
	if raw[0] != 0 || raw[7] != 0 || raw[8] != 0 || raw[9] != 0 {
		t.Errorf("flat params %v: want method 0 and body none (0, 0, 0)", raw)
	}
	if out.Status != 404 || out.Headers != nil || out.Body != nil {
		t.Errorf("response %+v, want 404 with none/none", out)
	}
	if len(f.frees) != 0 {
		t.Errorf("frees %v for a response without lists", f.frees)
	}
	// Some(empty body) is a present, empty body.
	f.handler = func(ctx context.Context, p []uint64) uint32 {
		f.writeResponse(retArea, &guestResp{status: 200, headersTag: 1, bodyTag: 1})
		return retArea
	}
	out, err = f.g.CallHTTPHandler(context.Background(), f.mod.ExportedFunction("handle-http-request"),
		&HTTPRequest{Method: "GET", URI: "/", Body: []byte{}})
	if err != nil || out.Body == nil || len(out.Body) != 0 || out.Headers == nil || len(out.Headers) != 0 {
		t.Errorf("response %#v, %v; want empty non-nil headers and body", out, err)
	}
}

func TestCallHTTPHandlerErrors(t *testing.T) {
	u32 := func(v uint32) *uint32 { return &v }
	for _, tc := range []struct {
		name string
		ret  uint32
		resp *guestResp
		want string
	}{
		{"status 99", retArea, &guestResp{status: 99}, "malformed HTTP status code 99"},
		{"status 601", retArea, &guestResp{status: 601}, "malformed HTTP status code 601"},
		{"headers tag 2", retArea, &guestResp{status: 200, headersTag: 2}, "invalid option tag"},
		{"body tag 255", retArea, &guestResp{status: 200, bodyTag: 255}, "invalid option tag"},
		{"misaligned record", retArea + 2, &guestResp{status: 200}, "not aligned"},
		{"record past memory", 65536 - 24, nil, "outside memory"},
		{"headers past memory", retArea, &guestResp{status: 200, headersTag: 1, rawHeaderPtr: u32(65536 - 8), rawHeaderLen: u32(1)}, "outside memory"},
		{"headers misaligned", retArea, &guestResp{status: 200, headersTag: 1, rawHeaderPtr: u32(1026), rawHeaderLen: u32(1)}, "not aligned"},
		{"too many headers", retArea, &guestResp{status: 200, headersTag: 1, rawHeaderPtr: u32(1024), rawHeaderLen: u32(0x10000000)}, "exceeds limit"},
		{"header not UTF-8", retArea, &guestResp{status: 200, headersTag: 1, headers: [][2]string{{"x", "\xff"}}}, "not valid UTF-8"},
		{"body past memory", retArea, &guestResp{status: 200, bodyTag: 1, body: "abc", rawBodyLen: u32(70000)}, "outside memory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newGuest(t)
			f.handler = func(ctx context.Context, p []uint64) uint32 {
				f.frees = nil
				if tc.resp != nil {
					f.writeResponse(retArea, tc.resp)
				}
				return tc.ret
			}
			out, err := f.g.CallHTTPHandler(context.Background(), f.mod.ExportedFunction("handle-http-request"),
				&HTTPRequest{Method: "GET", URI: "/"})
			if err == nil {
				t.Fatalf("accepted: %+v", out)
			}
			wantABIError(t, err, tc.want)
		})
	}
	for _, ok := range []uint16{100, 600} {
		f := newGuest(t)
		f.handler = func(ctx context.Context, p []uint64) uint32 {
			f.writeResponse(retArea, &guestResp{status: ok})
			return retArea
		}
		if out, err := f.g.CallHTTPHandler(context.Background(), f.mod.ExportedFunction("handle-http-request"),
			&HTTPRequest{Method: "GET", URI: "/"}); err != nil || out.Status != ok {
			t.Errorf("status %d: %+v, %v", ok, out, err)
		}
	}
}

func TestCallHTTPHandlerMethodAndTrap(t *testing.T) {
	f := newGuest(t)
	called := false
	f.handler = func(ctx context.Context, p []uint64) uint32 { called = true; panic("unreachable executed") }
	h := f.mod.ExportedFunction("handle-http-request")
	_, err := f.g.CallHTTPHandler(context.Background(), h, &HTTPRequest{Method: "TRACE", URI: "/"})
	wantABIError(t, err, `method "TRACE"`)
	if called || len(f.allocs) != 0 {
		t.Errorf("unknown method reached the guest (called %v, allocs %v)", called, f.allocs)
	}
	_, err = f.g.CallHTTPHandler(context.Background(), h, &HTTPRequest{Method: "GET", URI: "/"})
	if err == nil || !strings.Contains(err.Error(), "unreachable executed") || !called {
		t.Errorf("trapping handler: err %v", err)
	}
	// An allocator failure while lowering the request stops before the call.
	called = false
	f.realloc = func(_, _, _, size uint32) uint32 { return 0xFFFFFF00 }
	_, err = f.g.CallHTTPHandler(context.Background(), h, &HTTPRequest{Method: "GET", URI: "/x"})
	wantABIError(t, err, "outside memory")
	if called {
		t.Error("handler called after a failed lowering")
	}
}

func TestLiftOutboundRequest(t *testing.T) {
	f := newGuest(t)
	g := f.g
	f.put(300, []byte("https://example.com/x"+"hkhv"+"pkpv"+"BODY"))
	f.putU32s(400, 321, 2, 323, 2) // header ("hk","hv")
	f.putU32s(416, 325, 2, 327, 2) // param ("pk","pv")
	flat := []uint64{3, 300, 21, 400, 1, 416, 1, 1, 329, 4}
	req, err := g.LiftOutboundRequest(flat)
	if err != nil {
		t.Fatal(err)
	}
	want := &HTTPRequest{Method: "DELETE", URI: "https://example.com/x", Headers: [][2]string{{"hk", "hv"}}, Params: [][2]string{{"pk", "pv"}}, Body: []byte("BODY")}
	if !reflect.DeepEqual(req, want) {
		t.Errorf("lifted %+v, want %+v", req, want)
	}
	// Core i32 values arrive in uint64 slots; only the low 32 bits count.
	hi := append([]uint64(nil), flat...)
	for i := range hi {
		hi[i] |= 0xFFFFFFFF00000000
	}
	if req, err := g.LiftOutboundRequest(hi); err != nil || !reflect.DeepEqual(req, want) {
		t.Errorf("with high bits set: %+v, %v", req, err)
	}
	// body none; Some(empty) stays present.
	none := append([]uint64(nil), flat...)
	none[7], none[8], none[9] = 0, 12345678, 99
	if req, err := g.LiftOutboundRequest(none); err != nil || req.Body != nil {
		t.Errorf("body none: %+v, %v", req, err)
	}
	empty := append([]uint64(nil), flat...)
	empty[9] = 0
	if req, err := g.LiftOutboundRequest(empty); err != nil || req.Body == nil || len(req.Body) != 0 {
		t.Errorf("body Some(empty): %#v, %v", req, err)
	}
	for _, tc := range []struct {
		i    int
		v    uint64
		want string
	}{
		{0, 7, "invalid method discriminant 7"},
		{7, 2, "invalid body option tag 2"},
		{1, 65530, "outside memory"},
		{3, 402, "not aligned"},
		{4, 1 << 24, "exceeds limit"},
		{6, 4100, "outside memory"},
		{9, 65536, "outside memory"},
	} {
		bad := append([]uint64(nil), flat...)
		bad[tc.i] = tc.v
		_, err := g.LiftOutboundRequest(bad)
		wantABIError(t, err, tc.want)
	}
	_, err = g.LiftOutboundRequest(flat[:9])
	wantABIError(t, err, "9 flat values")
	f.put(302, []byte{0xff})
	_, err = g.LiftOutboundRequest(flat)
	wantABIError(t, err, "not valid UTF-8")
}

func TestLowerOutboundResult(t *testing.T) {
	f := newGuest(t)
	g := f.g
	ctx := context.Background()
	const ret = 128
	f.put(ret, []byte(strings.Repeat("\xcc", 32)))
	resp := &HTTPResponse{Status: 203, Headers: [][2]string{{"a", "1"}, {"bb", ""}}, Body: []byte("xyz")}
	if err := g.LowerOutboundResult(ctx, ret, resp, spin.HTTPSuccess); err != nil {
		t.Fatal(err)
	}
	if g.U8(ret) != 0 || g.U16(ret+4) != 203 || g.U8(ret+8) != 1 || g.U32(ret+16) != 2 || g.U8(ret+20) != 1 || g.U32(ret+28) != 3 {
		t.Errorf("ok area: tag %d status %d hdr tag %d len %d body tag %d len %d",
			g.U8(ret), g.U16(ret+4), g.U8(ret+8), g.U32(ret+16), g.U8(ret+20), g.U32(ret+28))
	}
	// Padding bytes are zeroed.
	for _, off := range []uint32{1, 2, 3, 6, 7, 9, 10, 11, 21, 22, 23} {
		if g.U8(ret+off) != 0 {
			t.Errorf("padding byte +%d = %#x", off, g.U8(ret+off))
		}
	}
	hs, err := g.StringPairs(g.U32(ret+12), 2)
	if err != nil || !reflect.DeepEqual(hs, resp.Headers) {
		t.Errorf("headers %q, %v", hs, err)
	}
	if b, err := g.Bytes(g.U32(ret+24), 3); err != nil || string(b) != "xyz" {
		t.Errorf("body %q, %v", b, err)
	}
	// No headers, no body: still Some(empty list) and Some(empty body).
	if err := g.LowerOutboundResult(ctx, ret, &HTTPResponse{Status: 204}, spin.HTTPSuccess); err != nil {
		t.Fatal(err)
	}
	if g.U16(ret+4) != 204 || g.U8(ret+8) != 1 || g.U32(ret+16) != 0 || g.U8(ret+20) != 1 || g.U32(ret+28) != 0 {
		t.Errorf("empty ok area: % x", must(g.Bytes(ret, 32)))
	}
	// Error: is_err 1 and the code at +4, everything else zero.
	f.allocs = nil
	if err := g.LowerOutboundResult(ctx, ret, nil, spin.HTTPDestinationNotAllowed); err != nil {
		t.Fatal(err)
	}
	want := make([]byte, 32)
	want[0], want[4] = 1, 1
	if got := must(g.Bytes(ret, 32)); string(got) != string(want) {
		t.Errorf("error area % x, want % x", got, want)
	}
	if len(f.allocs) != 0 {
		t.Errorf("error result allocated %v", f.allocs)
	}
	// A bad retptr fails before any allocation.
	for _, p := range []uint32{ret + 2, 65536 - 16} {
		f.allocs = nil
		err := g.LowerOutboundResult(ctx, p, resp, spin.HTTPSuccess)
		if err == nil || len(f.allocs) != 0 {
			t.Errorf("retptr %#x: err %v, allocs %v", p, err, f.allocs)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
