// Package redistest starts a real redis-server for tests, the host's and the
// components': on a free loopback port, in a temporary directory, stopped by
// t.Cleanup. It can be stopped and started again on the same port to test outages and
// reconnects.
//
// When redis-server is not installed the test is skipped, unless the environment
// variable CI is set: in CI a missing install must fail the build.
package redistest

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Options tune the server.
type Options struct {
	// AppendOnly enables the append-only file (appendfsync always), so data written
	// before Stop survives a Start.
	AppendOnly bool
}

// Server is one redis-server process owned by a test.
type Server struct {
	t    testing.TB
	bin  string
	dir  string
	port int
	opts Options

	mu     sync.Mutex
	cmd    *exec.Cmd
	out    *os.File
	exited chan struct{}
}

// Start starts a redis-server with default options (no persistence).
func Start(t testing.TB) *Server { return StartWith(t, Options{}) }

// StartWith starts a redis-server with the given options.
func StartWith(t testing.TB, opts Options) *Server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("redistest: redis-server is not installed (required in CI): %v", err)
		}
		t.Skipf("redistest: redis-server is not installed; skipping (set CI=1 to make this a failure)")
	}
	s := &Server{t: t, bin: bin, dir: t.TempDir(), opts: opts}
	s.port = freePort(t)
	t.Cleanup(s.Stop)
	s.Start()
	return s
}

// URL is the server's address as a redis:// URL.
func (s *Server) URL() string { return fmt.Sprintf("redis://127.0.0.1:%d", s.port) }

// Addr is host:port.
func (s *Server) Addr() string { return fmt.Sprintf("127.0.0.1:%d", s.port) }

// Start starts the server process (again) on the same port and waits until it answers
// PING. Starting a running server is a no-op.
func (s *Server) Start() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return
	}
	args := []string{
		"--port", strconv.Itoa(s.port),
		"--bind", "127.0.0.1",
		"--save", "",
		"--dir", s.dir,
		"--daemonize", "no",
		"--protected-mode", "no",
	}
	if s.opts.AppendOnly {
		args = append(args, "--appendonly", "yes", "--appendfsync", "always")
	} else {
		args = append(args, "--appendonly", "no")
	}
	out, err := os.OpenFile(filepath.Join(s.dir, "redis.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		s.t.Fatalf("redistest: %v", err)
	}
	cmd := exec.Command(s.bin, args...)
	cmd.Dir = s.dir
	cmd.Stdout = out
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		out.Close()
		s.t.Fatalf("redistest: starting redis-server: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if ping(s.Addr()) == nil {
			break
		}
		select {
		case <-exited:
			out.Close()
			log, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
			s.t.Fatalf("redistest: redis-server exited during start-up:\n%s", log)
		default:
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-exited
			out.Close()
			s.t.Fatalf("redistest: redis-server on port %d did not answer PING within 10s", s.port)
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.cmd = cmd
	s.out = out
	s.exited = exited
}

// Stop stops the server process (SIGTERM, then SIGKILL after 5 s) and waits for it to
// exit. Stopping a stopped server is a no-op.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
	s.out.Close()
	s.cmd, s.out, s.exited = nil, nil, nil
}

// Restart stops and starts the server on the same port. Without AppendOnly its data is lost.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	s.Start()
}

func ping(addr string) error {
	c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(500 * time.Millisecond))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "+PONG") {
		return fmt.Errorf("unexpected PING reply %q", line)
	}
	return nil
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("redistest: finding a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
