package conformance

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"wasmsite/server/internal/testenv"
	"wasmsite/server/store/redistest"
)

// secretToken is the value of the secret variable "token"; it must never reach the
// host's logs.
const secretToken = "tok-5ecr3t-9f2a71"

func redisClient(t testing.TB, url string) *goredis.Client {
	t.Helper()
	opt, err := goredis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	c := goredis.NewClient(opt)
	t.Cleanup(func() { c.Close() })
	return c
}

// TestV1App runs one v1 application with every kind of component (the Go probe, the C
// HTTP and WAGI examples, the Go WAGI example and the misbehaving C guest) and checks
// each interface and executor through it.
func TestV1App(t *testing.T) {
	t.Parallel()
	rs := redistest.Start(t)
	rec := newRecorder(t)
	denied := newConnCounter(t)

	dir := t.TempDir()
	testenv.CopyFile(t, testenv.Component(t, "server/internal/conformance/testdata/probe"), filepath.Join(dir, "probe.wasm"))
	testenv.CopyFile(t, testenv.Command(t, "functions/examples/wagi"), filepath.Join(dir, "wagi.wasm"))
	testenv.CopyFile(t, buildC(t, "functions/examples/c/http.c", true), filepath.Join(dir, "c-http.wasm"))
	testenv.CopyFile(t, buildC(t, "functions/examples/c/wagi.c", false), filepath.Join(dir, "c-wagi.wasm"))
	testenv.CopyFile(t, buildC(t, "server/internal/conformance/testdata/bad.c", true), filepath.Join(dir, "bad.wasm"))
	testenv.CopyFile(t, buildC(t, "server/internal/conformance/testdata/bad_wagi.c", false), filepath.Join(dir, "bad-wagi.wasm"))
	testenv.WriteFile(t, filepath.Join(dir, "content", "a.txt"), "A")
	testenv.WriteFile(t, filepath.Join(dir, "content", "sub", "b.txt"), "B")
	testenv.WriteFile(t, filepath.Join(dir, "content", "secret", "c.txt"), "C")
	testenv.WriteFile(t, filepath.Join(dir, "assets", "logo.txt"), "LOGO")
	testenv.WriteFile(t, filepath.Join(dir, ".env"), "SPIN_VARIABLE_V_CFG=from-dotenv\nSPIN_CONFIG_V_DOT=from-dotenv\n# comment\nSPIN_VARIABLE_V_DOT2=\"dotenv variable\"\nSPIN_CONFIG_V_DOT3=dotenv-config\nSPIN_VARIABLE_V_DOT3=dotenv-variable\n")
	testenv.WriteFile(t, filepath.Join(dir, "runtime-config.toml"), fmt.Sprintf("[key_value_store.shared]\ntype = \"redis\"\nurl = %q\n", rs.URL()))
	testenv.WriteFile(t, filepath.Join(dir, "spin.toml"), fmt.Sprintf(`spin_manifest_version = "1"
name = "conformance-v1"
version = "1.2.3"
trigger = { type = "http", base = "/" }

[variables]
v_var = { default = "default" }
v_cfg = { default = "default" }
v_dot = { default = "default" }
v_def = { default = "default" }
v_dot2 = { default = "default" }
v_dot3 = { required = true }
token = { required = true, secret = true }

[[component]]
id = "probe"
source = "probe.wasm"
files = ["content/**/*", { source = "assets", destination = "/assets" }]
exclude_files = ["content/secret/**"]
environment = { COMPONENT_ENV = "from-manifest" }
allowed_http_hosts = ["%s", "self"]
key_value_stores = ["default", "shared", "unconfigured"]
[component.config]
v_var = "{{ v_var }}"
v_cfg = "{{ v_cfg }}"
v_dot = "{{ v_dot }}"
v_def = "{{ v_def }}"
v_dot2 = "{{ v_dot2 }}"
v_dot3 = "{{ v_dot3 }}"
token = "{{ token }}"
greeting = "hi {{ v_def }}!"
redis_address = "%s"
[component.trigger]
route = "/probe/..."

[[component]]
id = "c-http"
source = "c-http.wasm"
key_value_stores = ["default"]
config = { greeting = "from C config" }
[component.trigger]
route = "/c/..."

[[component]]
id = "c-wagi"
source = "c-wagi.wasm"
[component.trigger]
route = "/c-wagi/..."
executor = { type = "wagi" }

[[component]]
id = "go-wagi"
source = "wagi.wasm"
environment = { EXAMPLE = "wagi" }
[component.trigger]
route = "/wagi/..."
executor = { type = "wagi", argv = "${SCRIPT_NAME} extra ${ARGS}" }

[[component]]
id = "c-wagi-hello"
source = "c-wagi.wasm"
[component.trigger]
route = "/c-hello"
executor = { type = "wagi", entrypoint = "hello" }

[[component]]
id = "probe-all"
source = "probe.wasm"
allowed_http_hosts = ["not a host:x", "insecure:allow-all"]
[component.trigger]
route = "/all/..."

[[component]]
id = "bad-wagi"
source = "bad-wagi.wasm"
[component.trigger]
route = "/bad-wagi"
executor = { type = "wagi" }

[[component]]
id = "bad"
source = "bad.wasm"
key_value_stores = ["default"]
[component.trigger]
route = "/bad/..."
`, rec.Addr, rs.URL()))
	state := filepath.Join(t.TempDir(), "state")
	srv := testenv.Start(t, testenv.Options{
		Dir: dir,
		Env: []string{"SPIN_VARIABLE_V_VAR=from-variable", "SPIN_CONFIG_V_VAR=from-config-prefix",
			"SPIN_CONFIG_V_CFG=from-config-prefix", "SPIN_VARIABLE_TOKEN=" + secretToken},
		Args: []string{"--request-timeout", "2s", "--runtime-config-file", filepath.Join(dir, "runtime-config.toml"),
			"--state-dir", state, "-e", "CLI_ENV=from-cli"},
	})
	probe := srv.URL + "/probe/"
	rdb := redisClient(t, rs.URL())
	ctx := context.Background()

	t.Run("WellKnown", func(t *testing.T) {
		if r := get(t, srv.URL+"/.well-known/spin/health"); r.Status != 200 || r.Body != "OK" {
			t.Errorf("health: %d %q", r.Status, r.Body)
		}
		var info map[string]string
		getJSON(t, srv.URL+"/.well-known/spin/info", "", &info)
		if info["name"] != "conformance-v1" || info["version"] != "1.2.3" {
			t.Errorf("info: %v", info)
		}
		if r := get(t, srv.URL+"/.well-known/spin/other"); r.Status != 404 {
			t.Errorf("unknown well-known: %d", r.Status)
		}
	})

	t.Run("Routing", func(t *testing.T) {
		if r := get(t, srv.URL+"/nowhere"); r.Status != 404 || r.Body != "" {
			t.Errorf("unrouted: %d %q", r.Status, r.Body)
		}
		if r := do(t, "PROPFIND", probe+"echo", ""); r.Status != 405 {
			t.Errorf("method outside Spin's enum: %d, want 405", r.Status)
		}
		if r := get(t, probe+"status"); r.Status != 418 || r.Body != "teapot" || r.Header.Get("X-Probe") != "yes" {
			t.Errorf("status/header passthrough: %d %q %v", r.Status, r.Body, r.Header)
		}
		if r := do(t, "POST", probe+"echo", strings.Repeat("x", 17<<20)); r.Status != 413 {
			t.Errorf("17 MiB body: %d, want 413", r.Status)
		}
	})

	t.Run("SpinHTTPRequest", func(t *testing.T) {
		var echo struct {
			Method, URI, Body string
			Headers           map[string]string
		}
		getJSON(t, probe+"echo?x=1&y=%20", "payload", &echo)
		want := map[string]string{
			"spin-path-info":           "/echo",
			"spin-matched-route":       "/probe/...",
			"spin-component-route":     "/probe",
			"spin-raw-component-route": "/probe/...",
			"spin-base-path":           "/",
			"spin-full-url":            srv.URL + "/probe/echo?x=1&y=%20",
			"host":                     srv.Addr,
		}
		for k, v := range want {
			if echo.Headers[k] != v {
				t.Errorf("header %s = %q, want %q", k, echo.Headers[k], v)
			}
		}
		if !strings.HasPrefix(echo.Headers["spin-client-addr"], "127.0.0.1:") {
			t.Errorf("spin-client-addr = %q", echo.Headers["spin-client-addr"])
		}
		// The request's id reaches the guest and is in the host's line for the request.
		if id := echo.Headers["x-request-id"]; len(id) != 16 || !srv.WaitLog("id="+id, 5*time.Second) {
			t.Errorf("x-request-id %q, not in the host's log", id)
		}
		if echo.Method != "POST" || echo.URI != "/probe/echo?x=1&y=%20" || echo.Body != "payload" {
			t.Errorf("echo: %+v", echo)
		}
		for i, m := range []string{"GET", "PUT", "DELETE", "PATCH", "OPTIONS"} {
			getJSON(t, probe+"echo", "", &echo) // keep the decoder honest between methods
			r := do(t, m, probe+"echo", "")
			if r.Status != 200 || !strings.Contains(r.Body, `"method":"`+m+`"`) {
				t.Errorf("%d: %s: %d %q", i, m, r.Status, r.Body)
			}
		}
		if r := do(t, "HEAD", probe+"echo", ""); r.Status != 200 || r.Body != "" {
			t.Errorf("HEAD: %d %q", r.Status, r.Body)
		}
	})

	t.Run("EnvironmentAndFiles", func(t *testing.T) {
		var env map[string]string
		getJSON(t, probe+"env", "", &env)
		if env["COMPONENT_ENV"] != "from-manifest" || env["CLI_ENV"] != "from-cli" {
			t.Errorf("environment: %v", env)
		}
		var files []string
		getJSON(t, probe+"files?dir=/", "", &files)
		if strings.Join(files, ",") != "/assets/logo.txt,/content/a.txt,/content/sub/b.txt" {
			t.Errorf("guest files: %v (content/secret must be excluded)", files)
		}
		var f struct{ Data, Err string }
		getJSON(t, probe+"file?path=/content/sub/b.txt", "", &f)
		if f.Data != "B" {
			t.Errorf("file: %+v", f)
		}
	})

	t.Run("Variables", func(t *testing.T) {
		for key, want := range map[string]string{
			"v_var":    "from-variable",      // SPIN_VARIABLE_ beats SPIN_CONFIG_
			"v_cfg":    "from-config-prefix", // process env beats .env
			"v_dot":    "from-dotenv",        // .env (SPIN_CONFIG_ spelling) beats the default
			"v_def":    "default",
			"v_dot2":   "dotenv variable", // .env, SPIN_VARIABLE_ spelling, quoted
			"v_dot3":   "dotenv-variable", // in .env too, SPIN_VARIABLE_ beats SPIN_CONFIG_
			"greeting": "hi default!",
			"token":    secretToken,
		} {
			var res struct{ Value, Err string }
			getJSON(t, probe+"config?key="+key, "", &res)
			if res.Value != want || res.Err != "" {
				t.Errorf("config %s = %+v, want %q", key, res, want)
			}
		}
	})

	t.Run("ConfigErrors", func(t *testing.T) {
		for key, want := range map[string]string{
			"missing_key": "other",
			"Bad-Key":     "invalid-key",
			"":            "invalid-key",
			"a__b":        "invalid-key",
			"9lives":      "invalid-key",
		} {
			var res struct{ Value, Err string }
			getJSON(t, probe+"config?key="+key, "", &res)
			if res.Err != want {
				t.Errorf("config %q: %+v, want error %s", key, res, want)
			}
		}
	})

	t.Run("KeyValue", func(t *testing.T) {
		kv := func(store, op, key, value string) map[string]any {
			t.Helper()
			var res map[string]any
			getJSON(t, probe+"kv?store="+store+"&op="+op+"&key="+key+"&value="+value, "", &res)
			return res
		}
		check := func(got map[string]any, field string, want any) {
			t.Helper()
			if fmt.Sprint(got[field]) != fmt.Sprint(want) {
				t.Errorf("%s = %v, want %v (%v)", field, got[field], want, got)
			}
		}
		for _, store := range []string{"default", "shared"} {
			check(kv(store, "set", "k1", "v1"), "err", "")
			check(kv(store, "set", "k2", "v2"), "err", "")
			check(kv(store, "get", "k1", ""), "value", "v1")
			check(kv(store, "exists", "k1", ""), "exists", true)
			check(kv(store, "exists", "nope", ""), "exists", false)
			check(kv(store, "get", "nope", ""), "err", "no-such-key")
			check(kv(store, "delete", "nope", ""), "err", "")
			check(kv(store, "delete", "k2", ""), "err", "")
			check(kv(store, "keys", "", ""), "keys", []string{"k1"})
			check(kv(store, "closed", "k1", ""), "err", "invalid-store")
		}
		// The "shared" label is mapped to the real Redis server by the runtime config.
		if n, err := rdb.Exists(ctx, "k1").Result(); err != nil || n != 1 {
			t.Errorf("shared store: k1 not in redis-server: %d %v", n, err)
		}
		check(kv("forbidden", "open", "", ""), "err", "access-denied")
		check(kv("unconfigured", "open", "", ""), "err", "no-such-store")
	})

	t.Run("Redis", func(t *testing.T) {
		type result struct {
			N       *int64
			Value   string
			Members []string
			Results []string
			Err     string
		}
		run := func(addr string) []string {
			var out []string
			for _, q := range []map[string]any{
				{"op": "set", "key": "cf:k", "value": "v"},
				{"op": "get", "key": "cf:k"},
				{"op": "get", "key": "cf:missing"},
				{"op": "incr", "key": "cf:n"},
				{"op": "incr", "key": "cf:n"},
				{"op": "incr", "key": "cf:k"}, // not an integer: error
				{"op": "sadd", "key": "cf:s", "members": []string{"a", "b", "c"}},
				{"op": "sadd", "key": "cf:s", "members": []string{"a"}},
				{"op": "srem", "key": "cf:s", "members": []string{"a", "x"}},
				{"op": "smembers", "key": "cf:s"},
				{"op": "del", "members": []string{"cf:k", "cf:n", "cf:none"}},
				{"op": "publish", "key": "cf:channel", "value": "hello"},
				{"op": "execute", "command": "SET", "args": []any{"cf:e", "val"}},
				{"op": "execute", "command": "GET", "args": []any{"cf:e"}},
				{"op": "execute", "command": "GET", "args": []any{"cf:nothing"}},
				{"op": "execute", "command": "INCRBY", "args": []any{"cf:i", 41}},
				{"op": "execute", "command": "INCRBY", "args": []any{"cf:i", -1}},
				{"op": "execute", "command": "SADD", "args": []any{"cf:s2", "x", "y"}},
				{"op": "execute", "command": "MGET", "args": []any{"cf:e", "cf:nothing", "cf:e"}},
				{"op": "execute", "command": "DEL", "args": []any{"cf:e", "cf:i", "cf:s", "cf:s2"}},
				{"op": "execute", "command": "PING"},
			} {
				q["addr"] = addr
				var res result
				getJSON(t, probe+"redis", toJSON(q), &res)
				if res.Err != "" {
					res.Err = "error" // messages differ between backends; the variant does not
				}
				out = append(out, fmt.Sprintf("%v %s", q["op"], toJSON(res)))
			}
			return out
		}
		real := run(rs.URL())
		embedded := run("")
		want := []string{
			`set {"N":null,"Value":"","Members":null,"Results":null,"Err":""}`,
			`get {"N":null,"Value":"v","Members":null,"Results":null,"Err":""}`,
			`get {"N":null,"Value":"","Members":null,"Results":null,"Err":""}`,
			`incr {"N":1,"Value":"","Members":null,"Results":null,"Err":""}`,
			`incr {"N":2,"Value":"","Members":null,"Results":null,"Err":""}`,
			`incr {"N":0,"Value":"","Members":null,"Results":null,"Err":"error"}`,
			`sadd {"N":3,"Value":"","Members":null,"Results":null,"Err":""}`,
			`sadd {"N":0,"Value":"","Members":null,"Results":null,"Err":""}`,
			`srem {"N":1,"Value":"","Members":null,"Results":null,"Err":""}`,
			`smembers {"N":null,"Value":"","Members":["b","c"],"Results":null,"Err":""}`,
			`del {"N":2,"Value":"","Members":null,"Results":null,"Err":""}`,
			`publish {"N":null,"Value":"","Members":null,"Results":null,"Err":""}`,
			// As in Spin 1.x (RedisResults::from_redis_value), nil and OK replies add nothing
			// and nested replies are flattened.
			`execute {"N":null,"Value":"","Members":null,"Results":[],"Err":""}`,
			`execute {"N":null,"Value":"","Members":null,"Results":["binary:\"val\""],"Err":""}`,
			`execute {"N":null,"Value":"","Members":null,"Results":[],"Err":""}`,
			`execute {"N":null,"Value":"","Members":null,"Results":["int64:41"],"Err":""}`,
			`execute {"N":null,"Value":"","Members":null,"Results":["int64:40"],"Err":""}`,
			`execute {"N":null,"Value":"","Members":null,"Results":["int64:2"],"Err":""}`,
			`execute {"N":null,"Value":"","Members":null,"Results":["binary:\"val\"","binary:\"val\""],"Err":""}`,
			`execute {"N":null,"Value":"","Members":null,"Results":["int64:4"],"Err":""}`,
			`execute {"N":null,"Value":"","Members":null,"Results":["status:PONG"],"Err":""}`,
		}
		for i := range want {
			if i >= len(real) || real[i] != want[i] {
				t.Errorf("redis-server step %d:\n got %s\nwant %s", i, at(real, i), want[i])
			}
			if i >= len(embedded) || embedded[i] != want[i] {
				t.Errorf("embedded step %d:\n got %s\nwant %s", i, at(embedded, i), want[i])
			}
		}
		// The real server saw the operations (and the embedded store did not leak into it).
		if err := rdb.Set(ctx, "cf:seen", "1", 0).Err(); err != nil {
			t.Fatal(err)
		}
		var res result
		getJSON(t, probe+"redis", toJSON(map[string]any{"addr": rs.URL(), "op": "get", "key": "cf:seen"}), &res)
		if res.Value != "1" {
			t.Errorf("value set by redis-cli not seen by the guest: %+v", res)
		}
		getJSON(t, probe+"redis", toJSON(map[string]any{"addr": "", "op": "get", "key": "cf:seen"}), &res)
		if res.Value != "" {
			t.Errorf("embedded store shares keys with redis-server: %+v", res)
		}
		getJSON(t, probe+"redis", toJSON(map[string]any{"addr": "redis://127.0.0.1:1", "op": "get", "key": "x"}), &res)
		if res.Err == "" {
			t.Errorf("unreachable redis: no error")
		}
	})

	t.Run("OutboundHTTP", func(t *testing.T) {
		type result struct {
			Status       int
			Body, Header string
			Err          string
		}
		var res result
		getJSON(t, probe+"http?method=POST&body=hi&url="+rec.URL+"/path%3Fq%3D1", "", &res)
		if res.Err != "" || res.Status != 201 || res.Header != "hit" || res.Body != "recorded POST /path?q=1 outbound hi" {
			t.Errorf("allowed host: %+v", res)
		}
		// Not in allowed_http_hosts: refused before any connection.
		for _, u := range []string{
			"http://" + denied.Addr + "/x",
			"http://localhost:" + denied.Port() + "/x",
			"http://" + denied.Addr + "/?t=" + secretToken,
		} {
			getJSON(t, probe+"http?url="+u, "", &res)
			if res.Err != "destination-not-allowed" {
				t.Errorf("%s: %+v, want destination-not-allowed", u, res)
			}
		}
		if n := denied.count.Load(); n != 0 {
			t.Errorf("%d connections made to a host not in allowed_http_hosts", n)
		}
		// "self": a relative URL goes to this application.
		getJSON(t, probe+"http?url=/probe/status", "", &res)
		if res.Err != "" || res.Status != 418 || res.Body != "teapot" {
			t.Errorf("self: %+v", res)
		}
		// insecure:allow-all (other entries are then not validated) allows any host and self.
		getJSON(t, srv.URL+"/all/http?url="+rec.URL+"/all", "", &res)
		if res.Err != "" || res.Status != 201 {
			t.Errorf("insecure:allow-all: %+v", res)
		}
		getJSON(t, srv.URL+"/all/http?url=/probe/status", "", &res)
		if res.Err != "" || res.Status != 418 {
			t.Errorf("insecure:allow-all, relative URL: %+v", res)
		}
		// Spin 1.x's allow-list admits only http and https URLs.
		getJSON(t, probe+"http?url=ftp://"+rec.Addr+"/x", "", &res)
		if res.Err != "destination-not-allowed" {
			t.Errorf("ftp URL: %+v, want destination-not-allowed", res)
		}
	})

	t.Run("CHTTP", func(t *testing.T) {
		r := do(t, "POST", srv.URL+"/c/x/y?q=1", "BODY")
		want := "hello from C\nmethod: POST\nuri: /c/x/y?q=1\npath-info: /x/y\ngreeting: from C config\nhits: 1\nbody: 4 bytes\nBODY"
		if r.Status != 200 || r.Body != want || r.Header.Get("X-C-Hits") != "1" || r.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
			t.Errorf("C component: %d %v\n%q\nwant %q", r.Status, r.Header, r.Body, want)
		}
		r = get(t, srv.URL+"/c")
		if r.Status != 200 || !strings.Contains(r.Body, "hits: 2\n") || !strings.Contains(r.Body, "path-info: \n") {
			t.Errorf("C component, second request (kv counter): %d %q", r.Status, r.Body)
		}
	})

	t.Run("WAGI", func(t *testing.T) {
		var out struct {
			Args  []string
			Env   map[string]string
			Stdin string
		}
		r := do(t, "POST", srv.URL+"/wagi/a%20b/c?x=1&y=2", "stdin-data", "X-Test", "t1", "Authorization", "Bearer hidden", "Content-Type", "text/x-test")
		if r.Status != 200 || r.Header.Get("Content-Type") != "application/json" || r.Header.Get("X-Wagi-Example") != "yes" {
			t.Fatalf("WAGI: %d %v %q", r.Status, r.Header, r.Body)
		}
		if err := jsonUnmarshal(r.Body, &out); err != nil {
			t.Fatal(err)
		}
		if strings.Join(out.Args, "|") != "/wagi/a%20b/c|extra|x=1|y=2" {
			t.Errorf("argv = %q", out.Args)
		}
		if out.Stdin != "stdin-data" {
			t.Errorf("stdin = %q", out.Stdin)
		}
		host, port, _ := strings.Cut(srv.Addr, ":")
		for k, v := range map[string]string{
			"REQUEST_METHOD": "POST", "QUERY_STRING": "x=1&y=2", "CONTENT_LENGTH": "10",
			"GATEWAY_INTERFACE": "CGI/1.1", "SERVER_SOFTWARE": "WAGI/1", "SERVER_PROTOCOL": "HTTP/1.1",
			"SERVER_NAME": host, "SERVER_PORT": port, "REMOTE_ADDR": "127.0.0.1",
			"SCRIPT_NAME": "/wagi", "PATH_INFO": "/a%20b/c", "X_MATCHED_ROUTE": "/wagi/...",
			"X_COMPONENT_ROUTE": "/wagi", "X_RAW_COMPONENT_ROUTE": "/wagi/...", "X_BASE_PATH": "/",
			"X_FULL_URL": srv.URL + "/wagi/a%20b/c?x=1&y=2", "HTTP_X_TEST": "t1", "HTTP_CONTENT_TYPE": "text/x-test",
			"HTTP_HOST": srv.Addr, "EXAMPLE": "wagi", "CLI_ENV": "from-cli",
		} {
			if out.Env[k] != v {
				t.Errorf("env %s = %q, want %q", k, out.Env[k], v)
			}
		}
		if _, ok := out.Env["HTTP_AUTHORIZATION"]; ok {
			t.Errorf("HTTP_AUTHORIZATION must not be passed to WAGI modules")
		}
		if r := get(t, srv.URL+"/wagi/?status=418"); r.Status != 418 || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("Status header: %d %v", r.Status, r.Header)
		}
		if r := get(t, srv.URL+"/wagi/?redirect=/elsewhere"); r.Status != 302 || r.Header.Get("Location") != "/elsewhere" {
			t.Errorf("Location header: %d %v", r.Status, r.Header)
		}
		// The C WAGI module.
		r = do(t, "PUT", srv.URL+"/c-wagi/p?k=v", "c-in", "X-Test", "t2")
		want := "hello from C WAGI\nargv[0]=/c-wagi/p\nargv[1]=k=v\nREQUEST_METHOD=PUT\nPATH_INFO=/p\nQUERY_STRING=k=v\n" +
			"SCRIPT_NAME=/c-wagi\nX_MATCHED_ROUTE=/c-wagi/...\nSERVER_SOFTWARE=WAGI/1\nCONTENT_LENGTH=4\nHTTP_X_TEST=t2\nstdin=c-in\n"
		if r.Status != 200 || r.Body != want {
			t.Errorf("C WAGI: %d\n%q\nwant %q", r.Status, r.Body, want)
		}
		if r := get(t, srv.URL+"/c-hello"); r.Status != 200 || r.Body != "hello from the C WAGI entry point \"hello\"\n" {
			t.Errorf("WAGI entrypoint: %d %q", r.Status, r.Body)
		}
		if r := get(t, srv.URL+"/c-wagi/?go=/there"); r.Status != 302 || r.Header.Get("Location") != "/there" {
			t.Errorf("C WAGI redirect: %d %v", r.Status, r.Header)
		}
		if r := get(t, srv.URL+"/c-wagi/?status=404"); r.Status != 404 || !strings.HasPrefix(r.Body, "hello from C WAGI") {
			t.Errorf("C WAGI Status: %d %q", r.Status, r.Body)
		}
		// argv default template: no query leaves a trailing empty argument, as in Spin.
		if r := get(t, srv.URL+"/c-wagi/z"); !strings.Contains(r.Body, "argv[0]=/c-wagi/z\nargv[1]=\n") {
			t.Errorf("C WAGI default argv: %q", r.Body)
		}
	})

	t.Run("Isolation", func(t *testing.T) {
		// Spin runs every request in a fresh instance: nothing a request leaves in
		// globals or memory is seen by the next, sequential or concurrent.
		var wg sync.WaitGroup
		errs := make(chan string, 200)
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; i < 10; i++ {
					var g struct{ Requests, Scratch int }
					r := get(t, probe+"global")
					if err := jsonUnmarshal(r.Body, &g); err != nil || g.Requests != 1 || g.Scratch != 1<<20 {
						errs <- fmt.Sprintf("Go global: %d %q", r.Status, r.Body)
					}
					if r := get(t, srv.URL+"/bad/static"); r.Body != "1" {
						errs <- fmt.Sprintf("C static: %d %q", r.Status, r.Body)
					}
					body := fmt.Sprintf("worker %d request %d", w, i)
					if r := do(t, "POST", probe+"echo", body); !strings.Contains(r.Body, `"body":"`+body+`"`) {
						errs <- fmt.Sprintf("echo %q: %q", body, r.Body)
					}
					if r := do(t, "POST", srv.URL+"/c-wagi/", body); !strings.HasSuffix(r.Body, "stdin="+body+"\n") {
						errs <- fmt.Sprintf("WAGI echo %q: %q", body, r.Body)
					}
				}
			}(w)
		}
		wg.Wait()
		close(errs)
		n := 0
		for e := range errs {
			if n++; n <= 5 {
				t.Error(e)
			}
		}
	})

	t.Run("BadGuest", func(t *testing.T) {
		for _, path := range []string{
			"oob-response", "oob-body", "huge-body", "huge-headers", "utf8-header", "bad-tag", "status-0", "trap",
			"config-oob-key", "config-utf8-key", "config-oob-ret", "config-huge-key", "kv-huge-value",
			"redis-oob-addr", "redis-bad-param", "http-bad-method", "http-utf8-uri",
		} {
			if r := get(t, srv.URL+"/bad/"+path); r.Status != 500 {
				t.Errorf("%s: %d %q, want 500", path, r.Status, r.Body)
			}
			if r := get(t, srv.URL+"/bad/ok"); r.Status != 200 || r.Body != "ok" {
				t.Fatalf("after %s: %d %q", path, r.Status, r.Body)
			}
		}
	})

	t.Run("BadWAGI", func(t *testing.T) {
		for _, c := range []struct {
			query  string
			status int
			body   string
		}{
			{"silent", 500, ""},
			{"exit3", 500, ""},
			{"trap", 500, ""},
			{"noheaders", 500, "Exactly one of 'location' or 'content-type' must be specified"},
			{"badstatus", 502, ""},
		} {
			r := get(t, srv.URL+"/bad-wagi?"+c.query)
			if r.Status != c.status || (c.body != "" && r.Body != c.body) {
				t.Errorf("%s: %d %q, want %d %q", c.query, r.Status, r.Body, c.status, c.body)
			}
			if r := get(t, srv.URL+"/bad-wagi"); r.Status != 200 || r.Body != "ok" {
				t.Fatalf("after %s: %d %q", c.query, r.Status, r.Body)
			}
		}
	})

	t.Run("BadRealloc", func(t *testing.T) {
		// The guest's canonical_abi_realloc answers a 12345-byte request body with a
		// pointer outside its memory.
		if r := do(t, "POST", srv.URL+"/bad/ok", strings.Repeat("b", 12345)); r.Status != 500 {
			t.Errorf("out-of-bounds allocation: %d %q", r.Status, r.Body)
		}
		if r := do(t, "POST", srv.URL+"/bad/ok", strings.Repeat("b", 12344)); r.Status != 200 || r.Body != "ok" {
			t.Errorf("after a bad allocation: %d %q", r.Status, r.Body)
		}
	})

	t.Run("Timeout", func(t *testing.T) {
		start := time.Now()
		r := get(t, srv.URL+"/bad/loop")
		took := time.Since(start)
		if r.Status != 500 {
			t.Errorf("guest that never returns: %d", r.Status)
		}
		if took < 2*time.Second || took > 10*time.Second {
			t.Errorf("request took %s with --request-timeout 2s", took)
		}
		if r := get(t, srv.URL+"/bad/ok"); r.Status != 200 {
			t.Errorf("after a timeout: %d", r.Status)
		}
		start = time.Now()
		if r := get(t, srv.URL+"/bad-wagi?loop"); r.Status != 500 || time.Since(start) > 10*time.Second {
			t.Errorf("WAGI module that never exits: %d after %s", r.Status, time.Since(start))
		}
		if r := get(t, srv.URL+"/bad-wagi"); r.Status != 200 {
			t.Errorf("WAGI after a timeout: %d", r.Status)
		}
		if r := get(t, srv.URL+"/c/"); r.Status != 200 {
			t.Errorf("other component after a timeout: %d", r.Status)
		}
		if !srv.WaitLog("did not return within 2s", 5*time.Second) {
			t.Errorf("timeout not logged")
		}
	})

	t.Run("StateDirPersistence", func(t *testing.T) {
		var res map[string]any
		getJSON(t, probe+"kv?store=default&op=set&key=persist&value=kept", "", &res)
		if _, err := os.Stat(filepath.Join(state, "store.db")); err != nil {
			t.Errorf("default store not in --state-dir: %v", err)
		}
		srv.Restart()
		getJSON(t, probe+"kv?store=default&op=get&key=persist", "", &res)
		if res["value"] != "kept" {
			t.Errorf("default store after restart: %v", res)
		}
	})

	t.Run("SecretNotLogged", func(t *testing.T) {
		logs := srv.Logs()
		if !strings.Contains(logs, "outbound http refused") {
			t.Errorf("expected the refused request with the secret in its URL to be logged")
		}
		if strings.Contains(logs, secretToken) {
			t.Errorf("secret variable value in host logs:\n%s", logs)
		}
	})
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return "(missing)"
}
