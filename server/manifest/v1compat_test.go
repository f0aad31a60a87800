package manifest

import (
	"path/filepath"
	"reflect"
	"testing"

	"wasmsite/server/internal/testenv"
)

// v1 manifests as Spin 2.x and 3.x read them: they convert v1 to v2 on load
// (crates/manifest/src/schema/v1.rs and compat.rs, the same at spin@v2.7.0 and
// spin@v3.1.2) and take forms Spin 1.x refused. Each case names the Spin source it follows.

// v1Top is a v1 manifest's head without version or trigger.
const v1Top = "spin_manifest_version = \"1\"\nname = \"x\"\n"

// v1Comp is a [[component]] with extra fields and the given [component.trigger] body.
func v1Comp(id, extra, trigger string) string {
	return "[[component]]\nid = \"" + id + "\"\nsource = \"" + id + ".wasm\"\n" + extra + "[component.trigger]\n" + trigger
}

const httpTrigger = "trigger = { type = \"http\" }\n"

func TestV1AsSpin2Reads(t *testing.T) {
	cases := []struct {
		name, spin string // spin: the file (at spin@v2.7.0 unless named) the leniency follows
		manifest   string
		check      func(t *testing.T, app *App, dir string)
	}{
		{"version is optional", "crates/manifest/src/schema/v1.rs (version: #[serde(default)])",
			v1Top + "trigger = { type = \"http\", base = \"/\" }\n" + v1Comp("c", "", "route = \"/\"\n"),
			func(t *testing.T, app *App, _ string) {
				if app.Version != "" {
					t.Errorf("version %q", app.Version)
				}
			}},
		{"http base is optional", "crates/http/src/trigger.rs (Metadata.base: default_base)",
			v1Top + httpTrigger + v1Comp("c", "", "route = \"/x\"\n"),
			func(t *testing.T, app *App, _ string) {
				if app.HTTPBase != "/" {
					t.Errorf("base %q", app.HTTPBase)
				}
			}},
		{"empty http base is /", "crates/trigger-http/src/lib.rs (HttpTrigger::new prefixes \"/\")",
			v1Top + "trigger = { type = \"http\", base = \"\" }\n" + v1Comp("c", "", "route = \"/x\"\n"),
			func(t *testing.T, app *App, _ string) {
				if app.HTTPBase != "/" {
					t.Errorf("base %q", app.HTTPBase)
				}
			}},
		{"http base gains a leading /", "crates/trigger-http/src/lib.rs (HttpTrigger::new prefixes \"/\")",
			v1Top + "trigger = { type = \"http\", base = \"api\" }\n" + v1Comp("c", "", "route = \"/x\"\n"),
			func(t *testing.T, app *App, _ string) {
				if app.HTTPBase != "/api" {
					t.Errorf("base %q", app.HTTPBase)
				}
			}},
		{"executor type http", "crates/http/src/config.rs (HttpExecutorType::Http, alias spin)",
			v1Top + httpTrigger + v1Comp("c", "", "route = \"/\"\nexecutor = { type = \"http\" }\n"),
			func(t *testing.T, app *App, _ string) {
				if app.HTTPTriggers[0].Executor != (Executor{Type: "spin"}) {
					t.Errorf("executor %+v", app.HTTPTriggers[0].Executor)
				}
			}},
		{"private route", "crates/http/src/config.rs (HttpTriggerRouteConfig::Private, v2.5+)",
			v1Top + httpTrigger + v1Comp("c", "", "route = \"/\"\n") + v1Comp("p", "", "route = { private = true }\n"),
			func(t *testing.T, app *App, _ string) {
				want := []HTTPTrigger{
					{Component: "c", Route: "/", Executor: Executor{Type: "spin"}},
					{Component: "p", Private: true, Executor: Executor{Type: "spin"}},
				}
				if !reflect.DeepEqual(app.HTTPTriggers, want) {
					t.Errorf("triggers %+v", app.HTTPTriggers)
				}
			}},
		{"redis trigger address overrides the app's", "crates/trigger-redis/src/lib.rs (RedisTriggerConfig.address)",
			v1Top + "trigger = { type = \"redis\", address = \"redis://app:6379\" }\n" +
				v1Comp("a", "", "channel = \"ca\"\naddress = \"redis://other:6380\"\n") + v1Comp("b", "", "channel = \"cb\"\n"),
			func(t *testing.T, app *App, _ string) {
				want := []RedisTrigger{
					{Component: "a", Channel: "ca", Address: "redis://other:6380"},
					{Component: "b", Channel: "cb", Address: "redis://app:6379"},
				}
				if !reflect.DeepEqual(app.RedisTriggers, want) {
					t.Errorf("triggers %+v", app.RedisTriggers)
				}
			}},
		{"any key-value store label", "crates/manifest/src/compat.rs (key_value_stores copied unchecked)",
			v1Top + httpTrigger + v1Comp("c", "key_value_stores = [\"my-store\", \"Mixed\", \"STORE2\", \"default\"]\n", "route = \"/\"\n"),
			func(t *testing.T, app *App, _ string) {
				if got := app.Components[0].KeyValueStores; !reflect.DeepEqual(got, []string{"my-store", "Mixed", "STORE2", "default"}) {
					t.Errorf("stores %v", got)
				}
			}},
		{"build command array", "crates/manifest/src/schema/common.rs at spin@v3.1.2 (Commands::Multiple)",
			v1Top + httpTrigger + v1Comp("c", "", "route = \"/\"\n") + "[component.build]\ncommand = [\"make wasm\", \"wasm-opt -O c.wasm\"]\n",
			func(t *testing.T, app *App, _ string) {
				if got := app.Components[0].Build.Commands; !reflect.DeepEqual(got, []string{"make wasm", "wasm-opt -O c.wasm"}) {
					t.Errorf("commands %q", got)
				}
			}},
		{"allowed_outbound_hosts beside allowed_http_hosts", "crates/manifest/src/schema/v1.rs, compat.rs (v1_to_v2_app)",
			v1Top + httpTrigger + "[variables]\nredis_url = { default = \"redis://r:6379\" }\n" +
				v1Comp("c", "allowed_outbound_hosts = [\"https://api.example.com\", \"{{ redis_url }}\"]\nallowed_http_hosts = [\"example.com:8080\", \"self\"]\n", "route = \"/\"\n") +
				v1Comp("none", "allowed_outbound_hosts = []\nallowed_http_hosts = [\"ftp://ignored/x\", \"insecure:allow-all\"]\n", "route = \"/n\"\n") +
				v1Comp("v1", "allowed_http_hosts = [\"example.com\"]\n", "route = \"/v1\"\n"),
			func(t *testing.T, app *App, _ string) {
				type hosts struct {
					v     int
					hosts []string
				}
				want := []hosts{
					{2, []string{"https://api.example.com", "{{ redis_url }}", "http://example.com:8080", "https://example.com:8080", "http://self"}},
					{2, []string{"http://*:*", "https://*:*", "http://self"}},
					{1, []string{"example.com"}},
				}
				for i, c := range app.Components {
					if got := (hosts{c.HostsVersion, c.AllowedOutboundHosts}); !reflect.DeepEqual(got, want[i]) {
						t.Errorf("component %s: %+v, want %+v", c.ID, got, want[i])
					}
				}
			}},
		{"placing a file, and the app dir, under relative destinations", "crates/loader/src/local.rs (copy_file_mounts)",
			v1Top + httpTrigger + v1Comp("c", "files = [{ source = \"conf/app.toml\", destination = \"etc/app.toml\" }, { source = \"\", destination = \"app\" }]\n", "route = \"/\"\n"),
			func(t *testing.T, app *App, dir string) {
				want := []FileMount{
					{Source: filepath.Join(dir, "conf", "app.toml"), Destination: "/etc/app.toml"},
					{Source: dir, Destination: "/app", Dir: true},
				}
				if got := app.Components[0].Files; !reflect.DeepEqual(got, want) {
					t.Errorf("files %+v", got)
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := testenv.TempTree(t, map[string]string{"conf/app.toml": "x = 1\n"})
			app, err := Parse([]byte(c.manifest), dir)
			if err != nil {
				t.Fatalf("Spin 2.x accepts this (%s); got %v", c.spin, err)
			}
			c.check(t, app, dir)
		})
	}
}

// TestV1StillRefused: what Spin 2.x and 3.x refuse in a v1 manifest (unknown fields
// above all) is still refused, naming the field, and its line where the field belongs
// to a fixed schema.
func TestV1StillRefused(t *testing.T) {
	cases := []struct {
		name, manifest string
		want           []string
	}{
		{"unknown top-level field", v1Top + "verison = \"1\"\n" + httpTrigger, []string{`spin.toml:3:1: unknown field "verison"`}},
		{"unknown app trigger field", v1Top + "trigger = { type = \"http\", bsae = \"/\" }\n", []string{`spin.toml: trigger: unknown field "bsae"`}},
		{"address on an http trigger", v1Top + "trigger = { type = \"http\", address = \"redis://x\" }\n", []string{`trigger: unknown field "address"`}},
		{"redis app address still required", v1Top + "trigger = { type = \"redis\" }\n", []string{`trigger: missing field "address"`}},
		{"unknown component field", v1Top + httpTrigger + v1Comp("c", "allowed_outbound_host = []\n", "route = \"/\"\n"),
			[]string{`spin.toml:7:1: component "c": unknown field "allowed_outbound_host"`}},
		{"unknown http trigger field", v1Top + httpTrigger + v1Comp("c", "", "rout = \"/\"\n"), []string{`component "c": trigger: unknown field "rout"`}},
		{"address on an http component trigger", v1Top + httpTrigger + v1Comp("c", "", "route = \"/\"\naddress = \"redis://x\"\n"), []string{`component "c": trigger: unknown field "address"`}},
		{"unknown redis trigger field", v1Top + "trigger = { type = \"redis\", address = \"redis://a\" }\n" + v1Comp("c", "", "channel = \"x\"\nadress = \"redis://b\"\n"),
			[]string{`component "c": trigger: unknown field "adress"`}},
		{"route table other than private", v1Top + httpTrigger + v1Comp("c", "", "route = { private = false }\n"), []string{`component "c": trigger: route: expected a route string or { private = true }`}},
		{"route table unknown key", v1Top + httpTrigger + v1Comp("c", "", "route = { privat = true }\n"), []string{`component "c": trigger: route: unknown field "privat"`}},
		{"http executor with wagi fields", v1Top + httpTrigger + v1Comp("c", "", "route = \"/\"\nexecutor = { type = \"http\", argv = \"x\" }\n"), []string{`executor: unknown field "argv"`}},
		{"empty key-value store label", v1Top + httpTrigger + v1Comp("c", "key_value_stores = [\"\"]\n", "route = \"/\"\n"), []string{`component "c": key_value_stores: empty label`}},
		{"empty build command array", v1Top + httpTrigger + v1Comp("c", "", "route = \"/\"\n") + "[component.build]\ncommand = []\n", []string{`component "c": build: field "command" must not be an empty array`}},
		{"build command array of numbers", v1Top + httpTrigger + v1Comp("c", "", "route = \"/\"\n") + "[component.build]\ncommand = [\"make\", 1]\n", []string{`component "c": build: command[1]: expected a non-empty string`}},
		{"unknown build field", v1Top + httpTrigger + v1Comp("c", "", "route = \"/\"\n") + "[component.build]\ncommand = \"make\"\ncommands = [\"x\"]\n", []string{`spin.toml:11:1: component "c": unknown field "commands" (in build)`}},
		{"allowed_outbound_hosts entry without a scheme", v1Top + httpTrigger + v1Comp("c", "allowed_outbound_hosts = [\"example.com\"]\n", "route = \"/\"\n"),
			[]string{`component "c": allowed_outbound_hosts`, `"example.com"`}},
		{"allowed_outbound_hosts with an undeclared variable", v1Top + httpTrigger + v1Comp("c", "allowed_outbound_hosts = [\"https://{{ nope }}\"]\n", "route = \"/\"\n"),
			[]string{`component "c": allowed_outbound_hosts: unknown variable "nope"`}},
		{"allowed_http_hosts template beside allowed_outbound_hosts", v1Top + httpTrigger + "[variables]\nh = { default = \"x.com\" }\n" + v1Comp("c", "allowed_outbound_hosts = []\nallowed_http_hosts = [\"{{ h }}\"]\n", "route = \"/\"\n"),
			[]string{`component "c": allowed_http_hosts: entry "{{ h }}": templates are only supported in allowed_outbound_hosts`}},
		{"unknown variable field", v1Top + httpTrigger + "[variables]\na = { default = \"x\", secert = true }\n", []string{`spin.toml:5:`, `unknown field "secert" (in variables)`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.manifest), t.TempDir())
			wantErr(t, err, c.want...)
		})
	}
}
