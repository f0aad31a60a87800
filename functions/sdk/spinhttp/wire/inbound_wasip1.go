//go:build wasip1

package wire

import (
	"wasmsite/functions/sdk/internal/abi"
	"wasmsite/functions/sdk/spin"
)

// respArea is the static return area of handle-http-request: Spin's response record
// (spin.Response*).
var respArea = abi.Buf(spin.ResponseSize)

// inbound and inboundHeaders hold the request being served: an instance serves one
// request at a time, so one of each serves them all, and a request allocates neither
// (each allocation size a request touches costs pages a resetting host copies back).
var (
	inbound        Request
	inboundHeaders [32]Pair // more are appended to a new array
)

//go:wasmexport handle-http-request
func handleHTTPRequest(method, uriPtr, uriLen, hdrPtr, hdrLen, paramsPtr, paramsLen, bodyTag, bodyPtr, bodyLen uint32) uint32 {
	resp := serveABI(method, uriPtr, uriLen, hdrPtr, hdrLen, paramsPtr, paramsLen, bodyTag, bodyPtr, bodyLen)
	return lowerResponse(resp)
}

func serveABI(method, uriPtr, uriLen, hdrPtr, hdrLen, paramsPtr, paramsLen, bodyTag, bodyPtr, bodyLen uint32) Response {
	name, ok := spin.MethodName(method)
	if !ok {
		return Text(405, "method not allowed\n")
	}
	uri, err := abi.TakeString(uriPtr, uriLen)
	if err != nil {
		return Text(500, "bad request record\n")
	}
	headers, err := abi.AppendPairs(inboundHeaders[:0], hdrPtr, hdrLen, newPair)
	if err != nil {
		return Text(500, "bad request record\n")
	}
	// params is always empty in Spin 1.x; claim it so it is not kept alive.
	if _, err := abi.TakePairs(paramsPtr, paramsLen, newPair); err != nil {
		return Text(500, "bad request record\n")
	}
	var body []byte
	if bodyTag != spin.OptionNone {
		if body, err = abi.Take(bodyPtr, bodyLen); err != nil {
			return Text(500, "bad request record\n")
		}
	}
	return serve(&inbound, currentHandler(), name, uri, headers, body)
}

// newPair is a Pair for abi.AppendPairs and abi.TakePairs.
func newPair(name, value string) Pair { return Pair{name, value} }

// placeString copies s into memory the host frees after reading.
func placeString(s string) uint32 {
	if s == "" {
		return 0
	}
	b := abi.Place(uint32(len(s)))
	copy(b, s)
	return abi.Addr(b)
}

// lowerPairs builds a list<tuple<string,string>> in pinned memory, each string and
// the array allocated separately, as the host frees them one by one.
func lowerPairs(pairs []Pair) (ptr, n uint32) {
	if len(pairs) == 0 {
		return 0, 0
	}
	arr := abi.Place(uint32(len(pairs)) * spin.PairSize)
	for i, p := range pairs {
		abi.PutPair(arr, i, placeString(p.Name), uint32(len(p.Name)), placeString(p.Value), uint32(len(p.Value)))
	}
	return abi.Addr(arr), uint32(len(pairs))
}

func lowerResponse(resp Response) uint32 {
	a := respArea
	clear(a)
	abi.PutU16(a, spin.ResponseStatus, uint16(resp.Status))
	hp, hn := lowerPairs(resp.Headers)
	abi.PutU8(a, spin.ResponseHeadersTag, spin.OptionSome)
	abi.PutU32(a, spin.ResponseHeadersPtr, hp)
	abi.PutU32(a, spin.ResponseHeadersLen, hn)
	abi.PutU8(a, spin.ResponseBodyTag, spin.OptionSome)
	abi.PutU32(a, spin.ResponseBodyPtr, abi.Pin(resp.Body)) // handed over without a copy
	abi.PutU32(a, spin.ResponseBodyLen, uint32(len(resp.Body)))
	return abi.Addr(a)
}
