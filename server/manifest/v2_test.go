package manifest

import (
	"path/filepath"
	"reflect"
	"testing"

	"wasmsite/server/internal/testenv"
)

const maximalV2 = `spin_manifest_version = 2

[application]
name = "maximal-app"
version = "1.0.0"
description = "A maximal application."
authors = ["Alice <alice@example.com>", "Bob <bob@example.com>"]

[application.trigger.http]
base = "/base"

[application.trigger.redis]
address = "redis://localhost:6379"

[application.tool.lint]
lint_level = "savage"

[variables]
sv_required = { required = true }
sv_default = { default = "happy" }
sv_secret = { default = "s3cret", secret = true }

[[trigger.http]]
id = "http-one"
route = "/one/..."
component = "zeta"
executor = { type = "http" }

[[trigger.http]]
route = "/wagi"
component = "alpha"
executor = { type = "wagi", argv = "${SCRIPT_NAME} -v", entrypoint = "run" }

[[trigger.http]]
route = { private = true }
component = "alpha"

[[trigger.http]]
route = "/api/inline/..."
component = { source = "inline.wasm", allowed_outbound_hosts = ["https://inline.example.com"] }

[[trigger.http]]
id = "named"
route = "/named"
component = { source = "named.wasm" }

[[trigger.redis]]
channel = "messages"
component = "zeta"

[[trigger.redis]]
channel = "other"
address = "redis://other:6380"
component = "alpha"

[component.zeta]
source = "zeta.wasm"
description = "Zeta."
allowed_outbound_hosts = ["redis://localhost", "https://{{ sv_default }}.example.com", "*://*.example.org:*"]
allowed_http_hosts = ["api.example.com:8080", "self"]
key_value_stores = ["default", "kebab-store", "snake_store"]
sqlite_databases = ["default"]
ai_models = ["llama2-chat"]
environment = { FOO = "{{ sv_default }}-bar" }
files = ["assets/*.txt", { source = "static", destination = "/s" }]
exclude_files = ["assets/skip.txt"]
[component.zeta.variables]
api_key = "{{ sv_secret }}"
plain = "x"
[component.zeta.build]
command = "cargo build"
workdir = "zeta"
watch = ["src/**/*.rs"]
[component.zeta.tool.lint]
anything = true

[component.alpha]
source = "alpha.wasm"
`

func TestV2Maximal(t *testing.T) {
	dir := testenv.TempTree(t, map[string]string{"assets/a.txt": "", "assets/skip.txt": "", "static/i.html": ""})
	app := mustParse(t, dir, maximalV2)
	if app.ManifestVersion != 2 || app.Name != "maximal-app" || app.Version != "1.0.0" || app.Description != "A maximal application." ||
		!reflect.DeepEqual(app.Authors, []string{"Alice <alice@example.com>", "Bob <bob@example.com>"}) ||
		app.HTTPBase != "/base" || app.RedisAddress != "redis://localhost:6379" {
		t.Fatalf("app %+v", app)
	}
	wantVars := map[string]Variable{"sv_required": {Required: true}, "sv_default": {Default: ptr("happy")}, "sv_secret": {Default: ptr("s3cret"), Secret: true}}
	if !reflect.DeepEqual(app.Variables, wantVars) {
		t.Fatalf("vars %+v", app.Variables)
	}
	var ids []string
	for _, c := range app.Components {
		ids = append(ids, c.ID)
		if c.HostsVersion != 2 {
			t.Errorf("component %s: HostsVersion %d", c.ID, c.HostsVersion)
		}
	}
	// Manifest order (zeta before alpha), then inline components in trigger order.
	// Inline components are named "<trigger-id>-component"; trigger IDs are assigned like Spin 2.
	if want := []string{"zeta", "alpha", "http-trigger2-component", "named-component"}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("ids %v", ids)
	}
	z := app.Components[0]
	if z.Source != filepath.Join(dir, "zeta.wasm") || z.Description != "Zeta." {
		t.Fatalf("zeta %+v", z)
	}
	wantHosts := []string{"redis://localhost", "https://{{ sv_default }}.example.com", "*://*.example.org:*",
		"http://api.example.com:8080", "https://api.example.com:8080", "http://self"}
	if !reflect.DeepEqual(z.AllowedOutboundHosts, wantHosts) {
		t.Fatalf("hosts %v", z.AllowedOutboundHosts)
	}
	if !reflect.DeepEqual(z.KeyValueStores, []string{"default", "kebab-store", "snake_store"}) ||
		!reflect.DeepEqual(z.SQLiteDatabases, []string{"default"}) || !reflect.DeepEqual(z.AIModels, []string{"llama2-chat"}) {
		t.Fatalf("zeta lists %+v", z)
	}
	if !reflect.DeepEqual(z.Environment, map[string]string{"FOO": "{{ sv_default }}-bar"}) ||
		!reflect.DeepEqual(z.Config, map[string]string{"api_key": "{{ sv_secret }}", "plain": "x"}) {
		t.Fatalf("zeta env/config %+v", z)
	}
	wantFiles := []FileMount{{Source: filepath.Join(dir, "assets/a.txt"), Destination: "/assets/a.txt"}, {Source: filepath.Join(dir, "static"), Destination: "/s", Dir: true}}
	if !reflect.DeepEqual(z.Files, wantFiles) {
		t.Fatalf("files %+v", z.Files)
	}
	if !reflect.DeepEqual(z.Build, &Build{Commands: []string{"cargo build"}, Workdir: filepath.Join(dir, "zeta"), Watch: []string{"src/**/*.rs"}}) {
		t.Fatalf("build %+v", z.Build)
	}
	if got := app.Components[2]; got.Source != filepath.Join(dir, "inline.wasm") || !reflect.DeepEqual(got.AllowedOutboundHosts, []string{"https://inline.example.com"}) {
		t.Fatalf("inline %+v", got)
	}
	wantHTTP := []HTTPTrigger{
		{ID: "http-one", Component: "zeta", Route: "/one/...", Executor: Executor{Type: "spin"}},
		{ID: "alpha-http-trigger", Component: "alpha", Route: "/wagi", Executor: Executor{Type: "wagi", Entrypoint: "run", Argv: "${SCRIPT_NAME} -v"}},
		{ID: "http-trigger1", Component: "alpha", Private: true, Executor: Executor{Type: "spin"}},
		{ID: "http-trigger2", Component: "http-trigger2-component", Route: "/api/inline/...", Executor: Executor{Type: "spin"}},
		{ID: "named", Component: "named-component", Route: "/named", Executor: Executor{Type: "spin"}},
	}
	if !reflect.DeepEqual(app.HTTPTriggers, wantHTTP) {
		t.Fatalf("http %+v", app.HTTPTriggers)
	}
	wantRedis := []RedisTrigger{
		{ID: "zeta-redis-trigger", Component: "zeta", Channel: "messages", Address: "redis://localhost:6379"},
		{ID: "alpha-redis-trigger", Component: "alpha", Channel: "other", Address: "redis://other:6380"},
	}
	if !reflect.DeepEqual(app.RedisTriggers, wantRedis) {
		t.Fatalf("redis %+v", app.RedisTriggers)
	}
}

func TestV2Minimal(t *testing.T) {
	app := mustParse(t, t.TempDir(), "spin_manifest_version = 2\n[application]\nname = \"m\"\n[[trigger.http]]\nroute = \"/\"\ncomponent = \"c\"\n[component.c]\nsource = \"c.wasm\"\n")
	if app.HTTPBase != "/" || app.Version != "" || len(app.Components) != 1 || app.HTTPTriggers[0].Component != "c" {
		t.Fatalf("%+v", app)
	}
	if app.HTTPTriggers[0].ID != "c-http-trigger" {
		t.Fatalf("%+v", app.HTTPTriggers)
	}
	// Inline components: "<trigger-id>-component", falling back to "inline-component<N>"
	// when the natural name is taken or not kebab-case.
	app = mustParse(t, t.TempDir(), `spin_manifest_version = 2
[application]
name = "m"
[[trigger.http]]
route = "/..."
component = { source = "a.wasm" }
[[trigger.http]]
id = "x"
route = "/x"
component = { source = "b.wasm" }
[[trigger.http]]
id = "bad_id"
route = "/y"
component = { source = "c.wasm" }
[component.x-component]
source = "x.wasm"
`)
	var ids []string
	for _, c := range app.Components {
		ids = append(ids, c.ID)
		if c.HostsVersion != 2 {
			t.Errorf("component %s: HostsVersion %d", c.ID, c.HostsVersion)
		}
	}
	if want := []string{"x-component", "http-trigger1-component", "inline-component1", "inline-component2"}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("ids %v", ids)
	}
}

const v2Head = "spin_manifest_version = 2\n[application]\nname = \"e\"\n[variables]\nknown = { default = \"x\" }\n"

func TestV2Errors(t *testing.T) {
	comp := func(extra string) string {
		return v2Head + "[[trigger.http]]\nroute = \"/\"\ncomponent = \"c\"\n[component.c]\nsource = \"c.wasm\"\n" + extra
	}
	cases := []struct {
		name, manifest string
		want           []string
	}{
		{"v2 version as 1 int", "spin_manifest_version = 1\n", []string{`spin_manifest_version = 1 must be the string "1"`}},
		{"missing application", "spin_manifest_version = 2\n", []string{"missing [application] table"}},
		{"missing triggers", v2Head + "[component.c]\nsource = \"c.wasm\"\n", []string{`missing field "trigger"`}},
		{"missing name", "spin_manifest_version = 2\n[application]\nversion = \"1\"\n", []string{`application: missing field "name"`}},
		{"unknown app field", "spin_manifest_version = 2\n[application]\nname = \"x\"\nbase = \"/\"\n", []string{`spin.toml:4:1: unknown field "base" (in application)`}},
		{"unknown app trigger", "spin_manifest_version = 2\n[application]\nname = \"x\"\n[application.trigger.cron]\nx = 1\n", []string{`unsupported trigger type "cron"`}},
		{"unknown app trigger field", "spin_manifest_version = 2\n[application]\nname = \"x\"\n[application.trigger.http]\nbaes = \"/\"\n", []string{`application.trigger.http: unknown field "baes"`}},
		{"v1 fields in v2", v2Head + "[component.c]\nsource = \"c.wasm\"\nconfig = { a = \"b\" }\n", []string{`spin.toml:8:1: component "c": unknown field "config"`}},
		{"unknown component field", comp("allowed_hosts = []\n"), []string{`spin.toml:11:1: component "c": unknown field "allowed_hosts"`}},
		{"snake component id", v2Head + "[component.my_comp]\nsource = \"c.wasm\"\n", []string{`component "my_comp": component ID "my_comp"`}},
		{"mixed case id", v2Head + "[component.myComp]\nsource = \"c.wasm\"\n", []string{`component ID "myComp": each word must be all lowercase or all uppercase`}},
		{"digit id", v2Head + "[component.1st]\nsource = \"c.wasm\"\n", []string{`component ID "1st": each '-'-separated word must start with a letter`}},
		{"double dash id", v2Head + "[component.a--b]\nsource = \"c.wasm\"\n", []string{`component ID "a--b"`}},
		{"missing source", v2Head + "[component.c]\ndescription = \"x\"\n", []string{`component "c": missing field "source"`}},
		{"remote source with a bad digest", v2Head + "[component.c]\nsource = { url = \"https://x/c.wasm\", digest = \"sha256:0\" }\n", []string{`component "c": source: digest "sha256:0": expected`}},
		{"registry source", v2Head + "[component.c]\nsource = { registry = \"r\", package = \"p\", version = \"1\" }\n", []string{`component "c": registry sources ({ registry, package, version }) are not supported`}},
		{"undefined component", v2Head + "[[trigger.http]]\nroute = \"/\"\ncomponent = \"nope\"\n", []string{`trigger.http[0]: component "nope" is not defined`}},
		{"missing route", comp("") + "[[trigger.http]]\ncomponent = \"c\"\n", []string{`trigger.http[1]: missing field "route"`}},
		{"missing component", v2Head + "[[trigger.http]]\nroute = \"/\"\n", []string{`trigger.http[0]: missing field "component"`}},
		{"bad private", comp("") + "[[trigger.http]]\ncomponent = \"c\"\nroute = { private = false }\n", []string{`trigger.http[1]: route: expected a route string or { private = true }`}},
		{"unknown trigger field", v2Head + "[[trigger.http]]\nroute = \"/\"\ncomponent = \"c\"\nroutes = 1\n", []string{`trigger.http[0]: unknown field "routes"`}},
		{"bad executor", v2Head + "[[trigger.http]]\nroute = \"/\"\ncomponent = \"c\"\nexecutor = { type = \"cgi\" }\n", []string{`trigger.http[0]: executor: unsupported type "cgi"`}},
		{"unknown trigger type", v2Head + "[[trigger.cron]]\ncomponent = \"c\"\n", []string{`unsupported trigger type "cron"`}},
		{"redis missing channel", comp("") + "[[trigger.redis]]\ncomponent = \"c\"\naddress = \"redis://x\"\n", []string{`trigger.redis[0]: missing field "channel"`}},
		{"redis missing address", comp("") + "[[trigger.redis]]\ncomponent = \"c\"\nchannel = \"x\"\n", []string{`trigger.redis[0]: no Redis address`}},
		{"inline unknown field", v2Head + "[[trigger.http]]\nroute = \"/x\"\ncomponent = { source = \"a.wasm\", bogus = 1 }\n", []string{`trigger.http[0]: inline component: unknown field "bogus"`}},
		{"scheme-less outbound host", comp("allowed_outbound_hosts = [\"example.com\"]\n"), []string{`component "c": allowed_outbound_hosts: allowed_outbound_hosts entry "example.com": does not contain a scheme`, `"https://example.com"`}},
		{"allow-all in v2 outbound", comp("allowed_outbound_hosts = [\"insecure:allow-all\"]\n"), []string{`use '*://*:*' instead`}},
		{"unknown var in outbound template", comp("allowed_outbound_hosts = [\"https://{{ nope }}\"]\n"), []string{`allowed_outbound_hosts: unknown variable "nope"`}},
		{"template in v2 allowed_http_hosts", comp("allowed_http_hosts = [\"{{ known }}\"]\n"), []string{`allowed_http_hosts: entry "{{ known }}": templates are only supported in allowed_outbound_hosts`}},
		{"bad component variable key", comp("variables = { Bad = \"x\" }\n"), []string{`component "c": variables: invalid key: name "Bad"`}},
		{"unknown var in component variable", comp("variables = { a = \"{{ zzz }}\" }\n"), []string{`component "c": variables "a": unknown variable "zzz"`}},
		{"bad kv label", comp("key_value_stores = [\"bad label\"]\n"), []string{`key_value_stores: key-value store label "bad label": must be kebab-case or snake_case`}},
		{"v2 variable word starting with digit", v2Head + "[variables.a_1]\ndefault = \"x\"\n", []string{`variable "a_1": invalid name: name "a_1": each '_'-separated word must start with a letter`}},
		{"bad ai model", comp("ai_models = [\"llama_2\"]\n"), []string{`ai_models: AI model "llama_2"`}},
		{"bad variable name", v2Head + "[variables.Bad]\ndefault = \"x\"\n", []string{`variable "Bad": invalid name`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.manifest), t.TempDir())
			wantErr(t, err, c.want...)
		})
	}
}

func TestIDRules(t *testing.T) {
	kebab := map[string]bool{"a": true, "my-comp": true, "MY-COMP": true, "my-COMP2": true, "a1-b2": true,
		"": false, "my_comp": false, "-a": false, "a-": false, "a--b": false, "1a": false, "a-1": false, "myComp": false, "a.b": false}
	for id, ok := range kebab {
		if err := validateKebabID(id); (err == nil) != ok {
			t.Errorf("validateKebabID(%q) = %v, want ok=%v", id, err, ok)
		}
	}
	v2label := map[string]bool{"default": true, "my-store": true, "my_store": true, "MY_STORE": true, "my-store_x": false, "my store": false, "": false}
	for l, ok := range v2label {
		if err := validateV2Label(l, "label"); (err == nil) != ok {
			t.Errorf("validateV2Label(%q) = %v, want ok=%v", l, err, ok)
		}
	}
	lower := map[string]bool{"a": true, "site_url": true, "a1_b2": true, "a_1": false, "A": false, "a__b": false, "": false}
	for n, ok := range lower {
		if err := validateLowerSnake(n); (err == nil) != ok {
			t.Errorf("validateLowerSnake(%q) = %v, want ok=%v", n, err, ok)
		}
	}
	vars := map[string]bool{"a": true, "site_url": true, "a1": true, "a_1": true, "": false, "A": false, "1a": false, "a_": false, "a__b": false, "a-b": false}
	for n, ok := range vars {
		if err := validateVariableName(n); (err == nil) != ok {
			t.Errorf("validateVariableName(%q) = %v, want ok=%v", n, err, ok)
		}
	}
	v1ids := map[string]bool{"likes": true, "my_comp": true, "my-comp.v2": true, "": false, "a b": false, "a/b": false}
	for id, ok := range v1ids {
		if err := validateV1ComponentID(id); (err == nil) != ok {
			t.Errorf("validateV1ComponentID(%q) = %v, want ok=%v", id, err, ok)
		}
	}
}
