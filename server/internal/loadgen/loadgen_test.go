package loadgen

import (
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
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

// With UniqueParam every request has a URL of its own.
func TestUniqueParam(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[string]int{}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.URL.RequestURI()]++
		mu.Unlock()
	})}
	go srv.Serve(ln)
	defer srv.Close()
	res, err := Run(ln.Addr().String(), Request{Path: "/p?a=1", Host: "h", UniqueParam: "n"}, 4, 0, 100*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for uri, n := range seen {
		if n != 1 || !strings.HasPrefix(uri, "/p?a=1&n=") {
			t.Errorf("%s requested %d times", uri, n)
		}
	}
	if len(seen) < res.Requests {
		t.Errorf("%d distinct URLs for %d requests", len(seen), res.Requests)
	}
}

// Merge pools runs: counts and durations add up, and percentiles are those of every
// request of the runs.
func TestMerge(t *testing.T) {
	ms := time.Millisecond
	a := &Result{Requests: 2, Errors: 1, Statuses: map[int]int{200: 2}, Duration: time.Second, latency: []time.Duration{1 * ms, 3 * ms}}
	b := &Result{Requests: 2, Statuses: map[int]int{200: 1, 503: 1}, Duration: time.Second, latency: []time.Duration{2 * ms, 4 * ms}}
	m := Merge(a, b)
	if m.Requests != 4 || m.Errors != 1 || m.Statuses[200] != 3 || m.Statuses[503] != 1 || m.Duration != 2*time.Second || m.RPS() != 2 {
		t.Errorf("merged %+v", m)
	}
	if m.Percentile(50) != 2*ms || m.Percentile(100) != 4*ms || m.Percentile(25) != 1*ms {
		t.Errorf("percentiles of the pooled latencies: p25 %s p50 %s p100 %s", m.Percentile(25), m.Percentile(50), m.Percentile(100))
	}
}
