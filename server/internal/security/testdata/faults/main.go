// Command faults is the security suite's misbehaving component: each path is one way a
// guest can fail or abuse its host, and /ok answers normally.
//
//	/loop     spins forever (the host stops it at --request-timeout)
//	/bomb     allocates 1 MiB blocks until linear memory reaches --max-memory-mb
//	/panic    panics
//	/nil      dereferences a nil pointer
//	/recurse  recurses until the goroutine stack overflows
//	/exit     calls os.Exit(3)
//	/flood    writes 64 MiB to stdout and to stderr, then answers 200
//	/ok       answers 200 "ok"
package main

import (
	"encoding/base64"
	"io"
	"net/http"
	"os"

	"wasmsite/functions/sdk/spinhttp"
)

func init() { spinhttp.HandleFunc(serve) }

func main() {}

var (
	blocks [][]byte
	sink   int
)

func serve(w http.ResponseWriter, r *http.Request) {
	switch spinhttp.PathInfo(r) {
	case "/loop":
		loop()
	case "/bomb":
		bomb()
	case "/panic":
		panic("faults: panic requested")
	case "/nil":
		var p *int
		sink = *p
	case "/recurse":
		sink = recurse(1)
	case "/exit":
		os.Exit(3)
	case "/flood":
		flood(os.Stdout)
		flood(os.Stderr)
		io.WriteString(w, "flooded")
	case "/ok":
		io.WriteString(w, "ok")
	default:
		http.NotFound(w, r)
	}
}

func loop() {
	for i := 0; ; i++ {
		sink = i
	}
}

func bomb() {
	for {
		b := make([]byte, 1<<20)
		for i := range b {
			b[i] = byte(i)
		}
		blocks = append(blocks, b)
	}
}

func recurse(n int) int {
	var pad [256]byte
	pad[n%256] = byte(n)
	return recurse(n+1) + int(pad[0])
}

// flood writes 64 MiB that does not compress well: one 48 KiB block of base64 of a
// pseudo-random sequence, over and over (deflate looks back 32 KiB only).
func flood(out io.Writer) {
	raw := make([]byte, 36<<10)
	x := uint64(0x9e3779b97f4a7c15)
	for i := range raw {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		raw[i] = byte(x)
	}
	block := []byte(base64.StdEncoding.EncodeToString(raw))
	for written := 0; written < 64<<20; written += len(block) {
		out.Write(block)
	}
}
