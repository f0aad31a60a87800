package main

import (
	"io/fs"

	"wasmsite/functions/sdk/spin"
	"wasmsite/functions/sdk/spinhttp/wire"
)

// Header lists of the requests Warm serves, each for the home page and a miss.
var (
	// plainRequests ask for uncompressed responses, fresh and revalidated.
	plainRequests = [][]wire.Pair{
		{{Name: "accept-encoding", Value: "identity"}},
		{{Name: "if-none-match", Value: `"warm"`}},
	}
	// gzipRequests are those of browsers, which accept gzip.
	gzipRequests = [][]wire.Pair{
		{{Name: "accept-encoding", Value: "gzip, deflate, br"}},
		{{Name: "accept-encoding", Value: "gzip"}, {Name: "if-none-match", Value: `"warm"`}},
	}
)

// Warm serves the requests most of a site's traffic is like and discards the
// responses: plainRequests, and gzipRequests when the home page has a stored gzip
// sibling (ssg -gzip), as it then has no compressor to set up. (Compressing on the fly
// allocates a compressor's megabyte: memory a snapshot keeps, which every reset
// then walks.)
//
// It is for the component's initialisation: the host snapshots the instance after it
// and resets every request to that snapshot, so what the Go runtime and the standard
// library set up lazily on first use (interface tables, the grown goroutine stack,
// allocator spans of the sizes a response needs) is then in the snapshot instead of
// being redone, and its pages written, on every request. Serving only reads the files;
// s keeps nothing between requests, so no later response depends on what was read here.
func (s *Server) Warm() {
	requests := plainRequests
	if _, err := fs.Stat(s.FS, "index.html.gz"); err == nil {
		requests = append(requests, gzipRequests...)
	}
	for _, headers := range requests {
		for _, path := range []string{"/", "/warm-up-miss"} {
			h := append([]wire.Pair{{Name: spin.HeaderPathInfo, Value: path}}, headers...)
			wire.Serve(s.Serve, methodGet, path, h, nil)
		}
	}
}
