package wire

import (
	"reflect"
	"testing"
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

func TestServe(t *testing.T) {
	h := func(r *Request) Response {
		if r.URI == "/panic" {
			panic("boom")
		}
		return Response{Headers: []Pair{{Name: "b", Value: "2"}, {Name: "a", Value: "1"}}, Body: []byte(r.Method + " " + r.URI + " " + string(r.Body))}
	}
	got := Serve(h, "POST", "/x?y", nil, []byte("body"))
	want := Response{Status: 200, Headers: []Pair{{Name: "b", Value: "2"}, {Name: "a", Value: "1"}}, Body: []byte("POST /x?y body")}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Serve = %+v, want %+v (status defaulted, headers as given)", got, want)
	}
	if got := Serve(h, "HEAD", "/", nil, nil); got.Body != nil || got.Status != 200 {
		t.Errorf("HEAD kept its body: %+v", got)
	}
	if got := Serve(h, "GET", "/panic", nil, nil); got.Status != 500 {
		t.Errorf("a panicking handler answered %d", got.Status)
	}
	if got := Serve(nil, "GET", "/", nil, nil); got.Status != 500 {
		t.Errorf("no handler answered %d", got.Status)
	}
}
