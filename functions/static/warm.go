package main

import (
	"net/http"

	"wasmsite/functions/sdk/spinhttp"
)

// warmRequests are the requests Warm serves, as header lists: the home page and a miss,
// each compressed, uncompressed and revalidated.
var warmRequests = [][]spinhttp.Pair{
	{{Name: "accept-encoding", Value: "gzip, deflate, br"}},
	{{Name: "accept-encoding", Value: "identity"}},
	{{Name: "accept-encoding", Value: "gzip"}, {Name: "if-none-match", Value: `"warm"`}},
}

// Warm serves the requests most of a site's traffic is like (warmRequests) and discards
// the responses.
//
// It is for the component's initialisation: the host snapshots the instance after it
// and resets every request to that snapshot, so what the Go runtime and the standard
// library set up lazily on first use (interface tables, the grown goroutine stack,
// allocator spans of the sizes a response needs) is then in the snapshot instead of
// being redone, and its pages written, on every request. Serving only reads the files;
// s keeps nothing between requests, so no later response depends on what was read here.
func (s *Server) Warm() {
	for _, headers := range warmRequests {
		for _, path := range []string{"/", "/warm-up-miss"} {
			h := append([]spinhttp.Pair{{Name: spinhttp.HeaderPathInfo, Value: path}}, headers...)
			spinhttp.ServeRequest(s.Serve, http.MethodGet, path, h, nil)
		}
	}
}
