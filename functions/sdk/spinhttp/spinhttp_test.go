package spinhttp

import (
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"wasmsite/functions/sdk"
	"wasmsite/functions/sdk/spin"
)

func TestMethodMapping(t *testing.T) {
	for i, m := range []string{"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"} {
		if got, ok := MethodName(uint32(i)); !ok || got != m {
			t.Errorf("MethodName(%d) = %q %v", i, got, ok)
		}
		if c, ok := MethodCode(m); !ok || c != uint32(i) {
			t.Errorf("MethodCode(%s) = %d %v", m, c, ok)
		}
	}
	if _, ok := MethodName(7); ok {
		t.Error("MethodName(7) accepted")
	}
	if _, ok := MethodCode("TRACE"); ok {
		t.Error("TRACE accepted")
	}
}

func TestNewRequest(t *testing.T) {
	r, err := NewRequest("POST", "/likes?url=a&url=b", []Pair{
		{Name: "Content-Type", Value: "application/json"},
		{Name: "x-multi", Value: "1"}, {Name: "x-multi", Value: "2"},
		{Name: HeaderFullURL, Value: "https://example.com:8443/likes?url=a&url=b"},
		{Name: HeaderPathInfo, Value: ""},
		{Name: HeaderClientAddr, Value: "10.0.0.1:5555"},
	}, []byte(`{"url":"/"}`))
	if err != nil {
		t.Fatal(err)
	}
	if r.Method != "POST" || r.URL.Path != "/likes" || r.URL.Query()["url"][1] != "b" {
		t.Errorf("bad method/url: %s %v", r.Method, r.URL)
	}
	if r.Host != "example.com:8443" || r.URL.Scheme != "https" {
		t.Errorf("host = %q scheme %q", r.Host, r.URL.Scheme)
	}
	if r.RemoteAddr != "10.0.0.1:5555" {
		t.Errorf("remote = %q", r.RemoteAddr)
	}
	if got := r.Header.Values("X-Multi"); !reflect.DeepEqual(got, []string{"1", "2"}) {
		t.Errorf("multi = %v", got)
	}
	b, _ := io.ReadAll(r.Body)
	if string(b) != `{"url":"/"}` || r.ContentLength != int64(len(b)) {
		t.Errorf("body %q len %d", b, r.ContentLength)
	}
	if _, err := NewRequest("GET", "not a uri", nil, nil); err == nil {
		t.Error("bad uri accepted")
	}
}

func TestServe(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/panic":
			panic("boom")
		case "/multi":
			w.Header().Add("Set-Cookie", "a=1")
			w.Header().Add("Set-Cookie", "b=2")
			w.WriteHeader(201)
			w.WriteHeader(500) // ignored
			io.WriteString(w, "<html><body>hi</body></html>")
		case "/none":
			w.WriteHeader(204)
		}
	})
	resp := Serve(h, "GET", "/multi", nil, nil)
	if resp.Status != 201 || string(resp.Body) != "<html><body>hi</body></html>" {
		t.Fatalf("resp %+v", resp)
	}
	want := []Pair{{Name: "Content-Type", Value: "text/html; charset=utf-8"}, {Name: "Set-Cookie", Value: "a=1"}, {Name: "Set-Cookie", Value: "b=2"}}
	if !reflect.DeepEqual(resp.Headers, want) {
		t.Errorf("headers %v", resp.Headers)
	}
	if resp := Serve(h, "HEAD", "/multi", nil, nil); resp.Status != 201 || len(resp.Body) != 0 {
		t.Errorf("HEAD resp %+v", resp)
	}
	if resp := Serve(h, "GET", "/panic", nil, nil); resp.Status != 500 || len(resp.Body) == 0 {
		t.Errorf("panic resp %+v", resp)
	}
	if resp := Serve(h, "GET", "/none", nil, nil); resp.Status != 204 || len(resp.Headers) != 0 {
		t.Errorf("204 resp %+v", resp)
	}
	if resp := Serve(nil, "GET", "/", nil, nil); resp.Status != 500 {
		t.Errorf("nil handler %+v", resp)
	}
}

func TestOutboundNative(t *testing.T) {
	_, err := Client.Get("http://example.com/")
	if !errors.Is(err, sdk.ErrNotWasm) {
		t.Errorf("err = %v", err)
	}
	req, _ := http.NewRequest("TRACE", "http://example.com/", nil)
	if _, err := (Transport{}).RoundTrip(req); err == nil {
		t.Error("TRACE accepted")
	}
	for code, want := range map[uint8]error{1: ErrDestinationNotAllowed, 2: ErrInvalidURL, 3: ErrRequestError, 4: ErrRuntimeError, 5: ErrTooManyRequests, 9: ErrUnknownHTTPError} {
		if !errors.Is(HTTPError(code), want) {
			t.Errorf("HTTPError(%d) = %v", code, HTTPError(code))
		}
	}
}

func TestRequestHeaders(t *testing.T) {
	r := &Request{Headers: []Pair{{Name: "accept", Value: "a"}, {Name: "X-Multi", Value: "1"}, {Name: "x-multi", Value: "2"}, {Name: "empty", Value: ""}}}
	if v, ok := r.Lookup("ACCEPT"); !ok || v != "a" {
		t.Errorf("Lookup(ACCEPT) = %q, %v", v, ok)
	}
	if v, ok := r.Lookup("empty"); !ok || v != "" {
		t.Errorf("Lookup(empty) = %q, %v: a present empty header", v, ok)
	}
	if _, ok := r.Lookup("missing"); ok || r.Header("missing") != "" {
		t.Error("a missing header was found")
	}
	var all []string
	r.Values("x-MULTI", func(v string) { all = append(all, v) })
	if !reflect.DeepEqual(all, []string{"1", "2"}) {
		t.Errorf("Values = %v", all)
	}
}

// A host header a client forged (before the host's own) is never what a handler reads:
// every one the host sets, through both APIs.
func TestHostHeadersWin(t *testing.T) {
	for _, name := range spin.HostHeaders {
		headers := []Pair{{Name: name, Value: "forged"}, {Name: "accept", Value: "a"}, {Name: name, Value: "host"}}
		r := &Request{Headers: headers}
		if v := r.Header(strings.ToUpper(name)); v != "host" {
			t.Errorf("Request.Header(%s) = %q", name, v)
		}
		hr, err := NewRequest("GET", "/x", headers, nil)
		if err != nil {
			t.Fatal(err)
		}
		if vs := hr.Header.Values(name); len(vs) != 1 || vs[0] != "host" {
			t.Errorf("http.Request header %s = %q", name, vs)
		}
	}
	hr, _ := NewRequest("GET", "/x", []Pair{{Name: spin.HeaderClientAddr, Value: "6.6.6.6:1"}, {Name: spin.HeaderClientAddr, Value: "10.0.0.1:2"}}, nil)
	if hr.RemoteAddr != "10.0.0.1:2" {
		t.Errorf("RemoteAddr %q", hr.RemoteAddr)
	}
}
