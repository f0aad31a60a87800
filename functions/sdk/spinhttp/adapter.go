package spinhttp

import (
	"io"
	"net/http"
	"strings"

	"wasmsite/functions/sdk/spin"
)

// HTTPHandler serves h from net/http, natively, as a Spin host would call it: header
// names in lower case, the client's spin-* headers dropped and the host's added
// (spin-full-url from the request's Host, spin-client-addr its peer address), the body
// read whole. A body of more than maxBody bytes is answered 413 without calling h. It
// is for running a component's logic outside WebAssembly: baselines and debugging.
func HTTPHandler(h RequestHandler, maxBody int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		if err != nil {
			http.Error(w, "unreadable body", http.StatusBadRequest)
			return
		}
		if int64(len(body)) > maxBody {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		uri := r.URL.RequestURI() // origin form, whatever form the request line had
		resp := ServeRequest(h, r.Method, uri, hostPairs(r, uri), body)
		for _, p := range resp.Headers {
			w.Header().Add(p.Name, p.Value)
		}
		w.WriteHeader(resp.Status)
		w.Write(resp.Body)
	})
}

// hostPairs are r's headers as a Spin host passes them; uri is its path and query.
func hostPairs(r *http.Request, uri string) []Pair {
	pairs := make([]Pair, 0, len(r.Header)+3)
	for name, values := range r.Header {
		if spin.IsHostHeader(name) {
			continue
		}
		for _, v := range values {
			pairs = append(pairs, Pair{Name: strings.ToLower(name), Value: v})
		}
	}
	return append(pairs, Pair{Name: "host", Value: r.Host},
		Pair{Name: HeaderFullURL, Value: "http://" + r.Host + uri},
		Pair{Name: HeaderClientAddr, Value: r.RemoteAddr})
}
