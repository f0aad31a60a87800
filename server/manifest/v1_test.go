package manifest

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"wasmsite/server/internal/testenv"
)

const projectV1 = `spin_manifest_version = "1"
name = "wasmsite"
version = "0.1.0"
description = "A site"
authors = ["Ada <ada@example.com>"]
trigger = { type = "http", base = "/" }

[variables]
site_url = { default = "http://localhost:3000" }
jwt_secret = { required = true, secret = true }
redis_address = { default = "redis://localhost:6379" }

[[component]]
id = "static"
source = "modules/fileserver.wasm"
files = [{ source = "public", destination = "/" }]
environment = { FALLBACK_PATH = "index.html" }
[component.trigger]
route = "/..."

[[component]]
id = "likes"
description = "Like counter"
source = "functions/likes.wasm"
allowed_http_hosts = ["{{ site_url }}"]
key_value_stores = ["default"]
environment = { SITE = "{{site_url}}/x" }
[component.config]
jwt_secret = "{{ jwt_secret }}"
redis_address = "{{ redis_address }}"
greeting = "hello {{ site_url }}!"
[component.trigger]
route = "/api/likes/..."
[component.build]
command = "tinygo build -o likes.wasm"
workdir = "functions/likes"
watch = ["**/*.go", "go.mod"]
`

func TestV1Project(t *testing.T) {
	dir := testenv.TempTree(t, map[string]string{
		"spin.toml":          projectV1,
		"public/index.html":  "<h1>hi</h1>",
		"public/css/a.css":   "a{}",
		"modules/x":          "",
		"functions/likes/go": "",
	})
	app, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if app.ManifestVersion != 1 || app.Name != "wasmsite" || app.Version != "0.1.0" || app.Description != "A site" || app.HTTPBase != "/" {
		t.Fatalf("app header: %+v", app)
	}
	if app.Dir != dir || app.Path != filepath.Join(dir, "spin.toml") {
		t.Fatalf("paths: %q %q", app.Dir, app.Path)
	}
	if !reflect.DeepEqual(app.Authors, []string{"Ada <ada@example.com>"}) {
		t.Fatalf("authors %v", app.Authors)
	}
	wantVars := map[string]Variable{
		"site_url":      {Default: ptr("http://localhost:3000")},
		"jwt_secret":    {Required: true, Secret: true},
		"redis_address": {Default: ptr("redis://localhost:6379")},
	}
	if !reflect.DeepEqual(app.Variables, wantVars) {
		t.Fatalf("variables %+v", app.Variables)
	}
	if len(app.Components) != 2 {
		t.Fatalf("components %d", len(app.Components))
	}
	st, likes := app.Components[0], app.Components[1]
	if st.ID != "static" || st.Source != filepath.Join(dir, "modules/fileserver.wasm") {
		t.Fatalf("static %+v", st)
	}
	wantFiles := []FileMount{{Source: filepath.Join(dir, "public"), Destination: "/", Dir: true}}
	if !reflect.DeepEqual(st.Files, wantFiles) {
		t.Fatalf("static files %+v", st.Files)
	}
	if st.Environment["FALLBACK_PATH"] != "index.html" || len(st.AllowedOutboundHosts) != 0 || st.Build != nil {
		t.Fatalf("static %+v", st)
	}
	if likes.ID != "likes" || likes.Description != "Like counter" {
		t.Fatalf("likes %+v", likes)
	}
	if !reflect.DeepEqual(likes.AllowedOutboundHosts, []string{"{{ site_url }}"}) {
		t.Fatalf("hosts %v", likes.AllowedOutboundHosts)
	}
	wantCfg := map[string]string{"jwt_secret": "{{ jwt_secret }}", "redis_address": "{{ redis_address }}", "greeting": "hello {{ site_url }}!"}
	if !reflect.DeepEqual(likes.Config, wantCfg) {
		t.Fatalf("config %v", likes.Config)
	}
	if !reflect.DeepEqual(likes.KeyValueStores, []string{"default"}) || likes.Environment["SITE"] != "{{site_url}}/x" {
		t.Fatalf("likes %+v", likes)
	}
	wantBuild := &Build{Commands: []string{"tinygo build -o likes.wasm"}, Workdir: filepath.Join(dir, "functions/likes"), Watch: []string{"**/*.go", "go.mod"}}
	if !reflect.DeepEqual(likes.Build, wantBuild) {
		t.Fatalf("build %+v", likes.Build)
	}
	wantTriggers := []HTTPTrigger{
		{Component: "static", Route: "/...", Executor: Executor{Type: "spin"}},
		{Component: "likes", Route: "/api/likes/...", Executor: Executor{Type: "spin"}},
	}
	if !reflect.DeepEqual(app.HTTPTriggers, wantTriggers) {
		t.Fatalf("triggers %+v", app.HTTPTriggers)
	}
	if len(app.RedisTriggers) != 0 || app.RedisAddress != "" {
		t.Fatalf("redis %+v", app.RedisTriggers)
	}
}

func TestV1WagiAndExecutors(t *testing.T) {
	dir := t.TempDir()
	m := `spin_version = "1"
name = "w"
version = "1"
trigger = { type = "http", base = "/base" }
[[component]]
id = "cgi"
source = "cgi.wasm"
[component.trigger]
route = "/cgi/..."
executor = { type = "wagi" }
[[component]]
id = "cgi2"
source = "/abs/cgi.wasm"
[component.trigger]
route = "/cgi2"
executor = { type = "wagi", entrypoint = "main", argv = "${SCRIPT_NAME} -x ${ARGS}" }
[[component]]
id = "spin"
source = "s.wasm"
[component.trigger]
route = "/s"
executor = { type = "spin" }
`
	app := mustParse(t, dir, m)
	want := []HTTPTrigger{
		{Component: "cgi", Route: "/cgi/...", Executor: Executor{Type: "wagi", Entrypoint: "_start", Argv: "${SCRIPT_NAME} ${ARGS}"}},
		{Component: "cgi2", Route: "/cgi2", Executor: Executor{Type: "wagi", Entrypoint: "main", Argv: "${SCRIPT_NAME} -x ${ARGS}"}},
		{Component: "spin", Route: "/s", Executor: Executor{Type: "spin"}},
	}
	if !reflect.DeepEqual(app.HTTPTriggers, want) {
		t.Fatalf("got %+v", app.HTTPTriggers)
	}
	if app.HTTPBase != "/base" || app.Components[1].Source != "/abs/cgi.wasm" {
		t.Fatalf("%+v", app)
	}
}

func TestV1Redis(t *testing.T) {
	dir := t.TempDir()
	m := `spin_manifest_version = "1"
name = "r"
version = "1.0.0"
trigger = { type = "redis", address = "redis://localhost:6379" }
[[component]]
id = "echo"
source = "echo.wasm"
[component.trigger]
channel = "messages"
[[component]]
id = "echo2"
source = "echo2.wasm"
[component.trigger]
channel = "other"
executor = { type = "spin" }
`
	app := mustParse(t, dir, m)
	want := []RedisTrigger{
		{Component: "echo", Channel: "messages", Address: "redis://localhost:6379"},
		{Component: "echo2", Channel: "other", Address: "redis://localhost:6379"},
	}
	if !reflect.DeepEqual(app.RedisTriggers, want) || app.RedisAddress != "redis://localhost:6379" || len(app.HTTPTriggers) != 0 {
		t.Fatalf("got %+v", app)
	}
}

const v1Head = `spin_manifest_version = "1"
name = "e"
version = "1"
trigger = { type = "http", base = "/" }
[variables]
known = { default = "x" }
`

func TestV1Errors(t *testing.T) {
	comp := func(extra string) string {
		return v1Head + "[[component]]\nid = \"likes\"\nsource = \"l.wasm\"\n" + extra + "[component.trigger]\nroute = \"/l\"\n"
	}
	cases := []struct {
		name     string
		manifest string
		want     []string
	}{
		{"no version key", "name = \"x\"\n", []string{`missing field "spin_manifest_version"`}},
		{"bad version", "spin_manifest_version = \"3\"\n", []string{`unsupported spin_manifest_version "3"`}},
		{"v2 as string", "spin_manifest_version = \"2\"\n", []string{`must be the integer 2`}},
		{"missing name", "spin_manifest_version = \"1\"\nversion = \"1\"\ntrigger = { type = \"http\", base = \"/\" }\n", []string{`spin.toml: missing field "name"`}},
		{"missing trigger", "spin_manifest_version = \"1\"\nname = \"x\"\nversion = \"1\"\n", []string{`missing field "trigger"`}},
		{"missing redis address", "spin_manifest_version = \"1\"\nname = \"x\"\nversion = \"1\"\ntrigger = { type = \"redis\" }\n", []string{`trigger: missing field "address"`}},
		{"unknown trigger type", "spin_manifest_version = \"1\"\nname = \"x\"\nversion = \"1\"\ntrigger = { type = \"cron\" }\n", []string{`unsupported trigger type "cron"`}},
		{"unknown trigger field", "spin_manifest_version = \"1\"\nname = \"x\"\nversion = \"1\"\ntrigger = { type = \"http\", base = \"/\", foo = 1 }\n", []string{`trigger: unknown field "foo"`}},
		{"no components", v1Head, []string{"no components"}},
		{"unknown top-level field", "spin_manifest_version = \"1\"\nnmae = \"x\"\n", []string{`spin.toml:2:1: unknown field "nmae"`}},
		{"unknown component field", comp("allowed_hosts = [\"x\"]\n"), []string{`spin.toml:10:1: component "likes": unknown field "allowed_hosts"`}},
		{"unknown field in second component", comp("") + "[[component]]\nid = \"second\"\nsource = \"s.wasm\"\nallowed_hosts = []\n[component.trigger]\nroute = \"/s\"\n", []string{`spin.toml:15:1: component "second": unknown field "allowed_hosts"`}},
		{"unknown trigger field in component", comp("") + "chanel = \"x\"\n", []string{`spin.toml: component "likes": trigger: unknown field "chanel"`}},
		{"wrong type", comp("environment = \"x\"\n"), []string{`spin.toml:10:15: component "likes": field "environment": expected a table, found TOML string`}},
		{"wrong type string", "spin_manifest_version = \"1\"\nname = 3\n", []string{`spin.toml:2:8: field "name": expected a string, found TOML integer`}},
		{"missing id", v1Head + "[[component]]\nsource = \"a.wasm\"\n[component.trigger]\nroute = \"/\"\n", []string{`component #1: missing field "id"`}},
		{"duplicate id", comp("") + comp("")[len(v1Head):], []string{`duplicate component id "likes"`}},
		{"missing source", v1Head + "[[component]]\nid = \"a\"\n[component.trigger]\nroute = \"/\"\n", []string{`component "a": missing field "source"`}},
		{"remote source with a bad digest", v1Head + "[[component]]\nid = \"a\"\nsource = { url = \"https://x/y.wasm\", digest = \"sha256:00\" }\n[component.trigger]\nroute = \"/\"\n", []string{`component "a": source: digest "sha256:00": expected "sha256:" and 64 lowercase hex digits`}},
		{"missing component trigger", v1Head + "[[component]]\nid = \"a\"\nsource = \"a.wasm\"\n", []string{`component "a": missing field "trigger"`}},
		{"missing route", v1Head + "[[component]]\nid = \"a\"\nsource = \"a.wasm\"\n[component.trigger]\nchannel = \"c\"\n", []string{`component "a": trigger: unknown field "channel"`}},
		{"missing route only", v1Head + "[[component]]\nid = \"a\"\nsource = \"a.wasm\"\n[component.trigger]\n", []string{`component "a": trigger: missing field "route"`}},
		{"missing channel", "spin_manifest_version = \"1\"\nname = \"x\"\nversion = \"1\"\ntrigger = { type = \"redis\", address = \"redis://h\" }\n[[component]]\nid = \"a\"\nsource = \"a.wasm\"\n[component.trigger]\n", []string{`component "a": trigger: missing field "channel"`}},
		{"bad executor", comp("")[:len(comp(""))] + "executor = { type = \"cgi\" }\n", []string{`component "likes": trigger: executor: unsupported type "cgi"`}},
		{"wagi unknown field", comp("") + "executor = { type = \"wagi\", entry = \"x\" }\n", []string{`executor: unknown field "entry"`}},
		{"unknown template var in config", comp("config = { a = \"{{ nope }}\" }\n"), []string{`component "likes": config "a": unknown variable "nope"`}},
		{"unknown template var in env", comp("environment = { A = \"x{{ nope }}\" }\n"), []string{`component "likes": environment "A": unknown variable "nope"`}},
		{"unmatched template", comp("config = { a = \"{{ known \" }\n"), []string{`config "a": unmatched '{{'`}},
		{"bad config key", comp("config = { Bad = \"x\" }\n"), []string{`config: invalid key: "Bad"`}},
		{"bad config key dunder", comp("config = { a__b = \"x\" }\n"), []string{`"a__b": must not contain multiple consecutive underscores`}},
		{"unknown template var in hosts", comp("allowed_http_hosts = [\"{{ nope }}\"]\n"), []string{`allowed_http_hosts: unknown variable "nope"`}},
		{"bad host", comp("allowed_http_hosts = [\"ftp://x.com\"]\n"), []string{`allowed_http_hosts entry "ftp://x.com"`}},
		{"host with path", comp("allowed_http_hosts = [\"https://x.com/api\"]\n"), []string{`"https://x.com/api" contains a path`}},
		{"variable both", "spin_manifest_version = \"1\"\nname = \"x\"\nversion = \"1\"\ntrigger = { type = \"http\", base = \"/\" }\n[variables]\na = { default = \"x\", required = true }\n", []string{`variable "a": exactly one of`}},
		{"variable neither", "spin_manifest_version = \"1\"\nname = \"x\"\nversion = \"1\"\ntrigger = { type = \"http\", base = \"/\" }\n[variables]\na = { secret = true }\n", []string{`variable "a": exactly one of`}},
		{"variable bad name", "spin_manifest_version = \"1\"\nname = \"x\"\nversion = \"1\"\ntrigger = { type = \"http\", base = \"/\" }\n[variables]\n1a = { default = \"x\" }\n", []string{`variable "1a": invalid name`}},
		{"variable unknown field", "spin_manifest_version = \"1\"\nname = \"x\"\nversion = \"1\"\ntrigger = { type = \"http\", base = \"/\" }\n[variables]\na = { defualt = \"x\" }\n", []string{`unknown field "defualt" (in variables)`}},
		{"build without command", comp("[component.build]\nworkdir = \"x\"\n"), []string{`component "likes": build: missing field "command"`}},
		{"build unknown field", comp("[component.build]\ncommand = \"make\"\ncmd = \"x\"\n"), []string{`spin.toml:12:1: component "likes": unknown field "cmd" (in build)`}},
		{"files bad placement", comp("files = [{ source = \"p\", dest = \"/\" }]\n"), []string{`component "likes": files[0]: unknown field "dest"`}},
		{"files missing path", comp("files = [\"nope.txt\"]\n"), []string{`files[0]: "nope.txt": no such file or directory`}},
		{"files outside", comp("files = [\"../x\"]\n"), []string{`points outside the manifest directory`}},
		{"both version keys", "spin_version = \"1\"\nspin_manifest_version = \"1\"\n", []string{"both spin_version and spin_manifest_version"}},
		{"bad toml", "spin_manifest_version = \"1\"\nname = \n", []string{"spin.toml:2:"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.manifest), t.TempDir())
			wantErr(t, err, c.want...)
		})
	}
}

func TestV1AllowAllSkipsValidation(t *testing.T) {
	m := v1Head + "[[component]]\nid = \"a\"\nsource = \"a.wasm\"\nallowed_http_hosts = [\"insecure:allow-all\", \"ftp://bad/path\"]\n[component.trigger]\nroute = \"/\"\n"
	app := mustParse(t, t.TempDir(), m)
	if got := app.Components[0].AllowedOutboundHosts; len(got) != 2 {
		t.Fatalf("%v", got)
	}
}

func TestV1ExtraLists(t *testing.T) {
	m := v1Head + "namespace = \"ns\"\n"
	// namespace must be top-level: put before [variables].
	m = strings.Replace(v1Head, "[variables]", "namespace = \"ns\"\n[variables]", 1) +
		"[[component]]\nid = \"a\"\nsource = \"a.wasm\"\nsqlite_databases = [\"default\"]\nai_models = [\"llama2-chat\"]\nkey_value_stores = [\"default\", \"mixed_CASE_words\", \"store2\"]\n[component.trigger]\nroute = \"/\"\n"
	app := mustParse(t, t.TempDir(), m)
	c := app.Components[0]
	if app.Namespace != "ns" || !reflect.DeepEqual(c.SQLiteDatabases, []string{"default"}) || !reflect.DeepEqual(c.AIModels, []string{"llama2-chat"}) ||
		!reflect.DeepEqual(c.KeyValueStores, []string{"default", "mixed_CASE_words", "store2"}) {
		t.Fatalf("%+v %+v", app, c)
	}
}

func TestLoadFileAndMissing(t *testing.T) {
	dir := testenv.TempTree(t, map[string]string{"app.toml": v1Head + "[[component]]\nid = \"a\"\nsource = \"a.wasm\"\n[component.trigger]\nroute = \"/\"\n"})
	app, err := Load(filepath.Join(dir, "app.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if app.Path != filepath.Join(dir, "app.toml") {
		t.Fatal(app.Path)
	}
	_, err = Load(t.TempDir())
	wantErr(t, err, "reading manifest", "spin.toml")
	// Errors from Load name the actual file.
	os.WriteFile(filepath.Join(dir, "bad.toml"), []byte("spin_manifest_version = \"1\"\nzzz = 1\n"), 0o644)
	_, err = Load(filepath.Join(dir, "bad.toml"))
	wantErr(t, err, `bad.toml:2:1: unknown field "zzz"`)
}
