package spinhttp

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"wasmsite/functions/sdk/spin"
)

// HTTPHandler passes a request as a host would (lower-case names, the client's spin-*
// headers replaced by its own) and its answer back; it refuses an oversized body.
func TestHTTPHandler(t *testing.T) {
	var got *Request
	h := HTTPHandler(func(r *Request) Response {
		got = r
		return Response{Status: 201, Headers: []Pair{{Name: "Set-Cookie", Value: "a=1"}, {Name: "Set-Cookie", Value: "b=2"}}, Body: []byte("made")}
	}, 8)
	req := httptest.NewRequest("POST", "http://site.example/likes?url=x", strings.NewReader("12345678"))
	req.RemoteAddr = "192.0.2.1:5000"
	req.Header.Set("X-Custom", "v")
	req.Header.Set(spin.HeaderClientAddr, "6.6.6.6:1")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	resp := w.Result()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 201 || string(body) != "made" || len(resp.Header.Values("Set-Cookie")) != 2 {
		t.Errorf("response %d %q %v", resp.StatusCode, body, resp.Header)
	}
	if got.Method != "POST" || got.URI != "/likes?url=x" || string(got.Body) != "12345678" {
		t.Errorf("request %s %s %q", got.Method, got.URI, got.Body)
	}
	for name, want := range map[string]string{"x-custom": "v", "host": "site.example",
		HeaderClientAddr: "192.0.2.1:5000", HeaderFullURL: "http://site.example/likes?url=x"} {
		if v := got.Header(name); v != want {
			t.Errorf("header %s = %q, want %q", name, v, want)
		}
	}
	got.Values(spin.HeaderClientAddr, func(v string) {
		if v == "6.6.6.6:1" {
			t.Error("the client's spin-client-addr was passed on")
		}
	})

	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("POST", "/likes", strings.NewReader("123456789")))
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("a 9-byte body with a limit of 8 answered %d", w.Code)
	}
}
