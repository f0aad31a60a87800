// Command baseline serves native Go handlers for the host's load benchmarks, each the
// native counterpart of a component the benchmark runs through the host:
//
//	baseline -listen ADDR fileserver DIR   net/http's FileServer over DIR (the static component)
//	baseline -listen ADDR hello            "hello\n" as text/plain (the C hello component)
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:4000", "address to serve on")
	flag.Parse()
	var h http.Handler
	switch flag.Arg(0) {
	case "fileserver":
		h = http.FileServer(http.Dir(flag.Arg(1)))
	case "hello":
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.Write([]byte("hello\n"))
		})
	default:
		fmt.Fprintln(os.Stderr, "usage: baseline [-listen ADDR] fileserver DIR | hello")
		os.Exit(2)
	}
	fmt.Printf("Serving http://%s\n", *listen)
	log.Fatal(http.ListenAndServe(*listen, h))
}
