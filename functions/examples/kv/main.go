// Command kv is the key-value example component (Spin's key-value tutorial): the
// request path below the route is the key, and the method says what to do with it.
//
//	POST   /kv/<key>  stores the request body        → 200
//	GET    /kv/<key>  returns the value              → 200, or 404 if unset
//	DELETE /kv/<key>  removes the key                → 200
//	HEAD   /kv/<key>  tells whether the key exists   → 200 or 404
//	GET    /kv/       lists the keys, one per line   → 200
//
// It uses the "default" store, which the host keeps in its state dir.
package main

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"wasmsite/functions/sdk/kv"
	"wasmsite/functions/sdk/spinhttp"
)

func init() {
	spinhttp.HandleFunc(serve)
}

func main() {}

func serve(w http.ResponseWriter, r *http.Request) {
	key := strings.TrimPrefix(spinhttp.PathInfo(r), "/")
	store, err := kv.Open("default")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer store.Close()
	if key == "" {
		if r.Method != http.MethodGet {
			http.Error(w, "a key is required: /kv/<key>", http.StatusBadRequest)
			return
		}
		keys, err := store.GetKeys()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		for _, k := range keys {
			io.WriteString(w, k+"\n")
		}
		return
	}
	switch r.Method {
	case http.MethodPost:
		body, err := io.ReadAll(r.Body)
		if err == nil {
			err = store.Set(key, body)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	case http.MethodGet:
		v, err := store.Get(key)
		switch {
		case errors.Is(err, kv.ErrNoSuchKey):
			http.Error(w, "not found", http.StatusNotFound)
		case err != nil:
			http.Error(w, err.Error(), http.StatusInternalServerError)
		default:
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Write(v)
		}
	case http.MethodDelete:
		if err := store.Delete(key); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	case http.MethodHead:
		ok, err := store.Exists(key)
		switch {
		case err != nil:
			w.WriteHeader(http.StatusInternalServerError)
		case !ok:
			w.WriteHeader(http.StatusNotFound)
		}
	default:
		w.Header().Set("Allow", "GET, POST, DELETE, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}
