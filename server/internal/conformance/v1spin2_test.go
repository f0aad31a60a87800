package conformance

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"wasmsite/server/internal/testenv"
	"wasmsite/server/store/redistest"
)

// TestV1AsSpin2Reads runs a v1 manifest written for Spin 2.x, which reads v1 more
// leniently than Spin 1.x (spin@v2.7.0 crates/manifest/src/schema/v1.rs, compat.rs): no
// version and no HTTP base, a remote source found in the download cache (--cache-dir),
// executor { type = "http" }, a private route, a file placed under a relative
// destination, and allowed_outbound_hosts beside allowed_http_hosts: those entries and
// the converted allowed_http_hosts are allowed, Redis only where listed; a component
// without allowed_outbound_hosts keeps Spin 1.x's rules (any Redis).
func TestV1AsSpin2Reads(t *testing.T) {
	t.Parallel()
	rs := redistest.Start(t)
	exact := newRecorder(t)
	converted := newRecorder(t)
	denied := newConnCounter(t)

	dir := t.TempDir()
	wasm, err := os.ReadFile(testenv.Component(t, "server/internal/conformance/testdata/probe"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(wasm)
	digest := "sha256:" + hex.EncodeToString(sum[:])
	cache := t.TempDir()
	testenv.WriteFile(t, filepath.Join(cache, "registry", "wasm", digest), string(wasm))
	testenv.WriteFile(t, filepath.Join(dir, "conf", "app.txt"), "placed")
	testenv.WriteFile(t, filepath.Join(dir, "spin.toml"), fmt.Sprintf(`spin_manifest_version = "1"
name = "v1-for-spin2"
trigger = { type = "http" }

[variables]
redis_url = { required = true }

[[component]]
id = "probe"
source = { url = "https://example.com/probe.wasm", digest = %q }
files = [{ source = "conf/app.txt", destination = "etc/app.txt" }]
allowed_outbound_hosts = ["http://%s", "{{ redis_url }}"]
allowed_http_hosts = [%q]
[component.trigger]
route = "/probe/..."
executor = { type = "http" }

[[component]]
id = "v1-rules"
source = { url = "https://example.com/probe.wasm", digest = %q }
[component.trigger]
route = "/v1/..."

[[component]]
id = "hidden"
source = { url = "https://example.com/probe.wasm", digest = %q }
[component.trigger]
route = { private = true }
`, digest, exact.Addr, converted.Addr, digest, digest))
	srv := testenv.Start(t, testenv.Options{Dir: dir, Env: []string{"SPIN_VARIABLE_REDIS_URL=" + rs.URL()}, Args: []string{"--cache-dir", cache}})
	probe := srv.URL + "/probe/"

	t.Run("Info", func(t *testing.T) {
		var info map[string]string
		getJSON(t, srv.URL+"/.well-known/spin/info", "", &info)
		if info["name"] != "v1-for-spin2" {
			t.Errorf("info: %v", info)
		}
	})

	t.Run("BaseAndPrivateRoute", func(t *testing.T) {
		var echo struct{ Headers map[string]string }
		getJSON(t, probe+"echo", "", &echo)
		if echo.Headers["spin-base-path"] != "/" || echo.Headers["spin-path-info"] != "/echo" {
			t.Errorf("headers %v", echo.Headers)
		}
		for _, p := range []string{"/", "/hidden", "/hidden/echo"} {
			if r := get(t, srv.URL+p); r.Status != 404 {
				t.Errorf("GET %s: %d, want 404 (only the private component could answer)", p, r.Status)
			}
		}
	})

	t.Run("PlacedFile", func(t *testing.T) {
		var res struct{ Data, Err string }
		getJSON(t, probe+"file?path=/etc/app.txt", "", &res)
		if res.Data != "placed" || res.Err != "" {
			t.Errorf("placed file: %+v", res)
		}
	})

	t.Run("AllowedOutboundHosts", func(t *testing.T) {
		var res struct {
			Status int
			Err    string
		}
		for _, u := range []string{exact.URL + "/e", converted.URL + "/c"} {
			getJSON(t, probe+"http?url="+u, "", &res)
			if res.Err != "" || res.Status != 201 {
				t.Errorf("%s: %+v", u, res)
			}
		}
		getJSON(t, probe+"http?url=http://"+denied.Addr+"/d", "", &res)
		if res.Err != "destination-not-allowed" || denied.count.Load() != 0 {
			t.Errorf("denied host: %+v, %d connections", res, denied.count.Load())
		}
		unlisted := "redis://localhost:" + redisPort(rs) // the same server, under a name not listed
		var r struct{ Value, Err string }
		getJSON(t, probe+"redis", toJSON(map[string]any{"addr": rs.URL(), "op": "set", "key": "v1s2:k", "value": "v"}), &r)
		if r.Err != "" {
			t.Errorf("listed redis: %+v", r)
		}
		getJSON(t, probe+"redis", toJSON(map[string]any{"addr": unlisted, "op": "get", "key": "v1s2:k"}), &r)
		if r.Err == "" {
			t.Errorf("redis address not in allowed_outbound_hosts was reached: %+v", r)
		}
		// Without allowed_outbound_hosts, Spin 1.x's rules: Redis anywhere, HTTP nowhere.
		getJSON(t, srv.URL+"/v1/redis", toJSON(map[string]any{"addr": unlisted, "op": "get", "key": "v1s2:k"}), &r)
		if r.Err != "" || r.Value != "v" {
			t.Errorf("v1 component, unlisted redis: %+v", r)
		}
		getJSON(t, srv.URL+"/v1/http?url="+exact.URL+"/e", "", &res)
		if res.Err != "destination-not-allowed" {
			t.Errorf("v1 component, unlisted host: %+v", res)
		}
	})
}
