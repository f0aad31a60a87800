package security

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"testing"
	"time"
)

// The slow-client row's limits: the host must close a connection past its timeout,
// and the test fails when one stays open more than slack times the timeout.
const (
	headerTimeout = time.Second
	readTimeout   = 2 * time.Second
	idleTimeout   = time.Second
	maxConns      = 20
	slack         = 3
)

// TestSlowClients: with small limits, idle keep-alive connections, trickling request
// lines, headers and bodies are closed by the host after their timeouts; with 20
// connections held open the 21st is served only once one of them closes; the host
// serves normally afterwards.
func TestSlowClients(t *testing.T) {
	dir, addr := siteApp(t)
	rw := newRow(t, "slow clients", 7, "connections kept open")
	s := startSite(t, dir, addr, nil, "--header-timeout", headerTimeout.String(), "--read-timeout", readTimeout.String(),
		"--idle-timeout", idleTimeout.String(), "--max-connections", fmt.Sprint(maxConns))
	for _, c := range []struct {
		name    string
		timeout time.Duration
		send    func(net.Conn)
	}{
		{"idle after a request", idleTimeout, healthCheck},
		{"silent from the start", headerTimeout, func(net.Conn) {}},
		{"request line trickled", headerTimeout, trickle("GET / HTTP/1.1\r\n")},
		{"header trickled", headerTimeout, func(c net.Conn) {
			io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
			trickle("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")(c)
		}},
		{"body trickled", readTimeout, func(c net.Conn) {
			io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n")
			trickle("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")(c)
		}},
		{"chunked body trickled", readTimeout, func(c net.Conn) {
			io.WriteString(c, "POST /likes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
			trickle("1\r\n{\r\n1\r\n \r\n1\r\n \r\n1\r\n \r\n1\r\n \r\n1\r\n \r\n1\r\n \r\n1\r\n \r\n1\r\n \r\n1\r\n \r\n")(c)
		}},
	} {
		open := heldFor(t, s.Addr, c.send, slack*c.timeout)
		t.Logf("%s: closed after %v (timeout %v)", c.name, open.Round(10*time.Millisecond), c.timeout)
		rw.check(open <= slack*c.timeout, "%s: the connection stayed open %v, over %d × the %v timeout", c.name, open, slack, c.timeout)
	}
	rw.check(servesHome(s.Addr), "the host does not serve / after the slow clients")
	s.Stop()
	connectionCap(t, rw, dir, addr)
}

// heldFor opens a connection, lets send write on it (in the background: trickles
// stop when the connection closes) and returns how long the host kept it open,
// waiting at most limit plus a second.
func heldFor(t *testing.T, addr string, send func(net.Conn), limit time.Duration) time.Duration {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	go send(c)
	c.SetReadDeadline(start.Add(limit + time.Second))
	_, err = io.Copy(io.Discard, c)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return limit + time.Second
	}
	return time.Since(start)
}

// trickle returns a sender writing s one byte every 200 ms until a write fails.
func trickle(s string) func(net.Conn) {
	return func(c net.Conn) {
		for i := 0; i < len(s); i++ {
			if _, err := c.Write([]byte{s[i]}); err != nil {
				return
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
}

// healthCheck sends one keep-alive request; the connection is idle once it is
// answered.
func healthCheck(c net.Conn) {
	io.WriteString(c, "GET /.well-known/spin/health HTTP/1.1\r\nHost: x\r\n\r\n")
}

// connectionCap: with --max-connections 20 and timeouts long enough to hold them, 20
// keep-alive connections are served and stay open; a 21st gets no answer until one of
// them closes, and afterwards the host serves new connections.
func connectionCap(t *testing.T, rw *row, dir, addr string) {
	s := startSite(t, dir, addr, nil, "--max-connections", fmt.Sprint(maxConns), "--idle-timeout", "2m", "--header-timeout", "2m")
	http.DefaultClient.CloseIdleConnections() // the start-up's health checks
	held := make([]*keptConn, maxConns)
	for i := range held {
		held[i] = keepAlive(t, s.Addr)
		if status, err := held[i].get(10 * time.Second); err != nil || status != 200 {
			t.Fatalf("connection %d of %d was not served: %d %v", i+1, maxConns, status, err)
		}
	}
	extra := keepAlive(t, s.Addr)
	status, err := extra.get(time.Second)
	rw.check(errors.Is(err, os.ErrDeadlineExceeded), "connection %d was served (%d, %v) while %d were open", maxConns+1, status, err, maxConns)
	held[0].Close()
	status, err = extra.wait(30 * time.Second)
	rw.check(err == nil && status == 200, "connection %d not served after one of %d closed: %d %v", maxConns+1, maxConns, status, err)
	for _, c := range append(held[1:], extra) {
		c.Close()
	}
	rw.check(servesHome(s.Addr), "the host does not serve / after its connections were full")
}

// keptConn is a keep-alive client connection.
type keptConn struct {
	net.Conn
	r *bufio.Reader
}

func keepAlive(t *testing.T, addr string) *keptConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &keptConn{Conn: c, r: bufio.NewReader(c)}
}

// get sends a health check and waits up to timeout for the answer.
func (k *keptConn) get(timeout time.Duration) (int, error) {
	healthCheck(k)
	return k.wait(timeout)
}

// wait reads the answer to the request already sent, waiting up to timeout.
func (k *keptConn) wait(timeout time.Duration) (int, error) {
	k.SetReadDeadline(time.Now().Add(timeout))
	r, err := readResponse(k.r)
	return r.status, err
}
