// Command bomb is a test component that allocates memory until the host's limit stops
// it: every request keeps allocating 1 MiB blocks, writing each, until the Go runtime
// cannot grow linear memory and aborts (a trap, answered 500 by the host).
package main

import (
	"net/http"

	"wasmsite/functions/sdk/spinhttp"
)

var blocks [][]byte

func init() {
	spinhttp.HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		for {
			b := make([]byte, 1<<20)
			for i := range b {
				b[i] = byte(i)
			}
			blocks = append(blocks, b)
		}
	})
}

func main() {}
