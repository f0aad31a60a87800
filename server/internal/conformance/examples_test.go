package conformance

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"wasmsite/server/internal/testenv"
	"wasmsite/server/store/redistest"
)

// exampleApp copies functions/examples/<name> (without any .wasm) into a temp dir and
// puts the built modules at the given manifest-relative paths. The copy has no state
// dir: running an example as its README says leaves functions/examples/<name>/.spin
// (the embedded store, logs, compiled modules), which is the user's, not the test's.
func exampleApp(t *testing.T, name string, modules map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	copyDir(t, filepath.Join(testenv.Root(t), "functions", "examples", name), dir)
	if err := os.RemoveAll(filepath.Join(dir, ".spin")); err != nil {
		t.Fatal(err)
	}
	for rel, wasm := range modules {
		testenv.CopyFile(t, wasm, filepath.Join(dir, rel))
	}
	return dir
}

// TestExamples runs each example of functions/examples with its own spin.toml, as
// `bin/server up -f functions/examples/<name>` would, and checks what its README shows.
func TestExamples(t *testing.T) {
	t.Parallel()
	t.Run("kv", func(t *testing.T) {
		t.Parallel()
		dir := exampleApp(t, "kv", map[string]string{"main.wasm": testenv.Component(t, "functions/examples/kv")})
		srv := testenv.Start(t, testenv.Options{Dir: dir})
		u := srv.URL + "/kv/greeting"
		steps := []struct {
			method, url, body string
			status            int
			want              string
		}{
			{"GET", u, "", 404, "not found\n"},
			{"HEAD", u, "", 404, ""},
			{"POST", u, "hello", 200, ""},
			{"GET", u, "", 200, "hello"},
			{"HEAD", u, "", 200, ""},
			{"POST", srv.URL + "/kv/other", "x", 200, ""},
			{"GET", srv.URL + "/kv/", "", 200, "greeting\nother\n"},
			{"DELETE", u, "", 200, ""},
			{"GET", u, "", 404, "not found\n"},
			{"PUT", u, "x", 405, "method not allowed\n"},
		}
		for _, s := range steps {
			if r := do(t, s.method, s.url, s.body); r.Status != s.status || r.Body != s.want {
				t.Errorf("%s %s: %d %q, want %d %q", s.method, s.url, r.Status, r.Body, s.status, s.want)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, ".spin", "store.db")); err != nil {
			t.Errorf("default store not under the app's .spin: %v", err)
		}
	})

	t.Run("kv-no-state-dir", func(t *testing.T) {
		t.Parallel()
		// --state-dir "" keeps nothing: a throwaway default store, no .spin directory.
		dir := exampleApp(t, "kv", map[string]string{"main.wasm": testenv.Component(t, "functions/examples/kv")})
		srv := testenv.Start(t, testenv.Options{Dir: dir, Args: []string{"--state-dir", ""}})
		if r := do(t, "POST", srv.URL+"/kv/k", "v"); r.Status != 200 {
			t.Errorf("POST: %d %q", r.Status, r.Body)
		}
		if r := get(t, srv.URL+"/kv/k"); r.Status != 200 || r.Body != "v" {
			t.Errorf("GET: %d %q", r.Status, r.Body)
		}
		srv.Restart()
		if r := get(t, srv.URL+"/kv/k"); r.Status != 404 {
			t.Errorf("GET after restart without a state dir: %d %q", r.Status, r.Body)
		}
		if _, err := os.Stat(filepath.Join(dir, ".spin")); !os.IsNotExist(err) {
			t.Errorf(".spin created with --state-dir \"\": %v", err)
		}
	})

	t.Run("multi", func(t *testing.T) {
		t.Parallel()
		dir := exampleApp(t, "multi", map[string]string{
			"hello/main.wasm":   testenv.Component(t, "functions/examples/multi/hello"),
			"counter/main.wasm": testenv.Component(t, "functions/examples/multi/counter"),
		})
		srv := testenv.Start(t, testenv.Options{Dir: dir, Env: []string{"SPIN_VARIABLE_GREETING=Hi"}})
		if r := get(t, srv.URL+"/hello/Ana"); r.Status != 200 || r.Body != "Hi, Ana!\nServed by wasmsite.\n" || r.Header.Get("X-Component") != "/hello" {
			t.Errorf("/hello/Ana: %d %q %v", r.Status, r.Body, r.Header)
		}
		if r := get(t, srv.URL+"/hello"); r.Body != "Hi, world!\nServed by wasmsite.\n" {
			t.Errorf("/hello: %q", r.Body)
		}
		if r := get(t, srv.URL+"/bonjour/Ana"); r.Status != 200 || r.Body != "Bonjour, Ana!\n" {
			t.Errorf("/bonjour/Ana: %d %q", r.Status, r.Body)
		}
		for _, want := range []string{"1\n", "2\n"} {
			if r := get(t, srv.URL+"/count"); r.Status != 200 || r.Body != want {
				t.Errorf("/count: %d %q, want %q", r.Status, r.Body, want)
			}
		}
		if r := get(t, srv.URL+"/count/x"); r.Status != 404 {
			t.Errorf("/count/x (exact route): %d", r.Status)
		}
		if !strings.Contains(srv.Logs(), "bonjour: "+srv.URL+"/bonjour/...") {
			t.Errorf("routes not listed at start-up:\n%s", srv.Logs())
		}
	})

	t.Run("wagi", func(t *testing.T) {
		t.Parallel()
		dir := exampleApp(t, "wagi", map[string]string{"main.wasm": testenv.Command(t, "functions/examples/wagi")})
		srv := testenv.Start(t, testenv.Options{Dir: dir})
		var out struct {
			Args  []string
			Env   map[string]string
			Stdin string
		}
		getJSON(t, srv.URL+"/wagi/hi?a=1", "body", &out)
		if out.Env["EXAMPLE"] != "wagi" || out.Env["PATH_INFO"] != "/hi" || out.Stdin != "body" ||
			strings.Join(out.Args, " ") != "/wagi/hi a=1" {
			t.Errorf("WAGI example: %+v", out)
		}
	})

	t.Run("c", func(t *testing.T) {
		t.Parallel()
		dir := exampleApp(t, "c", map[string]string{
			"http.wasm":  buildC(t, "functions/examples/c/http.c", true),
			"hello.wasm": buildC(t, "functions/examples/c/hello.c", true),
			"wagi.wasm":  buildC(t, "functions/examples/c/wagi.c", false),
		})
		srv := testenv.Start(t, testenv.Options{Dir: dir})
		if r := get(t, srv.URL+"/c/"); r.Status != 200 || !strings.Contains(r.Body, "greeting: Hello from the manifest\nhits: 1\n") {
			t.Errorf("/c/: %d %q", r.Status, r.Body)
		}
		if r := get(t, srv.URL+"/c-hello"); r.Status != 200 || r.Body != "hello\n" {
			t.Errorf("/c-hello: %d %q", r.Status, r.Body)
		}
		if r := get(t, srv.URL+"/c-wagi/?status=404"); r.Status != 404 || !strings.Contains(r.Body, "PATH_INFO=/\n") {
			t.Errorf("/c-wagi/: %d %q", r.Status, r.Body)
		}
	})

	t.Run("redis-trigger", func(t *testing.T) {
		t.Parallel()
		rs := redistest.Start(t)
		dir := exampleApp(t, "redis-trigger", map[string]string{"main.wasm": testenv.Component(t, "functions/examples/redis-trigger")})
		manifest := filepath.Join(dir, "spin.toml")
		b, err := os.ReadFile(manifest)
		if err != nil {
			t.Fatal(err)
		}
		testenv.WriteFile(t, manifest, strings.ReplaceAll(string(b), "redis://127.0.0.1:6379", rs.URL()))
		// Redis is down when the host starts: the trigger keeps trying to subscribe.
		rs.Stop()
		srv := testenv.Start(t, testenv.Options{Dir: dir})
		time.Sleep(300 * time.Millisecond)
		rs.Start()
		rdb := redisClient(t, rs.URL())
		ctx := context.Background()
		eventually(t, 15*time.Second, "first message delivered", func() bool {
			rdb.Publish(ctx, "messages", "hello")
			time.Sleep(50 * time.Millisecond)
			v, _ := rdb.Get(ctx, "last-message").Result()
			return v == "hello"
		})
		rdb.Publish(ctx, "messages", "fail")
		rdb.Publish(ctx, "messages", "world")
		eventually(t, 10*time.Second, "second message delivered", func() bool {
			v, _ := rdb.Get(ctx, "last-message").Result()
			return v == "world"
		})
		if !srv.WaitLog("handle-redis-message returned error", 5*time.Second) {
			t.Errorf("rejected message not logged as an error")
		}
		out, _ := os.ReadFile(filepath.Join(dir, ".spin", "logs", "echo-message_stdout.txt"))
		if !strings.Contains(string(out), "received \"world\"\n") {
			t.Errorf("component stdout log: %q", out)
		}
	})
}
