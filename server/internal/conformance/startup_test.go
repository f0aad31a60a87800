package conformance

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"wasmsite/server/internal/testenv"
)

// TestStartupErrors checks that problems are reported when `server up` starts, naming
// the cause, rather than at the first request.
func TestStartupErrors(t *testing.T) {
	t.Parallel()
	probe := testenv.Component(t, "server/internal/conformance/testdata/probe")
	wagi := testenv.Command(t, "functions/examples/wagi")
	cases := []struct {
		name      string
		source    string
		component string // extra component lines
		vars      string
		env       []string
		want      []string
		notWant   string
	}{
		{
			name:   "UnknownImport",
			source: buildC(t, "server/internal/conformance/testdata/unknown_import.c", true),
			want:   []string{`component "app" imports outbound-pg.query, which this host does not provide`},
		},
		{
			name:   "MissingExport",
			source: buildC(t, "server/internal/conformance/testdata/no_export.c", true),
			want:   []string{`component "app"`, "handle-http-request"},
		},
		{
			name:   "CommandAsSpinComponent",
			source: wagi,
			want:   []string{`component "app"`, "handle-http-request", "wagi"},
		},
		{
			name:      "MissingWagiEntrypoint",
			source:    wagi,
			component: `executor = { type = "wagi", entrypoint = "run" }`,
			want:      []string{`component "app"`, `"run"`},
		},
		{
			name:   "RequiredVariable",
			source: probe,
			vars:   `api_key = { required = true }`,
			want:   []string{`variable "api_key" is required`, "SPIN_VARIABLE_API_KEY"},
		},
		{
			name:    "SecretInError",
			source:  probe,
			vars:    `token = { required = true, secret = true }`,
			env:     []string{"SPIN_VARIABLE_TOKEN=bad host/" + secretToken},
			want:    []string{`component "app"`, "allowed"},
			notWant: secretToken,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			testenv.CopyFile(t, c.source, filepath.Join(dir, "app.wasm"))
			hosts := ""
			if c.name == "SecretInError" {
				hosts = `allowed_http_hosts = ["{{ token }}"]`
			}
			testenv.WriteFile(t, filepath.Join(dir, "spin.toml"), fmt.Sprintf(`spin_manifest_version = "1"
name = "startup"
version = "0.1.0"
trigger = { type = "http", base = "/" }
[variables]
%s
[[component]]
id = "app"
source = "app.wasm"
%s
[component.trigger]
route = "/..."
%s
`, c.vars, hosts, c.component))
			out, err := testenv.RunServer(t, dir, c.env, "up", "-f", dir, "--listen", testenv.FreeAddr(t))
			if err == nil {
				t.Fatalf("server started; output:\n%s", out)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if c.notWant != "" && strings.Contains(out, c.notWant) {
				t.Errorf("output contains %q:\n%s", c.notWant, out)
			}
			if strings.Contains(out, "Serving http://") {
				t.Errorf("server announced it was serving:\n%s", out)
			}
		})
	}
}
