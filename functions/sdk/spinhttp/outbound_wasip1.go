//go:build wasip1

package spinhttp

import (
	"runtime"

	"wasmsite/functions/sdk/internal/abi"
)

//go:wasmimport wasi-outbound-http request
func wasiOutboundHTTPRequest(method, uriPtr, uriLen, hdrPtr, hdrLen, paramsPtr, paramsLen, bodyTag, bodyPtr, bodyLen, ret uint32)

// send lowers req (borrowed guest memory), calls the import and lifts the result
// (32-byte area: +0 is_err; ok: +4 u16 status, +8 headers tag, +12/+16 headers,
// +20 body tag, +24/+28 body; err: +4 u8 http-error).
func send(req *OutboundRequest) (Response, error) {
	uri := req.URI
	arr := abi.Buf(uint32(len(req.Headers)) * 16)
	for i, p := range req.Headers {
		o := i * 16
		abi.PutU32(arr, o, abi.StrAddr(p.Name))
		abi.PutU32(arr, o+4, uint32(len(p.Name)))
		abi.PutU32(arr, o+8, abi.StrAddr(p.Value))
		abi.PutU32(arr, o+12, uint32(len(p.Value)))
	}
	var bodyTag uint32
	if req.HasBody {
		bodyTag = 1
	}
	ret := abi.Buf(32)
	wasiOutboundHTTPRequest(req.Method, abi.StrAddr(uri), uint32(len(uri)),
		abi.Addr(arr), uint32(len(req.Headers)), 0, 0,
		bodyTag, abi.Addr(req.Body), uint32(len(req.Body)), abi.Addr(ret))
	runtime.KeepAlive(uri)
	runtime.KeepAlive(arr)
	runtime.KeepAlive(req)
	runtime.KeepAlive(ret)

	if abi.U8(ret, 0) != 0 {
		return Response{}, HTTPError(abi.U8(ret, 4))
	}
	resp := Response{Status: int(abi.U16(ret, 4))}
	var err error
	if abi.U8(ret, 8) != 0 {
		if resp.Headers, err = liftPairs(abi.U32(ret, 12), abi.U32(ret, 16)); err != nil {
			return Response{}, err
		}
	}
	if abi.U8(ret, 20) != 0 {
		if resp.Body, err = abi.Take(abi.U32(ret, 24), abi.U32(ret, 28)); err != nil {
			return Response{}, err
		}
	}
	return resp, nil
}
