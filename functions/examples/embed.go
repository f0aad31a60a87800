// Package examples holds the example applications' sources; Go code imports it for
// Sources alone (the host's `server new http-c` starts from the C hello component).
package examples

import "embed"

// Sources are example sources the host's templates reuse, paths relative to
// functions/examples.
//
//go:embed c/hello.c
var Sources embed.FS
