// Command wagi is a WAGI (CGI) guest for trigger tests: it prints its arguments,
// environment and stdin; some paths make it misbehave.
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

func main() {
	path := ""
	if len(os.Args) > 0 {
		path = os.Args[0]
	}
	switch {
	case strings.HasSuffix(path, "/exit3"):
		fmt.Print("Content-Type: text/plain\n\npartial")
		os.Exit(3)
	case strings.HasSuffix(path, "/exit0"):
		fmt.Print("Content-Type: text/plain\n\nexited")
		os.Exit(0)
	case strings.HasSuffix(path, "/silent"):
		return
	case strings.HasSuffix(path, "/redirect"):
		fmt.Print("Location: /elsewhere\n\n")
		return
	case strings.HasSuffix(path, "/panic"):
		panic("guest panic")
	}
	in, _ := io.ReadAll(os.Stdin)
	env := os.Environ()
	sort.Strings(env)
	fmt.Print("Content-Type: text/plain\r\nX-Args: ", len(os.Args), "\r\n\r\n")
	for _, a := range os.Args {
		fmt.Printf("arg=%q\n", a)
	}
	for _, e := range env {
		fmt.Printf("env=%s\n", e)
	}
	fmt.Printf("stdin=%q\n", in)
}
