// Command static is the wasmsite file-server component: it serves the files the
// manifest maps at guest "/" (the generated public/ directory).
//
// Path: the spin-path-info header (percent-decoded once, then cleaned); "" and "/"
// serve /index.html, "dir/" serves dir/index.html and "dir" redirects (301) to "dir/".
// Only GET and HEAD are allowed (405 with Allow otherwise).
//
// Environment (component `environment` in the manifest):
//
//	CACHE_CONTROL    Cache-Control of served files (default DefaultCacheControl: browsers
//	                 revalidate every time, by ETag; shared caches, such as the host's,
//	                 keep a page 60 s, and the host's drops it at once when public/ changes)
//	FALLBACK_PATH    file served with 200 when the request matches nothing (SPA routers)
//	CUSTOM_404_PATH  file served with 404 for misses (default "/404.html"; plain 404 if absent)
//
// Responses carry a strong ETag made from the file's size and modification time
// (If-None-Match → 304), X-Content-Type-Options: nosniff, and are gzip-compressed for
// text types when Accept-Encoding allows: from a stored name.gz sibling when there is
// one (ssg -gzip writes them), else on the fly.
//
// It handles wire.Requests rather than net/http's types, and reads files with WASI
// calls directly (sysFS): both cost a Go guest most of a small response's time. It does
// not import net/http at all: that package's initialisation alone would add about
// 1 MiB (270 pages) to the memory image each instance maps and each reset scans.
package main

import (
	"os"

	"wasmsite/functions/sdk/spinhttp/wire"
)

func init() {
	s := NewServer(root(), os.Getenv)
	s.Warm()
	wire.Handle(s.Serve)
}

func main() {}
