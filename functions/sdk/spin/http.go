package spin

// HTTPError is the http-types `http-error` enum (wit/ephemeral/http-types.wit), in
// discriminant order, as wasi-outbound-http reports it.
type HTTPError uint8

const (
	HTTPSuccess HTTPError = iota
	HTTPDestinationNotAllowed
	HTTPInvalidURL
	HTTPRequestError
	HTTPRuntimeError
	HTTPTooManyRequests
)

// The http-types `request` record passed flat, as the ten i32 parameters of
// handle-http-request and of wasi-outbound-http.request (which adds a result pointer):
// these are their positions.
const (
	RequestMethod     = 0 // method discriminant
	RequestURIPtr     = 1
	RequestURILen     = 2
	RequestHeadersPtr = 3 // list<tuple<string, string>>
	RequestHeadersLen = 4
	RequestParamsPtr  = 5 // list<tuple<string, string>>, empty from Spin 1.x hosts
	RequestParamsLen  = 6
	RequestBodyTag    = 7 // option<list<u8>>
	RequestBodyPtr    = 8
	RequestBodyLen    = 9
	RequestParams     = 10
)

// The http-types `response` record, as handle-http-request returns a pointer to it:
// 28 bytes, align 4 (spin-http.c RET_AREA[28]).
const (
	ResponseSize       = 28
	ResponseAlign      = 4
	ResponseStatus     = 0 // u16
	ResponseHeadersTag = 4 // option<list<tuple<string, string>>>
	ResponseHeadersPtr = 8
	ResponseHeadersLen = 12
	ResponseBodyTag    = 16 // option<list<u8>>
	ResponseBodyPtr    = 20
	ResponseBodyLen    = 24
)

// The result area of wasi-outbound-http.request, expected<response, http-error>: 32
// bytes, align 4 (wasi-outbound-http.c). Ok holds a response record at
// OutboundResponse; err holds the http-error (u8) at OutboundError.
const (
	OutboundResultSize  = 32
	OutboundResultAlign = 4
	OutboundResponse    = 4
	OutboundError       = 4
)
