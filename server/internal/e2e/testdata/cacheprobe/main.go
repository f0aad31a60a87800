// Command cacheprobe is the HTTP cache tests' component: it answers any path with the
// caching headers its query asks for and counts its calls per request URI in the
// embedded store, so a test can tell which requests reached the component.
//
// Query parameters: cc (Cache-Control), etag (an entity tag, quoted by the probe; a
// matching If-None-Match gets 304), cookie (a Set-Cookie value), size (body bytes),
// sleep (milliseconds before answering), vary (a Vary value). GET /count?uri=U answers
// the number of calls for U and the last If-None-Match it carried, never cacheably.
package main

import (
	"cmp"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"wasmsite/functions/sdk/redis"
	"wasmsite/functions/sdk/spinhttp"
)

func init() { spinhttp.HandleFunc(serve) }

func main() {}

// store is the embedded store's address for outbound Redis.
const store = ""

func serve(w http.ResponseWriter, r *http.Request) {
	if spinhttp.PathInfo(r) == "/count" {
		count(w, r)
		return
	}
	q := r.URL.Query()
	calls, err := redis.Incr(store, "calls:"+r.URL.RequestURI())
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	redis.Set(store, "inm:"+r.URL.RequestURI(), []byte(r.Header.Get("If-None-Match")))
	if ms, _ := strconv.Atoi(q.Get("sleep")); ms > 0 {
		time.Sleep(time.Duration(ms) * time.Millisecond)
	}
	h := w.Header()
	h.Set("Content-Type", "text/plain")
	for param, header := range map[string]string{"cc": "Cache-Control", "cookie": "Set-Cookie", "vary": "Vary"} {
		if v := q.Get(param); v != "" {
			h.Set(header, v)
		}
	}
	if tag := q.Get("etag"); tag != "" {
		h.Set("ETag", strconv.Quote(tag))
		if r.Header.Get("If-None-Match") == strconv.Quote(tag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	body := fmt.Sprintf("call %d of %s for %q\n", calls, r.URL.RequestURI(), r.Header.Get("Accept-Language"))
	if n, _ := strconv.Atoi(q.Get("size")); n > len(body) {
		body += strings.Repeat("x", n-len(body))
	}
	w.Write([]byte(body))
}

func count(w http.ResponseWriter, r *http.Request) {
	uri := r.URL.Query().Get("uri")
	n, _ := redis.Get(store, "calls:"+uri)
	inm, _ := redis.Get(store, "inm:"+uri)
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprintf(w, "%s %s", cmp.Or(string(n), "0"), inm)
}
