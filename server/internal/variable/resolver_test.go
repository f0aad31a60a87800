package variable

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wasmsite/server/internal/allowlist"
	"wasmsite/server/internal/testenv"
	"wasmsite/server/manifest"
)

func envMap(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func ptr(s string) *string { return &s }

func wantErr(t *testing.T, err error, subs ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("expected error containing %q, got nil", subs)
	}
	for _, s := range subs {
		if !strings.Contains(err.Error(), s) {
			t.Fatalf("error %q does not contain %q", err.Error(), s)
		}
	}
}

// A loaded v1 manifest's templates render with the resolver, and a rendered allowed
// host parses into an allow-list.
func TestRenderV1Manifest(t *testing.T) {
	const m = `spin_manifest_version = "1"
name = "wasmsite"
version = "0.1.0"
trigger = { type = "http", base = "/" }

[variables]
site_url = { default = "http://localhost:3000" }
jwt_secret = { required = true, secret = true }

[[component]]
id = "likes"
source = "likes.wasm"
allowed_http_hosts = ["{{ site_url }}"]
[component.config]
jwt_secret = "{{ jwt_secret }}"
greeting = "hello {{ site_url }}!"
[component.trigger]
route = "/api/likes/..."
`
	app, err := manifest.Parse([]byte(m), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	likes := app.Components[0]
	r, err := NewResolver(app, envMap(map[string]string{"SPIN_VARIABLE_JWT_SECRET": "s3cret"}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.CheckRequired(); err != nil {
		t.Fatal(err)
	}
	got, err := r.Render(likes.Config["greeting"])
	if err != nil || got != "hello http://localhost:3000!" {
		t.Fatalf("render %q %v", got, err)
	}
	host, _ := r.Render(likes.AllowedOutboundHosts[0])
	al, err := allowlist.Parse([]string{host}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !al.Allows(mustURL(t, "http://localhost:3000/api"), nil) || al.Allows(mustURL(t, "http://localhost/api"), nil) {
		t.Fatal("allow-list from rendered template")
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func resolverApp(t *testing.T, dotenv string) *manifest.App {
	t.Helper()
	files := map[string]string{}
	if dotenv != "" {
		files[".env"] = dotenv
	}
	dir := testenv.TempTree(t, files)
	return &manifest.App{Dir: dir, Variables: map[string]manifest.Variable{
		"a":          {Default: ptr("default-a")},
		"b":          {Default: ptr("default-b")},
		"c":          {Default: ptr("default-c")},
		"d":          {Default: ptr("default-d")},
		"jwt_secret": {Required: true, Secret: true},
		"token":      {Default: ptr("tok"), Secret: true},
		"empty":      {Default: ptr("")},
	}}
}

func TestResolverPrecedence(t *testing.T) {
	app := resolverApp(t, "# comment\nSPIN_VARIABLE_A=dotenv-a\nSPIN_CONFIG_B = 'dotenv-b'\nexport SPIN_VARIABLE_C=\"dotenv c\" # trailing\nSPIN_CONFIG_C=dotenv-config-c\n\nSPIN_VARIABLE_JWT_SECRET=from-dotenv\nD=bare-name-ignored\n")
	env := map[string]string{
		"SPIN_VARIABLE_A": "env-var-a",
		"SPIN_CONFIG_A":   "env-config-a",
		"SPIN_CONFIG_B":   "env-config-b",
	}
	r, err := NewResolver(app, envMap(env), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"a":          "env-var-a",    // SPIN_VARIABLE over SPIN_CONFIG over .env
		"b":          "env-config-b", // SPIN_CONFIG env over .env
		"c":          "dotenv c",     // .env SPIN_VARIABLE over .env SPIN_CONFIG
		"d":          "default-d",    // default; bare names in .env are not used
		"jwt_secret": "from-dotenv",
		"empty":      "",
	}
	for k, v := range want {
		got, err := r.Get(k)
		if err != nil || got != v {
			t.Errorf("Get(%q) = %q, %v; want %q", k, got, err, v)
		}
	}
	_, err = r.Get("nope")
	wantErr(t, err, `unknown variable "nope"`)
	if err := r.CheckRequired(); err != nil {
		t.Fatal(err)
	}
}

func TestResolverRequiredMissing(t *testing.T) {
	app := resolverApp(t, "")
	app.Variables["api_key"] = manifest.Variable{Required: true}
	r, err := NewResolver(app, envMap(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	err = r.CheckRequired()
	if err == nil || err.Error() != `variable "api_key" is required but has no value; set SPIN_VARIABLE_API_KEY; variable "jwt_secret" is required but has no value; set SPIN_VARIABLE_JWT_SECRET` {
		t.Fatalf("CheckRequired = %v", err)
	}
	_, err = r.Get("jwt_secret")
	wantErr(t, err, `variable "jwt_secret" is required but has no value; set SPIN_VARIABLE_JWT_SECRET`)
	_, err = r.Render("Bearer {{ jwt_secret }}")
	wantErr(t, err, `variable "jwt_secret" is required`)
	// SPIN_CONFIG_ satisfies it too.
	r, _ = NewResolver(app, envMap(map[string]string{"SPIN_CONFIG_JWT_SECRET": "x", "SPIN_VARIABLE_API_KEY": "k"}), nil)
	if err := r.CheckRequired(); err != nil {
		t.Fatal(err)
	}
}

func TestRender(t *testing.T) {
	r, err := NewResolver(resolverApp(t, ""), envMap(map[string]string{"SPIN_VARIABLE_JWT_SECRET": "j"}), nil)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ in, out, err string }{
		{"plain", "plain", ""},
		{"", "", ""},
		{"{{a}}", "default-a", ""},
		{"x-{{ a }}-{{  b  }}-y", "x-default-a-default-b-y", ""},
		{"}} {{a}} }}", "}} default-a }}", ""},
		{"{{ a }", "", "unmatched '{{'"},
		{"x {{", "", "unmatched '{{'"},
		{"{{ zz }}", "", `unknown variable "zz"`},
		{"{{ A }}", "", "invalid variable reference"},
		{"{{}}", "", "invalid variable reference"},
	}
	for _, c := range cases {
		got, err := r.Render(c.in)
		if c.err != "" {
			wantErr(t, err, c.err)
			continue
		}
		if err != nil || got != c.out {
			t.Errorf("Render(%q) = %q, %v; want %q", c.in, got, err, c.out)
		}
	}
}

func TestRedact(t *testing.T) {
	r, err := NewResolver(resolverApp(t, ""), envMap(map[string]string{"SPIN_VARIABLE_JWT_SECRET": "hunter2", "SPIN_VARIABLE_A": "public"}), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := r.Redact("auth hunter2 with tok and public; hunter2hunter2")
	if got != "auth *** with *** and public; ******" {
		t.Fatalf("Redact = %q", got)
	}
	// An empty secret value never redacts.
	app := resolverApp(t, "")
	app.Variables["blank"] = manifest.Variable{Default: ptr(""), Secret: true}
	r, _ = NewResolver(app, envMap(nil), nil)
	if got := r.Redact("abc"); got != "abc" {
		t.Fatalf("Redact = %q", got)
	}
}

func TestDotenvErrors(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, ".env"), []byte("OK=1\nnot a pair\n"), 0o644)
	_, err := NewResolver(&manifest.App{Dir: dir}, envMap(nil), nil)
	wantErr(t, err, ".env:2: expected KEY=VALUE")
	os.WriteFile(filepath.Join(dir, ".env"), []byte("A=\"open\n"), 0o644)
	_, err = NewResolver(&manifest.App{Dir: dir}, envMap(nil), nil)
	wantErr(t, err, ".env:1: unterminated quoted value for A")
	m, err := ReadDotenv(testenv.TempTree(t, map[string]string{".env": "X=\"a\\nb \\\"q\\\"\"\nY='raw\\n'\nZ=v#nocomment\n"}) + "/.env")
	if err != nil || m["X"] != "a\nb \"q\"" || m["Y"] != `raw\n` || m["Z"] != "v#nocomment" {
		t.Fatalf("%q %v", m, err)
	}
	if !strings.Contains(EnvKeys("site_url")[0], "SPIN_VARIABLE_SITE_URL") || EnvKeys("site_url")[1] != "SPIN_CONFIG_SITE_URL" {
		t.Fatal(EnvKeys("site_url"))
	}
}

func TestResolverProviders(t *testing.T) {
	app := resolverApp(t, "SPIN_VARIABLE_B=dotenv-b\n")
	envFile := filepath.Join(t.TempDir(), "site.env")
	os.WriteFile(envFile, []byte("SITE_C=file-c\nSITE_JWT_SECRET=file-jwt\n"), 0o644)
	env := map[string]string{"SITE_A": "site-a", "SITE_B": "site-b", "SITE_C": "env-c", "OTHER_D": "other-d", "SITE_D": "site-d"}
	r, err := NewResolver(app, envMap(env), []manifest.ConfigProvider{
		{Type: "env", Prefix: "SITE", DotenvPath: envFile},
		{Type: "env", Prefix: "OTHER"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"a":          "site-a",   // provider env over default
		"b":          "dotenv-b", // default provider (.env) first
		"c":          "env-c",    // provider env over provider dotenv
		"d":          "site-d",   // first provider wins
		"jwt_secret": "file-jwt", // provider dotenv
	}
	for k, v := range want {
		if got, err := r.Get(k); err != nil || got != v {
			t.Errorf("Get(%q) = %q, %v; want %q", k, got, err, v)
		}
	}
	_, err = NewResolver(app, envMap(nil), []manifest.ConfigProvider{{Type: "vault"}})
	wantErr(t, err, `config_provider[0]: type "vault" is not supported`)
}
