// Command rawecho is the security suite's header witness: it answers every request
// with a JSON list of the header pairs exactly as the host sent them (names as sent,
// duplicates kept, in order), so that a test sees what the guest received without an
// SDK that picks one value for it.
package main

import (
	"encoding/json"
	"net/http"

	"wasmsite/functions/sdk/spinhttp"
)

func init() { spinhttp.HandleRequest(echo) }

func main() {}

func echo(r *spinhttp.Request) spinhttp.Response {
	pairs := make([][2]string, len(r.Headers))
	for i, p := range r.Headers {
		pairs[i] = [2]string{p.Name, p.Value}
	}
	body, _ := json.Marshal(pairs)
	return spinhttp.Response{Status: http.StatusOK, Headers: []spinhttp.Pair{{Name: "content-type", Value: "application/json"}}, Body: body}
}
