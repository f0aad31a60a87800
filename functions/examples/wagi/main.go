// Command wagi is the WAGI example: an ordinary Go program built as a WASI command
// (GOOS=wasip1, no SDK), run by the host's WAGI executor like a CGI script. The
// request's CGI variables are in its environment, the body is on stdin, and what it
// prints on stdout is the response: headers, a blank line, the body.
//
// It answers with a JSON description of the request it saw (argv, environment, body).
// Query parameters change the CGI response:
//
//	?status=418          adds "Status: 418" (the response status)
//	?redirect=/elsewhere  prints only "Location: /elsewhere" (a 302 redirect)
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
)

func main() {
	q, _ := url.ParseQuery(os.Getenv("QUERY_STRING"))
	if loc := q.Get("redirect"); loc != "" {
		fmt.Printf("Location: %s\n\n", loc)
		return
	}
	body, _ := io.ReadAll(os.Stdin)
	env := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	if s := q.Get("status"); s != "" {
		fmt.Printf("Status: %s\n", s)
	}
	fmt.Print("Content-Type: application/json\n")
	fmt.Print("X-Wagi-Example: yes\n\n")
	json.NewEncoder(os.Stdout).Encode(map[string]any{"args": os.Args, "env": env, "stdin": string(body)})
}
