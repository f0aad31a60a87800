package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"wasmsite/server/internal/testenv"
	"wasmsite/server/store/redistest"
)

// The command line as a user meets it: help exits 0 with Spin-style flags, the version
// names a commit, mistakes are named as typed.
func TestCommandLine(t *testing.T) {
	for _, c := range []struct {
		args     []string
		ok       bool
		contains []string
	}{
		{[]string{"--help"}, true, []string{"up", "build", "watch", "new"}},
		{[]string{"-h"}, true, []string{"Available Commands"}},
		{[]string{"up", "--help"}, true, []string{"-f, --from", "-e, --env", "--listen", "--max-instances", "--http-cache-size"}},
		{[]string{"help", "build"}, true, []string{"-c, --component-id", "-u, --up"}},
		{[]string{"--version"}, true, []string{"server ", "commit ", "go1."}},
		{[]string{"up", "--bogus"}, false, []string{"unknown flag: --bogus"}},
		{[]string{"up", "-x"}, false, []string{"unknown shorthand flag: 'x' in -x"}},
		{[]string{"frob"}, false, []string{`unknown command "frob"`}},
		{[]string{"up", "--max-instances", "-3"}, false, []string{"--max-instances must not be negative"}},
		{[]string{"new", "http-rust", "x"}, false, []string{`no template "http-rust"`, "http-go, http-c, redis-go"}},
	} {
		out, err := testenv.RunServer(t, t.TempDir(), nil, c.args...)
		if (err == nil) != c.ok {
			t.Errorf("server %s: err %v, want ok=%v\n%s", strings.Join(c.args, " "), err, c.ok, out)
		}
		for _, want := range c.contains {
			if !strings.Contains(out, want) {
				t.Errorf("server %s: output lacks %q:\n%s", strings.Join(c.args, " "), want, out)
			}
		}
	}
}

// Each template builds with `server build` and serves: the Go and C HTTP templates
// answer, the Redis one handles a message published on its channel.
func TestNewBuildUp(t *testing.T) {
	for _, tmpl := range []string{"http-go", "http-c", "redis-go"} {
		t.Run(tmpl, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "app")
			if out, err := testenv.RunServer(t, filepath.Dir(dir), nil, "new", tmpl, "my-app", "--output", dir); err != nil {
				t.Fatalf("new: %v\n%s", err, out)
			}
			out, err := testenv.RunServer(t, dir, nil, "build")
			if err != nil || !strings.Contains(out, "Building component my-app with `") {
				t.Fatalf("build: %v\n%s", err, out)
			}
			if tmpl == "redis-go" {
				serveRedisTemplate(t, dir)
				return
			}
			s := testenv.Start(t, testenv.Options{Dir: dir, Args: []string{"--state-dir", ""}})
			body := getBody(t, s.URL+"/some/path")
			if want := map[string]string{"http-go": "Hello from my-app: GET /some/path", "http-c": "hello"}[tmpl]; !strings.Contains(body, want) {
				t.Errorf("GET: %q, want %q", body, want)
			}
		})
	}
}

func serveRedisTemplate(t *testing.T, dir string) {
	rs := redistest.Start(t)
	manifest := filepath.Join(dir, "spin.toml")
	b, _ := os.ReadFile(manifest)
	testenv.WriteFile(t, manifest, strings.Replace(string(b), "redis://127.0.0.1:6379", rs.URL(), 1))
	s := testenv.Start(t, testenv.Options{Dir: dir})
	rdb := redis.NewClient(&redis.Options{Addr: rs.Addr()})
	defer rdb.Close()
	log := filepath.Join(dir, ".spin", "logs", "my-app_stdout.txt")
	deadline := time.Now().Add(15 * time.Second)
	for {
		rdb.Publish(context.Background(), "messages", "hi there") // until the subscription is up
		time.Sleep(100 * time.Millisecond)
		if b, _ := os.ReadFile(log); strings.Contains(string(b), `received "hi there"`) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the message did not reach the component (%s)\n%s", log, s.Logs())
		}
	}
}

func getBody(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// `server watch` builds and serves, then rebuilds and restarts when a watched source
// changes.
func TestWatch(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "app")
	if out, err := testenv.RunServer(t, filepath.Dir(dir), nil, "new", "http-go", "watched", "-o", dir); err != nil {
		t.Fatalf("new: %v\n%s", err, out)
	}
	addr := testenv.FreeAddr(t)
	cmd := exec.Command(testenv.ServerBinary(t), "watch", "--", "--listen", addr, "--state-dir", "")
	cmd.Dir = dir
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		if t.Failed() {
			t.Logf("watch output:\n%s", out.String())
		}
	})
	waitBody(t, "http://"+addr+"/", "Hello from watched", 120*time.Second)
	src := filepath.Join(dir, "main.go")
	b, _ := os.ReadFile(src)
	testenv.WriteFile(t, src, strings.Replace(string(b), "Hello from", "Howdy from", 1))
	waitBody(t, "http://"+addr+"/", "Howdy from watched", 120*time.Second)
}

func waitBody(t *testing.T, url, want string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if resp, err := http.Get(url); err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(b), want) {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer %q within %s", url, want, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
