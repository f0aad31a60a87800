// Package loadgen is a closed-loop HTTP/1.1 load generator for the benchmarks: a fixed
// number of keep-alive connections, each sending one request after another for a
// duration, recording each request's latency. It speaks just enough HTTP (a fixed
// request, responses with Content-Length or chunked bodies) to cost little CPU beside
// the server it measures, as wrk does.
package loadgen

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Request is what every connection sends.
type Request struct {
	Method string
	Path   string // path and query
	Host   string
	Header map[string]string
	Body   []byte
	// UniqueParam, when set, names a query parameter added to every request with a
	// value no other request has, so that each one is a different URL (a cache miss).
	UniqueParam string
}

// wire returns a function giving each request's wire form: always the same bytes, or
// per request with a fresh value of UniqueParam.
func (r Request) wire() func() []byte {
	if r.UniqueParam == "" {
		b := r.bytes()
		return func() []byte { return b }
	}
	sep := "?"
	if strings.Contains(r.Path, "?") {
		sep = "&"
	}
	var n atomic.Uint64
	return func() []byte {
		u := r
		u.Path += sep + r.UniqueParam + "=" + strconv.FormatUint(n.Add(1), 10)
		return u.bytes()
	}
}

// bytes is the request's wire form.
func (r Request) bytes() []byte {
	var b bytes.Buffer
	method := r.Method
	if method == "" {
		method = "GET"
	}
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", method, r.Path, r.Host)
	keys := make([]string, 0, len(r.Header))
	for k := range r.Header {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "%s: %s\r\n", k, r.Header[k])
	}
	if len(r.Body) > 0 || method == "POST" || method == "PUT" {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(r.Body))
	}
	b.WriteString("\r\n")
	b.Write(r.Body)
	return b.Bytes()
}

// Result summarises a run.
type Result struct {
	Requests int           // completed
	Errors   int           // connection or protocol errors
	Statuses map[int]int   // responses by status
	Duration time.Duration // of the measured run
	latency  []time.Duration
}

// RPS is completed requests per second.
func (r *Result) RPS() float64 { return float64(r.Requests) / r.Duration.Seconds() }

// Percentile returns the p-th percentile latency (0 < p <= 100).
func (r *Result) Percentile(p float64) time.Duration {
	if len(r.latency) == 0 {
		return 0
	}
	i := int(float64(len(r.latency))*p/100+0.5) - 1
	return r.latency[max(0, min(i, len(r.latency)-1))]
}

func (r *Result) String() string {
	return fmt.Sprintf("%.0f req/s, p50 %s, p99 %s, %d requests, %d errors, statuses %v",
		r.RPS(), r.Percentile(50).Round(time.Microsecond), r.Percentile(99).Round(time.Microsecond), r.Requests, r.Errors, r.Statuses)
}

// Run opens conns connections to addr and sends req on each, back to back, for d
// (after warmup, whose requests are not counted). It fails when no request succeeds.
func Run(addr string, req Request, conns int, warmup, d time.Duration) (*Result, error) {
	wire := req.wire()
	start := time.Now()
	measureFrom, stopAt := start.Add(warmup), start.Add(warmup+d)
	perConn := make([]*Result, conns)
	var wg sync.WaitGroup
	for i := range perConn {
		wg.Go(func() { perConn[i] = worker(addr, wire, req.Method == "HEAD", measureFrom, stopAt) })
	}
	wg.Wait()
	total := Merge(perConn...)
	total.Duration = d // the connections ran side by side
	if total.Requests == 0 {
		return total, errors.New("loadgen: no request completed")
	}
	return total, nil
}

// Merge sums runs into one result: requests, errors and statuses added, durations
// added, latencies pooled (so percentiles are those of all the runs' requests).
func Merge(runs ...*Result) *Result {
	total := &Result{Statuses: map[int]int{}}
	for _, r := range runs {
		total.Requests += r.Requests
		total.Errors += r.Errors
		for s, n := range r.Statuses {
			total.Statuses[s] += n
		}
		total.Duration += r.Duration
		total.latency = append(total.latency, r.latency...)
	}
	slices.Sort(total.latency)
	return total
}

// worker runs one connection, reconnecting after errors.
func worker(addr string, wire func() []byte, head bool, measureFrom, stopAt time.Time) *Result {
	res := &Result{Statuses: map[int]int{}}
	var conn net.Conn
	var br *bufio.Reader
	for time.Now().Before(stopAt) {
		if conn == nil {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				res.Errors++
				time.Sleep(10 * time.Millisecond)
				continue
			}
			conn, br = c, bufio.NewReaderSize(c, 64<<10)
		}
		t0 := time.Now()
		status, closeAfter, err := roundTrip(conn, br, wire(), head)
		elapsed := time.Since(t0)
		if err != nil || closeAfter {
			conn.Close()
			conn = nil
		}
		if t0.Before(measureFrom) {
			continue
		}
		if err != nil {
			res.Errors++
			continue
		}
		res.Requests++
		res.Statuses[status]++
		res.latency = append(res.latency, elapsed)
	}
	if conn != nil {
		conn.Close()
	}
	return res
}

// roundTrip writes the request and reads one response, discarding its body.
func roundTrip(conn net.Conn, br *bufio.Reader, wire []byte, head bool) (status int, closeAfter bool, err error) {
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := conn.Write(wire); err != nil {
		return 0, false, err
	}
	line, err := br.ReadSlice('\n')
	if err != nil {
		return 0, false, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, false, fmt.Errorf("loadgen: bad status line %q", line)
	}
	if status, err = strconv.Atoi(string(line[9:12])); err != nil {
		return 0, false, err
	}
	length, chunked := int64(-1), false
	for {
		h, err := br.ReadSlice('\n')
		if err != nil {
			return 0, false, err
		}
		if len(h) <= 2 {
			break
		}
		name, value, _ := strings.Cut(string(h), ":")
		value = strings.TrimSpace(value)
		switch strings.ToLower(name) {
		case "content-length":
			length, _ = strconv.ParseInt(value, 10, 64)
		case "transfer-encoding":
			chunked = strings.EqualFold(value, "chunked")
		case "connection":
			closeAfter = strings.EqualFold(value, "close")
		}
	}
	switch {
	case head || status == 204 || status == 304:
	case chunked:
		err = discardChunked(br)
	case length >= 0:
		_, err = br.Discard(int(length))
	default:
		_, err = io.Copy(io.Discard, br)
		closeAfter = true
	}
	return status, closeAfter, err
}

func discardChunked(br *bufio.Reader) error {
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return err
		}
		size, err := strconv.ParseInt(strings.TrimSpace(strings.SplitN(string(line), ";", 2)[0]), 16, 64)
		if err != nil {
			return err
		}
		if _, err := br.Discard(int(size) + 2); err != nil {
			return err
		}
		if size == 0 {
			return nil
		}
	}
}
