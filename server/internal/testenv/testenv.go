// Package testenv builds and runs the real parts for integration tests: the server
// binary, components compiled from this module's sources for GOOS=wasip1, a site
// rendered by the generator, and a host process serving an app directory over real HTTP.
package testenv

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Root is the module root (the directory holding go.mod).
func Root(tb testing.TB) string {
	tb.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", "..", ".."))
}

var (
	buildMu  sync.Mutex
	buildDir string
	built    = map[string]string{}
	cleanups []func()
)

// Main runs a test package that uses testenv; call it from TestMain. When
// the tests are done it removes what testenv built for them (binaries and
// components are built once per test process, into a temporary directory no
// single test owns) and what OnExit registered, then exits with the tests'
// status. Without it, every run of the tests left 30-50 MB in the system's
// temporary directory.
func Main(m *testing.M) {
	code := m.Run()
	buildMu.Lock()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	fns := cleanups
	buildMu.Unlock()
	for _, f := range fns {
		f()
	}
	os.Exit(code)
}

// OnExit registers f to run when Main ends, for what a package's tests share
// across tests (such as a directory of compiled test components).
func OnExit(f func()) {
	buildMu.Lock()
	defer buildMu.Unlock()
	cleanups = append(cleanups, f)
}

// build runs `go build` once per process for a key, into a process-wide temp dir.
func build(tb testing.TB, key, out string, env []string, args ...string) string {
	tb.Helper()
	return buildOnce(tb, key, out, func(dst string) *exec.Cmd {
		cmd := exec.Command("go", append([]string{"build", "-o", dst}, args...)...)
		cmd.Env = append(os.Environ(), env...)
		return cmd
	})
}

// buildOnce runs the command command(dst) makes, in the module root, once per process
// for a key, writing dst in a process-wide temp dir.
func buildOnce(tb testing.TB, key, out string, command func(dst string) *exec.Cmd) string {
	tb.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	if p, ok := built[key]; ok {
		return p
	}
	if buildDir == "" {
		d, err := os.MkdirTemp("", "wasmsite-testbuild-*")
		if err != nil {
			tb.Fatal(err)
		}
		buildDir = d
	}
	dst := filepath.Join(buildDir, out)
	cmd := command(dst)
	cmd.Dir = Root(tb)
	if b, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("%v: %v\n%s", cmd.Args, err, b)
	}
	built[key] = dst
	return dst
}

// CComponent compiles a C source (relative to the module root) with clang for
// wasm32-wasi, once per process: with reactor, a library-style module
// (-mexec-model=reactor, Spin components); else a command (WAGI). A missing clang is a
// failure, not a skip.
func CComponent(tb testing.TB, src string, reactor bool) string {
	tb.Helper()
	clang, err := exec.LookPath("clang")
	if err != nil {
		tb.Fatalf("clang is required to build the C test components (apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32): %v", err)
	}
	kind := map[bool]string{true: ".reactor", false: ".command"}[reactor]
	return buildOnce(tb, "c:"+src+kind, strings.NewReplacer("/", "_", ".c", "").Replace(src)+kind+".wasm", func(dst string) *exec.Cmd {
		args := []string{"--target=wasm32-wasi", "-O2", "-Wall", "-Werror", "-o", dst}
		if reactor {
			args = append(args, "-mexec-model=reactor")
		}
		return exec.Command(clang, append(args, src)...)
	})
}

// ServerBinary builds ./server and returns its path.
func ServerBinary(tb testing.TB) string {
	return build(tb, "server", "server", nil, "./server")
}

// SSGBinary builds ./ssg and returns its path.
func SSGBinary(tb testing.TB) string {
	return build(tb, "ssg", "ssg", nil, "./ssg")
}

// Component builds the Go package pkg (relative to the module root, e.g.
// "functions/static") as a Spin component: GOOS=wasip1 GOARCH=wasm -buildmode=c-shared.
func Component(tb testing.TB, pkg string) string {
	return build(tb, "component:"+pkg, strings.ReplaceAll(pkg, "/", "_")+".wasm",
		[]string{"GOOS=wasip1", "GOARCH=wasm"}, "-buildmode=c-shared", "./"+pkg)
}

// NativeCommand builds the Go package pkg (relative to the module root) for this
// machine and returns the executable's path.
func NativeCommand(tb testing.TB, pkg string) string {
	return build(tb, "native:"+pkg, strings.ReplaceAll(pkg, "/", "_")+".native", nil, "./"+pkg)
}

// Command builds the Go package pkg as a WASI command module (for WAGI).
func Command(tb testing.TB, pkg string) string {
	return build(tb, "command:"+pkg, strings.ReplaceAll(pkg, "/", "_")+".cmd.wasm",
		[]string{"GOOS=wasip1", "GOARCH=wasm"}, "./"+pkg)
}

// CopyFile copies src to dst, creating dst's directory.
func CopyFile(tb testing.TB, src, dst string) {
	tb.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		tb.Fatal(err)
	}
	WriteFile(tb, dst, string(b))
}

// WriteFile writes content to path, creating parent directories.
func WriteFile(tb testing.TB, path, content string) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
}

// TempTree writes files (slash path → content) under a new temporary directory and
// returns the directory.
func TempTree(tb testing.TB, files map[string]string) string {
	tb.Helper()
	dir := tb.TempDir()
	for p, content := range files {
		WriteFile(tb, filepath.Join(dir, filepath.FromSlash(p)), content)
	}
	return dir
}

// CountConns accepts every connection to ln, adds one to n for each and closes it, until
// the test ends (then ln is closed): a server that must never be reached.
func CountConns(tb testing.TB, ln net.Listener, n *atomic.Int64) {
	tb.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			c.Close()
		}
	}()
}

// RenderSite renders contentDir into outDir with the generator binary.
func RenderSite(tb testing.TB, contentDir, outDir, baseURL string) {
	tb.Helper()
	cmd := exec.Command(SSGBinary(tb), "-content", contentDir, "-out", outDir, "-base-url", baseURL)
	if b, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("ssg: %v\n%s", err, b)
	}
}

// FreeAddr returns a loopback address with a port that was free a moment ago.
func FreeAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// Server is a running host process.
type Server struct {
	URL  string // http://addr
	Addr string
	// Args and Env it was started with (Restart reuses them).
	Args []string
	Env  []string
	Dir  string

	tb     testing.TB
	binary string // the executable (the host's, unless StartCommand)
	ready  string // path answering once it is up: 200 for the host, any status otherwise
	isUp   func() bool
	cmd    *exec.Cmd
	logs   *SyncBuffer
	done   chan struct{}
}

// Options for Start.
type Options struct {
	// Dir is the app directory holding spin.toml.
	Dir string
	// Addr to listen on ("" picks a free one).
	Addr string
	// Env are extra KEY=VALUE for the process (e.g. SPIN_VARIABLE_...).
	Env []string
	// Args are extra `server up` flags.
	Args []string
	// Ready reports whether the server is up (nil: its health check answers 200 on
	// Addr over plain HTTP). Start calls it every 50 ms for up to 60 s.
	Ready func() bool
}

// Start runs `server up` in o.Dir and waits until it answers its health check. The
// process is stopped at test cleanup; its log is printed when the test failed.
func Start(tb testing.TB, o Options) *Server {
	tb.Helper()
	if o.Addr == "" {
		o.Addr = FreeAddr(tb)
	}
	s := &Server{URL: "http://" + o.Addr, Addr: o.Addr, Dir: o.Dir, Env: o.Env,
		Args: append([]string{"up", "-f", filepath.Join(o.Dir, "spin.toml"), "--listen", o.Addr}, o.Args...), tb: tb,
		binary: ServerBinary(tb), ready: "/.well-known/spin/health", isUp: o.Ready}
	s.launch()
	return s
}

// StartCommand runs binary with args (which make it listen on addr) and waits until it
// answers HTTP on addr, whatever the status; it is stopped at test cleanup like Start's.
func StartCommand(tb testing.TB, binary, addr string, args ...string) *Server {
	tb.Helper()
	s := &Server{URL: "http://" + addr, Addr: addr, Args: args, tb: tb, binary: binary, ready: "/"}
	s.launch()
	return s
}

func (s *Server) launch() {
	s.tb.Helper()
	s.start()
	s.tb.Cleanup(func() {
		s.Stop()
		if s.tb.Failed() {
			s.tb.Logf("server log (%s):\n%s", s.URL, s.Logs())
		}
	})
}

// Pid is the process id.
func (s *Server) Pid() int { return s.cmd.Process.Pid }

func (s *Server) start() {
	s.tb.Helper()
	s.logs = &SyncBuffer{}
	s.cmd = exec.Command(s.binary, s.Args...)
	s.cmd.Dir = s.Dir
	s.cmd.Env = append(os.Environ(), s.Env...)
	s.cmd.Stdout, s.cmd.Stderr = s.logs, s.logs
	if err := s.cmd.Start(); err != nil {
		s.tb.Fatal(err)
	}
	s.done = make(chan struct{})
	go func() { s.cmd.Wait(); close(s.done) }()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			s.tb.Fatalf("server exited during start-up:\n%s", s.logs.String())
		default:
		}
		if s.up() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.tb.Fatalf("server did not become healthy:\n%s", s.logs.String())
}

// up reports whether the server answers: isUp, else a GET of s.ready.
func (s *Server) up() bool {
	if s.isUp != nil {
		return s.isUp()
	}
	resp, err := http.Get(s.URL + s.ready)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == 200 || s.binary != ServerBinary(s.tb)
}

// Stop sends SIGTERM and waits for a graceful exit (killing it after 15 s).
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	select {
	case <-s.done:
		return
	default:
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(15 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
}

// Restart stops the process and starts it again with the same arguments.
func (s *Server) Restart() {
	s.tb.Helper()
	s.Stop()
	prev := s.logs.String()
	s.start()
	s.logs.prefix = prev
}

// Logs returns what the process wrote so far.
func (s *Server) Logs() string { return s.logs.String() }

// WaitLog reports whether the server's output contains substr within timeout:
// the log reaches the test through a pipe, so a line about a request may
// arrive after its response.
func (s *Server) WaitLog(substr string, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		if strings.Contains(s.Logs(), substr) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Exited reports whether the process has ended.
func (s *Server) Exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// SyncBuffer is a bytes.Buffer safe for concurrent writers and readers, such as a
// process's output read while it runs.
type SyncBuffer struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	prefix string
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.prefix + b.buf.String()
}

// ServerCommand returns an unstarted `server` command in dir with exactly env.
func ServerCommand(tb testing.TB, dir string, env []string, args ...string) *exec.Cmd {
	tb.Helper()
	cmd := exec.Command(ServerBinary(tb), args...)
	cmd.Dir = dir
	cmd.Env = env
	return cmd
}

// RunServer runs the server binary with args to completion and returns its combined
// output and exit error (for start-up failure tests).
func RunServer(tb testing.TB, dir string, env []string, args ...string) (string, error) {
	tb.Helper()
	cmd := exec.Command(ServerBinary(tb), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	done := make(chan struct{})
	var out []byte
	var err error
	go func() { out, err = cmd.CombinedOutput(); close(done) }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		<-done
		return string(out), fmt.Errorf("server did not exit")
	}
	return string(out), err
}

// SiteApp lays out the project's own application in a temp dir: its spin.toml, the
// static and likes components built from functions/, and contentDir rendered into
// public/ for baseURL (use the URL the server will listen on). It returns the dir.
func SiteApp(tb testing.TB, contentDir, baseURL string) string {
	tb.Helper()
	dir := tb.TempDir()
	root := Root(tb)
	CopyFile(tb, filepath.Join(root, "spin.toml"), filepath.Join(dir, "spin.toml"))
	CopyFile(tb, Component(tb, "functions/static"), filepath.Join(dir, "build", "static.wasm"))
	CopyFile(tb, Component(tb, "functions/likes"), filepath.Join(dir, "build", "likes.wasm"))
	RenderSite(tb, contentDir, filepath.Join(dir, "public"), baseURL)
	return dir
}
