package loadgen

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The generator reads Content-Length, chunked and HEAD responses and counts statuses.
func TestRun(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch r.URL.Path {
		case "/chunked":
			w.Write([]byte(strings.Repeat("x", 10)))
			w.(http.Flusher).Flush()
			w.Write([]byte("y"))
		case "/missing":
			w.WriteHeader(404)
		default:
			w.Write(body)
		}
	})}
	go srv.Serve(ln)
	defer srv.Close()
	for _, req := range []Request{
		{Path: "/", Host: "h"},
		{Path: "/chunked", Host: "h", Header: map[string]string{"Accept": "*/*"}},
		{Method: "POST", Path: "/", Host: "h", Body: []byte("hello")},
		{Method: "HEAD", Path: "/", Host: "h"},
		{Path: "/missing", Host: "h"},
	} {
		res, err := Run(ln.Addr().String(), req, 4, 20*time.Millisecond, 100*time.Millisecond)
		if err != nil {
			t.Fatalf("%s %s: %v", req.Method, req.Path, err)
		}
		want := 200
		if req.Path == "/missing" {
			want = 404
		}
		if res.Errors != 0 || res.Statuses[want] != res.Requests || res.Requests < 10 {
			t.Errorf("%s %s: %s", req.Method, req.Path, res)
		}
		if p50, p99 := res.Percentile(50), res.Percentile(99); p50 <= 0 || p99 < p50 {
			t.Errorf("percentiles %s %s", p50, p99)
		}
	}
}
