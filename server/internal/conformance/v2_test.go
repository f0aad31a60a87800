package conformance

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"wasmsite/server/internal/testenv"
	"wasmsite/server/store/redistest"
)

// TestV2App runs a manifest v2 application: [[trigger.http]] with an ID reference and an
// inline WAGI component, [[trigger.redis]] with the application-level address,
// component variables, allowed_outbound_hosts (exact, wildcard, self, redis://), and
// the Redis trigger's delivery across a redis-server restart. The server is started
// with `-f <dir>` from another working directory: manifest paths are relative to the
// manifest, not to the working directory.
func TestV2App(t *testing.T) {
	t.Parallel()
	rs := redistest.Start(t)
	exact := newRecorder(t)
	wild := newRecorder(t)
	denied := newConnCounter(t)
	_, wildPort, _ := cutHostPort(wild.Addr)

	dir := t.TempDir()
	testenv.CopyFile(t, testenv.Component(t, "server/internal/conformance/testdata/probe"), filepath.Join(dir, "build", "probe.wasm"))
	testenv.CopyFile(t, testenv.Command(t, "functions/examples/wagi"), filepath.Join(dir, "build", "wagi.wasm"))
	testenv.WriteFile(t, filepath.Join(dir, "spin.toml"), fmt.Sprintf(`spin_manifest_version = 2

[application]
name = "conformance-v2"
version = "2.0.0"
authors = ["conformance"]
[application.trigger.http]
base = "/v2"
[application.trigger.redis]
address = "{{ redis_url }}"

[variables]
greeting = { default = "hello-v2" }
redis_url = { required = true }
exact_host = { default = "%s" }

[[trigger.http]]
route = "/probe/..."
component = "probe"

[[trigger.http]]
route = "/cgi/..."
component = { source = "build/wagi.wasm", environment = { INLINE = "yes" } }
executor = { type = "wagi", argv = "${SCRIPT_NAME} ${ARGS}" }

[[trigger.redis]]
channel = "events"
component = "probe"

[[trigger.redis]]
channel = "other-events"
component = "probe"

[component.probe]
source = "build/probe.wasm"
key_value_stores = ["default"]
allowed_outbound_hosts = ["http://{{ exact_host }}", "http://*:%s", "http://self", "{{ redis_url }}"]
[component.probe.variables]
greeting = "{{ greeting }}"
redis_address = "{{ redis_url }}"
[component.probe.build]
command = "GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o build/probe.wasm ./probe"
watch = ["probe/**/*.go"]
`, exact.Addr, wildPort))
	// The redis trigger's address is a template: Spin 2 resolves variables there too.
	srv := testenv.Start(t, testenv.Options{
		Dir:  t.TempDir(), // working directory elsewhere
		Env:  []string{"SPIN_VARIABLE_REDIS_URL=" + rs.URL()},
		Args: []string{"-f", dir},
	})
	probe := srv.URL + "/v2/probe/"
	rdb := redisClient(t, rs.URL())
	ctx := context.Background()

	t.Run("Info", func(t *testing.T) {
		var info map[string]string
		getJSON(t, srv.URL+"/.well-known/spin/info", "", &info)
		if info["name"] != "conformance-v2" || info["version"] != "2.0.0" {
			t.Errorf("info: %v", info)
		}
	})

	t.Run("Base", func(t *testing.T) {
		var echo struct{ Headers map[string]string }
		getJSON(t, probe+"echo", "", &echo)
		for k, v := range map[string]string{"spin-base-path": "/v2", "spin-matched-route": "/v2/probe/...",
			"spin-path-info": "/echo", "spin-component-route": "/probe"} {
			if echo.Headers[k] != v {
				t.Errorf("%s = %q, want %q", k, echo.Headers[k], v)
			}
		}
		if r := get(t, srv.URL+"/probe/echo"); r.Status != 404 {
			t.Errorf("route outside the base: %d", r.Status)
		}
	})

	t.Run("ComponentVariables", func(t *testing.T) {
		var res struct{ Value, Err string }
		getJSON(t, probe+"config?key=greeting", "", &res)
		if res.Value != "hello-v2" || res.Err != "" {
			t.Errorf("greeting: %+v", res)
		}
		var kv map[string]any
		getJSON(t, probe+"kv?store=default&op=set&key=v2&value=x", "", &kv)
		if kv["err"] != "" {
			t.Errorf("kv: %v", kv)
		}
	})

	t.Run("AllowedOutboundHosts", func(t *testing.T) {
		type result struct {
			Status int
			Body   string
			Err    string
		}
		var res result
		getJSON(t, probe+"http?url="+exact.URL+"/e", "", &res)
		if res.Err != "" || res.Status != 201 {
			t.Errorf("exact host: %+v", res)
		}
		getJSON(t, probe+"http?url=http://localhost:"+wildPort+"/w", "", &res)
		if res.Err != "" || res.Status != 201 {
			t.Errorf("wildcard host: %+v", res)
		}
		getJSON(t, probe+"http?url=https://localhost:"+wildPort+"/w", "", &res)
		if res.Err != "destination-not-allowed" {
			t.Errorf("wrong scheme: %+v", res)
		}
		getJSON(t, probe+"http?url=http://"+denied.Addr+"/d", "", &res)
		if res.Err != "destination-not-allowed" {
			t.Errorf("denied host: %+v", res)
		}
		if n := denied.count.Load(); n != 0 {
			t.Errorf("%d connections made to a host not in allowed_outbound_hosts", n)
		}
		getJSON(t, probe+"http?url=/v2/probe/status", "", &res)
		if res.Err != "" || res.Status != 418 {
			t.Errorf("self: %+v", res)
		}
		// Redis: the listed address works, others are refused.
		var r struct{ Value, Err string }
		getJSON(t, probe+"redis", toJSON(map[string]any{"addr": rs.URL(), "op": "set", "key": "v2:k", "value": "v"}), &r)
		if r.Err != "" {
			t.Errorf("allowed redis: %+v", r)
		}
		getJSON(t, probe+"redis", toJSON(map[string]any{"addr": "redis://127.0.0.2:" + redisPort(rs), "op": "get", "key": "v2:k"}), &r)
		if r.Err == "" {
			t.Errorf("redis address not in allowed_outbound_hosts was reached: %+v", r)
		}
	})

	t.Run("InlineWAGI", func(t *testing.T) {
		var out struct {
			Args []string
			Env  map[string]string
		}
		getJSON(t, srv.URL+"/v2/cgi/x?a=b", "", &out)
		if out.Env["INLINE"] != "yes" || out.Env["PATH_INFO"] != "/x" || len(out.Args) != 2 || out.Args[1] != "a=b" {
			t.Errorf("inline WAGI component: %+v", out)
		}
	})

	messages := func() []string {
		m, _ := rdb.LRange(ctx, "probe:messages", 0, -1).Result()
		return m
	}
	t.Run("RedisTrigger", func(t *testing.T) {
		if err := rdb.Publish(ctx, "events", "m1").Err(); err != nil {
			t.Fatal(err)
		}
		eventually(t, 10*time.Second, "m1 delivered", func() bool { return contains(messages(), "m1") })
		// A message published by a component through outbound-redis triggers too.
		var r struct{ Err string }
		getJSON(t, probe+"redis", toJSON(map[string]any{"addr": rs.URL(), "op": "publish", "key": "events", "value": "m2"}), &r)
		eventually(t, 10*time.Second, "m2 delivered", func() bool { return contains(messages(), "m2") })
		// A handler error is logged; later messages are still delivered.
		rdb.Publish(ctx, "events", "fail")
		rdb.Publish(ctx, "events", "m3")
		eventually(t, 10*time.Second, "m3 delivered", func() bool { return contains(messages(), "m3") })
		// A second trigger on another channel.
		rdb.Publish(ctx, "other-events", "o1")
		eventually(t, 10*time.Second, "o1 delivered", func() bool { return contains(messages(), "o1") })
		if got := messages(); len(got) != 4 {
			t.Errorf("messages = %q, want each delivered once", got)
		}
	})

	t.Run("RedisTriggerReconnect", func(t *testing.T) {
		rs.Restart() // data is lost; the subscription must be re-established
		n := 0
		eventually(t, 20*time.Second, "delivery after redis-server restart", func() bool {
			n++
			rdb.Publish(ctx, "events", fmt.Sprintf("after-%d", n))
			time.Sleep(100 * time.Millisecond)
			return len(messages()) > 0
		})
		if srv.Exited() {
			t.Fatal("server exited")
		}
	})
}

func cutHostPort(addr string) (string, string, bool) {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == ':' {
			return addr[:i], addr[i+1:], true
		}
	}
	return addr, "", false
}

func redisPort(rs *redistest.Server) string { _, p, _ := cutHostPort(rs.Addr()); return p }
