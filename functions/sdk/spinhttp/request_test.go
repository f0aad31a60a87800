package spinhttp

import (
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"wasmsite/functions/sdk/spin"
)

func TestRequestQuery(t *testing.T) {
	for uri, want := range map[string]map[string][]string{
		"/likes?url=%2Fa%2F&url=/b/&x": {"url": {"/a/", "/b/"}, "x": {""}},
		"/likes":                       {},
		"/likes?":                      {},
		"/likes?a=%zz&b=1":             {"b": {"1"}}, // a malformed pair is dropped
	} {
		if got := (&Request{URI: uri}).Query(); !reflect.DeepEqual(map[string][]string(got), want) {
			t.Errorf("Query of %s = %v, want %v", uri, got, want)
		}
	}
}

func TestRequestCookie(t *testing.T) {
	r := &Request{Headers: []Pair{
		{"cookie", `a=1; tok="quoted"; b=2`}, {"Cookie", "tok=second; c"}, {"cookie", "late=3"},
	}}
	for name, want := range map[string]string{"a": "1", "tok": "quoted", "b": "2", "late": "3"} {
		if v, ok := r.Cookie(name); !ok || v != want {
			t.Errorf("Cookie(%s) = %q, %v; want %q (the first one)", name, v, ok, want)
		}
	}
	for _, name := range []string{"c", "missing", "A", ""} {
		if v, ok := r.Cookie(name); ok {
			t.Errorf("Cookie(%q) = %q: found", name, v)
		}
	}
}

func TestResponseHeaders(t *testing.T) {
	var r Response
	r.Add("Set-Cookie", "a=1")
	r.Add("Set-Cookie", "b=2")
	r.Set("Content-Type", "text/plain")
	r.Add("Vary", "Accept")
	r.Add("Vary", "Origin")
	r.Set("Vary", "Cookie") // replaces both, in the first one's place
	r.Set("Content-Type", "application/json")
	want := []Pair{{"Set-Cookie", "a=1"}, {"Set-Cookie", "b=2"}, {"Content-Type", "application/json"}, {"Vary", "Cookie"}}
	if !reflect.DeepEqual(r.Headers, want) {
		t.Errorf("headers %v, want %v", r.Headers, want)
	}
	r.Del("Set-Cookie")
	if want := want[2:]; !reflect.DeepEqual(r.Headers, want) {
		t.Errorf("after Del: %v, want %v", r.Headers, want)
	}
}

// HTTPHandler passes a request as a host would (lower-case names, the client's spin-*
// headers replaced by its own) and its answer back; it refuses an oversized body.
func TestHTTPHandler(t *testing.T) {
	var got *Request
	h := HTTPHandler(func(r *Request) Response {
		got = r
		return Response{Status: 201, Headers: []Pair{{"Set-Cookie", "a=1"}, {"Set-Cookie", "b=2"}}, Body: []byte("made")}
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
