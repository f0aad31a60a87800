//go:build !wasip1

package main

import (
	"io/fs"
	"os"
)

// root is the file system the component serves (natively: the root directory, for
// running the component's code outside Wasm).
func root() fs.FS { return os.DirFS("/") }
