//go:build wasip1

package spinhttp

import (
	"net/http"

	"wasmsite/functions/sdk/internal/abi"
)

// respArea is the static return area of handle-http-request: Spin's response record,
// 28 bytes, align 4 (+0 u16 status, +4 headers tag, +8/+12 headers ptr/len,
// +16 body tag, +20/+24 body ptr/len).
var respArea = abi.Buf(28)

//go:wasmexport handle-http-request
func handleHTTPRequest(method, uriPtr, uriLen, hdrPtr, hdrLen, paramsPtr, paramsLen, bodyTag, bodyPtr, bodyLen uint32) uint32 {
	resp := serveABI(method, uriPtr, uriLen, hdrPtr, hdrLen, paramsPtr, paramsLen, bodyTag, bodyPtr, bodyLen)
	return lowerResponse(resp)
}

func serveABI(method, uriPtr, uriLen, hdrPtr, hdrLen, paramsPtr, paramsLen, bodyTag, bodyPtr, bodyLen uint32) Response {
	name, ok := MethodName(method)
	if !ok {
		return textResponse(http.StatusMethodNotAllowed, "method not allowed\n")
	}
	uri, err := abi.TakeString(uriPtr, uriLen)
	if err != nil {
		return textResponse(http.StatusInternalServerError, "bad request record\n")
	}
	headers, err := liftPairs(hdrPtr, hdrLen)
	if err != nil {
		return textResponse(http.StatusInternalServerError, "bad request record\n")
	}
	// params is always empty in Spin 1.x; claim it so it is not kept alive.
	if _, err := liftPairs(paramsPtr, paramsLen); err != nil {
		return textResponse(http.StatusInternalServerError, "bad request record\n")
	}
	var body []byte
	if bodyTag != 0 {
		if body, err = abi.Take(bodyPtr, bodyLen); err != nil {
			return textResponse(http.StatusInternalServerError, "bad request record\n")
		}
	}
	if h := currentRequestHandler(); h != nil {
		return ServeRequest(h, name, uri, headers, body)
	}
	return Serve(currentHandler(), name, uri, headers, body)
}

// liftPairs claims a host-allocated list<tuple<string,string>> (16-byte elements).
func liftPairs(ptr, n uint32) ([]Pair, error) {
	arr, err := abi.TakeList(ptr, n, 16)
	if err != nil {
		return nil, err
	}
	out := make([]Pair, n)
	for i := range out {
		o := i * 16
		if out[i].Name, err = abi.TakeString(abi.U32(arr, o), abi.U32(arr, o+4)); err != nil {
			return nil, err
		}
		if out[i].Value, err = abi.TakeString(abi.U32(arr, o+8), abi.U32(arr, o+12)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

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
	arr := abi.Place(uint32(len(pairs)) * 16)
	for i, p := range pairs {
		o := i * 16
		abi.PutU32(arr, o, placeString(p.Name))
		abi.PutU32(arr, o+4, uint32(len(p.Name)))
		abi.PutU32(arr, o+8, placeString(p.Value))
		abi.PutU32(arr, o+12, uint32(len(p.Value)))
	}
	return abi.Addr(arr), uint32(len(pairs))
}

func lowerResponse(resp Response) uint32 {
	a := respArea
	clear(a)
	abi.PutU16(a, 0, uint16(resp.Status))
	hp, hn := lowerPairs(resp.Headers)
	abi.PutU8(a, 4, 1)
	abi.PutU32(a, 8, hp)
	abi.PutU32(a, 12, hn)
	abi.PutU8(a, 16, 1)
	abi.PutU32(a, 20, abi.Pin(resp.Body)) // handed over without a copy
	abi.PutU32(a, 24, uint32(len(resp.Body)))
	return abi.Addr(a)
}
