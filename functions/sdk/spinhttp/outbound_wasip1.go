//go:build wasip1

package spinhttp

import (
	"runtime"

	"wasmsite/functions/sdk/internal/abi"
	"wasmsite/functions/sdk/spin"
)

//go:wasmimport wasi-outbound-http request
func wasiOutboundHTTPRequest(method, uriPtr, uriLen, hdrPtr, hdrLen, paramsPtr, paramsLen, bodyTag, bodyPtr, bodyLen, ret uint32)

// send lowers req (borrowed guest memory), calls the import and lifts the result
// (spin.Outbound*: a response record, or an http-error).
func send(req *OutboundRequest) (Response, error) {
	uri := req.URI
	arr := abi.Buf(uint32(len(req.Headers)) * spin.PairSize)
	for i, p := range req.Headers {
		abi.PutPair(arr, i, abi.StrAddr(p.Name), uint32(len(p.Name)), abi.StrAddr(p.Value), uint32(len(p.Value)))
	}
	var bodyTag uint32 = spin.OptionNone
	if req.HasBody {
		bodyTag = spin.OptionSome
	}
	ret := abi.Buf(spin.OutboundResultSize)
	wasiOutboundHTTPRequest(req.Method, abi.StrAddr(uri), uint32(len(uri)),
		abi.Addr(arr), uint32(len(req.Headers)), 0, 0,
		bodyTag, abi.Addr(req.Body), uint32(len(req.Body)), abi.Addr(ret))
	runtime.KeepAlive(uri)
	runtime.KeepAlive(arr)
	runtime.KeepAlive(req)
	runtime.KeepAlive(ret)

	if abi.U8(ret, spin.ResultIsErr) != 0 {
		return Response{}, HTTPError(abi.U8(ret, spin.OutboundError))
	}
	return liftResponse(ret[spin.OutboundResponse:])
}

// liftResponse claims the headers and body of a response record.
func liftResponse(rec []byte) (Response, error) {
	resp := Response{Status: int(abi.U16(rec, spin.ResponseStatus))}
	var err error
	if abi.U8(rec, spin.ResponseHeadersTag) != spin.OptionNone {
		newPair := func(name, value string) Pair { return Pair{Name: name, Value: value} }
		if resp.Headers, err = abi.TakePairs(abi.U32(rec, spin.ResponseHeadersPtr), abi.U32(rec, spin.ResponseHeadersLen), newPair); err != nil {
			return Response{}, err
		}
	}
	if abi.U8(rec, spin.ResponseBodyTag) != spin.OptionNone {
		if resp.Body, err = abi.Take(abi.U32(rec, spin.ResponseBodyPtr), abi.U32(rec, spin.ResponseBodyLen)); err != nil {
			return Response{}, err
		}
	}
	return resp, nil
}
